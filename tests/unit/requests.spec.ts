import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import { BLOCK_LENGTH, PIECE_LENGTH } from '../../protocol/constants';
import { Availability } from '../../client/core/picker';
import { type BlockRequest, ENDGAME_LATE_MS, endgameLateMs, pipelineDepth, RequestBook, URGENT_LATE_MS } from '../../client/core/requests';
import { seeded } from '../helpers/unit';

/** mulberry32: a small seeded PRNG, so every run draws the same numbers. */
function bf(length: number, indices: Iterable<number>): Bitfield {
  const b = new Bitfield(length);
  for (const i of indices) b.set(i);
  return b;
}

function full(length: number): Bitfield {
  return bf(length, Array.from({ length }, (_, i) => i));
}

/** When a block asked for at 0 of a peer that sent nothing yet is late there (endgame asks another). */
const LATE = ENDGAME_LATE_MS;

const key = (r: BlockRequest): string => `${r.index}:${r.begin}:${r.length}`;
const keys = (rs: BlockRequest[]): string[] => rs.map(key).sort();

/** 2 pieces of 2 blocks of 16 KiB. */
function small(): { book: RequestBook; have: Bitfield; all: Bitfield; availability: Availability } {
  const book = new RequestBook(2, 2 * BLOCK_LENGTH, 4 * BLOCK_LENGTH);
  const availability = new Availability(2);
  const all = full(2);
  availability.addBitfield(all);
  availability.addBitfield(all);
  return { book, have: new Bitfield(2), all, availability };
}

test.describe('geometry', () => {
  test('pieces and blocks; the last block of the last piece is shorter', () => {
    const total = 2 * PIECE_LENGTH + 20_000;
    const book = new RequestBook(3, PIECE_LENGTH, total);
    expect(book.blockLength).toBe(BLOCK_LENGTH);
    expect([0, 1, 2].map((i) => book.pieceSize(i))).toEqual([PIECE_LENGTH, PIECE_LENGTH, 20_000]);
    expect(book.blockCount(0)).toBe(16);
    expect(book.blocks(2)).toEqual([
      { index: 2, begin: 0, length: 16_384 },
      { index: 2, begin: 16_384, length: 3_616 },
    ]);
    expect(book.blocks(1).every((b) => b.length === BLOCK_LENGTH)).toBe(true);
  });

  test('a piece length that is not a multiple of the block length', () => {
    const book = new RequestBook(3, 40_000, 100_000, 16_384);
    expect(book.blocks(0).map((b) => b.length)).toEqual([16_384, 16_384, 7_232]);
    expect(book.blocks(2).map((b) => [b.begin, b.length])).toEqual([[0, 16_384], [16_384, 3_616]]);
  });

  test('a last piece of one byte, and requests that hand out the short blocks', () => {
    const book = new RequestBook(2, PIECE_LENGTH, PIECE_LENGTH + 1);
    const availability = new Availability(2);
    const got = book.nextRequests('a', bf(2, [1]), new Bitfield(2), availability, 10, 0, seeded(1));
    expect(got).toEqual([{ index: 1, begin: 0, length: 1 }]);
  });

  test('the constructor refuses inconsistent sizes', () => {
    expect(() => new RequestBook(2, PIECE_LENGTH, PIECE_LENGTH * 3)).toThrow(RangeError);
    expect(() => new RequestBook(1, 0, 0)).toThrow(RangeError);
    expect(() => new RequestBook(1, PIECE_LENGTH, 10, 0)).toThrow(RangeError);
    expect(new RequestBook(0, PIECE_LENGTH, 0).isEndgame()).toBe(false);
  });
});

