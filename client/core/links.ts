/** Pure decisions of the link manager and torrents: glare resolution, duplicate connections and idle links. */

export interface ExistingLink {
  /** The id of the link attempt (simple-peer instance) we hold for this peer. */
  nonce: string;
  initiator: boolean;
  open: boolean;
}

export type OfferDecision =
  /** No link yet: answer the offer. */
  | 'accept'
  /** Glare, and our own offer wins: drop theirs, they will answer ours. */
  | 'ignore'
  /** Theirs wins, or they restarted: drop ours and answer theirs. */
  | 'replace'
  /** Same attempt (a renegotiation): hand it to the existing link. */
  | 'forward'
  /** We are at the link cap. */
  | 'refuse';

/**
 * A peer `from` sent an offer for attempt `nonce`. When both sides offered at once (glare),
 * the offer of the peer with the smaller id wins, so both sides agree on one link.
 */
export function decideOffer(
  selfId: string,
  from: string,
  nonce: string,
  existing: ExistingLink | undefined,
  linkCount: number,
  maxLinks: number,
): OfferDecision {
  if (!existing) return linkCount >= maxLinks ? 'refuse' : 'accept';
  if (existing.nonce === nonce) return 'forward';
  if (!existing.open && existing.initiator) return selfId < from ? 'ignore' : 'replace';
  return 'replace';
}

/** Open links with no traffic for `idleMs`, most idle first. */
export function idleLinks(links: { id: string; lastActivity: number }[], now: number, idleMs: number): string[] {
  return links
    .filter((l) => now - l.lastActivity >= idleMs)
    .sort((a, b) => a.lastActivity - b.lastActivity)
    .map((l) => l.id);
}

/**
 * Of two connections to peer `remote`, is the newer one (we opened it when `newerOurs`) the one
 * to keep? The one opened by the smaller peer id is; two opened by the same side: the older.
 */
export function keepsNewer(self: string, remote: string, olderOurs: boolean, newerOurs: boolean): boolean {
  if (olderOurs === newerOurs) return false;
  return newerOurs === self < remote;
}
