import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import { Availability, pickPiece } from '../../client/core/picker';
import { seeded } from '../helpers/unit';

/** mulberry32: a small seeded PRNG, so every run draws the same numbers. */
function bf(length: number, indices: Iterable<number>): Bitfield {
  const b = new Bitfield(length);
  for (const i of indices) b.set(i);
  return b;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Availability with the given count per piece. */
function avail(counts: number[]): Availability {
  const a = new Availability(counts.length);
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) a.addHave(i);
  });
  return a;
}

test.describe('Availability', () => {
  test('counts bitfields and haves, and uncounts departures', () => {
    const a = new Availability(10);
    a.addBitfield(bf(10, [0, 1, 2]));
    a.addBitfield(bf(10, [1, 2, 9]));
    a.addHave(5);
    a.addHave(2);
    expect(range(10).map((i) => a.count(i))).toEqual([1, 2, 3, 0, 0, 1, 0, 0, 0, 1]);
    a.removeBitfield(bf(10, [1, 2, 9]));
    expect(range(10).map((i) => a.count(i))).toEqual([1, 1, 2, 0, 0, 1, 0, 0, 0, 0]);
  });

  test('never goes below zero and ignores out-of-range pieces', () => {
    const a = new Availability(4);
    a.removeBitfield(bf(4, [0, 1, 2, 3]));
    a.addHave(4);
    a.addHave(-1);
    a.addHave(1.5);
    expect(range(4).map((i) => a.count(i))).toEqual([0, 0, 0, 0]);
    expect(a.count(99)).toBe(0);
    expect(a.length).toBe(4);
  });
});

test.describe('pickPiece', () => {
  const none = new Set<number>();

  test('rarest first: always one of the rarest pieces the peer has, ties uniform', () => {
    // Piece 4 is the rarest of all, but this peer lacks it; 3, 7 and 12 tie for rarest among its pieces.
    const counts = [5, 4, 6, 2, 1, 3, 5, 2, 6, 4, 3, 5, 2, 3, 4, 5];
    const availability = avail(counts);
    const peerHas = bf(16, range(16).filter((i) => i !== 4));
    const have = bf(16, [0, 1, 2, 6, 8]); // 5 pieces: past random first (4)
    const rng = seeded(1);
    const hits = new Map<number, number>();
    const runs = 6000;
    for (let r = 0; r < runs; r++) {
      const p = pickPiece({ have, peerHas, availability, active: none, randomFirst: 4 }, rng);
      hits.set(p ?? -1, (hits.get(p ?? -1) ?? 0) + 1);
    }
    expect([...hits.keys()].sort((x, y) => x - y)).toEqual([3, 7, 12]);
    for (const i of [3, 7, 12]) {
      const share = (hits.get(i) ?? 0) / runs;
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.37);
    }
  });

  test('rarest first skips pieces we have and excluded pieces', () => {
    const availability = avail([1, 1, 2, 3, 4]);
    const peerHas = bf(5, range(5));
    const have = bf(5, [0]);
    const rng = seeded(2);
    const picks = new Set(range(200).map(() => pickPiece({ have, peerHas, availability, active: none, exclude: new Set([1]), randomFirst: 0 }, rng)));
    expect([...picks]).toEqual([2]);
  });

  test('random first: uniform over the pieces the peer has and we lack, ignoring rarity', () => {
    const counts = range(20).map((i) => (i === 9 ? 1 : 10));
    const availability = avail(counts);
    const offered = [0, 2, 3, 5, 9, 11, 13, 14, 17, 19];
    const peerHas = bf(20, [...offered, 1]);
    const have = bf(20, [1, 6, 7]); // 3 < randomFirst 4
    const rng = seeded(3);
    const hits = new Map<number, number>();
    const runs = 20_000;
    for (let r = 0; r < runs; r++) {
      const p = pickPiece({ have, peerHas, availability, active: none, randomFirst: 4 }, rng) ?? -1;
      hits.set(p, (hits.get(p) ?? 0) + 1);
    }
    expect([...hits.keys()].sort((x, y) => x - y)).toEqual(offered);
    for (const i of offered) {
      const n = hits.get(i) ?? 0;
      expect(n).toBeGreaterThan(1800); // expected 2000
      expect(n).toBeLessThan(2200);
    }
  });

  test('random first ends at the threshold: then rarest first', () => {
    const availability = avail([3, 3, 3, 1, 3, 3, 3, 3]);
    const peerHas = bf(8, range(8));
    const have = bf(8, [0, 1, 2, 4]); // 4 = randomFirst
    const rng = seeded(4);
    for (let r = 0; r < 100; r++) {
      expect(pickPiece({ have, peerHas, availability, active: none, randomFirst: 4 }, rng)).toBe(3);
    }
  });

  test('active pieces the peer has come first, in random-first and rarest-first phases', () => {
    const availability = avail([1, 9, 9, 1, 9, 9, 9, 9]);
    const peerHas = bf(8, [0, 1, 3, 5, 6]);
    const rng = seeded(5);
    for (const have of [new Bitfield(8), bf(8, [2, 4, 7, 6])]) {
      for (let r = 0; r < 100; r++) {
        // 2 is active but the peer lacks it: 5 is the only active piece we can ask this peer for.
        expect(pickPiece({ have, peerHas, availability, active: new Set([2, 5]), randomFirst: 4 }, rng)).toBe(5);
      }
    }
  });

  test('among several active pieces, the rarest; excluded and owned active pieces are skipped', () => {
    const availability = avail([5, 4, 2, 7, 3, 8]);
    const peerHas = bf(6, range(6));
    const rng = seeded(6);
    const pick = (active: number[], exclude: number[], have: number[]) =>
      pickPiece({ have: bf(6, have), peerHas, availability, active: new Set(active), exclude: new Set(exclude), randomFirst: 0 }, rng);
    expect(pick([0, 3, 4], [], [])).toBe(4);
    expect(pick([0, 3, 4], [4], [])).toBe(0);
    expect(pick([0, 3, 4], [4], [0])).toBe(3);
    expect(pick([3], [3], [])).toBe(2); // no usable active piece: rarest first
  });

  test('null when the peer has nothing we still need to ask for', () => {
    const availability = avail([1, 1, 1, 1]);
    const rng = seeded(7);
    const input = { availability, active: none, randomFirst: 4 };
    expect(pickPiece({ ...input, have: new Bitfield(4), peerHas: new Bitfield(4) }, rng)).toBeNull();
    expect(pickPiece({ ...input, have: bf(4, [0, 1]), peerHas: bf(4, [0, 1]) }, rng)).toBeNull();
    expect(pickPiece({ ...input, have: bf(4, [0]), peerHas: bf(4, [0, 1, 2]), exclude: new Set([1, 2]) }, rng)).toBeNull();
    expect(pickPiece({ ...input, have: bf(4, [0, 1, 2, 3]), peerHas: bf(4, [0, 1, 2, 3]) }, rng)).toBeNull();
  });

  test('an rng returning exactly 1 still yields a valid piece', () => {
    const availability = avail([1, 1, 1]);
    const p = pickPiece({ have: new Bitfield(3), peerHas: bf(3, [0, 1, 2]), availability, active: none, randomFirst: 4 }, () => 1);
    expect(p).toBe(2);
  });
});

