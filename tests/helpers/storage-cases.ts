/**
 * One conformance suite for the storage interfaces (in the manner of hono's shared router tests):
 * every KV (client/store/kv.ts) and every PieceFiles (client/store/piece-files.ts) must pass the
 * same cases, whether it runs in Node (MemoryKV, KvPieceFiles on it: tests/unit) or only in a
 * browser (IdbKV, OpfsPieceFiles: tests/e2e, where this file is bundled into the page). A case
 * gets a fresh, empty store and throws a plain Error naming what differed. An implementation
 * that cannot do a case by design names it in `skips` with the reason.
 */
import type { KV } from '../../client/store/kv';
import type { PieceFiles } from '../../client/store/piece-files';

export interface StorageCase<T> {
  name: string;
  run(store: T): Promise<void>;
}

const show = (v: unknown) => JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? `bytes[${[...x].join(',')}]` : x));

function same(actual: unknown, expected: unknown, what: string): void {
  if (show(actual) !== show(expected)) throw new Error(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

export const kvCases: StorageCase<KV>[] = [
  {
    name: 'a missing key reads as undefined; a written value reads back equal (objects and bytes)',
    async run(kv) {
      same(await kv.get('nothing'), undefined, 'get of a missing key');
      await kv.setMany([
        ['rec', { name: 'a', n: 2, list: [1, 2] }],
        ['bin', bytes(5, 1)],
      ]);
      same(await kv.get('rec'), { name: 'a', n: 2, list: [1, 2] }, 'the record');
      const bin = await kv.get<Uint8Array>('bin');
      if (!(bin instanceof Uint8Array)) throw new Error(`bytes read back as ${show(bin)}`);
      same(bin, bytes(5, 1), 'the bytes');
    },
  },
  {
    name: 'getMany answers in the order asked, undefined where missing',
    async run(kv) {
      await kv.setMany([
        ['a', 1],
        ['c', 3],
      ]);
      same(await kv.getMany(['c', 'b', 'a']), [3, undefined, 1], 'getMany');
      same(await kv.getMany([]), [], 'getMany of nothing');
    },
  },
  {
    name: 'setMany writes its entries and its updates; an update gets the old value (undefined when absent)',
    async run(kv) {
      await kv.setMany([['n', 1]]);
      const seen: unknown[] = [];
      await kv.setMany(
        [['e', 'x']],
        [
          { key: 'n', fn: (old) => (seen.push(old), (old as number) + 1) },
          { key: 'fresh', fn: (old) => (seen.push(old), 'made') },
        ],
      );
      same(seen, [1, undefined], 'what the updates saw');
      same(await kv.getMany(['e', 'n', 'fresh']), ['x', 2, 'made'], 'after setMany');
    },
  },
  {
    name: 'updates running at once lose none of each other’s writes',
    async run(kv) {
      await Promise.all(Array.from({ length: 20 }, () => kv.setMany([], [{ key: 'count', fn: (old) => ((old as number | undefined) ?? 0) + 1 }])));
      same(await kv.get('count'), 20, 'the count after 20 concurrent increments');
    },
  },
  {
    name: 'keys(prefix) lists exactly the keys that start with it, sorted; keys() lists all',
    async run(kv) {
      await kv.setMany(['piece:x:1', 'piece:x:0', 'piece:xy:0', 'have:x', 'piece:'].map((k) => [k, k]));
      same(await kv.keys('piece:x:'), ['piece:x:0', 'piece:x:1'], 'keys of piece:x:');
      same(await kv.keys('nope'), [], 'keys of an unused prefix');
      same(await kv.keys(), ['have:x', 'piece:', 'piece:x:0', 'piece:x:1', 'piece:xy:0'], 'every key');
    },
  },
  {
    name: 'delMany deletes those keys only; delPrefix deletes the prefix’s keys and no neighbour’s',
    async run(kv) {
      await kv.setMany(['a', 'b', 'piece:x:0', 'piece:x:1', 'piece:xy:0'].map((k) => [k, k]));
      await kv.delMany(['a', 'missing']);
      await kv.delPrefix('piece:x:');
      same(await kv.keys(), ['b', 'piece:xy:0'], 'what is left');
    },
  },
];

/** A torrent's file of three pieces of 8 bytes and a last one of 3. */
const PIECE = 8;
const LAST = 3;
const piecesOfA = [0, 1, 2, 3].map((i) => ({ file: 'a', index: i, at: i * PIECE, bytes: bytes(i === 3 ? LAST : PIECE, i + 10) }));

export const pieceFilesCases: StorageCase<PieceFiles>[] = [
  {
    name: 'a piece of a file never written reads as undefined',
    async run(files) {
      same(await files.read('never', 0, 0, PIECE), undefined, 'read');
    },
  },
  {
    name: 'pieces written in one batch, of two files, read back each at its offset (the last one short)',
    async run(files) {
      await files.writeMany([...piecesOfA, { file: 'b', index: 0, at: 0, bytes: bytes(PIECE, 99) }]);
      for (const p of piecesOfA) same(await files.read('a', p.index, p.at, p.bytes.length), p.bytes, `piece ${p.index} of a`);
      same(await files.read('b', 0, 0, PIECE), bytes(PIECE, 99), 'piece 0 of b');
    },
  },
  {
    name: 'a piece past what was written reads as undefined',
    async run(files) {
      await files.writeMany(piecesOfA.slice(0, 2));
      same(await files.read('a', 2, 2 * PIECE, PIECE), undefined, 'piece 2 (never written, past the end)');
    },
  },
  {
    name: 'a piece written again reads as the last write',
    async run(files) {
      await files.writeMany([piecesOfA[0]!]);
      await files.writeMany([{ ...piecesOfA[0]!, bytes: bytes(PIECE, 7) }]);
      same(await files.read('a', 0, 0, PIECE), bytes(PIECE, 7), 'piece 0');
    },
  },
  {
    name: 'remove deletes a file and nothing else; removing a missing file is no error; a removed file can be written again',
    async run(files) {
      await files.writeMany([...piecesOfA, { file: 'b', index: 0, at: 0, bytes: bytes(PIECE, 5) }]);
      await files.remove('a');
      await files.remove('never');
      same(await files.read('a', 0, 0, PIECE), undefined, 'piece 0 of the removed file');
      same(await files.read('b', 0, 0, PIECE), bytes(PIECE, 5), 'piece 0 of the other file');
      await files.writeMany([piecesOfA[1]!]);
      same(await files.read('a', 1, PIECE, PIECE), piecesOfA[1]!.bytes, 'piece 1 written after the removal');
    },
  },
  {
    name: 'a piece between written ones that was never written reads as undefined',
    async run(files) {
      await files.writeMany([piecesOfA[0]!, piecesOfA[2]!]);
      same(await files.read('a', 1, PIECE, PIECE), undefined, 'piece 1');
    },
  },
];

/** Run every case on a fresh store from `make`; the failures as "name: message", the skipped as "name: why". */
export async function runCases<T>(cases: StorageCase<T>[], make: (n: number) => Promise<T>, skips: Record<string, string> = {}): Promise<{ passed: string[]; failed: string[]; skipped: string[] }> {
  const out = { passed: [] as string[], failed: [] as string[], skipped: [] as string[] };
  for (const [n, c] of cases.entries()) {
    const why = skips[c.name];
    if (why) {
      out.skipped.push(`${c.name}: ${why}`);
      continue;
    }
    try {
      await c.run(await make(n));
      out.passed.push(c.name);
    } catch (err) {
      out.failed.push(`${c.name}: ${(err as Error).message}`);
    }
  }
  return out;
}
