import { expect, test } from '@playwright/test';
import {
  addPow2,
  between,
  betweenRightIncl,
  bigIntToId,
  ChordNode,
  distance,
  idToBigInt,
  isId,
  replicaSet,
  RING_BITS,
  sortIds,
  successorOf,
} from '../../client/core/chord';
import { buildRing, converged, failAndRepair, measureLookups, randomId } from '../bench/dht-sim.ts';
import { seeded } from '../helpers/unit';

/** Ids by position on a ring of 256 "units" of 2^152 each, plus an optional offset. */
const U = 152n;
const at = (units: number, plus = 0n): string => bigIntToId((BigInt(units) << U) + plus);
const MAX = bigIntToId((1n << 160n) - 1n);
const ZERO = '0'.repeat(40);

// ------------------------------------------------------------------ a tiny in-process network

type Net = Map<string, ChordNode>;

/** Recursive routing by nextHop; dead hops are dropped (`nodeFailed`) and the sender decides again. */
function route(net: Net, from: string, key: string): { owner: string | null; hops: number; path: string[] } {
  let cur = net.get(from)!;
  const path = [cur.self];
  for (let hops = 0; hops <= 2 * net.size + 4; ) {
    const h = cur.nextHop(key);
    const to = 'owner' in h ? h.owner : h.next;
    if (to === cur.self) return { owner: to, hops, path };
    const next = net.get(to);
    if (!next) {
      cur.nodeFailed(to);
      continue;
    }
    hops++;
    path.push(to);
    if ('owner' in h) return { owner: to, hops, path };
    cur = next;
  }
  return { owner: null, hops: Infinity, path };
}

/** One round: check predecessor, stabilize + notify, fix one finger — every node, in map order. */
function tick(net: Net, round: number, fingers = true): void {
  for (const node of net.values()) {
    if (node.predecessor !== null && !net.has(node.predecessor)) node.nodeFailed(node.predecessor);
    while (node.successors.length > 0 && !net.has(node.successor)) node.successorFailed(node.successor);
    const succ = net.get(node.successor)!;
    const to = node.stabilize(succ.predecessor, succ.successors);
    while (node.successors.length > 0 && !net.has(node.successor)) node.successorFailed(node.successor);
    if (to !== null && node.successors.length > 0) net.get(node.successor)!.notify(node.self);
    const fix = fingers ? node.fingerToFix(round) : null;
    if (fix) {
      const found = route(net, node.self, fix.start);
      if (found.owner !== null) node.setFinger(fix.index, found.owner);
    }
  }
}

/** Predecessor and successor list of every node equal the global view (and the useful fingers, if asked). */
function ringIsRight(net: Net, r: number, withFingers: boolean): boolean {
  const sorted = sortIds(net.keys());
  const n = sorted.length;
  return sorted.every((id, k) => {
    const node = net.get(id)!;
    if (node.predecessor !== sorted[(k - 1 + n) % n]) return false;
    if (JSON.stringify(node.successors) !== JSON.stringify(replicaSet(sorted, sorted[(k + 1) % n]!, Math.min(r, n - 1)))) return false;
    if (!withFingers) return true;
    for (let i = node.firstUsefulFinger(); i < RING_BITS; i++) {
      if (node.fingers[i] !== successorOf(sorted, addPow2(id, i))) return false;
    }
    return true;
  });
}

function roundsUntilRight(net: Net, r: number, withFingers: boolean, max = 200, first = 0): number {
  for (let round = first; round < first + max; round++) {
    if (ringIsRight(net, r, withFingers)) return round - first;
    tick(net, round, withFingers);
  }
  throw new Error(`not converged after ${max} rounds`);
}

function correctRing(ids: string[], r = 3): Net {
  const sorted = sortIds(ids);
  const n = sorted.length;
  const net: Net = new Map();
  sorted.forEach((id, k) => {
    const node = new ChordNode(id, r);
    node.predecessor = sorted[(k - 1 + n) % n]!;
    node.successors = replicaSet(sorted, sorted[(k + 1) % n]!, Math.min(r, n - 1));
    for (let i = 0; i < RING_BITS; i++) node.setFinger(i, successorOf(sorted, addPow2(id, i)));
    net.set(id, node);
  });
  return net;
}

