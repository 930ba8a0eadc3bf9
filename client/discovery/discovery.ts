/**
 * Discovery: how a tab finds who holds a file. Napster (the edge's central index), Gnutella
 * (flooding over the flat overlay), super-peers (flooding among super-peers only) and the DHT
 * (keyword and holder sets at their successors) each implement this one interface, and a tab
 * holds them in one registry (DiscoveryRegistry): one list of what it holds feeds them all, a
 * peer's leave reaches them all, `search({ via })` is a lookup.
 */
import type { OverlayFile } from '../../protocol/overlay';

/**
 * Discovery mechanisms: `napster` asks the edge's central index; `gnutella` floods the query
 * over the flat overlay (limited by ttl); `superpeer` sends it to this tab's super-peer, which
 * floods it among super-peers only; `dht` reads the query's keyword sets and the files' holder
 * sets from the ring.
 */
export type SearchVia = 'napster' | 'gnutella' | 'superpeer' | 'dht';

export interface SearchOptions {
  via?: SearchVia;
  /** Overlay searches: how many hops the query may travel (1-7; default 4 for gnutella, 7 for superpeer). */
  ttl?: number;
  /** Overlay searches: how long to collect query hits, in ms (default 3000). */
  timeoutMs?: number;
}

export interface SearchHit {
  infoHash: string;
  name: string;
  size: number;
  /** Peer ids of live holders: pass them to `download(infoHash, { peers })`. */
  peers: string[];
  via: SearchVia;
  /** Milliseconds the search took, as this tab saw it (overlay searches: until the first hit of this file). */
  ms: number;
  /** Overlay searches: the fewest hops between this tab and a holder's answer. */
  hops?: number;
  /** Overlay searches: messages this tab sent and received for the whole search (queries + hits). */
  messages?: number;
  /** Overlay searches: the query's guid (see `overlay.gnutella.trace(guid)` on any peer). */
  guid?: string;
}

export interface Discovery {
  readonly via: SearchVia;
  /** The tab has its id from the edge (again after a reconnect: starting twice is harmless). */
  start(self: string): void;
  /** The tab is leaving: stop timers, tell neighbours. */
  stop(): void;
  /** Files this tab now holds complete (added), or no longer holds (removed, by info hash). */
  filesChanged(added: readonly OverlayFile[], removed: readonly string[]): void;
  /** A peer left the room. */
  peerLeft(peer: string): void;
  search(query: string, opts: SearchOptions): Promise<SearchHit[]>;
}

/**
 * The tab's discovery mechanisms. Those registered `off` (a bare peer's overlays) are never
 * started nor fed; a search through one still answers (with its own error: not connected).
 */
export class DiscoveryRegistry {
  private readonly byVia = new Map<SearchVia, { d: Discovery; on: boolean }>();

  add(d: Discovery, on = true): this {
    this.byVia.set(d.via, { d, on });
    return this;
  }

  start(self: string): void {
    for (const { d, on } of this.byVia.values()) if (on) d.start(self);
  }

  stop(): void {
    for (const { d, on } of this.byVia.values()) if (on) d.stop();
  }

  filesChanged(added: readonly OverlayFile[], removed: readonly string[]): void {
    if (added.length === 0 && removed.length === 0) return;
    for (const { d, on } of this.byVia.values()) if (on) d.filesChanged(added, removed);
  }

  peerLeft(peer: string): void {
    for (const { d, on } of this.byVia.values()) if (on) d.peerLeft(peer);
  }

  search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const via = opts.via ?? 'napster';
    const entry = this.byVia.get(via);
    if (!entry) return Promise.reject(new Error(`unknown search mechanism "${String(via)}"`));
    return entry.d.search(query, { ...opts, via });
  }
}
