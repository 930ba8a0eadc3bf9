/**
 * window.p2p.overlay and the overlay searches: Gnutella floods over the flat overlay, the
 * super-peer search goes to this tab's super-peer (or, on a super-peer, to the other
 * super-peers) and both collect query hits for a while.
 */
import { MAX_TTL } from '../../protocol/overlay';
import { queryWords } from '../../protocol/signaling';
import type { SearchHit, SearchOptions } from '../discovery/discovery';
import type { OverlayApi, OverlayControl, OverlayEdgeView, OverlayNodeView, OverlaySnapshot, OverlayStats } from './overlay-types';
import { Emitter } from '../core/emitter';
import { hitResults, mergeHit, rankHits, type MergedHit } from '../core/overlay-search';
import { DEFAULT_GNUTELLA_TTL, type Gnutella } from '../gnutella/gnutella';
import type { OverlayNode } from './overlay-node';
import type { SuperPeerTier } from '../superpeer/superpeer';

/** Overlay searches of one tab that may run at once. */
export const MAX_SEARCHES_IN_FLIGHT = 8;
export const DEFAULT_SEARCH_MS = 3_000;
export const DEFAULT_SUPERPEER_TTL = MAX_TTL;

/** What both overlays offer of their node (OverlayControl). */
function controlOf(node: OverlayNode): OverlayControl {
  return {
    neighbours: () => node.neighbourIds(),
    connect: (id) => node.connect(id),
    disconnect: (id) => node.disconnect(id),
    trace: (guid) => node.router.trace(guid),
    stats: () => statsOf(node),
  };
}

function statsOf(node: OverlayNode): OverlayStats {
  const r = node.router.stats;
  return {
    neighbours: node.neighbourIds().length,
    received: r.received,
    forwarded: r.forwarded,
    answered: r.answered,
    dropped: { ...r.dropped, 'not-neighbour': node.counters.notNeighbour },
    badMessages: node.counters.badMessages,
    badEntries: node.counters.badEntries,
    refusedByThem: node.counters.refusedByThem,
    refusedByUs: node.counters.refusedByUs,
  };
}

export class OverlaySearches {
  private inFlight = 0;

  constructor(
    private readonly selfId: () => string,
    private readonly gnutella: Gnutella,
    private readonly tier: SuperPeerTier,
  ) {}

  async search(query: string, opts: SearchOptions): Promise<SearchHit[]> {
    const via = opts.via === 'superpeer' ? 'superpeer' : 'gnutella';
    const words = queryWords(query);
    const ttl = opts.ttl ?? (via === 'gnutella' ? DEFAULT_GNUTELLA_TTL : DEFAULT_SUPERPEER_TTL);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) throw new Error(`ttl must be an integer from 1 to ${MAX_TTL}`);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_SEARCH_MS;
    if (!(timeoutMs > 0 && timeoutMs <= 60_000)) throw new Error('timeoutMs must be between 1 and 60000');
    if (this.inFlight >= MAX_SEARCHES_IN_FLIGHT) throw new Error(`too many searches in flight (${MAX_SEARCHES_IN_FLIGHT}); wait for one to finish`);

    const self = this.selfId();
    const results = new Map<string, MergedHit>();
    let node: OverlayNode;
    let targets: string[];
    if (via === 'gnutella') {
      node = this.gnutella.node;
      targets = node.neighbourIds();
      if (targets.length === 0) throw new Error('not connected to the Gnutella overlay yet (0 neighbours): try again in a few seconds');
    } else {
      node = this.tier.node;
      const role = this.tier.role();
      if (role === 'none') throw new Error('the edge has not named the super-peers yet: try again in a few seconds');
      if (role === 'leaf') {
        const sp = this.tier.superPeer();
        if (!sp) throw new Error('not attached to a super-peer yet: try again in a few seconds');
        targets = [sp];
      } else {
        targets = this.tier.superNeighbours();
        // A super-peer answers from its own index first (its leaves are one hop away).
        const local = hitResults([...this.tier.leafIndex()].map(([leaf, files]) => [leaf, files.values()] as const), words);
        mergeHit(results, { type: 'queryhit', guid: 'local', ttl: 0, hops: 0, peer: self, dist: 1, results: local }, 0, self);
      }
    }

