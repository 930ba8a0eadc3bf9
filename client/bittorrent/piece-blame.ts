/**
 * Who sent a corrupt piece. One sender: it is the culprit. Several: the bad copy is kept, and
 * once the piece verifies, the blocks that differ from the good copy name who lied. Strikes
 * count each peer's bad pieces; enough of them ban it. Pure.
 */

/** Bad pieces (or bad metadata) after which a peer is banned. */
export const BAN_AFTER_BAD_PIECES = 3;

/**
 * The senders of blocks of `bad` that differ from `good`. `senders[b]` sent block `b` (blocks
 * of `blockLength` bytes; holes: blocks nobody is known to have sent).
 */
export function liarsOf(bad: Uint8Array, senders: readonly string[], good: Uint8Array, blockLength: number): Set<string> {
  const liars = new Set<string>();
  senders.forEach((peer, b) => {
    const a = bad.subarray(b * blockLength, (b + 1) * blockLength);
    const g = good.subarray(b * blockLength, (b + 1) * blockLength);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== g[i]) {
        liars.add(peer);
        return;
      }
    }
  });
  return liars;
}

/** Bad pieces counted per peer, and the peers banned for them. */
export class Strikes {
  private readonly counts = new Map<string, number>();
  private readonly bannedPeers = new Set<string>();

  /** Count one more bad piece against `peer`: how many it has sent now (from BAN_AFTER_BAD_PIECES on, it is banned). */
  add(peer: string): number {
    const n = (this.counts.get(peer) ?? 0) + 1;
    this.counts.set(peer, n);
    if (n >= BAN_AFTER_BAD_PIECES) this.bannedPeers.add(peer);
    return n;
  }

  isBanned(peer: string): boolean {
    return this.bannedPeers.has(peer);
  }

  /** How many peers are banned. */
  get banned(): number {
    return this.bannedPeers.size;
  }
}
