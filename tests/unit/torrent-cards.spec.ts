/** The torrent cards' pure parts: what a row shows for a torrent's state, the rate limits' values, what a share makes. */
import { expect, test } from '@playwright/test';
import { rowPercent, rowStatus, rowView, totalsText } from '../../client/ui/torrent-row-view';
import { describeLimit, limitBytes, limitsText, parseKib, parseSavedLimits } from '../../client/ui/rate-limits';
import { hashingText, planShare } from '../../client/ui/share-plan';
import { formatBytes } from '../../client/ui/dom';

const MiB = 1024 * 1024;
/** A single-file torrent of 4 MiB in 16 pieces, half of it here, at 64 KiB/s down. */
const base = {
  pieces: 16,
  have: 8,
  length: 4 * MiB,
  selectedLength: 4 * MiB,
  selectedHave: 2 * MiB,
  done: false,
  complete: false,
  multiFile: false,
  files: 1,
  selectedFiles: 1,
  corruptPieces: 0,
  banned: 0,
  downRate: 64 * 1024,
  upRate: 0,
  uploaded: 1536,
  superSeeding: false,
};

test('a row says the torrent’s state: seeding, its selected files here, fetching metadata, waiting for peers, downloading', () => {
  expect(rowStatus({ ...base, done: true, complete: true }, 0)).toEqual(['seeding', 'ok']);
  expect(rowStatus({ ...base, done: true, complete: true, superSeeding: true }, 2)).toEqual(['super-seeding', 'ok']);
  expect(rowStatus({ ...base, done: true, multiFile: true, files: 5, selectedFiles: 2 }, 3)).toEqual(['2 of 5 files here', 'ok']);
  expect(rowStatus({ ...base, pieces: 0 }, 3)).toEqual(['fetching metadata', 'warn-pill']);
  expect(rowStatus(base, 0)).toEqual(['waiting for peers', 'muted-pill']);
  expect(rowStatus(base, 2)).toEqual(['downloading', 'info']);
});

test('a row’s percentage counts the selected files and says 100 only when they are done', () => {
  expect(rowPercent(base)).toBe(50);
  expect(rowPercent({ ...base, selectedHave: base.selectedLength })).toBe(99.9);
  expect(rowPercent({ ...base, selectedHave: base.selectedLength, done: true })).toBe(100);
  expect(rowPercent({ ...base, selectedHave: 1, selectedLength: 3 })).toBe(33.3);
  expect(rowPercent({ ...base, pieces: 0 })).toBe(0);
});

test('a downloading row: size, pieces, rates, ETA and peers', () => {
  const v = rowView(base, 2);
  expect(v).toMatchObject({ status: 'downloading', notes: '', size: '4.00 MiB', percent: 50, pctTitle: '8 of 16 pieces', peers: '2' });
  expect(v.sizeTitle).toBe(`${(4 * MiB).toLocaleString()} bytes in 16 pieces`);
  expect(v.down).toBe('↓ 64.0 KiB/s');
  expect(v.up).toBe('↑ 0 B/s');
  expect(v.upTitle).toBe('1.50 KiB uploaded');
  // 2 MiB left at 64 KiB/s.
  expect(v.eta).toBe('32 s');
  expect(v.etaTitle).toBe('2.00 MiB left');
  expect(rowView({ ...base, downRate: 0 }, 2).eta).toBe('—');
  expect(rowView({ ...base, multiFile: true, files: 3 }, 2).sizeTitle).toMatch(/in 16 pieces, 3 files$/);
});

test('a row before the metadata, a done row, a row with corrupt pieces and banned peers', () => {
  const meta = rowView({ ...base, pieces: 0, have: 0, length: 0, selectedLength: 0, selectedHave: 0 }, 0);
  expect(meta).toMatchObject({ status: 'fetching metadata', size: '—', sizeTitle: 'size unknown until the metadata arrives', percent: 0, pctTitle: '', eta: '—', etaTitle: '' });
  const done = rowView({ ...base, done: true, complete: true, selectedHave: base.selectedLength, have: 16 }, 1);
  expect(done).toMatchObject({ status: 'seeding', percent: 100, eta: 'done', etaTitle: '' });
  expect(rowView({ ...base, corruptPieces: 1, banned: 2 }, 2).notes).toBe('1 corrupt piece · 2 peers banned');
  expect(rowView({ ...base, corruptPieces: 3 }, 2).notes).toBe('3 corrupt pieces');
});

