/** The four discovery mechanisms behind the one Discovery interface (client/discovery/discovery.ts). */
import type { OverlayFile } from '../../protocol/overlay';
import type { IndexClient } from '../napster/index-client';
import type { Gnutella } from '../gnutella/gnutella';
import type { SuperPeerTier } from '../superpeer/superpeer';
import type { DhtService } from '../dht/dht-service';
import type { OverlaySearches } from '../overlay/overlay-api';
import type { Discovery } from './discovery';

/** Napster: the edge's index. What the tab holds is published and withdrawn as it changes. */
export function napsterDiscovery(index: IndexClient): Discovery {
  return {
    via: 'napster',
    start: () => {}, // the index client publishes whenever the socket (re)opens
    stop: () => index.destroy(),
    filesChanged: (added, removed) => {
      if (added.length > 0) index.publish([...added]);
      if (removed.length > 0) index.unpublish([...removed]);
    },
    peerLeft: () => {}, // the edge forgets a leaver's files itself
    search: async (query) => {
      const t0 = performance.now();
      const { results } = await index.search(query);
      const ms = Math.round(performance.now() - t0);
      return results.map((r) => ({ ...r, via: 'napster' as const, ms }));
    },
  };
}

/** `fn` the first time only (an overlay starts its timers once; a reconnect's welcome is not a new start). */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** Gnutella: the flat overlay. It reads what the tab holds when it answers a query. */
export function gnutellaDiscovery(gnutella: Gnutella, searches: OverlaySearches): Discovery {
  return {
    via: 'gnutella',
    start: once(() => gnutella.start()),
    stop: () => gnutella.stop(),
    filesChanged: () => {},
    peerLeft: (peer) => gnutella.peerLeft(peer),
    search: (query, opts) => searches.search(query, { ...opts, via: 'gnutella' }),
  };
}

/** Super-peers: a leaf uploads its list to its super-peers; queries flood among super-peers. */
export function superPeerDiscovery(tier: SuperPeerTier, searches: OverlaySearches): Discovery {
  return {
    via: 'superpeer',
    start: once(() => tier.start()),
    stop: () => tier.stop(),
    filesChanged: (added, removed) => tier.filesChanged([...added], [...removed]),
    peerLeft: (peer) => tier.peerLeft(peer),
    search: (query, opts) => searches.search(query, { ...opts, via: 'superpeer' }),
  };
}

/**
 * The DHT: the node joins the ring with the tab's id and publishes everything held; each new
 * file is published as it completes (a removed file's records expire with their TTL).
 */
export function dhtDiscovery(dht: DhtService, files: () => OverlayFile[], onError: (message: string) => void): Discovery {
  return {
    via: 'dht',
    start: (self) => {
      dht
        .start(self)
        .then(() => dht.publish(files()))
        .catch((err: Error) => onError(`the DHT node could not start: ${err.message}`));
    },
    stop: () => dht.leave(),
    filesChanged: (added) => {
      if (added.length > 0) void dht.publish([...added]).catch(() => {});
    },
    peerLeft: (peer) => dht.peerLeft(peer),
    search: (query) => dht.search(query),
  };
}
