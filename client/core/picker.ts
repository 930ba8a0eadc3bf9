/**
 * Piece selection of the BitTorrent swarm (Kurose & Ross 2.5.2, BEP 3 practice):
 *
 * 1. strict priority: finish a piece we have already started, so that it can be verified and
 *    shared as soon as possible;
 * 2. random first: while we hold fewer than a handful of pieces, take a random one, so we get
 *    something to trade quickly and newcomers do not all chase the same rare piece;
 * 3. rarest first: otherwise take the piece fewest of our neighbours have, so that rare
 *    pieces spread before their holders leave (ties broken uniformly at random).
 */
import type { Bitfield } from '../../protocol/bitfield';

/** Default threshold of the random-first phase: pieces held before rarest first applies. */
export const RANDOM_FIRST = 4;

/**
 * How many connected peers have each piece. Feed it every peer's bitfield on connect
 * (`addBitfield`), every `have` message (`addHave`, only for pieces that peer did not already
 * announce) and the peer's current bitfield when it leaves (`removeBitfield`).
 */
export class Availability {
  private readonly counts: Uint32Array;

  /** An availability table for `pieceCount` pieces, all at zero. */
  constructor(pieceCount: number) {
    if (!Number.isInteger(pieceCount) || pieceCount < 0) throw new RangeError(`bad piece count ${pieceCount}`);
    this.counts = new Uint32Array(pieceCount);
  }

  /** Number of pieces tracked. */
  get length(): number {
    return this.counts.length;
  }

  /** A peer connected with bitfield `bf`: count each piece it has. */
  addBitfield(bf: Bitfield): void {
    const n = Math.min(bf.length, this.counts.length);
    for (let i = 0; i < n; i++) if (bf.get(i)) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  /** A peer whose pieces are `bf` left: uncount them (never below zero). */
  removeBitfield(bf: Bitfield): void {
    const n = Math.min(bf.length, this.counts.length);
    for (let i = 0; i < n; i++) {
      const c = this.counts[i] ?? 0;
      if (bf.get(i) && c > 0) this.counts[i] = c - 1;
    }
  }

  /** A peer announced piece `i` (`have`). Out-of-range indices are ignored. */
  addHave(i: number): void {
    if (Number.isInteger(i) && i >= 0 && i < this.counts.length) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  /** How many connected peers have piece `i` (0 out of range). */
  count(i: number): number {
    return this.counts[i] ?? 0;
  }
}

/** What `pickPiece` decides from. */
export interface PickInput {
  /** Pieces we have (verified). */
  have: Bitfield;
  /** Pieces the peer we are about to ask has. */
  peerHas: Bitfield;
  availability: Availability;
  /** Pieces started but not all of whose blocks are requested yet. */
  active: ReadonlySet<number>;
  /** Pieces never to pick: fully requested, or complete and being verified. */
  exclude?: ReadonlySet<number>;
  /** While `have.count()` is below this, pick a random piece the peer has. */
  randomFirst: number;
  /** Pieces the user wants (those of the files selected); absent: every piece. Others are never picked but for `urgent` ones. */
  wanted?: Bitfield | null;
  /**
   * Pieces being read right now (a media element's read window), the nearest deadline first:
   * the first of them the peer has and we still need to ask for comes before anything else,
   * wanted or not (what is read is wanted).
   */
  urgent?: readonly number[];
}

/** Uniform choice in a non-empty array; robust to an rng that returns exactly 1. */
function choose(items: readonly number[], rng: () => number): number | null {
  if (items.length === 0) return null;
  const k = Math.min(items.length - 1, Math.floor(rng() * items.length));
  return items[k] ?? null;
}

/** The candidates of lowest availability (all of them, for a uniform tie break). */
function rarest(items: readonly number[], availability: Availability): number[] {
  let best = Infinity;
  let out: number[] = [];
  for (const i of items) {
    const c = availability.count(i);
    if (c < best) {
      best = c;
      out = [i];
    } else if (c === best) out.push(i);
  }
  return out;
}

/**
 * The piece to request next from a peer, or null when it has nothing we still need to ask
 * for (pieces outside `wanted`, when given, are never needed, unless urgent). Urgent pieces
 * (being read) come first, in their order; then active pieces the peer has (the rarest of them, ties at random); then, while
 * we have fewer than `randomFirst` pieces, a uniformly random piece the peer has and we lack;
 * else the rarest such piece, ties broken uniformly at random.
 */
export function pickPiece(input: PickInput, rng: () => number): number | null {
  const { have, peerHas, availability, active, exclude, randomFirst, wanted, urgent } = input;
  const askable = (i: number): boolean => i >= 0 && i < peerHas.length && peerHas.get(i) && !(i < have.length && have.get(i)) && !exclude?.has(i);
  const eligible = (i: number): boolean => askable(i) && (!wanted || (i < wanted.length && wanted.get(i)));

  if (urgent) for (const i of urgent) if (askable(i)) return i;

  const started: number[] = [];
  for (const i of active) if (eligible(i)) started.push(i);
  if (started.length > 0) return choose(rarest(started, availability), rng);

  const candidates: number[] = [];
  for (let i = 0; i < peerHas.length; i++) if (eligible(i)) candidates.push(i);
  if (candidates.length === 0) return null;
  if (have.count() < randomFirst) return choose(candidates, rng);
  return choose(rarest(candidates, availability), rng);
}
