/**
 * A simulated Chord network for the DHT benchmark (tests/bench/dht-sim.main.ts): every node is a
 * ChordNode (client/core/chord.ts) in this process, a message is a method call on another node,
 * and a dead node is one missing from `ring.nodes` (calling it "times out": the caller runs
 * `nodeFailed`). Time is rounds; every random choice comes from the `rng` passed in.
 *
 * One round = every live node, in join order, runs the periodic tasks of the Chord paper:
 * check_predecessor (drop a dead one), stabilize (ask the successor for its predecessor and
 * successor list, skipping dead successors) + notify, and — with fingers — fix one finger by a
 * lookup through the ring itself.
 *
 * Building: up to `ROUNDS_UP_TO` (1000) nodes the ring is grown by the protocol — node k joins
 * through the first node (bootstrap), which looks up the successor of the newcomer's id, then one
 * round runs — and after the last join rounds run until every node's predecessor, successor list
 * and fingers equal the global view (`buildRounds` counts them). Growing N nodes this way costs
 * N rounds of N nodes each (1000 nodes: ~3.5 s; 10,000 would take minutes), so larger rings are
 * built directly in their converged state (`build: 'direct'`), the same state the rounds reach;
 * either can be forced with `opts.build`.
 */
import { addPow2, ChordNode, DEFAULT_SUCCESSORS, replicaSet, RING_BITS, sortIds, successorOf } from '../../client/core/chord.ts';
import { percentile } from './kit/stats.ts';

/** Largest ring `buildRing` grows by joins and stabilization rounds (by default). */
export const ROUNDS_UP_TO = 1000;

export interface Ring {
  /** The live nodes by id. */
  nodes: Map<string, ChordNode>;
  /** Live ids in join order: the order in which a round visits them. */
  order: string[];
  /** Live ids in ring order: the global view that lookups are checked against. */
  sorted: string[];
  r: number;
  fingers: boolean;
  build: 'rounds' | 'direct';
  /** Rounds run so far (also the fix-fingers counter). */
  round: number;
  /** Rounds after the last join until the state matched the global view (0 when built directly). */
  buildRounds: number;
}

export interface BuildOptions {
  fingers: boolean;
  /** Successor list length (3). */
  r?: number;
  /** 'auto' (default): by rounds up to ROUNDS_UP_TO (1000) nodes, directly above. */
  build?: 'rounds' | 'direct' | 'auto';
  /** Give up converging after this many rounds (10,000). */
  maxRounds?: number;
}

/** The outcome of one lookup. `owner` is null when the query got lost (hop cap reached). */
export interface Lookup {
  owner: string | null;
  /** Messages sent to live nodes, the final one to the owner included; 0 if `from` owns the key. */
  hops: number;
  /** Messages to dead nodes (each followed by `nodeFailed` and another try). */
  timeouts: number;
}

export interface HopStats {
  avgHops: number;
  p95Hops: number;
  maxHops: number;
  /** Fraction of lookups whose owner is `successorOf(sorted, key)`. */
  correct: number;
  /** Average timeouts per lookup. */
  avgTimeouts: number;
}

export interface SimResult extends HopStats {
  build: 'rounds' | 'direct';
  buildRounds: number;
}

/** A uniformly random 160-bit id, 32 bits per draw of `rng`. */
export function randomId(rng: () => number): string {
  let s = '';
  for (let k = 0; k < RING_BITS / 32; k++) s += Math.floor(rng() * 2 ** 32).toString(16).padStart(8, '0');
  return s;
}

function distinctIds(n: number, rng: () => number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    const id = randomId(rng);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

function sortedInsert(sorted: string[], id: string): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, id);
}

function addNode(ring: Ring, node: ChordNode): void {
  ring.nodes.set(node.self, node);
  ring.order.push(node.self);
  sortedInsert(ring.sorted, node.self);
}

