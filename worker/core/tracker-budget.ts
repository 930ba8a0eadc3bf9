/**
 * What one tracker socket, and one client address, may make the tracker do: the pure decisions
 * (time passed in), kept apart from the Gateway's sockets and SQL.
 *
 * - A socket speaks for at most `peerIdsPerSocket` BitTorrent peer ids (a WebTorrent client
 *   uses one for all its torrents): one socket cannot be a crowd in a swarm.
 * - A socket is in at most `swarmsPerSocket` swarms at once: announces of random info hashes
 *   cannot make the edge create swarm after swarm.
 * - Offers relayed for a socket, and for an address, come out of token buckets: an announce
 *   over budget is still answered, with fewer (or no) of its offers relayed.
 * - A scrape costs the socket's message limit one more message per `scrapeHashesPerCost`
 *   hashes it asks about.
 * - An address holds at most `socketsPerAddress` tracker sockets on one gateway shard, and its
 *   sockets join swarms out of one bucket (`addressJoinBurst`, then `addressJoinsPerSecond`).
 */
import { TokenBucket } from './rate-limit';

/** Relayed-offer buckets: a burst (a client starting many torrents or links), then a rate. */
export interface OfferLimits {
  socketOfferBurst: number;
  socketOffersPerSecond: number;
  /** For all sockets of one client address on one gateway shard. */
  addressOfferBurst: number;
  addressOffersPerSecond: number;
}

export const TRACKER_LIMITS = {
  peerIdsPerSocket: 2,
  swarmsPerSocket: 200,
  socketOfferBurst: 100,
  socketOffersPerSecond: 5,
  addressOfferBurst: 400,
  addressOffersPerSecond: 20,
  socketsPerAddress: 64,
  /** Swarms the sockets of one address may join (per gateway shard): a burst, then a rate. */
  addressJoinBurst: 400,
  addressJoinsPerSecond: 2,
  scrapeHashesPerCost: 10,
} as const;

/**
 * WebRTC offers one peer socket (`/ws`) may have relayed to other peers (link and torrent
 * offers): a tab opening its overlay links and relay links at once stays well inside the burst.
 */
export const SIGNAL_OFFER_LIMITS: OfferLimits = {
  socketOfferBurst: 60,
  socketOffersPerSecond: 2,
  addressOfferBurst: 600,
  addressOffersPerSecond: 30,
};

export type TrackerLimits = typeof TRACKER_LIMITS;

/** Why a socket may not announce as `peerId`, or null when it may (`known`: the ids it already uses). */
export function peerIdRefusal(known: readonly string[], peerId: string, limits: TrackerLimits = TRACKER_LIMITS): string | null {
  if (known.includes(peerId) || known.length < limits.peerIdsPerSocket) return null;
  return `this connection already announces ${known.length} peer_ids (at most ${limits.peerIdsPerSocket} per connection)`;
}

/** Why a socket in `joined` swarms may not join one more, or null when it may. */
export function swarmRefusal(joined: number, limits: TrackerLimits = TRACKER_LIMITS): string | null {
  if (joined < limits.swarmsPerSocket) return null;
  return `this connection is in ${joined} swarms already (at most ${limits.swarmsPerSocket} per connection)`;
}

/** Why an address whose join bucket is spent may not join one more swarm. */
export function joinRateRefusal(limits: TrackerLimits = TRACKER_LIMITS): string {
  return `this address joined too many swarms too fast (a burst of ${limits.addressJoinBurst}, then ${limits.addressJoinsPerSecond} per second): try again later`;
}

/** What a scrape of `hashes` info hashes costs against the socket's message limit, in messages. */
export function scrapeCost(hashes: number, limits: TrackerLimits = TRACKER_LIMITS): number {
  return 1 + Math.floor(hashes / limits.scrapeHashesPerCost);
}

/**
 * Two buckets for relayed offers: the socket's and its address's. `grant(now, n)` says how many
 * of `n` offers may be relayed, spending them from both buckets.
 */
export class OfferBudget {
  constructor(
    private readonly socket: TokenBucket,
    private readonly address: TokenBucket,
  ) {}

  static forSocket(address: TokenBucket, now: number, limits: OfferLimits = TRACKER_LIMITS): OfferBudget {
    return new OfferBudget(new TokenBucket(limits.socketOfferBurst, limits.socketOffersPerSecond, now), address);
  }

  /** Give back `n` granted offers that were not used (a swarm with fewer peers than offers). */
  refund(n: number): void {
    this.socket.put(n);
    this.address.put(n);
  }

  grant(now: number, n: number): number {
    let granted = 0;
    while (granted < n && this.socket.available(now) >= 1 && this.address.available(now) >= 1) {
      this.socket.take(now);
      this.address.take(now);
      granted++;
    }
    return granted;
  }
}