test.describe('requests', () => {
  test('fills up to `want` outstanding requests, distinct, continuing the started piece', () => {
    const book = new RequestBook(4, PIECE_LENGTH, 4 * PIECE_LENGTH);
    const availability = new Availability(4);
    const all = full(4);
    availability.addBitfield(all);
    const have = new Bitfield(4);
    const rng = seeded(2);
    const first = book.nextRequests('a', all, have, availability, 5, 0, rng);
    expect(first).toHaveLength(5);
    expect(new Set(first.map((r) => r.index)).size).toBe(1); // one piece, blocks in order
    expect(first.map((r) => r.begin)).toEqual([0, 1, 2, 3, 4].map((b) => b * BLOCK_LENGTH));
    expect(book.outstanding('a')).toBe(5);
    expect(book.nextRequests('a', all, have, availability, 5, 0, rng)).toEqual([]);
    const more = book.nextRequests('a', all, have, availability, 7, 0, rng);
    expect(more.map((r) => [r.index, r.begin])).toEqual([[first[0]!.index, 5 * BLOCK_LENGTH], [first[0]!.index, 6 * BLOCK_LENGTH]]);
    // Another peer continues the same started piece rather than opening a new one.
    const b = book.nextRequests('b', all, have, availability, 3, 0, rng);
    expect(b.map((r) => [r.index, r.begin / BLOCK_LENGTH])).toEqual([7, 8, 9].map((k) => [first[0]!.index, k]));
    // Filling more than a piece moves on to another one.
    const c = book.nextRequests('c', all, have, availability, 10, 0, rng);
    expect(c).toHaveLength(10);
    expect(c.slice(0, 6).every((r) => r.index === first[0]!.index)).toBe(true);
    expect(c.slice(6).every((r) => r.index !== first[0]!.index)).toBe(true);
    expect(new Set([...first, ...more, ...b, ...c].map(key)).size).toBe(20);
    expect(book.isEndgame()).toBe(false);
  });

  test('only pieces the peer has and we lack are requested', () => {
    const book = new RequestBook(4, PIECE_LENGTH, 4 * PIECE_LENGTH);
    const availability = new Availability(4);
    const got = book.nextRequests('a', bf(4, [1, 2]), bf(4, [1]), availability, 100, 0, seeded(3));
    expect(got).toHaveLength(16);
    expect(got.every((r) => r.index === 2)).toBe(true);
    expect(book.nextRequests('b', bf(4, [1, 2]), bf(4, [1]), availability, 100, 0, seeded(3))).toEqual([]);
  });

  test('rarest first across peers once past random first', () => {
    const n = 8;
    const book = new RequestBook(n, BLOCK_LENGTH, n * BLOCK_LENGTH, BLOCK_LENGTH, 0);
    const availability = new Availability(n);
    availability.addBitfield(full(n));
    availability.addBitfield(bf(n, [0, 1, 2, 3, 5, 6, 7])); // 4 is rarest
    const got = book.nextRequests('a', full(n), new Bitfield(n), availability, 1, 0, seeded(4));
    expect(got).toEqual([{ index: 4, begin: 0, length: BLOCK_LENGTH }]);
  });
});