/** An empty ring (no node yet): `join` and `runRound` grow it. */
export function emptyRing(opts: { fingers: boolean; r?: number }): Ring {
  return {
    nodes: new Map(),
    order: [],
    sorted: [],
    r: opts.r ?? DEFAULT_SUCCESSORS,
    fingers: opts.fingers,
    build: 'rounds',
    round: 0,
    buildRounds: 0,
  };
}

/** Node `id` joins through `bootstrap` (any live member): it looks up the newcomer's successor. */
export function join(ring: Ring, id: string, bootstrap: string | null): ChordNode {
  const node = new ChordNode(id, ring.r);
  if (bootstrap !== null) {
    const found = lookupHops(ring, bootstrap, id);
    if (found.owner === null) throw new Error(`join of ${id}: the lookup through ${bootstrap} got lost`);
    node.join(found.owner);
  }
  addNode(ring, node);
  return node;
}

/**
 * Recursive routing from `from`: each node applies `nextHop` and forwards; a hop is a message.
 * The lookup ends when a node names the owner (one more hop to reach it, none if it is itself).
 * A dead next hop costs a timeout: the sender drops it (`nodeFailed`) and decides again.
 */
export function lookupHops(ring: Ring, from: string, key: string): Lookup {
  let cur = ring.nodes.get(from);
  if (!cur) throw new Error(`lookup from a node not in the ring: ${from}`);
  const cap = 2 * ring.nodes.size + 16;
  let hops = 0;
  let timeouts = 0;
  for (;;) {
    const h = cur.nextHop(key);
    if ('owner' in h) {
      if (h.owner === cur.self) return { owner: cur.self, hops, timeouts };
      if (ring.nodes.has(h.owner)) return { owner: h.owner, hops: hops + 1, timeouts };
      cur.nodeFailed(h.owner);
      timeouts++;
      continue;
    }
    const next = ring.nodes.get(h.next);
    if (!next) {
      cur.nodeFailed(h.next);
      timeouts++;
      continue;
    }
    cur = next;
    if (++hops > cap) return { owner: null, hops, timeouts };
  }
}

function dropDeadSuccessors(ring: Ring, node: ChordNode): void {
  while (node.successors.length > 0 && !ring.nodes.has(node.successor)) node.nodeFailed(node.successor);
}

/** One round of check_predecessor, stabilize + notify and (with fingers) fix one finger, for every live node. */
export function runRound(ring: Ring): void {
  ring.round++;
  for (const id of ring.order) {
    const node = ring.nodes.get(id)!;
    if (node.predecessor !== null && !ring.nodes.has(node.predecessor)) node.nodeFailed(node.predecessor);
    dropDeadSuccessors(ring, node);
    const succ = node.successors.length > 0 ? ring.nodes.get(node.successor)! : node;
    node.stabilize(succ.predecessor, succ.successors);
    dropDeadSuccessors(ring, node); // the adopted predecessor of the successor may be dead
    if (node.successors.length > 0) ring.nodes.get(node.successor)!.notify(node.self);
    if (ring.fingers) {
      const fix = node.fingerToFix(ring.round);
      if (fix) {
        const found = lookupHops(ring, node.self, fix.start);
        if (found.owner !== null) node.setFinger(fix.index, found.owner);
      }
    }
  }
}

/** The node's successor list and predecessor match the global view. */
function ringStateCorrect(ring: Ring, node: ChordNode, k: number): boolean {
  const n = ring.sorted.length;
  if (n === 1) return node.predecessor === null && node.successors.length === 0;
  if (node.predecessor !== ring.sorted[(k - 1 + n) % n]) return false;
  const want = Math.min(ring.r, n - 1);
  if (node.successors.length !== want) return false;
  for (let j = 0; j < want; j++) if (node.successors[j] !== ring.sorted[(k + 1 + j) % n]) return false;
  return true;
}

/** Every finger from `firstUsefulFinger()` up is the successor of its start. */
function fingersCorrect(ring: Ring, node: ChordNode): boolean {
  for (let i = node.firstUsefulFinger(); i < RING_BITS; i++) {
    const owner = successorOf(ring.sorted, addPow2(node.self, i));
    if (node.fingers[i] !== (owner === node.self ? null : owner)) return false;
  }
  return true;
}

