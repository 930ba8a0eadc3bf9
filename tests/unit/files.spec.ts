/**
 * Real files: the have record, the quota check, the streamed share (hashAndStore on a Blob, into
 * the piece store on a memory KV), the piece store's have-state, the /files/ URL rules and the
 * piece stream that saves a file one piece at a time.
 */
import { expect, test } from '@playwright/test';
import { haveBitfield, markHave } from '../../client/bittorrent/have-record';
import { PieceStore } from '../../client/bittorrent/piece-store';
import { hashAndStore, ShareCancelled } from '../../client/bittorrent/share-file';
import { storageMargin, storageProblem } from '../../client/core/quota';
import { contentDisposition, filePath, parseFilePath } from '../../client/files/file-url';
import { pieceStream, piecesOf, spanOf } from '../../client/files/piece-stream';
import { openStoredFile } from '../../client/files/stored-file';
import { fileTarget } from '../../client/files/file-target';
import { fileLayout } from '../../protocol/file-layout';
import { MemoryKV } from '../../client/store/kv';
import { KvPieceFiles } from '../../client/store/piece-files';
import { movePiecesFromKV } from '../../client/store/content-files';
import { PIECE_LENGTH } from '../../protocol/constants';
import { createTorrent } from '../../protocol/metainfo';
import { pseudoBytes } from '../helpers/unit';

const MiB = 1024 * 1024;
const roomy = async () => ({ usage: 0, quota: 1024 * MiB });

test.describe('have record', () => {
  test('marks pieces, keeps earlier marks, and starts afresh for another piece count', () => {
    const a = markHave(undefined, 10, [0, 9]);
    const b = markHave(a, 10, [3]);
    expect([...Array(10).keys()].filter((i) => haveBitfield(b, 10).get(i))).toEqual([0, 3, 9]);
    expect(haveBitfield(b, 11).count()).toBe(0);
    expect(markHave(b, 11, [1]).pieces).toBe(11);
    expect(haveBitfield(markHave(b, 11, [1]), 11).count()).toBe(1);
    expect(markHave(undefined, 4, [-1, 4, 1.5, 2]).bits).toEqual(new Uint8Array([0b0010_0000]));
    expect(haveBitfield(undefined, 3).count()).toBe(0);
  });
});

test.describe('quota check', () => {
  test('a file fits when it and the margin fit in what the quota leaves', () => {
    const size = 100 * MiB;
    expect(storageProblem(size, { usage: 0, quota: size + storageMargin(size) }, 'a.bin')).toBeNull();
    expect(storageProblem(size, { usage: 1, quota: size + storageMargin(size) }, 'a.bin')).toMatch(
      /^a\.bin is 100\.0 MiB, but this browser lets the page store only 106\.0 MiB more \(of 106\.0 MiB it may use\): nothing was stored\./,
    );
    expect(storageProblem(size, { usage: 2 * size, quota: size }, 'a.bin')).toContain('only 0 B more');
    // A browser that says nothing: let the share try (a refused write is cleaned up).
    expect(storageProblem(size, null, 'a.bin')).toBeNull();
    expect(storageProblem(size, {}, 'a.bin')).toBeNull();
  });
});