test.describe('endgame', () => {
  test('starts only once every missing block is requested, and never doubles a block for one peer', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(5);
    const a = book.nextRequests('a', all, have, availability, 3, 0, rng);
    expect(a).toHaveLength(3);
    expect(book.isEndgame()).toBe(false);
    const b = book.nextRequests('b', all, have, availability, 10, LATE, rng);
    // First the one block nobody was asked for, then (now in endgame) a's three, late at a.
    expect(b).toHaveLength(4);
    expect(keys(b.slice(1))).toEqual(keys(a));
    expect(a.map(key)).not.toContain(key(b[0]!));
    expect(new Set(b.map(key)).size).toBe(4);
    expect(book.isEndgame()).toBe(true);
    // a gets just the one block it has not been asked for; then nothing more.
    const a2 = book.nextRequests('a', all, have, availability, 10, 2 * LATE, rng);
    expect(a2.map(key)).toEqual([key(b[0]!)]);
    expect(book.nextRequests('a', all, have, availability, 10, 3 * LATE, rng)).toEqual([]);
    expect(book.nextRequests('b', all, have, availability, 10, 3 * LATE, rng)).toEqual([]);
    expect(book.outstanding('a')).toBe(4);
    expect(book.outstanding('b')).toBe(4);
  });

  test('endgame requests go to blocks with the fewest requesters, and only in pieces the peer has', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(6);
    book.nextRequests('a', all, have, availability, 4, 0, rng);
    const b = book.nextRequests('b', all, have, availability, 1, LATE, rng); // one duplicate
    const c = book.nextRequests('c', all, have, availability, 3, 2 * LATE, rng);
    expect(c).toHaveLength(3);
    expect(c.map(key)).not.toContain(key(b[0]!)); // that one already has two requesters
    const onlyPiece1 = book.nextRequests('d', bf(2, [1]), have, availability, 10, 4 * LATE, rng);
    expect(onlyPiece1.map((r) => r.index)).toEqual([1, 1]);
    expect(book.nextRequests('e', new Bitfield(2), have, availability, 10, 4 * LATE, rng)).toEqual([]);
  });

  test('no endgame while an unrequested block remains anywhere, even one no peer has', () => {
    const book = new RequestBook(3, 2 * BLOCK_LENGTH, 6 * BLOCK_LENGTH);
    const availability = new Availability(3);
    const has = bf(3, [0, 1]);
    availability.addBitfield(has);
    const rng = seeded(7);
    expect(book.nextRequests('a', has, new Bitfield(3), availability, 10, 0, rng)).toHaveLength(4);
    expect(book.isEndgame()).toBe(false); // piece 2: nobody has it, nobody was asked
    expect(book.nextRequests('b', has, new Bitfield(3), availability, 10, 0, rng)).toEqual([]);
  });

  test('before endgame a block is never handed out twice (random swarm)', () => {
    const n = 12;
    const book = new RequestBook(n, 4 * BLOCK_LENGTH, n * 4 * BLOCK_LENGTH - 1000);
    const availability = new Availability(n);
    const rng = seeded(8);
    const peers = ['p0', 'p1', 'p2', 'p3', 'p4'].map((id) => ({ id, has: bf(n, Array.from({ length: n }, (_, i) => i).filter(() => rng() < 0.6)) }));
    for (const p of peers) availability.addBitfield(p.has);
    const have = new Bitfield(n);
    const seen = new Set<string>();
    for (let round = 0; round < 20 && !book.isEndgame(); round++) {
      for (const p of peers) {
        const wasEndgame = book.isEndgame();
        for (const r of book.nextRequests(p.id, p.has, have, availability, 3 + round, round, rng)) {
          if (!wasEndgame && !seen.has(key(r))) seen.add(key(r));
          else if (!wasEndgame) {
            // A repeat is allowed only after this very call made the last block requested.
            expect(book.isEndgame()).toBe(true);
          }
        }
      }
    }
  });
});

