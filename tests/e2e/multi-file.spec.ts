/**
 * Multi-file torrents: a folder on disk picked with the folder input is one torrent; another
 * browser fetches only some of its files (a magnet's so=, then a checkbox; a reload keeps the
 * selection), never a piece that lies wholly inside a file left out, and saves each through
 * the service worker's streamed /files/<infoHash>/<path>; and WebTorrent clients download our
 * multi-file torrents, and we theirs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { loadWebTorrent } from './webtorrent';

const PIECE = 256 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Twelve files of mixed sizes in torrent (path) order: some far under one piece, some across
 * piece boundaries, one exactly a piece, two in a subfolder whose names need percent-encoding.
 */
const FOLDER = 'field trip';
const SIZES: [string, number][] = [
  ['a-notes.txt', 1_000],
  ['b-photo.jpg', 700_000],
  ['c-tiny.txt', 20],
  ['d-exact.bin', PIECE],
  ['e-video.mp4', 1_500_000],
  ['f-small.csv', 5_000],
  ['g-scan.pdf', 400_000],
  ['h-one.txt', 12],
  ['i-audio.ogg', 1_000_000],
  ['j-mid.bin', 333_333],
  ['sub dir/k #1.txt', 90_000],
  ['sub dir/l é.bin', 600_000],
];
/** The files the second browser asks for through so=: one inside one piece, one across three pieces, one in the subfolder (sharing a piece with it). */
const PICKED = [2, 9, 10];
/** And the one it ticks afterwards. */
const TICKED = 7;

interface Placed {
  path: string;
  bytes: Buffer;
  offset: number;
}

async function makeFolder(dir: string): Promise<Placed[]> {
  const out: Placed[] = [];
  let offset = 0;
  for (const [path, size] of SIZES) {
    const bytes = randomBytes(size);
    await mkdir(join(dir, FOLDER, path, '..'), { recursive: true });
    await writeFile(join(dir, FOLDER, path), bytes);
    out.push({ path, bytes, offset });
    offset += size;
  }
  return out;
}

/** Pieces that hold a byte of one of `files`. */
function piecesOf(files: Placed[], indexes: number[]): Set<number> {
  const out = new Set<number>();
  for (const i of indexes) {
    const f = files[i]!;
    for (let p = Math.floor(f.offset / PIECE); p <= Math.floor((f.offset + f.bytes.length - 1) / PIECE); p++) out.add(p);
  }
  return out;
}

function totalLength(files: Placed[]): number {
  return files.reduce((n, f) => n + f.bytes.length, 0);
}

async function saveThroughLink(page: Page, path: string): Promise<{ name: string; sha: string; url: string }> {
  const link = page.locator(`li.file[data-path="${path}"] a.file-save`);
  await expect(link).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: download.suggestedFilename(), sha: sha256(await readFile((await download.path())!)), url: download.url() };
}

