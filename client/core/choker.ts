/**
 * Tit-for-tat choking (Kurose & Ross 2.5.2, BEP 3 practice). Every 10 seconds a peer
 * unchokes the `slots` (4) interested neighbours that currently send it data fastest; every
 * 30 seconds it also unchokes one more neighbour picked at random ("optimistic unchoke"), so
 * that newcomers get something to trade and better partners can be discovered. A seeder, who
 * receives nothing, ranks by how fast it uploads to each neighbour instead.
 */

/** Rounds between two optimistic unchoke rotations (3 x 10 s = 30 s). */
export const OPTIMISTIC_EVERY = 3;
/** Peers connected for less than this are three times as likely to be optimistically unchoked. */
export const NEWCOMER_MS = 30_000;
/** Weight of a newcomer in the optimistic draw (others weigh 1). */
export const NEWCOMER_WEIGHT = 3;

/** What the choker knows of one connected peer. */
export interface PeerSnapshot {
  id: string;
  /** The peer is interested in pieces we have. */
  interested: boolean;
  /** Bytes/s they upload to us (ranking when we are a leecher). */
  downloadRate: number;
  /** Bytes/s we upload to them (ranking when we are a seeder). */
  uploadRate: number;
  /** It unchoked us but has sent us nothing for a while (`isSnubbed`). */
  snubbed: boolean;
  /** When the connection opened (ms). */
  connectedAt: number;
}

/** Input of one choking round. */
export interface RechokeInput {
  peers: PeerSnapshot[];
  /** We have every piece: rank by upload rate, ignore snubbing. */
  seeding: boolean;
  /** Regular unchoke slots (4). */
  slots: number;
  /** The current optimistic unchoke, if any. */
  optimistic: string | null;
  /** Counter of 10-second rounds; every `OPTIMISTIC_EVERY`-th (0, 3, 6...) rotates the optimistic unchoke. */
  round: number;
  now: number;
}

/** Outcome of one choking round. */
export interface RechokeResult {
  /** Everyone to unchoke (regular and optimistic); all other peers are to be choked. */
  unchoke: string[];
  /** The optimistic unchoke after this round (also in `unchoke`), if any. */
  optimistic: string | null;
}

function finiteRate(r: number): number {
  return Number.isFinite(r) ? r : 0;
}

/**
 * One choking round (call it every 10 s).
 *
 * Regular unchokes: the `slots` interested peers with the highest rate (`downloadRate`, or
 * `uploadRate` when seeding); a snubbed peer never holds one while we are leeching (snubbing
 * means nothing when seeding, since we want nothing). Ties go to the longer-connected peer,
 * then the smaller id, so equal peers do not churn between rounds.
 *
 * Optimistic unchoke: on rounds where `round % 3 === 0` a new one is drawn at random among the
 * interested peers left choked, other than the current one when there is another choice,
 * peers connected in the last 30 s weighing three times as much. On other rounds the current
 * one is kept if it is still connected, interested and not promoted to a regular slot;
 * otherwise a replacement is drawn the same way at once.
 */
export function rechoke(input: RechokeInput, rng: () => number): RechokeResult {
  const { peers, seeding, now } = input;
  const slots = Math.max(0, Math.floor(input.slots));
  const rate = (p: PeerSnapshot): number => finiteRate(seeding ? p.uploadRate : p.downloadRate);

  const ranked = peers
    .filter((p) => p.interested && (seeding || !p.snubbed))
    .sort((a, b) => rate(b) - rate(a) || a.connectedAt - b.connectedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const regular = ranked.slice(0, slots).map((p) => p.id);
  const unchoked = new Set(regular);

  const choked = peers.filter((p) => p.interested && !unchoked.has(p.id));
  const current = input.optimistic;
  const keep = current !== null && choked.some((p) => p.id === current);
  let optimistic: string | null;
  if (input.round % OPTIMISTIC_EVERY !== 0 && keep) {
    optimistic = current;
  } else {
    const others = choked.filter((p) => p.id !== current);
    const pool = others.length > 0 ? others : choked;
    optimistic = drawWeighted(pool, (p) => (now - p.connectedAt < NEWCOMER_MS ? NEWCOMER_WEIGHT : 1), rng)?.id ?? null;
  }
  return { unchoke: optimistic === null ? regular : [...regular, optimistic], optimistic };
}

/** A random element, with probability proportional to `weight`; null when `items` is empty. */
function drawWeighted<T>(items: readonly T[], weight: (t: T) => number, rng: () => number): T | null {
  let total = 0;
  for (const t of items) total += weight(t);
  if (items.length === 0 || !(total > 0)) return null;
  let r = rng() * total;
  for (const t of items) {
    r -= weight(t);
    if (r < 0) return t;
  }
  return items[items.length - 1] ?? null;
}

/**
 * A peer that unchoked us is snubbing us when it has sent no block for `snubMs` (60 s).
 * `lastPieceAt` is the time of its last block, or of its unchoke if it sent none since.
 */
export function isSnubbed(lastPieceAt: number, now: number, snubMs = 60_000): boolean {
  return now - lastPieceAt >= snubMs;
}