test.describe('receiving', () => {
  test('a block from one peer reports the other requesters for cancelling', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(9);
    const a = book.nextRequests('a', all, have, availability, 4, 0, rng);
    const b = book.nextRequests('b', all, have, availability, 4, LATE, rng);
    const c = book.nextRequests('c', all, have, availability, 1, 2 * LATE, rng);
    expect(keys(b)).toEqual(keys(a));
    const blk = c[0]!;
    const res = book.onBlock('b', blk.index, blk.begin, blk.length);
    expect(res.accepted).toBe(true);
    expect(res.pieceComplete).toBe(false);
    expect(res.duplicates.sort((x, y) => (x.peer < y.peer ? -1 : 1))).toEqual([
      { peer: 'a', req: blk },
      { peer: 'c', req: blk },
    ]);
    expect(book.outstanding('a')).toBe(3);
    expect(book.outstanding('b')).toBe(3);
    expect(book.outstanding('c')).toBe(0);
    // The same block again, from a peer too slow to see the cancel: refused.
    expect(book.onBlock('a', blk.index, blk.begin, blk.length)).toEqual({ accepted: false, pieceComplete: false, duplicates: [] });
  });

  test('pieceComplete when the last block arrives; a verified piece is never requested again', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(10);
    const a = book.nextRequests('a', all, have, availability, 2, 0, rng);
    const index = a[0]!.index;
    expect(a.every((r) => r.index === index)).toBe(true);
    expect(book.onBlock('a', index, 0, BLOCK_LENGTH).pieceComplete).toBe(false);
    expect(book.onBlock('a', index, BLOCK_LENGTH, BLOCK_LENGTH).pieceComplete).toBe(true);
    expect(book.pieceDone(index, true)).toEqual({ cancels: [], contributors: ['a'] });
    const next = book.nextRequests('a', all, have, availability, 10, 0, rng);
    expect(next.map((r) => r.index)).toEqual([1 - index, 1 - index]);
  });

  test('a hash-failed piece is forgotten and requested again in full', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(11);
    const a = book.nextRequests('a', all, have, availability, 2, 0, rng);
    const index = a[0]!.index;
    book.onBlock('a', index, 0, BLOCK_LENGTH);
    book.onBlock('b', index, BLOCK_LENGTH, BLOCK_LENGTH); // unrequested but useful: accepted
    expect(book.pieceDone(index, false).contributors.sort()).toEqual(['a', 'b']);
    expect(book.outstanding('a')).toBe(0);
    const again = book.nextRequests('c', bf(2, [index]), have, availability, 10, 0, rng);
    expect(keys(again)).toEqual(keys(book.blocks(index)));
    expect(book.onBlock('c', index, 0, BLOCK_LENGTH).accepted).toBe(true);
  });

  test('pieceDone cancels requests still outstanding for the piece', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(12);
    const a = book.nextRequests('a', all, have, availability, 2, 0, rng);
    const index = a[0]!.index;
    const { cancels } = book.pieceDone(index, true);
    expect(keys(cancels.map((c) => c.req))).toEqual(keys(a));
    expect(cancels.every((c) => c.peer === 'a')).toBe(true);
    expect(book.outstanding('a')).toBe(0);
  });

  test('blocks of bad geometry, unstarted or finished pieces are refused', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(13);
    const a = book.nextRequests('a', all, have, availability, 2, 0, rng);
    const index = a[0]!.index;
    expect(book.onBlock('a', index, 1, BLOCK_LENGTH).accepted).toBe(false);
    expect(book.onBlock('a', index, 0, BLOCK_LENGTH - 1).accepted).toBe(false);
    expect(book.onBlock('a', index, 2 * BLOCK_LENGTH, BLOCK_LENGTH).accepted).toBe(false);
    expect(book.onBlock('a', 1 - index, 0, BLOCK_LENGTH).accepted).toBe(false);
    expect(book.onBlock('a', 7, 0, BLOCK_LENGTH).accepted).toBe(false);
    expect(book.outstanding('a')).toBe(2);
    book.onBlock('a', index, 0, BLOCK_LENGTH);
    book.onBlock('a', index, BLOCK_LENGTH, BLOCK_LENGTH);
    book.pieceDone(index, true);
    expect(book.onBlock('b', index, 0, BLOCK_LENGTH).accepted).toBe(false);
  });

  test('pieces in the caller\'s `have` are never requested', () => {
    const { book, all, availability } = small();
    const got = book.nextRequests('a', all, bf(2, [0]), availability, 10, 0, seeded(14));
    expect(got.every((r) => r.index === 1)).toBe(true);
    expect(got).toHaveLength(2);
    expect(book.isEndgame()).toBe(true);
  });
});

