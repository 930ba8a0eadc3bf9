import { TokenBucket } from '../../protocol/token-bucket';

/** The edge's buckets are the one token bucket of protocol/ (other worker files import them from here). */
export { TokenBucket, bucketOf } from '../../protocol/token-bucket';

/**
 * Per-socket message limit: one bucket for the allowed rate; each refused message spends a
 * strike from a second, slowly refilling bucket, and a socket out of strikes is to be closed.
 */
export type LimitVerdict = 'ok' | 'refuse' | 'close';

export class SocketLimiter {
  private readonly bucket: TokenBucket;
  private readonly strikes: TokenBucket;
  constructor(capacity: number, perSecond: number, strikes: number, now: number) {
    this.bucket = new TokenBucket(capacity, perSecond, now);
    this.strikes = new TokenBucket(strikes, strikes / 60, now);
  }

  check(now: number): LimitVerdict {
    return this.charge(now, 1);
  }

  /**
   * Spend `cost` tokens at once (a message that costs the edge more than one, such as a search
   * that asks several Index shards); a refusal spends a strike like any other.
   */
  charge(now: number, cost: number): LimitVerdict {
    if (cost <= 0 || this.bucket.take(now, cost)) return 'ok';
    return this.strikes.take(now) ? 'refuse' : 'close';
  }
}

/**
 * What a signaling message costs against the per-socket limit, in messages: one for most; a
 * search asks several Index shards and gateways, so it costs SEARCH_COST; a publish or
 * unpublish costs one more per 20 files it carries (a 1,000-file heartbeat costs 60 of the
 * burst of 100).
 */
export const SEARCH_COST = 5;

export function messageCost(msg: { type: string; files?: readonly unknown[]; infoHashes?: readonly unknown[] }): number {
  // A search, and a fresh view (a sample and O(view) rows at the room's Lobby), cost more.
  if (msg.type === 'search' || msg.type === 'view') return SEARCH_COST;
  if (msg.type === 'publish' || msg.type === 'unpublish') return 1 + Math.floor((msg.files ?? msg.infoHashes ?? []).length / 20);
  return 1;
}

/**
 * What one client address (CF-Connecting-IP) may do in one room (counted by the room's Lobby,
 * whatever gateway shard the sockets are on): be at most `sockets` of its members, and join at
 * a burst of `joinBurst`, then `joinsPerSecond` (a peer back on a new socket is not a new
 * join). A class room behind one school NAT fits; one script cannot fill a room with fakes.
 */
export const ADDRESS_ROOM_LIMITS = { sockets: 64, joinBurst: 64, joinsPerSecond: 2 } as const;

/** Why a join from an address is refused (null: admitted). Pure: the gateway passes its counts. */
export function addressJoinRefusal(socketsHeld: number, joinAllowed: boolean, limits = ADDRESS_ROOM_LIMITS): string | null {
  if (socketsHeld >= limits.sockets) return `too many connections from your address in this room (at most ${limits.sockets}): close some tabs and try again`;
  if (!joinAllowed) return `your address joined this room too fast (a burst of ${limits.joinBurst}, then ${limits.joinsPerSecond} a second): try again in a moment`;
  return null;
}
