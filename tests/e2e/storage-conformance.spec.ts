/**
 * The storage conformance cases (tests/helpers/storage-cases.ts) on the implementations that run
 * only in a browser: IdbKV (IndexedDB), OpfsPieceFiles (the page's OPFS worker, served by
 * wrangler dev as /opfs-worker.js), KvPieceFiles on IdbKV (the fallback on insecure origins), and
 * the service worker's view of OPFS (OpfsReader's reads of what the worker wrote). The cases are
 * bundled into a page of the app's origin; each implementation gets a fresh store per case.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const ENTRY = `
import { IdbKV } from './client/store/idb';
import { OpfsPieceFiles } from './client/store/opfs-files';
import { OpfsReader } from './client/store/opfs-read';
import { KvPieceFiles } from './client/store/piece-files';
import { kvCases, pieceFilesCases, runCases } from './tests/helpers/storage-cases';

const run = Date.now().toString(36);
const opfs = new OpfsPieceFiles();
const reader = new OpfsReader();
/** The same files under names of their own per case (a fresh, empty store each time). */
const prefixed = (files, prefix) => ({
  writeMany: (ws) => files.writeMany(ws.map((w) => ({ ...w, file: prefix + w.file }))),
  read: (f, i, at, n) => files.read(prefix + f, i, at, n),
  remove: (f) => files.remove(prefix + f),
});
const HOLE = 'a file of the origin private file system has no holes: a piece never written between two written ones reads as zeros (the have record says which pieces are there)';
window.conformance = {
  IdbKV: () => runCases(kvCases, async (n) => new IdbKV('conformance-' + run + '-' + n, 'kv')),
  KvPieceFiles: () => runCases(pieceFilesCases, async (n) => new KvPieceFiles(new IdbKV('conformance-files-' + run + '-' + n, 'kv'))),
  OpfsPieceFiles: () => runCases(pieceFilesCases, async (n) => prefixed(opfs, 'c' + run + '-' + n + '-'), { [pieceFilesCases[5].name]: HOLE }),
  'OpfsReader (the service worker)': () =>
    runCases(
      pieceFilesCases,
      async (n) => {
        const files = prefixed(opfs, 'r' + run + '-' + n + '-');
        return { ...files, read: (f, i, at, len) => reader.read('r' + run + '-' + n + '-' + f, at, len) };
      },
      { [pieceFilesCases[5].name]: HOLE },
    ),
};
`;

declare global {
  interface Window {
    conformance: Record<string, () => Promise<{ passed: string[]; failed: string[]; skipped: string[] }>>;
  }
}

test('every storage implementation passes the same cases, with named skips', { tag: '@engines' }, async ({ page }) => {
  const bundle = await build({ stdin: { contents: ENTRY, resolveDir: join(import.meta.dirname, '../..'), loader: 'ts' }, bundle: true, format: 'iife', write: false, platform: 'browser' });
  // A page of the app's origin (its OPFS worker is same-origin), without the app running in it.
  await page.goto('/style.css');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const summary: string[] = [];
  for (const impl of ['IdbKV', 'KvPieceFiles', 'OpfsPieceFiles', 'OpfsReader (the service worker)']) {
    const r = await page.evaluate((name) => window.conformance[name]!(), impl);
    expect(r.failed, `${impl} fails`).toEqual([]);
    expect(r.passed.length, `${impl}: cases run`).toBeGreaterThan(0);
    summary.push(`${impl}: ${r.passed.length} passed${r.skipped.length ? `, skipped: ${r.skipped.join('; ')}` : ''}`);
  }
  console.log(summary.join('\n'));
});