test.describe('returning requests to the pool', () => {
  for (const how of ['peerGone', 'choked'] as const) {
    test(`${how} returns the peer's blocks for others to fetch`, () => {
      const { book, have, all, availability } = small();
      const rng = seeded(15);
      const a = book.nextRequests('a', all, have, availability, 3, 0, rng);
      const back = book[how]('a');
      expect(keys(back)).toEqual(keys(a));
      expect(book.outstanding('a')).toBe(0);
      expect(book.isEndgame()).toBe(false);
      const b = book.nextRequests('b', all, have, availability, 4, 0, rng);
      expect(b).toHaveLength(4);
      expect(new Set(b.map(key)).size).toBe(4);
      expect(book[how]('nobody')).toEqual([]);
    });
  }

  test('in endgame, a departed peer\'s blocks stay requested from the others', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(16);
    book.nextRequests('a', all, have, availability, 4, 0, rng);
    book.nextRequests('b', all, have, availability, 4, LATE, rng);
    book.peerGone('a');
    expect(book.isEndgame()).toBe(true);
    expect(book.nextRequests('c', all, have, availability, 4, 2 * LATE, rng)).toHaveLength(4); // endgame duplicates of b, late there
    book.peerGone('b');
    book.peerGone('c');
    expect(book.isEndgame()).toBe(false);
  });

  test('expire returns only requests older than the timeout, and a late block is still accepted', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(17);
    const early = book.nextRequests('a', all, have, availability, 2, 1_000, rng);
    const late = book.nextRequests('b', all, have, availability, 2, 20_000, rng);
    expect(book.expire(30_000, 30_000)).toEqual([]);
    const gone = book.expire(31_001, 30_000);
    expect(gone.every((g) => g.peer === 'a')).toBe(true);
    expect(keys(gone.map((g) => g.req))).toEqual(keys(early));
    expect(book.outstanding('a')).toBe(0);
    expect(book.outstanding('b')).toBe(2);
    // The expired blocks go to someone else...
    const c = book.nextRequests('c', all, have, availability, 2, 31_001, rng);
    expect(keys(c)).toEqual(keys(early));
    // ...and if the slow peer delivers after all, its block is taken and c's request cancelled.
    const blk = early[0]!;
    const res = book.onBlock('a', blk.index, blk.begin, blk.length);
    expect(res.accepted).toBe(true);
    expect(res.duplicates).toEqual([{ peer: 'c', req: blk }]);
    expect(keys(book.expire(1e9, 30_000).map((g) => g.req))).toEqual(keys([...late, early[1]!]));
    expect(book.requestsOf('b')).toEqual([]);
  });

  test('requestsOf lists a peer\'s requests, oldest first', () => {
    const { book, have, all, availability } = small();
    const rng = seeded(18);
    const x = book.nextRequests('a', all, have, availability, 1, 5, rng);
    const y = book.nextRequests('a', all, have, availability, 2, 1, rng);
    expect(book.requestsOf('a')).toEqual([...y, ...x]);
  });
});

test('a whole download over a random swarm receives every block exactly once', () => {
  const n = 9;
  const total = n * 2 * BLOCK_LENGTH - 5_000;
  const book = new RequestBook(n, 2 * BLOCK_LENGTH, total);
  const availability = new Availability(n);
  const rng = seeded(19);
  const peers = ['s', 'p1', 'p2', 'p3'].map((id, k) => ({
    id,
    has: k === 0 ? full(n) : bf(n, Array.from({ length: n }, (_, i) => i).filter(() => rng() < 0.5)),
    queue: [] as BlockRequest[],
  }));
  for (const p of peers) availability.addBitfield(p.has);
  const have = new Bitfield(n);
  const accepted = new Set<string>();
  let bytes = 0;
  let cancels = 0;
  for (let t = 0; t < 1_000 && !have.isComplete(); t++) {
    // A step is 100 ms: a block left in a queue long enough is late, and endgame asks another peer too.
    for (const p of peers) p.queue.push(...book.nextRequests(p.id, p.has, have, availability, 4, t * 100, rng));
    const p = peers[Math.floor(rng() * peers.length)]!;
    const r = p.queue.shift();
    if (!r) continue;
    const res = book.onBlock(p.id, r.index, r.begin, r.length);
    if (res.accepted) {
      expect(accepted.has(key(r))).toBe(false);
      accepted.add(key(r));
      bytes += r.length;
    }
    for (const d of res.duplicates) {
      cancels++;
      const q = peers.find((x) => x.id === d.peer)!.queue;
      const at = q.findIndex((x) => key(x) === key(d.req));
      if (at >= 0) q.splice(at, 1);
    }
    if (res.pieceComplete) {
      // Fail piece 3's hash once.
      const ok = !(r.index === 3 && !accepted.has('failed'));
      if (!ok) {
        accepted.add('failed');
        for (const b of book.blocks(3)) accepted.delete(key(b));
        bytes -= book.pieceSize(3);
      }
      book.pieceDone(r.index, ok);
      if (ok) have.set(r.index);
    }
  }
  expect(have.isComplete()).toBe(true);
  expect(bytes).toBe(total);
  expect(book.isEndgame()).toBe(false);
  expect(cancels).toBeGreaterThan(0); // endgame duplicates did happen
  for (const p of peers) expect(book.outstanding(p.id)).toBe(0);
});