/** Every node's predecessor and successor list (and fingers, if asked) equal the global view. */
export function converged(ring: Ring, withFingers = ring.fingers): boolean {
  for (let k = 0; k < ring.sorted.length; k++) {
    const node = ring.nodes.get(ring.sorted[k]!)!;
    if (!ringStateCorrect(ring, node, k)) return false;
  }
  if (withFingers) for (const node of ring.nodes.values()) if (!fingersCorrect(ring, node)) return false;
  return true;
}

/** Rounds run until `converged(ring, withFingers)`, or null if it still is not after `maxRounds`. */
export function roundsToConverge(ring: Ring, withFingers: boolean, maxRounds = 10_000): number | null {
  let rounds = 0;
  while (!converged(ring, withFingers)) {
    if (rounds >= maxRounds) return null;
    runRound(ring);
    rounds++;
  }
  return rounds;
}

/** `roundsToConverge`, throwing when it does not converge. */
export function runUntilConverged(ring: Ring, withFingers: boolean, maxRounds = 10_000): number {
  const rounds = roundsToConverge(ring, withFingers, maxRounds);
  if (rounds === null) throw new Error(`no convergence after ${maxRounds} rounds (N = ${ring.nodes.size})`);
  return rounds;
}

/** The converged state of a ring of these ids, set directly from the global view. */
function buildDirect(ids: string[], opts: { fingers: boolean; r: number }): Ring {
  const sorted = sortIds(ids);
  const n = sorted.length;
  const ring: Ring = { ...emptyRing(opts), build: 'direct', sorted, order: [...ids] };
  for (let k = 0; k < n; k++) {
    const node = new ChordNode(sorted[k]!, opts.r);
    if (n > 1) {
      node.predecessor = sorted[(k - 1 + n) % n]!;
      node.successors = replicaSet(sorted, sorted[(k + 1) % n]!, Math.min(opts.r, n - 1));
    }
    if (opts.fingers) {
      for (let i = node.firstUsefulFinger(); i < RING_BITS; i++) node.setFinger(i, successorOf(sorted, addPow2(node.self, i)));
    }
    ring.nodes.set(node.self, node);
  }
  return ring;
}

/**
 * A ring of `n` nodes with random ids. By rounds (n <= ROUNDS_UP_TO = 1000 by default): the nodes join
 * one by one through the first node, one round after each join, then rounds until converged.
 * Otherwise the converged state is built directly. See the file comment.
 */
export function buildRing(n: number, rng: () => number, opts: BuildOptions): Ring {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`buildRing: n must be a positive integer, got ${n}`);
  const r = opts.r ?? DEFAULT_SUCCESSORS;
  const ids = distinctIds(n, rng);
  const mode = opts.build === undefined || opts.build === 'auto' ? (n <= ROUNDS_UP_TO ? 'rounds' : 'direct') : opts.build;
  if (mode === 'direct') return buildDirect(ids, { fingers: opts.fingers, r });
  const ring = emptyRing({ fingers: opts.fingers, r });
  const bootstrap = join(ring, ids[0]!, null).self;
  for (let k = 1; k < n; k++) {
    join(ring, ids[k]!, bootstrap);
    runRound(ring);
  }
  ring.buildRounds = runUntilConverged(ring, opts.fingers, opts.maxRounds);
  return ring;
}

/** buildRing, a directly built ring checked to be a fixed point of one round (what the rounds would reach). */
export function buildCheckedRing(n: number, rng: () => number, opts: BuildOptions): Ring {
  const ring = buildRing(n, rng, opts);
  if (ring.build === 'direct') {
    runRound(ring);
    if (!converged(ring)) throw new Error(`the directly built ring of ${n} nodes is not a fixed point of a round`);
  }
  return ring;
}

