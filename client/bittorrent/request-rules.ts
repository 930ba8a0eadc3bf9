/**
 * When to be interested in a peer and when its request pipeline is worth refilling. Pure.
 */
import type { Bitfield } from '../../protocol/bitfield';

/** Free request slots that make a peer's pipeline worth refilling (16 KiB blocks of a 256 KiB piece). */
export const REFILL_BATCH = 16;

/** A piece we lack and want (`wanted` null: every piece is), or one being read (`urgent`, wanted or not). */
export function wantsPiece(index: number, have: Bitfield, wanted: Bitfield | null, urgent: readonly number[] = []): boolean {
  return !have.get(index) && (!wanted || wanted.get(index) || urgent.includes(index));
}

/**
 * The peer has a piece we lack and want, or one being read (`urgent`: a player reads it, wanted
 * or not): we are interested in it.
 */
export function wantsFrom(theirs: Bitfield, have: Bitfield, wanted: Bitfield | null, urgent: readonly number[] = []): boolean {
  for (const i of urgent) if (theirs.get(i) && !have.get(i)) return true;
  let want = false;
  for (let i = 0; i < theirs.length && !want; i++) want = theirs.get(i) && !have.get(i) && (!wanted || wanted.get(i));
  return want;
}

/**
 * What we may ask a peer for: the pieces it announced (`theirs`) and, when it said upload_only
 * (BEP 21: a seed, which super-seeding hides behind a few offers), the pieces a player reads
 * (`urgent`) too. A partial seed that says upload_only and lacks one simply does not answer;
 * the block is asked of another peer once it is late (URGENT_LATE_MS).
 */
export function askable(theirs: Bitfield, uploadOnly: boolean, urgent: readonly number[]): Bitfield {
  const missing = uploadOnly ? urgent.filter((i) => i < theirs.length && !theirs.get(i)) : [];
  if (missing.length === 0) return theirs;
  const out = theirs.clone();
  for (const i of missing) out.set(i);
  return out;
}

/**
 * A pipeline of `outstanding` requests out of `depth` is refilled in batches (a piece's worth of
 * blocks, or half the pipeline if that is less): one request message and one pick per batch
 * instead of one per block that arrives. An empty pipeline is always refilled.
 */
export function refillDue(outstanding: number, depth: number): boolean {
  return outstanding <= 0 || depth - outstanding >= Math.min(REFILL_BATCH, depth / 2);
}

/**
 * How deep to fill a pipeline of `outstanding` requests out of `depth` when the download limit's
 * bucket holds `budget` bytes (Infinity: no limit): no more blocks than the budget pays for (one
 * more, to use up a part of a block), none while it is in debt. Asking for a second's worth at
 * once would let what was asked before a seek hold back, by up to that second, what the player
 * needs after it.
 */
export function limitedDepth(outstanding: number, depth: number, budget: number, blockLength: number): number {
  if (budget === Infinity) return depth;
  if (!(budget > 0)) return outstanding;
  return Math.min(depth, outstanding + Math.ceil(budget / blockLength));
}