function randomIds(n: number, rng: () => number): string[] {
  return Array.from({ length: n }, () => randomId(rng));
}

// ------------------------------------------------------------------ ids and intervals

test('ids: 40 lowercase hex digits; bigint round trip; sortIds sorts, dedupes and rejects bad ids', () => {
  expect(isId(at(1))).toBe(true);
  expect(isId(at(250).toUpperCase())).toBe(false);
  expect(isId('abc')).toBe(false);
  expect(idToBigInt(MAX)).toBe((1n << 160n) - 1n);
  expect(bigIntToId(1n << 160n)).toBe(ZERO);
  expect(bigIntToId(-1n)).toBe(MAX);
  expect(sortIds([at(9), at(3), at(9), at(200)])).toEqual([at(3), at(9), at(200)]);
  expect(() => sortIds([at(1), 'F'.repeat(40)])).toThrow(RangeError);
  expect(() => new ChordNode('1234')).toThrow(RangeError);
});

test('between: open interval (a, b), wrapping past zero, the whole ring but a when a == b', () => {
  // Plain.
  expect(between(at(5), at(1), at(10))).toBe(true);
  expect(between(at(1), at(1), at(10))).toBe(false);
  expect(between(at(10), at(1), at(10))).toBe(false);
  expect(between(at(11), at(1), at(10))).toBe(false);
  expect(between(at(0), at(1), at(10))).toBe(false);
  // Wrap-around: (250, 3) contains 255, MAX, 0 and 2, not 3, 100 or 250.
  for (const x of [at(255), MAX, ZERO, at(2)]) expect(between(x, at(250), at(3))).toBe(true);
  for (const x of [at(3), at(100), at(250)]) expect(between(x, at(250), at(3))).toBe(false);
  // a == b: everything but a.
  expect(between(at(7), at(7), at(7))).toBe(false);
  expect(between(at(8), at(7), at(7))).toBe(true);
  expect(between(at(6), at(7), at(7))).toBe(true);
  // Adjacent ids: an empty interval one way, everything else the other way.
  expect(between(at(7, 1n), at(7), at(7, 1n))).toBe(false);
  expect(between(at(7), at(7, 1n), at(7))).toBe(false);
  expect(between(at(100), at(7, 1n), at(7))).toBe(true);
});

test('betweenRightIncl: (a, b], wrapping; the whole ring when a == b', () => {
  expect(betweenRightIncl(at(10), at(1), at(10))).toBe(true);
  expect(betweenRightIncl(at(1), at(1), at(10))).toBe(false);
  expect(betweenRightIncl(at(3), at(250), at(3))).toBe(true);
  expect(betweenRightIncl(ZERO, at(250), at(3))).toBe(true);
  expect(betweenRightIncl(at(250), at(250), at(3))).toBe(false);
  expect(betweenRightIncl(at(7), at(7), at(7))).toBe(true);
  expect(betweenRightIncl(at(8), at(7), at(7))).toBe(true);
  expect(betweenRightIncl(MAX, MAX, ZERO)).toBe(false);
  expect(betweenRightIncl(ZERO, MAX, ZERO)).toBe(true);
});

test('addPow2 and distance: arithmetic modulo 2^160', () => {
  expect(addPow2(ZERO, 0)).toBe(bigIntToId(1n));
  expect(addPow2(MAX, 0)).toBe(ZERO);
  expect(addPow2(at(128), 159)).toBe(ZERO); // 2^159 + 2^159 = 2^160 = 0
  expect(addPow2(at(200), 158)).toBe(at(200 + 64 - 256));
  expect(addPow2(at(1), 152)).toBe(at(2));
  expect(() => addPow2(ZERO, 160)).toThrow(RangeError);
  expect(() => addPow2(ZERO, -1)).toThrow(RangeError);
  expect(distance(at(1), at(3))).toBe(2n << U);
  expect(distance(at(3), at(1))).toBe(254n << U);
  expect(distance(MAX, ZERO)).toBe(1n);
  expect(distance(at(9), at(9))).toBe(0n);
});

