/**
 * Chord, the DHT of Kurose & Ross 2.5 (Stoica et al., 2001): node ids and keys are hashed into
 * one identifier ring of 2^160 points (consistent hashing), and a key lives at its successor,
 * the first node at or after it clockwise. Each node keeps its predecessor, a list of its next
 * `r` successors (so the ring survives r - 1 adjacent failures) and 160 "fingers" (finger i is
 * the successor of self + 2^i), with which a lookup halves the remaining distance at every hop.
 *
 * This module is the pure core of one node: routing state and decisions only. Messages, timers,
 * storage and hashing belong to the caller, who passes in what the other nodes answered.
 *
 * Ids are 40-digit lowercase hex strings (a SHA-1 digest). Because they all have the same
 * length and alphabet, string order is numeric order, so interval tests compare strings; bigint
 * arithmetic is used only where sums or distances are needed (`addPow2`, `distance`).
 */

/** Bits of an id: the ring has 2^160 points. */
export const RING_BITS = 160;
/** Default length of a node's successor list (and of a key's replica set). */
export const DEFAULT_SUCCESSORS = 3;

const HEX_DIGITS = RING_BITS / 4;
const RING_SIZE = 1n << BigInt(RING_BITS);
const ID_PATTERN = /^[0-9a-f]{40}$/;

/** Whether `s` is a well-formed id: exactly 40 lowercase hex digits. */
export function isId(s: unknown): s is string {
  return typeof s === 'string' && ID_PATTERN.test(s);
}

function checkId(s: string, what: string): void {
  if (!isId(s)) throw new RangeError(`${what} must be 40 lowercase hex digits, got ${JSON.stringify(s)}`);
}

/** The id as a number in [0, 2^160). */
export function idToBigInt(id: string): bigint {
  return BigInt(`0x${id}`);
}

/** The id of a number, taken modulo 2^160. */
export function bigIntToId(x: bigint): string {
  const m = ((x % RING_SIZE) + RING_SIZE) % RING_SIZE;
  return m.toString(16).padStart(HEX_DIGITS, '0');
}

/**
 * `x` lies in the open ring interval (a, b), going clockwise from a. When a == b the interval
 * is the whole ring except a.
 */
export function between(x: string, a: string, b: string): boolean {
  if (a < b) return a < x && x < b;
  if (a > b) return a < x || x < b; // wraps past 0
  return x !== a;
}

/** `x` lies in the ring interval (a, b]. When a == b the interval is the whole ring. */
export function betweenRightIncl(x: string, a: string, b: string): boolean {
  return x === b || between(x, a, b);
}

/** id + 2^i modulo 2^160: the start of finger i (0 <= i < 160). */
export function addPow2(id: string, i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= RING_BITS) throw new RangeError(`finger index out of range: ${i}`);
  return bigIntToId(idToBigInt(id) + (1n << BigInt(i)));
}

/** Clockwise distance from a to b: (b - a) mod 2^160 (0 when a == b). */
export function distance(a: string, b: string): bigint {
  const d = idToBigInt(b) - idToBigInt(a);
  return d < 0n ? d + RING_SIZE : d;
}

// ------------------------------------------------------------------ global view of a ring

/** The distinct ids, in ring (ascending) order; throws a RangeError on a malformed id. */
export function sortIds(ids: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const id of ids) {
    checkId(id, 'id');
    set.add(id);
  }
  return [...set].sort();
}

