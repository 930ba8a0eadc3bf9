/**
 * Super-peer election (the hierarchical overlay of Kurose & Ross): a few peers of a room are
 * made super-peers, the others are their leaves. Pure: the Lobby passes its members, the list it
 * holds and the time.
 *
 * Stability comes first: a live super-peer is never demoted because a better peer arrived; the
 * list only grows when the room needs more super-peers, and only shrinks when it has clearly
 * too many (more than max(needed, ceil(n / 10)), a band that keeps a room of steady size from
 * promoting and demoting around a threshold).
 */
import { SUPERPEER_LIMITS } from '../../protocol/signaling';

export interface SuperCandidate {
  id: string;
  /** When the peer joined the room (ms since the epoch). */
  joined: number;
  /** Declared upload bandwidth, bytes per second. */
  bandwidth: number;
  /** Declared count of open peer links. */
  links: number;
}

/**
 * How many super-peers a room of `n` peers needs: none for an empty room, one below 6 peers,
 * then about one per 20 peers (leaf sets of 10 to 30) and never fewer than 2, so that a room
 * of 6 or more survives the loss of one. At most SUPERPEER_LIMITS.supers (100).
 */
export function neededSupers(n: number): number {
  if (!(n >= 1)) return 0;
  if (n < 6) return 1;
  return Math.min(SUPERPEER_LIMITS.supers, Math.max(2, Math.ceil(n / 20)));
}

/** The most super-peers a room of `n` peers keeps before it demotes: max(needed, ceil(n / 10)). */
export function maxSupers(n: number): number {
  if (!(n >= 1)) return 0;
  return Math.min(SUPERPEER_LIMITS.supers, Math.max(neededSupers(n), Math.ceil(n / 10)));
}

/**
 * A peer's fitness as a super-peer:
 *
 *   score = log2(1 + bandwidth) + log2(1 + uptime) + log2(1 + links)
 *
 * with bandwidth in bytes per second, uptime = now - joined in seconds, links a count: each
 * doubling of any of the three is worth one point (the score is the log of their product). A
 * declared bandwidth of 1 MB/s (20 points) outweighs a day of uptime (16.4 points); uptime
 * breaks the ties between peers that declared nothing, in favour of the longest-lived. Negative
 * or non-finite inputs count as 0.
 */
export function capacityScore(m: Omit<SuperCandidate, 'id'>, now: number): number {
  const uptimeSeconds = nonNegative(now - m.joined) / 1000;
  return Math.log2(1 + nonNegative(m.bandwidth)) + Math.log2(1 + uptimeSeconds) + Math.log2(1 + nonNegative(m.links));
}

/**
 * The room's next super-peer list. Current super-peers that are still members are kept, in
 * their order. When fewer than neededSupers(n), the best other members are promoted (highest
 * score first, ties by id). When more than maxSupers(n), the lowest-scored of the kept ones
 * are demoted. Returns the kept ones first, then the promoted ones. `roomSize`: the room's
 * count when `members` is a sample of it (a large room elects among the current super-peers
 * and a random sample of the rest).
 */
export function electSupers(members: readonly SuperCandidate[], current: readonly string[], now: number, roomSize = members.length): string[] {
  const byId = new Map(members.map((m) => [m.id, m]));
  const scores = new Map(members.map((m) => [m.id, capacityScore(m, now)]));
  const best = (a: string, b: string) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);

  let kept = [...new Set(current)].filter((id) => byId.has(id));
  const max = maxSupers(roomSize);
  if (kept.length > max) {
    const stay = new Set(kept.slice().sort(best).slice(0, max));
    kept = kept.filter((id) => stay.has(id));
  }
  const missing = neededSupers(roomSize) - kept.length;
  if (missing <= 0) return kept;
  const isSuper = new Set(kept);
  const promoted = [...byId.keys()]
    .filter((id) => !isSuper.has(id))
    .sort(best)
    .slice(0, missing);
  return [...kept, ...promoted];
}

function nonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}