// ------------------------------------------------------------------ global view

test('successorOf: the first id at or after the key, wrapping past the last', () => {
  const ring = sortIds([at(200), at(10), at(50)]);
  expect(successorOf(ring, at(10))).toBe(at(10));
  expect(successorOf(ring, at(10, 1n))).toBe(at(50));
  expect(successorOf(ring, at(0))).toBe(at(10));
  expect(successorOf(ring, at(199))).toBe(at(200));
  expect(successorOf(ring, at(200, 1n))).toBe(at(10)); // wrap
  expect(successorOf(ring, MAX)).toBe(at(10));
  expect(successorOf([at(77)], at(3))).toBe(at(77));
  expect(() => successorOf([], at(3))).toThrow(RangeError);
});

test('replicaSet: the successor and the next r - 1 distinct nodes, wrapping; all nodes on a small ring', () => {
  const ring = sortIds([at(10), at(50), at(200), at(230)]);
  expect(replicaSet(ring, at(40), 3)).toEqual([at(50), at(200), at(230)]);
  expect(replicaSet(ring, at(220), 3)).toEqual([at(230), at(10), at(50)]);
  expect(replicaSet(ring, at(240), 2)).toEqual([at(10), at(50)]);
  expect(replicaSet(ring, at(50), 1)).toEqual([at(50)]);
  expect(replicaSet(ring, at(60), 9)).toEqual([at(200), at(230), at(10), at(50)]);
  expect(replicaSet([at(5)], at(60), 3)).toEqual([at(5)]);
  expect(replicaSet([], at(60), 3)).toEqual([]);
});

// ------------------------------------------------------------------ routing

/** Positions (in 2^152 units) of a hand-built 8-node ring. */
const EIGHT = [5, 20, 50, 90, 130, 170, 200, 240];

test('fingers of a hand-built 8-node ring are the successors of self + 2^i', () => {
  const net = correctRing(EIGHT.map((u) => at(u)));
  const n5 = net.get(at(5))!;
  // Starts 5+2^-k units for i < 152 and 6, 7, 9, 13 for i = 152..155 all fall in (5, 20]: the successor.
  for (let i = 0; i <= 155; i++) expect(n5.fingers[i]).toBe(at(20));
  expect(n5.fingers.slice(156)).toEqual([at(50), at(50), at(90), at(170)]); // starts 21, 37, 69, 133
  expect(n5.firstUsefulFinger()).toBe(156); // distance 15 units = 2^155.9
  const n240 = net.get(at(240))!;
  expect(n240.fingers.slice(156)).toEqual([at(5), at(20), at(50), at(130)]); // starts 0, 16, 48, 112 (wrapped)
  expect(n5.knownNodes().sort()).toEqual(sortIds([at(20), at(50), at(90), at(170), at(240)]));
});

test('nextHop on the 8-node ring: owner when known, else the closest preceding finger', () => {
  const net = correctRing(EIGHT.map((u) => at(u)));
  const n5 = net.get(at(5))!;
  expect(n5.nextHop(at(5))).toEqual({ owner: at(5) }); // its own key
  expect(n5.nextHop(at(250))).toEqual({ owner: at(5) }); // in (240, 5]
  expect(n5.nextHop(at(6))).toEqual({ owner: at(20) });
  expect(n5.nextHop(at(20))).toEqual({ owner: at(20) });
  expect(n5.nextHop(at(20, 1n))).toEqual({ next: at(20) });
  expect(n5.nextHop(at(239))).toEqual({ next: at(170) });
  expect(n5.nextHop(at(100))).toEqual({ next: at(90) });
  expect(n5.closestPreceding(at(90))).toBe(at(50)); // strictly before the key
  expect(n5.closestPreceding(at(6))).toBe(at(20)); // nothing in (5, 6): the successor
  // Across zero: finger 158 of 200 starts at (200 + 64) mod 256 = 8, so it is 20; for key 10 the
  // closest preceding node is 5 (its second successor), which then names the owner 20.
  const n200 = net.get(at(200))!;
  expect(n200.fingers[158]).toBe(at(20));
  expect(n200.nextHop(at(10))).toEqual({ next: at(5) });
  expect(net.get(at(5))!.nextHop(at(10))).toEqual({ owner: at(20) });
});