test('the list’s totals: summed rates, nothing with no torrents', () => {
  expect(totalsText(2, 2048, 512)).toBe('↓ 2.00 KiB/s · ↑ 512 B/s');
  expect(totalsText(0, 0, 0)).toBe('');
});

test('rate limits: KiB/s typed, empty or 0 unlimited, anything else refused', () => {
  expect(parseKib(' 12.5 ')).toBe(12.5);
  expect(parseKib('')).toBe(Infinity);
  expect(parseKib('0')).toBe(0);
  for (const bad of ['-1', 'abc', '1e999']) expect(parseKib(bad)).toBeNaN();
  expect(describeLimit(12.5)).toBe('12.5 KiB/s');
  expect(describeLimit(0)).toBe('unlimited');
  expect(describeLimit(Infinity)).toBe('unlimited');
  expect(limitBytes(2)).toBe(2048);
  expect(limitBytes(0.0001)).toBe(1);
  expect(limitBytes(0)).toBe(Infinity);
  expect(limitBytes(Infinity)).toBe(Infinity);
  expect(limitsText(Infinity, Infinity)).toBe('Upload unlimited · download unlimited');
  expect(limitsText(10, 0)).toBe('Upload 10 KiB/s · download unlimited');
});

test('saved rate limits: the two fields’ texts, anything else ignored', () => {
  expect(parseSavedLimits(JSON.stringify({ up: '10', down: '' }))).toEqual({ up: '10', down: '' });
  expect(parseSavedLimits(JSON.stringify({ up: 10, down: '5' }))).toEqual({ down: '5' });
  expect(parseSavedLimits(null)).toBeNull();
  expect(parseSavedLimits('{not json')).toBeNull();
  expect(parseSavedLimits('3')).toBeNull();
});

test('a share: one file makes its own torrent; several files, or a folder, one torrent labelled by their folder', () => {
  const file = (name: string, size: number) => ({ name, size });
  const one = planShare([{ path: 'a.txt', file: file('a.txt', 5) }], false);
  expect(one).toMatchObject({ kind: 'file', label: 'a.txt', size: 5, jobLabel: 'a.txt' });
  const folder = planShare(
    [
      { path: 'photos/a.jpg', file: file('a.jpg', 3) },
      { path: 'photos/b/c.jpg', file: file('c.jpg', 4) },
    ],
    true,
  );
  expect(folder).toMatchObject({ kind: 'files', label: 'photos', size: 7, jobLabel: 'photos (2 files)' });
  expect(folder?.kind === 'files' && folder.items.map((i) => i.path)).toEqual(['photos/a.jpg', 'photos/b/c.jpg']);
  // A folder of one file is still a folder's torrent.
  expect(planShare([{ path: 'docs/x.md', file: file('x.md', 1) }], true)).toMatchObject({ kind: 'files', label: 'docs', jobLabel: 'docs (1 file)' });
  // Picked files (not one folder): "N files".
  expect(planShare([{ path: 'a', file: file('a', 1) }, { path: 'b', file: file('b', 1) }], false)).toMatchObject({ label: '2 files', jobLabel: '2 files (2 files)' });
  expect(planShare([{ path: 'x/a', file: file('a', 1) }, { path: 'y/b', file: file('b', 1) }], true)).toMatchObject({ label: '2 files' });
  expect(planShare([], true)).toBeNull();
});

test('a share job’s hashing line', () => {
  expect(hashingText(MiB, 4 * MiB, formatBytes)).toEqual({ text: 'hashing 25 % · 1.00 MiB of 4.00 MiB stored', fraction: 0.25 });
  expect(hashingText(0, 0, formatBytes)).toEqual({ text: 'hashing 100 % · 0 B of 0 B stored', fraction: 1 });
});