test.describe('streamed share', () => {
  const size = 5 * PIECE_LENGTH + 1234;
  const data = pseudoBytes(size, 7);

  test('hashes and stores piece by piece: the same torrent as createTorrent, every piece stored, progress rising', async () => {
    const kv = new MemoryKV();
    const store = new PieceStore(kv, new KvPieceFiles(kv));
    const seen: number[] = [];
    const created = await hashAndStore(store, new Blob([data as Uint8Array<ArrayBuffer>]), 'f.bin', 'share-1', {
      announce: ['ws://t/announce'],
      estimate: roomy,
      onProgress: (p) => seen.push(p.bytes),
    });
    const whole = await createTorrent(data, 'f.bin', { announce: ['ws://t/announce'] });
    expect(created.infoHash).toBe(whole.infoHash);
    expect(seen.at(-1)).toBe(size);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const keys = await kv.keys('piece:share-1:');
    expect(keys).toHaveLength(6);
    expect(await kv.get<Uint8Array>('piece:share-1:5')).toEqual(data.subarray(5 * PIECE_LENGTH));
    // Nothing names a torrent until the client adopts the pieces.
    expect(await kv.keys('torrent:')).toEqual([]);
  });

  test('a list of files is one multi-file torrent, hashed across file boundaries: the same as createTorrent of the files joined', async () => {
    const kv = new MemoryKV();
    const sizes = [100, PIECE_LENGTH + 7, 0, 3 * PIECE_LENGTH - 50, 1];
    const parts = sizes.map((n, k) => pseudoBytes(n, 20 + k));
    const joined = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    const list = parts.map((p, k) => ({ path: ['dir', `f${k}.bin`], blob: new Blob([p as Uint8Array<ArrayBuffer>]) }));
    const created = await hashAndStore(new PieceStore(kv, new KvPieceFiles(kv)), list, 'set', 'share-m', { announce: [], estimate: roomy });
    const files = list.map((f, k) => ({ path: f.path, length: sizes[k]! }));
    const whole = await createTorrent(joined, 'set', { announce: [], files });
    expect(created.infoHash).toBe(whole.infoHash);
    expect(created.info.files).toEqual(files);
    expect(await kv.keys('piece:share-m:')).toHaveLength(Math.ceil(joined.length / PIECE_LENGTH));
    expect(await kv.get<Uint8Array>('piece:share-m:1')).toEqual(joined.subarray(PIECE_LENGTH, 2 * PIECE_LENGTH));
  });

  test('refused up front when the quota cannot hold it: nothing is written', async () => {
    const kv = new MemoryKV();
    await expect(
      hashAndStore(new PieceStore(kv, new KvPieceFiles(kv)), new Blob([data as Uint8Array<ArrayBuffer>]), 'f.bin', 'share-2', { announce: [], estimate: async () => ({ usage: 0, quota: size }) }),
    ).rejects.toThrow(/but this browser lets the page store only/);
    expect(await kv.keys()).toEqual([]);
  });

  test('cancelled part way: rejects with an AbortError and deletes every piece written', async () => {
    const kv = new MemoryKV();
    const abort = new AbortController();
    const big = pseudoBytes(40 * PIECE_LENGTH, 3);
    const run = hashAndStore(new PieceStore(kv, new KvPieceFiles(kv)), new Blob([big as Uint8Array<ArrayBuffer>]), 'f.bin', 'share-3', {
      announce: [],
      estimate: roomy,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(ShareCancelled);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await kv.keys()).toEqual([]);
  });

  test('a write refused part way (quota) deletes what was written and says so in plain words', async () => {
    const kv = new MemoryKV();
    let writes = 0;
    const setMany = kv.setMany.bind(kv);
    kv.setMany = async (entries, updates) => {
      if (++writes > 1) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
      return setMany(entries, updates);
    };
    await expect(
      hashAndStore(new PieceStore(kv, new KvPieceFiles(kv)), new Blob([pseudoBytes(40 * PIECE_LENGTH, 4) as Uint8Array<ArrayBuffer>]), 'g.bin', 'share-4', { announce: [], estimate: roomy }),
    ).rejects.toThrow('Storage is full: “g.bin” could not be stored, and what was written of it was deleted.');
    expect(await kv.keys()).toEqual([]);
  });
});

test.describe('piece store', () => {
  test('have-state is its own record, set once the pieces are written; adopted pieces are a complete torrent', async () => {
    const kv = new MemoryKV();
    const store = new PieceStore(kv, new KvPieceFiles(kv));
    const infoHash = 'ab'.repeat(20);
    // Four pieces of one byte.
    const g4 = { pieceLength: 1, length: 4 };
    expect((await store.have(infoHash, g4)).count()).toBe(0);
    await Promise.all([store.putPiece(infoHash, 1, new Uint8Array([1])), store.putPiece(infoHash, 3, new Uint8Array([3]))]);
    const fresh = new PieceStore(kv, new KvPieceFiles(kv)); // another tab
    const have = await fresh.have(infoHash, g4);
    expect([0, 1, 2, 3].map((i) => have.get(i))).toEqual([false, true, false, true]);
    expect(await fresh.piece(infoHash, 3)).toEqual(new Uint8Array([3]));

    // A torrent stored before have records existed gets one from its piece keys, once.
    await kv.setMany([['piece:cd:0', new Uint8Array([9])]]);
    expect((await store.have('cd', { pieceLength: 1, length: 2 })).get(0)).toBe(true);
    expect(await kv.get('have:cd')).toMatchObject({ pieces: 2 });

    // A shared file: loose pieces, then adopted under its info hash; a refreshed record keeps the piece key.
    const data = pseudoBytes(2 * PIECE_LENGTH, 9);
    const created = await hashAndStore(store, new Blob([data as Uint8Array<ArrayBuffer>]), 's.bin', 'share-x', { announce: [], estimate: roomy });
    const rec = { infoHash: created.infoHash, name: 's.bin', length: data.length, infoBytes: created.infoBytes, addedAt: 1, pieceKey: 'share-x' };
    await store.adoptPieces(rec, { pieceLength: PIECE_LENGTH, length: data.length });
    await store.saveTorrent({ ...rec, pieceKey: undefined, addedAt: 2 });
    expect(await kv.get(`torrent:${created.infoHash}`)).toMatchObject({ pieceKey: 'share-x', addedAt: 1 });
    const other = new PieceStore(kv, new KvPieceFiles(kv));
    await other.torrents();
    expect((await other.have(created.infoHash, { pieceLength: PIECE_LENGTH, length: data.length })).isComplete()).toBe(true);
    expect(await other.piece(created.infoHash, 1)).toEqual(data.subarray(PIECE_LENGTH));

    // The service worker's view of it, straight from the KV.
    const files = new KvPieceFiles(kv);
    const reader = { read: (f: string, i: number) => files.read(f, i), slice: async () => undefined };
    const file = await openStoredFile(kv, reader, created.infoHash);
    expect(file).toMatchObject({ name: 's.bin', length: data.length, pieceLength: PIECE_LENGTH, pieces: 2 });
    expect(file!.have.isComplete()).toBe(true);
    expect(await file!.read(0)).toEqual(data.subarray(0, PIECE_LENGTH));
    expect(await openStoredFile(kv, reader, 'ef'.repeat(20))).toBeNull();

    // Removing it removes its records and its pieces, and nothing else.
    await other.removeTorrent(created.infoHash);
    expect(await kv.keys('piece:share-x:')).toEqual([]);
    expect(await kv.get(`torrent:${created.infoHash}`)).toBeUndefined();
    expect(await kv.keys(`piece:${infoHash}:`)).toHaveLength(2);
  });
});

test.describe('stored selection', () => {
  test('a torrent record keeps the files selected across a refresh of the record, until the selection is cleared', async () => {
    const kv = new MemoryKV();
    const store = new PieceStore(kv, new KvPieceFiles(kv));
    const data = pseudoBytes(100, 2);
    const made = await createTorrent(data, 'set', { files: [{ path: ['a'], length: 40 }, { path: ['b'], length: 60 }] });
    const rec = { infoHash: made.infoHash, name: 'set', length: 100, infoBytes: made.infoBytes, addedAt: 1 };
    await store.saveSelection(made.infoHash, [1]); // no record yet: nothing is written
    expect(await kv.keys('torrent:')).toEqual([]);
    await store.saveTorrent(rec);
    await store.saveSelection(made.infoHash, [1]);
    await store.saveTorrent({ ...rec, addedAt: 2 });
    expect((await store.torrent(made.infoHash))?.selected).toEqual([1]);
    expect((await store.torrent(made.infoHash))?.addedAt).toBe(1);
    await store.saveSelection(made.infoHash, null);
    expect(await store.torrent(made.infoHash)).not.toHaveProperty('selected');
  });
});

test.describe('/files/ URLs', () => {
  test('a file path names its info hash; anything else under /files/ is not a file path', () => {
    const ih = '0123456789abcdef0123456789abcdef01234567';
    expect(filePath(ih, 'a b/ü.bin')).toBe(`/files/${ih}/a%20b%2F%C3%BC.bin`);
    expect(parseFilePath(filePath(ih, 'x'))).toEqual({ infoHash: ih, path: ['x'] });
    expect(parseFilePath(filePath(ih, 'a b/ü.bin'))).toEqual({ infoHash: ih, path: ['a b/ü.bin'] });
    expect(parseFilePath(`/files/${ih}`)).toEqual({ infoHash: ih, path: [] });
    expect(parseFilePath(`/files/${ih.toUpperCase()}/x`)).toBeNull();
    expect(parseFilePath('/files/abc/x')).toBeNull();
    expect(parseFilePath(`/files/${ih}/%E0%A4%A`)).toBeNull();
    expect(parseFilePath('/app.js')).toBeNull();
    // A file of a multi-file torrent: its path, each element encoded.
    expect(filePath(ih, ['day 1', 'a/b#?.jpg'])).toBe(`/files/${ih}/day%201/a%2Fb%23%3F.jpg`);
    expect(parseFilePath(filePath(ih, ['day 1', 'a/b#?.jpg']))).toEqual({ infoHash: ih, path: ['day 1', 'a/b#?.jpg'] });
  });

  test('Content-Disposition: an ASCII fallback and the exact name in UTF-8', () => {
    expect(contentDisposition('holiday.mp4')).toBe(`attachment; filename="holiday.mp4"; filename*=UTF-8''holiday.mp4`);
    expect(contentDisposition('été "1"\\.bin')).toBe(`attachment; filename="_t_ _1__.bin"; filename*=UTF-8''%C3%A9t%C3%A9%20%221%22%5C.bin`);
    expect(contentDisposition("it's (1).bin")).toBe(`attachment; filename="it's (1).bin"; filename*=UTF-8''it%27s%20%281%29.bin`);
  });
});

test.describe('/files/ targets', () => {
  const multi = fileLayout({ name: 'set', length: 30, pieceLength: 16, files: [{ path: ['a.txt'], length: 10 }, { path: ['sub', 'b.bin'], length: 20 }] });
  test('a multi-file torrent serves a file by its path; a single-file one whatever the name', () => {
    const hit = fileTarget('set', multi, true, ['sub', 'b.bin']);
    expect(hit.ok && hit.file.offset).toBe(10);
    expect(fileTarget('set', multi, true, ['b.bin'])).toEqual({ ok: false, status: 404, message: '“set” has no file “b.bin”.' });
    expect(fileTarget('set', multi, true, [])).toEqual({ ok: false, status: 404, message: '“set” is a folder of 2 files: add the path of one of them to the address.' });
    const single = fileLayout({ name: 'one.bin', length: 5, pieceLength: 16 });
    const one = fileTarget('one.bin', single, false, ['anything']);
    expect(one.ok && one.file.path).toEqual(['one.bin']);
  });
});

test.describe('piece stream', () => {
  const layout = { length: 10, pieceLength: 4 };

  test('pieces and spans of a byte range', () => {
    expect(piecesOf(layout, { start: 0, end: 10 })).toEqual({ first: 0, last: 2 });
    expect(piecesOf(layout, { start: 5, end: 8 })).toEqual({ first: 1, last: 1 });
    expect(piecesOf(layout, { start: 3, end: 3 })).toBeNull();
    expect(spanOf(layout, { start: 5, end: 9 }, 1)).toEqual({ from: 1, to: 4 });
    expect(spanOf(layout, { start: 5, end: 9 }, 2)).toEqual({ from: 0, to: 1 });
    expect(spanOf(layout, { start: 0, end: 10 }, 2)).toEqual({ from: 0, to: 2 });
  });

  const pieces = [new Uint8Array([0, 1, 2, 3]), new Uint8Array([4, 5, 6, 7]), new Uint8Array([8, 9])];
  async function collect(s: ReadableStream<Uint8Array>): Promise<number[]> {
    const out: number[] = [];
    for await (const chunk of s as unknown as AsyncIterable<Uint8Array>) out.push(...chunk);
    return out;
  }

  test('streams a range, reading each piece only when the reader wants it', async () => {
    const reads: number[] = [];
    const read = async (i: number) => (reads.push(i), pieces[i]);
    expect(await collect(pieceStream(layout, { start: 0, end: 10 }, read))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await collect(pieceStream(layout, { start: 3, end: 9 }, read))).toEqual([3, 4, 5, 6, 7, 8]);
    reads.length = 0;
    const reader = pieceStream(layout, { start: 0, end: 10 }, read).getReader();
    expect(reads).toEqual([]); // nothing read ahead of the reader
    await reader.read();
    expect(reads).toEqual([0]);
    await reader.cancel();
  });

  test('a missing piece errors the stream with the reason', async () => {
    const read = async (i: number) => (i === 1 ? undefined : pieces[i]);
    await expect(collect(pieceStream(layout, { start: 0, end: 10 }, read, (i) => `piece ${i} has gone`))).rejects.toThrow('piece 1 has gone');
  });
});

test.describe('pieces of an earlier version', () => {
  test('pieces kept in the KV move into the files once, each at its offset; pieces no torrent names stay', async () => {
    const kv = new MemoryKV();
    const files = new KvPieceFiles(new MemoryKV());
    await kv.setMany([
      ['piece:t1:0', new Uint8Array([1, 1])],
      ['piece:t1:1', new Uint8Array([2])],
      ['piece:orphan:0', new Uint8Array([9])],
      ['torrent:t1', { infoHash: 't1' }],
    ]);
    const at: number[] = [];
    const spy = { ...files, writeMany: (ws: Parameters<typeof files.writeMany>[0]) => (at.push(...ws.map((w) => w.at)), files.writeMany(ws)), read: files.read.bind(files), remove: files.remove.bind(files) };
    expect(await movePiecesFromKV(kv, spy, async (f) => (f === 't1' ? 2 : null))).toBe(2);
    expect(at).toEqual([0, 2]);
    expect(await files.read('t1', 1)).toEqual(new Uint8Array([2]));
    expect(await kv.keys('piece:')).toEqual(['piece:orphan:0']);
    expect(await movePiecesFromKV(kv, spy, async (f) => (f === 't1' ? 2 : null))).toBe(0);
  });
});