test('recursive routing on the 8-node ring reaches the owner of every key in at most log2 8 = 3 hops', () => {
  const ids = EIGHT.map((u) => at(u));
  const net = correctRing(ids);
  const sorted = sortIds(ids);
  // The path of a long lookup, by hand: 5 -> 170 (finger 159) -> 200 (finger 156 of 170: 186 -> 200) -> owner 240.
  expect(route(net, at(5), at(239, 7n))).toEqual({ owner: at(240), hops: 3, path: [at(5), at(170), at(200), at(240)] });
  const rng = seeded(11);
  const keys = [...ids, ...ids.map((id) => addPow2(id, 0)), ...ids.map((id) => bigIntToId(idToBigInt(id) - 1n)), ZERO, MAX, ...randomIds(200, rng)];
  for (const from of ids) {
    for (const key of keys) {
      const found = route(net, from, key);
      expect(found.owner).toBe(successorOf(sorted, key));
      expect(found.hops).toBeLessThanOrEqual(3);
      if (found.owner === from) expect(found.hops).toBe(0);
    }
  }
});

test('without fingers, routing walks the successor lists and still finds the owner', () => {
  const ids = EIGHT.map((u) => at(u));
  const net = correctRing(ids);
  for (const node of net.values()) for (let i = 0; i < RING_BITS; i++) node.setFinger(i, null);
  const sorted = sortIds(ids);
  const found = route(net, at(5), at(239, 7n));
  // Jumps of r = 3 successors: 5 -> 90 (its 3rd successor) -> 200 (90's 3rd) -> owner 240.
  expect(found).toEqual({ owner: at(240), hops: 3, path: [at(5), at(90), at(200), at(240)] });
  for (const from of ids) for (const key of randomIds(50, seeded(12))) expect(route(net, from, key).owner).toBe(successorOf(sorted, key));
});

// ------------------------------------------------------------------ one node's state changes

test('a lone node owns everything; notify closes a ring of two; stabilize adopts a node in between', () => {
  const a = new ChordNode(at(10));
  expect(a.alone).toBe(true);
  expect(a.owns(at(200))).toBe(true);
  expect(a.nextHop(at(200))).toEqual({ owner: at(10) });
  expect(a.fingerToFix(0)).toBeNull();
  expect(a.stabilize(null, [])).toBeNull();
  expect(a.leaveHandover(['k1'])).toEqual({ to: null, keys: ['k1'] });

  const b = new ChordNode(at(100));
  b.join(at(10)); // b looked up its successor through a
  expect(b.owns(at(50))).toBe(false); // no predecessor known yet: only its own id is certain
  expect(b.owns(at(100))).toBe(true);
  expect(b.stabilize(a.predecessor, a.successors)).toBe(at(10));
  expect(a.notify(b.self)).toBe(true);
  expect(a.successors).toEqual([at(100)]);
  expect(a.predecessor).toBe(at(100));
  expect(a.notify(b.self)).toBe(false); // no change
  expect(a.notify(a.self)).toBe(false);
  expect(a.stabilize(b.predecessor, b.successors)).toBe(at(100));
  expect(b.notify(a.self)).toBe(true);
  expect(b.owns(at(50))).toBe(true);
  expect(a.owns(at(50))).toBe(false);
  expect(a.owns(at(200))).toBe(true); // (100, 10] wraps
  // c joins between a and b: b learns it by notify, a by stabilize.
  const c = new ChordNode(at(40));
  c.join(at(100));
  c.stabilize(b.predecessor, b.successors);
  expect(c.successors).toEqual([at(100), at(10)]);
  expect(b.notify(c.self)).toBe(true);
  expect(b.predecessor).toBe(at(40));
  expect(b.notify(at(20))).toBe(false); // 20 is not in (40, 100)
  expect(a.stabilize(b.predecessor, b.successors)).toBe(at(40)); // 40 in (10, 100): new successor
  expect(a.successors).toEqual([at(40), at(100)]); // self dropped from [40, 100, 40, 10], duplicates too
  // Out of (self, successor): ignored.
  expect(a.stabilize(at(200), [at(100), at(10)])).toBe(at(40));
});