test('endgame asks a second peer only for blocks late at the first: one that keeps its pace keeps its blocks', () => {
  // 1 piece of 8 blocks, all asked of a at 0; a sends 4 blocks a second (its 8 take 2 s).
  const book = new RequestBook(1, 8 * BLOCK_LENGTH, 8 * BLOCK_LENGTH);
  const availability = new Availability(1);
  const all = full(1);
  availability.addBitfield(all);
  const rates: Record<string, number> = { a: 4 * BLOCK_LENGTH };
  book.setRates((p) => rates[p] ?? 0);
  const have = new Bitfield(1);
  expect(book.nextRequests('a', all, have, availability, 8, 0, seeded(1))).toHaveLength(8);
  expect(endgameLateMs(8, 4 * BLOCK_LENGTH)).toBe(4_000); // twice its 2 s
  expect(book.nextRequests('b', all, have, availability, 8, 3_999, seeded(2))).toEqual([]);
  expect(book.nextRequests('b', all, have, availability, 8, 4_000, seeded(2))).toHaveLength(8);
  // A peer that sends nothing is late after ENDGAME_LATE_MS; never sooner, whatever its queue.
  expect(endgameLateMs(8, 0)).toBe(ENDGAME_LATE_MS);
  expect(endgameLateMs(1, 1e9)).toBe(ENDGAME_LATE_MS);
  expect(endgameLateMs(3, Number.NaN)).toBe(ENDGAME_LATE_MS);
});

test('pipelineDepth covers about one second of the rate, within [4, 250]', () => {
  expect(pipelineDepth(0)).toBe(4);
  expect(pipelineDepth(-5)).toBe(4);
  expect(pipelineDepth(Number.NaN)).toBe(4);
  expect(pipelineDepth(3 * BLOCK_LENGTH)).toBe(4);
  expect(pipelineDepth(10 * BLOCK_LENGTH)).toBe(10);
  expect(pipelineDepth(10 * BLOCK_LENGTH + 1)).toBe(11);
  expect(pipelineDepth(1_000_000)).toBe(62);
  expect(pipelineDepth(1e9)).toBe(250);
  expect(pipelineDepth(Number.POSITIVE_INFINITY)).toBe(4);
  expect(pipelineDepth(100_000, 1_000)).toBe(100);
});

test.describe('a file selection', () => {
  test('asks only for wanted pieces, and endgame is reached on them alone', () => {
    // 4 pieces of 2 blocks; only pieces 1 and 2 are wanted.
    const book = new RequestBook(4, 2 * BLOCK_LENGTH, 8 * BLOCK_LENGTH);
    const availability = new Availability(4);
    const all = full(4);
    availability.addBitfield(all);
    book.setWanted(bf(4, [1, 2]));
    const have = new Bitfield(4);
    const reqs = book.nextRequests('a', all, have, availability, 100, 0, seeded(3));
    expect([...new Set(reqs.map((r) => r.index))].sort()).toEqual([1, 2]);
    expect(reqs).toHaveLength(4);
    expect(book.isEndgame()).toBe(true);
    // Endgame hands a second peer the same wanted blocks, never one of an unwanted piece.
    const dup = book.nextRequests('b', all, have, availability, 100, LATE, seeded(4));
    expect(dup.every((r) => r.index === 1 || r.index === 2)).toBe(true);
    expect(dup).toHaveLength(4);
    expect(book.isWanted(0)).toBe(false);
    book.setWanted(null);
    expect(book.isWanted(0)).toBe(true);
    expect(book.isEndgame()).toBe(false);
    expect(() => book.setWanted(new Bitfield(3))).toThrow(RangeError);
  });
});

