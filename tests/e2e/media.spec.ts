/**
 * A torrent's files through their media URL (`handle.mediaUrl()`, the service worker's
 * `/files/<infoHash>/<path>?stream`): Range requests answered with exactly those bytes, the
 * Content-Type of the extension, shown in place; a range outside the file is a 416.
 */
import { expect, test } from './fixtures';

test('Range requests against the media URL return exactly the bytes asked for, the last byte and a suffix included; a bad range is a 416', { tag: '@engines' }, async ({ browser, peer }) => {
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

test('a media URL of a file still downloading: a range at 80 % comes before the pieces in between, and the whole file streams as it arrives', async ({ browser, peer }) => {
  test.setTimeout(120_000);
  const SIZE = 12 * 1024 * 1024 + 1234; // 49 pieces of 256 KiB
  const seeder = await peer(await browser.newContext());
  const leecher = await peer(await browser.newContext());
  await leecher.waitForFunction(() => !!navigator.serviceWorker.controller);
  // The same bytes in both pages, from a seed: the leecher checks what it is served against them.
  const bytesOf = `(n) => { const b = new Uint8Array(n); let x = 7; for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24; return b; }`;
  const magnet = await seeder.evaluate(async ({ size, bytesOf }) => {
    const make = (0, eval)(bytesOf) as (n: number) => Uint8Array;
    return (await window.p2p.share(make(size), 'film.webm')).magnet;
  }, { size: SIZE, bytesOf });

  const seek = await leecher.evaluate(async ({ magnet, size, bytesOf }) => {
    const make = (0, eval)(bytesOf) as (n: number) => Uint8Array;
    const original = make(size);
    // About 12 s for the whole file.
    window.p2p.setRateLimits({ down: 1024 * 1024 });
    const t = await window.p2p.download(magnet);
    while (t.files().length === 0) await new Promise((r) => setTimeout(r, 50));
    const at = Math.floor(size * 0.8);
    const r = await fetch(t.mediaUrl(), { headers: { range: `bytes=${at}-${at + 300_000 - 1}` } });
    const body = new Uint8Array(await r.arrayBuffer());
    const map = t.pieceMap().state.join('');
    return {
      status: r.status,
      range: r.headers.get('content-range'),
      same: body.length === 300_000 && body.every((v, i) => v === original[at + i]),
      progress: ((p) => p.have / p.pieces)(t.progress()),
      map,
      first: Math.floor(at / 262_144),
      last: Math.floor((at + 300_000 - 1) / 262_144),
    };
  }, { magnet, size: SIZE, bytesOf });
  expect(seek.status).toBe(206);
  expect(seek.range).toBe(`bytes ${Math.floor(SIZE * 0.8)}-${Math.floor(SIZE * 0.8) + 300_000 - 1}/${SIZE}`);
  expect(seek.same).toBe(true);
  // The pieces read were fetched first: here while the torrent is under half done, and most of
  // the pieces between the start and them not.
  expect(seek.progress).toBeLessThan(0.5);
  for (let i = seek.first; i <= seek.last; i++) expect(seek.map[i]).toBe('2');
  const between = seek.map.slice(Math.floor(seek.first / 2), seek.first);
  expect(between.split('').filter((c) => c === '2').length).toBeLessThan(between.length / 2);

  // The whole file through the media URL, read as it arrives: the same bytes.
  const whole = await leecher.evaluate(async ({ size, bytesOf }) => {
    const make = (0, eval)(bytesOf) as (n: number) => Uint8Array;
    const original = make(size);
    const t = window.p2p.torrents()[0]!;
    const before = ((p) => p.have / p.pieces)(t.progress());
    const r = await fetch(t.mediaUrl());
    const body = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, before, same: body.length === size && body.every((v, i) => v === original[i]), done: ((p) => p.have / p.pieces)(t.progress()) };
  }, { size: SIZE, bytesOf });
  expect(whole.status).toBe(200);
  expect(whole.before).toBeLessThan(1);
  expect(whole.same).toBe(true);
});

test('a file left out of the selection plays through its media URL after the selected ones are done: the pieces read are fetched anyway', async ({ browser, peer }) => {
  test.setTimeout(90_000);
  const seeder = await peer(await browser.newContext());
  const leecher = await peer(await browser.newContext());
  await leecher.waitForFunction(() => !!navigator.serviceWorker.controller);
  const bytesOf = `(n, seed) => { const b = new Uint8Array(n); let x = seed; for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24; return b; }`;
  const SLIDES = 600 * 1024 + 3; // about 2.3 pieces
  const TALK = 3 * 1024 * 1024 + 11; // 12 more pieces
  const magnet = await seeder.evaluate(async ({ bytesOf, SLIDES, TALK }) => {
    const make = (0, eval)(bytesOf) as (n: number, seed: number) => Uint8Array<ArrayBuffer>;
    const files = [
      { path: 'course/slides.pdf', blob: new Blob([make(SLIDES, 1)]) },
      { path: 'course/talk.webm', blob: new Blob([make(TALK, 2)]) },
    ];
    return (await window.p2p.share(files, 'course')).magnet;
  }, { bytesOf, SLIDES, TALK });

  const out = await leecher.evaluate(async ({ magnet, bytesOf, SLIDES, TALK }) => {
    const make = (0, eval)(bytesOf) as (n: number, seed: number) => Uint8Array<ArrayBuffer>;
    const talk = make(TALK, 2);
    // Only the slides (BEP 53 so=0: selected before any request goes out).
    const t = await window.p2p.download(`${magnet}&so=0`);
    await t.done;
    const before = t.progress();
    // The selection is done and nothing more is asked for; now the user plays the other file.
    const at = 2 * 1024 * 1024;
    const started = performance.now();
    const r = await fetch(t.mediaUrl('talk.webm'), { headers: { range: `bytes=${at}-${at + 99_999}` } });
    const body = new Uint8Array(await r.arrayBuffer());
    return {
      before: { have: before.have, pieces: before.pieces },
      slidesPieces: Math.ceil(SLIDES / 262_144),
      status: r.status,
      same: body.length === 100_000 && body.every((v, i) => v === talk[at + i]),
      ms: performance.now() - started,
      after: t.progress().have,
    };
  }, { magnet, bytesOf, SLIDES, TALK });
  // Only the slides' pieces (and the one they share with the talk) were fetched for the selection.
  expect(out.before.have).toBe(out.slidesPieces);
  expect(out.before.have).toBeLessThan(out.before.pieces);
  expect(out.status).toBe(206);
  expect(out.same).toBe(true);
  expect(out.after).toBeGreaterThan(out.before.have);
  expect(out.ms).toBeLessThan(20_000);
});