test('stabilize rebuilds the successor list from the successor\'s, cut to r', () => {
  const n = new ChordNode(at(10), 3);
  n.join(at(20));
  n.stabilize(at(10), [at(30), at(40), at(50)]);
  expect(n.successors).toEqual([at(20), at(30), at(40)]);
  n.stabilize(at(15), [at(30), at(40), at(50)]); // 15 joined in between
  expect(n.successors).toEqual([at(15), at(20), at(30)]);
  const one = new ChordNode(at(10), 1);
  one.join(at(20));
  one.stabilize(at(10), [at(30)]);
  expect(one.successors).toEqual([at(20)]);
});

test('nodeFailed drops a node everywhere; the successor list takes over, then the closest finger', () => {
  const n = new ChordNode(at(10), 3);
  n.predecessor = at(5);
  n.successors = [at(20), at(30), at(40)];
  n.setFinger(157, at(20));
  n.setFinger(158, at(80));
  n.setFinger(159, at(140));
  expect(n.successorFailed(at(20))).toBe(at(30));
  expect(n.successors).toEqual([at(30), at(40)]);
  expect(n.fingers[157]).toBeNull();
  n.nodeFailed(at(5));
  expect(n.predecessor).toBeNull();
  n.nodeFailed(at(30));
  n.nodeFailed(at(40));
  // No successor left: the closest finger ahead stands in.
  expect(n.successors).toEqual([at(80)]);
  n.nodeFailed(at(80));
  expect(n.successors).toEqual([at(140)]);
  n.nodeFailed(at(140));
  expect(n.successors).toEqual([]);
  expect(n.alone).toBe(true);
  n.nodeFailed(n.self); // never drops itself
  expect(n.owns(at(99))).toBe(true);
});

test('fingerToFix cycles through the fingers whose start is past the successor', () => {
  const n = new ChordNode(at(0));
  n.join(at(8)); // distance 8 units = 2^155: starts of fingers 0..155 fall in (0, 8]
  expect(n.firstUsefulFinger()).toBe(156);
  const seen = [0, 1, 2, 3, 4, 5].map((round) => n.fingerToFix(round));
  expect(seen.map((f) => f!.index)).toEqual([156, 157, 158, 159, 156, 157]);
  expect(seen[0]!.start).toBe(at(16));
  expect(seen[3]!.start).toBe(at(128));
  n.join(at(7)); // 7 units: 2^154.8, so 155 (start 8) is useful
  expect(n.fingerToFix(0)).toEqual({ index: 155, start: at(8) });
  n.join(bigIntToId(1n)); // the successor right next to it: every finger may matter
  expect(n.fingerToFix(0)).toEqual({ index: 1, start: bigIntToId(2n) });
  n.join(at(200)); // successor more than half the ring away: every finger is the successor
  expect(n.fingerToFix(0)).toBeNull();
  n.setFinger(3, at(50));
  n.setFinger(4, n.self); // its own id means "none"
  expect(n.fingers[3]).toBe(at(50));
  expect(n.fingers[4]).toBeNull();
  expect(() => n.setFinger(160, at(1))).toThrow(RangeError);
});

test('key placement: replica targets, handover to a new predecessor, graceful leave', () => {
  const n = new ChordNode(at(100), 3);
  n.predecessor = at(50);
  n.successors = [at(120), at(150), at(180)];
  expect(n.replicaTargets()).toEqual([at(100), at(120), at(150)]);
  const keys = [at(60), at(80), at(90, 5n), at(100), at(40), at(30)]; // its own (50, 100], plus replicas of earlier keys
  // 80 joins: it owns (50, 80] and must hold the replicas of the nodes before it; (80, 100] stays.
  expect(n.notify(at(80))).toBe(true);
  expect(n.keysToHandOver(keys, at(80))).toEqual([at(60), at(80), at(40), at(30)]);
  expect(n.keysToHandOver(keys, at(99))).toEqual([at(60), at(80), at(90, 5n), at(40), at(30)]);
  expect(n.keysToHandOver(keys, at(50))).toEqual([at(40), at(30)]);
  expect(n.leaveHandover(keys)).toEqual({ to: at(120), keys });
  // The replica targets of the keys a node owns follow its successor list.
  n.successors = [at(120)];
  expect(n.replicaTargets()).toEqual([at(100), at(120)]);
  expect(new ChordNode(at(1)).replicaTargets()).toEqual([at(1)]);
});