test.describe('multi-file torrents', () => {
  let dir = '';
  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-p2p-multi-'));
  });
  test.afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a folder is shared as one torrent; another browser fetches 3 of its 12 files, no piece of the others, and saves each through the streamed path', async ({ browser, peer, launchBrowser }, info) => {
    test.setTimeout(120_000);
    const files = await makeFolder(dir);
    const seeder = await peer(await browser.newContext());
    await seeder.locator('#share-folder-input').setInputFiles(join(dir, FOLDER));
    const job = seeder.locator('.share-job', { hasText: FOLDER });
    await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    const magnet = await job.locator('input.magnet').inputValue();
    // The seeder lists the 12 files, all here, in path order.
    const seederFiles = await seeder.evaluate(() => window.p2p.torrents()[0]!.files().map((f) => [f.path, f.length, f.progress]));
    expect(seederFiles).toEqual(files.map((f) => [f.path, f.bytes.length, 1]));
    await expect(seeder.locator('li.file')).toHaveCount(12);

    // The leecher is a second browser process.
    const leecher = await peer(await (await launchBrowser()).newContext({ acceptDownloads: true }));
    await leecher.waitForFunction(() => !!navigator.serviceWorker.controller);
    await leecher.locator('#download-input').fill(`${magnet}&so=${PICKED.join(',')}`);
    await leecher.locator('#download-button').click();
    await leecher.waitForFunction(() => window.p2p.torrents()[0]?.progress().done === true, undefined, { timeout: 60_000 });

    const pieceCount = Math.ceil(totalLength(files) / PIECE);
    const wanted = piecesOf(files, PICKED);
    const state = await leecher.evaluate(() => {
      const t = window.p2p.torrents()[0]!;
      return { map: [...t.pieceMap().state], progress: t.progress(), files: t.files() };
    });
    expect(state.progress.complete).toBe(false);
    expect(state.progress.selectedFiles).toBe(3);
    // Nothing outside the pieces of the picked files was fetched: not a piece, not a byte.
    for (let p = 0; p < pieceCount; p++) expect(state.map[p], `piece ${p}`).toBe(wanted.has(p) ? 2 : 0);
    const wantedBytes = [...wanted].reduce((n, p) => n + Math.min(PIECE, totalLength(files) - p * PIECE), 0);
    expect(state.progress.fetched).toBe(wantedBytes);
    expect(state.progress.fetched).toBeLessThan(totalLength(files) / 2);
    for (const i of PICKED) expect(state.files[i]).toMatchObject({ path: files[i]!.path, progress: 1, selected: true });

    // The page lists every file; the picked ones are ticked, the others not.
    const rows = leecher.locator('li.file');
    await expect(rows).toHaveCount(12);
    for (let i = 0; i < 12; i++) await expect(rows.nth(i).locator('input.file-select')).toBeChecked({ checked: PICKED.includes(i) });
    await expect(leecher.locator('.files-row .file-summary')).toHaveText(/^3 of 12 files selected/);
    await leecher.screenshot({ path: info.outputPath('leecher-1280.png'), fullPage: true });

    // Each picked file saved through its own /files/<infoHash>/<path>, under its own name.
    for (const i of PICKED) {
      const saved = await saveThroughLink(leecher, files[i]!.path);
      expect(saved.name).toBe(files[i]!.path.split('/').pop());
      expect(saved.url).toContain(`/${files[i]!.path.split('/').map(encodeURIComponent).join('/')}`);
      expect(saved.sha).toBe(sha256(files[i]!.bytes));
    }

    // Ticking one more file fetches it too (and still nothing of the rest).
    await rows.nth(TICKED).locator('input.file-select').check();
    await expect(rows.nth(TICKED)).toHaveAttribute('data-state', 'here', { timeout: 60_000 });
    const ticked = await saveThroughLink(leecher, files[TICKED]!.path);
    expect(ticked.sha).toBe(sha256(files[TICKED]!.bytes));
    const after = await leecher.evaluate(() => window.p2p.torrents()[0]!.pieceMap().state.join(''));
    const nowWanted = piecesOf(files, [...PICKED, TICKED]);
    expect(after).toBe(Array.from({ length: pieceCount }, (_, p) => (nowWanted.has(p) ? '2' : '0')).join(''));

    // A file it does not hold whole is a 409; a path the torrent lacks, a 404.
    const answers = await leecher.evaluate(async ([hash, skipped]) => {
      const r1 = await fetch(`/files/${hash}/${skipped}`);
      const r2 = await fetch(`/files/${hash}/no-such-file.txt`);
      return [r1.status, r2.status, await r2.text()];
    }, [/btih:([0-9a-f]{40})/.exec(magnet)![1]!, encodeURIComponent(files[1]!.path)] as const);
    expect(answers).toEqual([409, 404, `“${FOLDER}” has no file “no-such-file.txt”.\n`]);

    // A reload keeps the selection: the torrent resumes from storage with the same 4 files.
    await leecher.reload();
    await leecher.waitForFunction(() => {
      const p = window.p2p?.torrents()[0]?.progress();
      return !!p && p.selectedFiles === 4 && p.done && !p.complete;
    });
    for (let i = 0; i < 12; i++) await expect(rows.nth(i).locator('input.file-select')).toBeChecked({ checked: [...PICKED, TICKED].includes(i) });

    await leecher.setViewportSize({ width: 390, height: 844 });
    await leecher.locator('#torrents-card').screenshot({ path: info.outputPath('leecher-390.png') });
  });

  test('WebTorrent downloads a multi-file torrent of ours, and we download one it seeds', async ({ browser, peer, launchBrowser, baseURL }) => {
    test.setTimeout(120_000);
    const announce = `${baseURL!.replace('http', 'ws')}/announce`;
    const sizes = [3_000, PIECE + 17, 10, 2 * PIECE, 777_777];

    // Ours seeds (shared through the API: {path, blob} items), WebTorrent downloads every file.
    const ours = await peer(await browser.newContext());
    const wt = await peer(await (await launchBrowser()).newContext());
    await loadWebTorrent(wt);
    const shared = await ours.evaluate(async (sizes) => {
      const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      const items = [];
      const expected = [];
      for (let k = 0; k < sizes.length; k++) {
        const bytes = new Uint8Array(sizes[k]!);
        for (let o = 0; o < bytes.length; o += 65_536) crypto.getRandomValues(bytes.subarray(o, o + 65_536));
        const path = `ours/${k % 2 ? 'odd/' : ''}file-${k}.bin`;
        items.push({ path, blob: new Blob([bytes]) });
        expected.push({ path: path.slice('ours/'.length), length: bytes.length, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)) });
      }
      const { magnet, name } = await window.p2p.share(items);
      return { magnet, name, expected };
    }, sizes);
    expect(shared.name).toBe('ours');
    const got = await wt.evaluate(({ magnet, announce }) => window.wt.addFiles(magnet, announce), { magnet: shared.magnet, announce });
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
    expect([...got].sort(byPath)).toEqual([...shared.expected].sort(byPath));

    // WebTorrent seeds a set of files; ours downloads it and reads each file on its own.
    const theirs = await wt.evaluate(async ({ sizes, announce }) => {
      const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      const files = [];
      const expected: Record<string, string> = {};
      for (let k = 0; k < sizes.length; k++) {
        const bytes = new Uint8Array(sizes[k]!);
        for (let o = 0; o < bytes.length; o += 65_536) crypto.getRandomValues(bytes.subarray(o, o + 65_536));
        files.push({ name: `wt-${k}.dat`, bytes });
        expected[`wt-${k}.dat`] = hex(await crypto.subtle.digest('SHA-256', bytes));
      }
      return { magnet: await window.wt.seedFiles(files, 'from-webtorrent', announce), expected };
    }, { sizes, announce });
    const downloaded = await ours.evaluate(async (magnet) => {
      const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      const t = await window.p2p.download(magnet);
      await t.done;
      const out: Record<string, string> = {};
      for (const f of t.files()) out[f.path] = hex(await crypto.subtle.digest('SHA-256', await (await t.blob(f.path)).arrayBuffer()));
      return { name: t.name(), out, clients: t.peers().map((p) => p.client) };
    }, theirs.magnet);
    expect(downloaded.name).toBe('from-webtorrent');
    expect(downloaded.out).toEqual(theirs.expected);
    expect(downloaded.clients.some((c) => /WebTorrent|-WW/i.test(c))).toBe(true);
  });
});