/** `lookups` lookups of random keys from random live nodes: hop statistics and correctness. */
export function measureLookups(ring: Ring, lookups: number, rng: () => number): HopStats {
  const hops: number[] = [];
  let right = 0;
  let timeouts = 0;
  for (let q = 0; q < lookups; q++) {
    const from = ring.sorted[Math.floor(rng() * ring.sorted.length)]!;
    const key = randomId(rng);
    const res = lookupHops(ring, from, key);
    hops.push(res.hops);
    timeouts += res.timeouts;
    if (res.owner === successorOf(ring.sorted, key)) right++;
  }
  hops.sort((a, b) => a - b);
  const total = hops.reduce((s, h) => s + h, 0);
  return {
    avgHops: lookups > 0 ? total / lookups : 0,
    p95Hops: lookups > 0 ? percentile(hops, 95) : 0,
    maxHops: hops[hops.length - 1] ?? 0,
    correct: lookups > 0 ? right / lookups : 1,
    avgTimeouts: lookups > 0 ? timeouts / lookups : 0,
  };
}

/** Build a ring of `n` nodes and measure `lookups` lookups on it. */
export function simulate(opts: { n: number; lookups: number; fingers: boolean; rng: () => number; r?: number; build?: BuildOptions['build'] }): SimResult {
  const build: BuildOptions = { fingers: opts.fingers };
  if (opts.r !== undefined) build.r = opts.r;
  if (opts.build !== undefined) build.build = opts.build;
  const ring = buildRing(opts.n, opts.rng, build);
  return { ...measureLookups(ring, opts.lookups, opts.rng), build: ring.build, buildRounds: ring.buildRounds };
}

export interface FailResult extends HopStats {
  killed: number;
  /** Survivors whose r successors all died (their successor list could not take over). */
  lostAllSuccessors: number;
  /** Rounds until every predecessor and successor list was right again; null: not within maxRounds. */
  ringRounds: number | null;
  /** Rounds (in all) until the fingers were right too (ringRounds without fingers); null: not within maxRounds. */
  fingerRounds: number | null;
}

/**
 * Kill `fraction` of the nodes at random (at least one survives), run repair rounds until every
 * successor list and predecessor is right again, then run `lookups` lookups from survivors and
 * check their owners (dead fingers met on the way cost timeouts); finally run rounds until the
 * fingers are all right again.
 *
 * A survivor whose r successors all died knows nothing ahead of it but its fingers: it falls back
 * on the closest one and stabilize walks back to its true successor. With no fingers its only
 * known node is its predecessor, the walk goes back around the whole ring, and two such walks can
 * split the ring in two (stabilize never merges rings): `ringRounds` is then null. That is why
 * Chord wants r = O(log N) successors.
 */
export function failAndRepair(ring: Ring, fraction: number, rng: () => number, opts: { lookups?: number; maxRounds?: number } = {}): FailResult {
  const n = ring.sorted.length;
  const kill = Math.min(n - 1, Math.max(0, Math.round(fraction * n)));
  const victims = new Set<string>();
  while (victims.size < kill) victims.add(ring.sorted[Math.floor(rng() * n)]!);
  for (const id of victims) ring.nodes.delete(id);
  ring.order = ring.order.filter((id) => !victims.has(id));
  ring.sorted = ring.sorted.filter((id) => !victims.has(id));

  let lostAllSuccessors = 0;
  for (const node of ring.nodes.values()) if (node.successors.length > 0 && node.successors.every((s) => victims.has(s))) lostAllSuccessors++;

  const maxRounds = opts.maxRounds ?? 2 * n + 100;
  const ringRounds = roundsToConverge(ring, false, maxRounds);
  const stats = measureLookups(ring, opts.lookups ?? 1000, rng);
  let fingerRounds = ringRounds;
  if (ring.fingers && ringRounds !== null) {
    const more = roundsToConverge(ring, true, maxRounds);
    fingerRounds = more === null ? null : ringRounds + more;
  }
  return { ...stats, killed: kill, lostAllSuccessors, ringRounds, fingerRounds };
}