// ------------------------------------------------------------------ convergence and failures

test('stabilize/notify converge a ring where every node points at the bootstrap and predecessors are garbage', () => {
  const rng = seeded(21);
  const ids = randomIds(24, rng);
  const net: Net = new Map();
  for (const id of ids) {
    const node = new ChordNode(id, 3);
    if (id !== ids[0]) node.join(ids[0]!);
    net.set(id, node);
  }
  for (const node of net.values()) if (node.self !== ids[0]) node.predecessor = ids[Math.floor(rng() * ids.length)]!;
  for (const node of net.values()) if (node.predecessor === node.self) node.predecessor = null;
  const ringRounds = roundsUntilRight(net, 3, false);
  expect(ringRounds).toBeGreaterThan(0);
  expect(ringRounds).toBeLessThanOrEqual(2 * ids.length);
  // Fingers: one per round per node; every useful finger right within a few cycles.
  roundsUntilRight(net, 3, true, 200, ringRounds);
  const sorted = sortIds(ids);
  for (const from of ids) for (const key of randomIds(20, rng)) expect(route(net, from, key).owner).toBe(successorOf(sorted, key));
});

test('nodes joining one by one with stale successors and no predecessors converge', () => {
  const rng = seeded(22);
  const ids = randomIds(30, rng);
  const net: Net = new Map();
  for (const id of ids) {
    const node = new ChordNode(id, 4);
    // Each joined with the successor it would have had among those already there, then no round ran.
    if (net.size > 0) node.join(successorOf(sortIds(net.keys()), id));
    net.set(id, node);
  }
  roundsUntilRight(net, 4, true);
  expect(ringIsRight(net, 4, true)).toBe(true);
});

test('failed nodes (two adjacent, with r = 3) are repaired by successor lists; lookups stay right', () => {
  const rng = seeded(23);
  const ids = randomIds(16, rng);
  const net = correctRing(ids);
  const sorted = sortIds(ids);
  const dead = [sorted[3]!, sorted[4]!, sorted[11]!];
  for (const id of dead) net.delete(id);
  // Lookups right away: dead hops are noticed and routed around.
  const live = sortIds(net.keys());
  for (const from of live) for (const key of randomIds(10, rng)) expect(route(net, from, key).owner).toBe(successorOf(live, key));
  const rounds = roundsUntilRight(net, 3, true, 200);
  expect(rounds).toBeLessThanOrEqual(20);
  const before3 = net.get(sorted[2]!)!;
  expect(before3.successor).toBe(sorted[5]);
  expect(net.get(sorted[5]!)!.predecessor).toBe(sorted[2]);
  for (const node of net.values()) for (const id of dead) expect(node.knownNodes()).not.toContain(id);
});

test('dht-sim: rings grown by joins converge, lookups are correct, 20% failures are repaired', () => {
  const rng = seeded(31);
  const ring = buildRing(60, rng, { fingers: true });
  expect(ring.build).toBe('rounds');
  expect(converged(ring)).toBe(true);
  const stats = measureLookups(ring, 300, rng);
  expect(stats.correct).toBe(1);
  expect(stats.avgHops).toBeLessThanOrEqual(0.5 * Math.log2(60) + 1);
  const failed = failAndRepair(ring, 0.2, rng, { lookups: 300 });
  expect(failed.killed).toBe(12);
  expect(failed.ringRounds).not.toBeNull();
  expect(failed.fingerRounds).not.toBeNull();
  expect(failed.correct).toBe(1);
  const direct = buildRing(300, seeded(32), { fingers: true, build: 'direct' });
  expect(converged(direct)).toBe(true);
  expect(measureLookups(direct, 300, rng).correct).toBe(1);
});