    this.inFlight++;
    const t0 = performance.now();
    const { guid, sent } = node.originate('query', ttl, targets, words);
    let hits = 0;
    const off = node.on('hit', (h) => {
      if (h.guid !== guid) return;
      hits++;
      mergeHit(results, h, Math.round(performance.now() - t0), self);
    });
    try {
      await new Promise((r) => setTimeout(r, timeoutMs));
    } finally {
      off();
      this.inFlight--;
    }
    return rankHits(results.values()).map((r) => ({
      infoHash: r.infoHash,
      name: r.name,
      size: r.size,
      peers: r.peers,
      via,
      ms: r.ms,
      hops: r.hops,
      messages: sent + hits,
      guid,
    }));
  }
}

/** What the network view draws: this tab's neighbours, and the neighbour lists pongs brought. */
export function overlaySnapshot(self: string, gnutella: Gnutella, tier: SuperPeerTier, filesHere: number): OverlaySnapshot {
  const supers = tier.superList();
  const roleOf = (id: string): OverlayNodeView['role'] => (supers.includes(id) ? 'super' : supers.length > 0 ? 'leaf' : 'peer');
  const nodes = new Map<string, OverlayNodeView>();
  const edges = new Map<string, OverlayEdgeView>();
  const node = (id: string, files?: number) => {
    const cur = nodes.get(id);
    if (!cur) nodes.set(id, { id, role: roleOf(id), files: files ?? 0, self: id === self });
    else if (files !== undefined) cur.files = files;
  };
  const edge = (a: string, b: string, overlay: OverlayEdgeView['overlay']) => {
    if (a === b) return;
    const [x, y] = a < b ? [a, b] : [b, a];
    node(x);
    node(y);
    edges.set(`${overlay}|${x}|${y}`, { a: x, b: y, overlay });
  };
  node(self, filesHere);
  for (const [overlay, n] of [['gnutella', gnutella.node], ['superpeer', tier.node]] as const) {
    for (const p of n.neighbourIds()) edge(self, p, overlay);
    for (const pong of n.pongs()) {
      node(pong.peer, pong.files);
      for (const q of pong.neighbours) edge(pong.peer, q, overlay);
      for (const q of pong.leaves) edge(pong.peer, q, overlay);
    }
  }
  for (const s of supers) node(s);
  return { self, nodes: [...nodes.values()], edges: [...edges.values()], supers };
}

export function overlayApi(
  selfId: () => string,
  gnutella: Gnutella,
  tier: SuperPeerTier,
  filesHere: () => number,
): OverlayApi {
  const changes = new Emitter<{ change: void }>();
  const changed = () => changes.emit('change', undefined);
  gnutella.node.on('change', changed);
  tier.node.on('change', changed);
  tier.on('role', changed);
  return {
    gnutella: {
      ...controlOf(gnutella.node),
      setDegree: (o) => gnutella.setDegree(o),
      ping: async (ttl = 2, timeoutMs = 2_000) => {
        const seen = new Map<string, { peer: string; hops: number; neighbours: string[]; files: number }>();
        const { guid } = gnutella.node.originate('ping', ttl);
        const off = gnutella.node.on('pong', (p) => {
          if (p.guid !== guid) return;
          const prev = seen.get(p.peer);
          if (!prev || prev.hops > p.hops) seen.set(p.peer, { peer: p.peer, hops: p.hops, neighbours: p.neighbours, files: p.files });
        });
        await new Promise((r) => setTimeout(r, timeoutMs));
        off();
        return [...seen.values()];
      },
    },
    superpeer: {
      ...controlOf(tier.node),
      role: () => tier.role(),
      supers: () => tier.superList(),
      superPeer: () => tier.superPeer(),
      leaves: () => tier.leaves(),
    },
    snapshot: () => overlaySnapshot(selfId(), gnutella, tier, filesHere()),
    on: (_event, fn) => changes.on('change', fn),
  };
}