/** Index in `sortedIds` of the first id >= key, or 0 past the last one (the wrap). */
function successorIndex(sortedIds: readonly string[], key: string): number {
  let lo = 0;
  let hi = sortedIds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedIds[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo === sortedIds.length ? 0 : lo;
}

/** The node responsible for `key`: the first id at or after it, clockwise. `sortedIds` from `sortIds`. */
export function successorOf(sortedIds: readonly string[], key: string): string {
  if (sortedIds.length === 0) throw new RangeError('successorOf: empty ring');
  return sortedIds[successorIndex(sortedIds, key)]!;
}

/** The nodes holding copies of `key`: its successor and the next r - 1 nodes (fewer on a small ring). */
export function replicaSet(sortedIds: readonly string[], key: string, r: number): string[] {
  const n = sortedIds.length;
  if (n === 0) return [];
  const start = successorIndex(sortedIds, key);
  const out: string[] = [];
  for (let j = 0; j < Math.min(Math.max(0, Math.floor(r)), n); j++) out.push(sortedIds[(start + j) % n]!);
  return out;
}

// ------------------------------------------------------------------ one node

/** A routing decision: the key's owner is known, or the query goes on to `next`. */
export type NextHop = { owner: string } | { next: string };

/** The finger to refresh this round: look up the successor of `start` and `setFinger(index, it)`. */
export interface FingerToFix {
  index: number;
  start: string;
}

/** What a node leaving gracefully sends, and to whom (null: it was alone, the keys die with it). */
export interface LeaveHandover<K extends string> {
  to: string | null;
  keys: K[];
}

/**
 * One node's Chord state. Nothing here sends anything: the caller runs the periodic tasks of the
 * paper, feeding in what the other nodes answered —
 *
 *   join        `join(owner of self)`, found by a lookup through any node already in the ring
 *   stabilize   ask `successor` for its predecessor and successor list, call `stabilize(...)`,
 *               then send `notify(self)` to the successor it returns
 *   fix fingers `fingerToFix(round)`, look up its `start`, `setFinger(index, owner)`
 *   failures    a node that does not answer: `nodeFailed(id)` (the successor list takes over)
 *
 * `successors` never contains `self`; it is empty only while the node knows no other node
 * (alone, its own successor).
 */
export class ChordNode {
  readonly self: string;
  /** Length of the successor list (and of the replica set of the keys this node owns). */
  readonly r: number;
  predecessor: string | null = null;
  /** The next r nodes clockwise, nearest first; `successors[0]` is the successor. */
  successors: string[] = [];
  /**
   * finger i = successor(self + 2^i). Fingers whose start lies in (self, successor] are the
   * successor itself; they are neither looked up nor needed (routing also reads `successors`),
   * so they may be null or stale — see `firstUsefulFinger`.
   */
  readonly fingers: (string | null)[];

  constructor(self: string, r = DEFAULT_SUCCESSORS) {
    checkId(self, 'node id');
    if (!Number.isInteger(r) || r < 1) throw new RangeError(`successor list length must be a positive integer, got ${r}`);
    this.self = self;
    this.r = r;
    this.fingers = new Array<string | null>(RING_BITS).fill(null);
  }

  /** The successor: the first of `successors`, or self when alone. */
  get successor(): string {
    return this.successors[0] ?? this.self;
  }

  /** Knows no other node: its own successor, no predecessor. */
  get alone(): boolean {
    return this.successors.length === 0 && this.predecessor === null;
  }

  /** Enter the ring before `successor` (the owner of `self`, looked up through any member). */
  join(successor: string): void {
    checkId(successor, 'successor');
    this.predecessor = null;
    this.successors = successor === this.self ? [] : [successor];
    this.fingers.fill(null);
  }

  /**
   * The key is stored here: key in (predecessor, self]. Alone, everything is. With no
   * predecessor known yet (just joined) only its own id is certain.
   */
  owns(key: string): boolean {
    if (this.predecessor !== null) return betweenRightIncl(key, this.predecessor, this.self);
    return this.successors.length === 0 || key === this.self;
  }

  /**
   * One routing step for `key`. The owner is this node when it `owns` the key (0 further
   * messages), the successor when key in (self, successor]; otherwise the query goes to the
   * closest preceding node this node knows of.
   */
  nextHop(key: string): NextHop {
    if (this.owns(key)) return { owner: this.self };
    const succ = this.successor;
    if (betweenRightIncl(key, this.self, succ)) return { owner: succ };
    return { next: this.closestPreceding(key) };
  }

  /**
   * Of the fingers and successors, the node closest before `key` (strictly inside (self, key)),
   * never self; the successor when there is none.
   */
  closestPreceding(key: string): string {
    const self = this.self;
    let best: string | null = null;
    let bestWrapped = false;
    // Farthest clockwise from self wins: ids above self come first, then those past the wrap.
    for (let i = -this.successors.length; i < RING_BITS; i++) {
      const c: string | null = i < 0 ? this.successors[-i - 1]! : (this.fingers[i] ?? null);
      if (c === null || !between(c, self, key)) continue;
      const wrapped = c < self;
      if (best === null || (wrapped !== bestWrapped ? wrapped : c > best)) {
        best = c;
        bestWrapped = wrapped;
      }
    }
    return best ?? this.successor;
  }

  /**
   * Chord's stabilize, given the successor's answer: its predecessor and its successor list
   * (alone, pass this node's own predecessor and list). A predecessor x in (self, successor)
   * joined in between and becomes the successor; the list is rebuilt as
   * [successor, ...its list] cut to r, without self or duplicates. Returns the successor to
   * `notify(self)`, or null when alone.
   */
  stabilize(successorsPredecessor: string | null, successorsList: readonly string[]): string | null {
    const succ = this.successor;
    const x = successorsPredecessor;
    const list = x !== null && x !== this.self && between(x, this.self, succ) ? [x, succ, ...successorsList] : [succ, ...successorsList];
    const out: string[] = [];
    for (const id of list) {
      if (out.length >= this.r) break;
      if (id !== this.self && !out.includes(id)) out.push(id);
    }
    this.successors = out;
    return out[0] ?? null;
  }

  /**
   * `candidate` thinks it might be our predecessor: adopt it if we have none or it lies in
   * (predecessor, self). A node alone also takes it as its successor, closing a ring of two.
   * Returns whether the predecessor changed (then `keysToHandOver` tells what it now owns).
   */
  notify(candidate: string): boolean {
    if (candidate === this.self) return false;
    if (this.successors.length === 0) this.successors = [candidate];
    if (this.predecessor === null || between(candidate, this.predecessor, this.self)) {
      this.predecessor = candidate;
      return true;
    }
    return false;
  }

  /**
   * `id` did not answer: drop it from the successor list, fingers and predecessor. The next
   * entry of the successor list takes over; if that empties the list, the closest node still
   * known (clockwise: fingers, then the predecessor) stands in until stabilize corrects it.
   */
  nodeFailed(id: string): void {
    if (id === this.self) return;
    this.successors = this.successors.filter((s) => s !== id);
    for (let i = 0; i < RING_BITS; i++) if (this.fingers[i] === id) this.fingers[i] = null;
    if (this.predecessor === id) this.predecessor = null;
    if (this.successors.length === 0) {
      let best: string | null = null;
      for (const c of [...this.fingers, this.predecessor]) {
        if (c !== null && (best === null || distance(this.self, c) < distance(this.self, best))) best = c;
      }
      if (best !== null) this.successors = [best];
    }
  }

  /** The successor did not answer: `nodeFailed(id)`. Returns the new successor (self when alone). */
  successorFailed(id: string): string {
    this.nodeFailed(id);
    return this.successor;
  }

  /**
   * Lowest finger index worth looking up: finger i for smaller i starts in (self, successor], so
   * it is the successor. RING_BITS (none) when alone or when the successor is >= 2^159 away.
   */
  firstUsefulFinger(): number {
    if (this.successors.length === 0) return RING_BITS;
    return distance(this.self, this.successor).toString(2).length; // 2^i > distance iff i >= bit length
  }

  /**
   * The finger to refresh in round `round` (an ever-increasing counter): the indices from
   * `firstUsefulFinger()` to 159 in turn — the skipped lower ones are the successor (see
   * `fingers`). About log2 N indices are useful, so every finger is refreshed every ~log2 N
   * rounds. Null when alone.
   */
  fingerToFix(round: number): FingerToFix | null {
    const first = this.firstUsefulFinger();
    const count = RING_BITS - first;
    if (count <= 0) return null;
    const r = Math.floor(round);
    const index = first + (((r % count) + count) % count);
    return { index, start: addPow2(this.self, index) };
  }

  /** Record the successor of finger i's start (null, or self, clears it). */
  setFinger(i: number, node: string | null): void {
    if (!Number.isInteger(i) || i < 0 || i >= RING_BITS) throw new RangeError(`finger index out of range: ${i}`);
    if (node !== null) checkId(node, 'finger');
    this.fingers[i] = node === this.self ? null : node;
  }

  /** The distinct other nodes this one links to (successors, predecessor, fingers): its overlay links. */
  knownNodes(): string[] {
    const out = new Set<string>(this.successors);
    if (this.predecessor !== null) out.add(this.predecessor);
    for (const f of this.fingers) if (f !== null) out.add(f);
    out.delete(this.self);
    return [...out];
  }

  // ---------------------------------------------------------------- key placement

  /**
   * Where copies of the keys this node owns must be: itself and its next r - 1 successors
   * (fewer while the successor list is short). A put to the owner is forwarded to the others.
   */
  replicaTargets(): string[] {
    return [this.self, ...this.successors.slice(0, this.r - 1)];
  }

  /**
   * A new predecessor joined (`notify` returned true): of the keys in this node's store, those
   * not in (newPredecessor, self] go to it — the ones it now owns, and the replicas of the keys
   * of the nodes before it, which it must hold from now on. With r >= 2 this node keeps its
   * copies: it is the first replica of the new predecessor's keys.
   */
  keysToHandOver<K extends string>(keys: Iterable<K>, newPredecessor: string): K[] {
    const out: K[] = [];
    for (const k of keys) if (!betweenRightIncl(k, newPredecessor, this.self)) out.push(k);
    return out;
  }

  /**
   * Graceful leave: every key in the store goes to the successor, which owns this node's keys
   * from now on and takes over its replica duties. `to` is null when the node is alone.
   */
  leaveHandover<K extends string>(keys: Iterable<K>): LeaveHandover<K> {
    return { to: this.successors.length > 0 ? this.successor : null, keys: [...keys] };
  }
}