test.describe('pickPiece with a file selection', () => {
  test('never picks a piece outside the wanted set, random first, rarest first or started', () => {
    const availability = avail([1, 5, 1, 5, 5, 5]);
    const peerHas = bf(6, range(6));
    const wanted = bf(6, [1, 3]);
    const rng = seeded(9);
    const seen = new Set<number>();
    for (const have of [bf(6, []), bf(6, [4, 5, 0, 2, 4])]) {
      for (let r = 0; r < 500; r++) {
        const p = pickPiece({ have, peerHas, availability, active: new Set([0, 2]), randomFirst: 2, wanted }, rng);
        seen.add(p ?? -1);
      }
    }
    expect([...seen].sort()).toEqual([1, 3]);
    expect(pickPiece({ have: bf(6, [1, 3]), peerHas, availability, active: new Set(), randomFirst: 0, wanted }, rng)).toBeNull();
  });
});

test.describe('pickPiece with a read window', () => {
  const none = new Set<number>();

  test('the first urgent piece the peer has and we need comes before started and rarer ones, wanted or not', () => {
    const availability = avail([1, 5, 5, 5, 5, 5, 5, 5, 5, 5]); // piece 0 the rarest
    const peerHas = bf(10, range(10).filter((i) => i !== 6));
    const have = bf(10, [0, 1, 2, 3, 5]);
    const rng = seeded(2);
    // 5 is here, 6 the peer lacks, 7 is fully requested: 8 is the first it can serve.
    const exclude = new Set([7]);
    expect(pickPiece({ have, peerHas, availability, active: new Set([4]), exclude, randomFirst: 0, urgent: [5, 6, 7, 8, 9] }, rng)).toBe(8);
    // A read window over pieces of files not selected: read means wanted.
    const wanted = bf(10, [4]);
    expect(pickPiece({ have, peerHas, availability, active: none, randomFirst: 0, wanted, urgent: [9, 8] }, rng)).toBe(9);
    // Nothing of the window left to ask this peer for: back to the usual order (started first).
    expect(pickPiece({ have, peerHas, availability, active: new Set([4]), exclude, randomFirst: 0, urgent: [5, 6, 7] }, rng)).toBe(4);
  });

  test('a seek moves the window: the new window\'s pieces come first at once', () => {
    const n = 40;
    const availability = avail(Array.from({ length: n }, (_, i) => (i < 10 ? 1 : 3)));
    const peerHas = bf(n, range(n));
    const have = bf(n, [0, 1, 2, 3]);
    const rng = seeded(3);
    const order = (urgent: number[]) => {
      const exclude = new Set<number>();
      const out: number[] = [];
      for (let k = 0; k < 6; k++) {
        const p = pickPiece({ have, peerHas, availability, active: none, exclude, randomFirst: 0, urgent }, rng)!;
        out.push(p);
        exclude.add(p);
      }
      return out;
    };
    // Reading at piece 4: 4..7 first, then the rarest (0-9 are rarer).
    const before = order([4, 5, 6, 7]);
    expect(before.slice(0, 4)).toEqual([4, 5, 6, 7]);
    for (const p of before.slice(4)) expect(p).toBeLessThan(10);
    // A seek to 80 %: 32..35 first.
    expect(order([32, 33, 34, 35]).slice(0, 4)).toEqual([32, 33, 34, 35]);
  });
});
