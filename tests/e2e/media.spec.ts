/**
 * A torrent's files through their media URL (`handle.mediaUrl()`, the service worker's
 * `/files/<infoHash>/<path>?stream`): Range requests answered with exactly those bytes, the
 * Content-Type of the extension, shown in place; a range outside the file is a 416.
 */
import { expect, test } from './fixtures';

test('Range requests against the media URL return exactly the bytes asked for, the last byte and a suffix included; a bad range is a 416', async ({ browser, peer }) => {
  const page = await peer(await browser.newContext());
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  const out = await page.evaluate(async () => {
    const KiB = 1024;
    const random = (n: number, seed: number) => {
      const b = new Uint8Array(n);
      let x = seed;
      for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      return b;
    };
    // A file spanning several 256 KiB pieces, and a folder whose second file starts inside a piece.
    const clip = random(700 * KiB + 13, 1);
    const single = await window.p2p.share(clip, 'clip.webm');
    const first = random(300 * KiB + 7, 2);
    const second = random(200 * KiB + 5, 3);
    const folder = await window.p2p.share([{ path: 'talk/a.bin', blob: new Blob([first]) }, { path: 'talk/song.mp3', blob: new Blob([second]) }], 'talk');
    const handle = (hash: string) => window.p2p.torrents().find((t) => t.infoHash === hash)!;
    const get = async (url: string, range?: string) => {
      const r = await fetch(url, range ? { headers: { range } } : {});
      const body = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, headers: Object.fromEntries(r.headers), body };
    };
    const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
    const url = handle(single.infoHash).mediaUrl();
    const n = clip.length;
    const cases: Record<string, unknown> = {};
    for (const [label, range, start, end] of [
      ['first bytes', 'bytes=0-99', 0, 100],
      ['across a piece boundary', `bytes=${256 * KiB - 10}-${256 * KiB + 9}`, 256 * KiB - 10, 256 * KiB + 10],
      ['the last byte', `bytes=${n - 1}-${n - 1}`, n - 1, n],
      ['open-ended', `bytes=${n - 5000}-`, n - 5000, n],
      ['suffix', 'bytes=-1000', n - 1000, n],
    ] as const) {
      const r = await get(url, range);
      cases[label] = { status: r.status, range: r.headers['content-range'], length: r.headers['content-length'], same: same(r.body, clip.subarray(start, end)) };
    }
    const whole = await get(url);
    const bad = await get(url, `bytes=${n}-`);
    const songPath = handle(folder.infoHash).files().find((f) => f.path.endsWith('song.mp3'))!.path;
    const songUrl = handle(folder.infoHash).mediaUrl(songPath);
    const song = await get(songUrl, 'bytes=100-');
    const saved = await get(handle(single.infoHash).saveUrl(), 'bytes=10-19');
    return {
      n,
      url,
      songPath,
      cases,
      whole: { status: whole.status, type: whole.headers['content-type'], disposition: whole.headers['content-disposition'], ranges: whole.headers['accept-ranges'], same: same(whole.body, clip) },
      bad: { status: bad.status, range: bad.headers['content-range'], text: new TextDecoder().decode(bad.body) },
      song: { status: song.status, type: song.headers['content-type'], range: song.headers['content-range'], same: same(song.body, second.subarray(100)) },
      saved: { status: saved.status, type: saved.headers['content-type'], disposition: saved.headers['content-disposition'], same: same(saved.body, clip.subarray(10, 20)) },
    };
  });
  const n = out.n;
  expect(out.url).toMatch(/\/files\/[0-9a-f]{40}\/clip\.webm\?stream$/);
  expect(out.cases).toEqual({
    'first bytes': { status: 206, range: `bytes 0-99/${n}`, length: '100', same: true },
    'across a piece boundary': { status: 206, range: `bytes ${256 * 1024 - 10}-${256 * 1024 + 9}/${n}`, length: '20', same: true },
    'the last byte': { status: 206, range: `bytes ${n - 1}-${n - 1}/${n}`, length: '1', same: true },
    'open-ended': { status: 206, range: `bytes ${n - 5000}-${n - 1}/${n}`, length: '5000', same: true },
    suffix: { status: 206, range: `bytes ${n - 1000}-${n - 1}/${n}`, length: '1000', same: true },
  });
  expect(out.whole).toEqual({ status: 200, type: 'video/webm', disposition: `inline; filename="clip.webm"; filename*=UTF-8''clip.webm`, ranges: 'bytes', same: true });
  expect(out.bad).toEqual({ status: 416, range: `bytes */${n}`, text: `The range asked for cannot be served: the range starts at byte ${n}, and the file has ${n} bytes.\n` });
  expect(out.songPath).toBe('song.mp3');
  expect(out.song).toEqual({ status: 206, type: 'audio/mpeg', range: `bytes 100-${200 * 1024 + 4}/${200 * 1024 + 5}`, same: true });
  // The save URL answers ranges too, as bytes to keep.
  expect(out.saved).toEqual({ status: 206, type: 'application/octet-stream', disposition: `attachment; filename="clip.webm"; filename*=UTF-8''clip.webm`, same: true });
});