test.describe('a read window', () => {
  /** 10 pieces of 2 blocks, every peer has every piece. */
  function book10() {
    const book = new RequestBook(10, 2 * BLOCK_LENGTH, 20 * BLOCK_LENGTH);
    const availability = new Availability(10);
    const all = full(10);
    availability.addBitfield(all);
    return { book, availability, all, have: new Bitfield(10) };
  }
  const pieces = (rs: BlockRequest[]) => rs.map((r) => r.index);

  test('urgent pieces are asked for first, in their order, even outside the selection; then the selection', () => {
    const { book, availability, all, have } = book10();
    book.setWanted(bf(10, [0, 1]));
    book.setUrgent([8, 7, 99, -1]);
    const first = pieces(book.nextRequests('a', all, have, availability, 6, 0, seeded(1)));
    expect(first.slice(0, 4)).toEqual([8, 8, 7, 7]);
    expect(first.slice(4).every((i) => i === 0 || i === 1)).toBe(true);
    // A seek: the new window comes first at once, on the next refill.
    book.setUrgent([3]);
    expect(pieces(book.nextRequests('b', all, have, availability, 2, 0, seeded(2)))).toEqual([3, 3]);
  });

  test('a block of an urgent piece late at one peer is asked of another; the first answer cancels the other', () => {
    const { book, availability, all, have } = book10();
    book.setUrgent([5]);
    expect(keys(book.nextRequests('slow', all, have, availability, 2, 0, seeded(1)))).toEqual([`5:0:${BLOCK_LENGTH}`, `5:${BLOCK_LENGTH}:${BLOCK_LENGTH}`]);
    // Not late yet: peer b gets other pieces.
    const early = book.nextRequests('b', all, have, availability, 2, URGENT_LATE_MS - 1, seeded(2));
    expect(early.some((r) => r.index === 5)).toBe(false);
    book.peerGone('b');
    // Late: b is asked for both blocks of 5 too, before anything else.
    const late = book.nextRequests('b', all, have, availability, 3, URGENT_LATE_MS, seeded(3));
    expect(late.filter((r) => r.index === 5)).toHaveLength(2);
    // Never a third requester, nor the same peer twice.
    const third = book.nextRequests('c', all, have, availability, 4, URGENT_LATE_MS * 2, seeded(4));
    expect(third.some((r) => r.index === 5)).toBe(false);
    const got = book.onBlock('b', 5, 0, BLOCK_LENGTH);
    expect(got.accepted).toBe(true);
    expect(got.duplicates).toEqual([{ peer: 'slow', req: { index: 5, begin: 0, length: BLOCK_LENGTH } }]);
  });
});

test('under way: a piece with a block asked for or received, until it is done or every request is given back', () => {
  const { book, have, all, availability } = small();
  expect(book.underWay(0)).toBe(false);
  const [r] = book.nextRequests('a', all, have, availability, 1, 0, () => 0);
  expect(book.underWay(r!.index)).toBe(true);
  // The peer went: its request is given back, nothing of the piece is here.
  book.peerGone('a');
  expect(book.underWay(r!.index)).toBe(false);
  const reqs = book.nextRequests('b', all, have, availability, 2, 0, () => 0);
  expect(reqs.every((q) => q.index === reqs[0]!.index)).toBe(true);
  book.onBlock('b', reqs[0]!.index, reqs[0]!.begin, reqs[0]!.length);
  book.choked('b'); // the other block given back; one block is here
  expect(book.underWay(reqs[0]!.index)).toBe(true);
  book.pieceDone(reqs[0]!.index, true);
  expect(book.underWay(reqs[0]!.index)).toBe(false);
});
