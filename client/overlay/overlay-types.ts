/**
 * What window.p2p.overlay offers (the Gnutella and super-peer overlays, and the picture the
 * network view draws): the overlays own these types; client/api.ts re-exports them.
 */
import type { OverlayRole } from '../../protocol/overlay';
import type { GuidTrace } from '../core/flood-router';

/** One peer as the network view draws it. */
export interface OverlayNodeView {
  id: string;
  /** `super` / `leaf` in the two-tier overlay; `peer` when its role is not known. */
  role: OverlayRole;
  /** Files it shares (as its last pong said; this tab: exact). */
  files: number;
  self: boolean;
}

export interface OverlayEdgeView {
  a: string;
  b: string;
  overlay: 'gnutella' | 'superpeer';
}

/** The overlay as this tab knows it: its own links, and the neighbour lists pongs brought. */
export interface OverlaySnapshot {
  self: string;
  nodes: OverlayNodeView[];
  edges: OverlayEdgeView[];
  /** The room's super-peers, as the edge elected them. */
  supers: string[];
}

export interface OverlayStats {
  neighbours: number;
  /** Descriptors received, forwarded, answered here; duplicates and other drops by reason. */
  received: number;
  forwarded: number;
  answered: number;
  dropped: Record<string, number>;
  /** Overlay messages that failed to parse: counted and dropped, never forwarded. */
  badMessages: number;
  /**
   * Bad entries of lists (a query hit's results, a leaf's file list: a name the rule refuses,
   * a malformed info hash): each dropped and counted, the rest of its message kept.
   */
  badEntries: number;
  /** Connect attempts the other side refused, and refusals we sent. */
  refusedByThem: number;
  refusedByUs: number;
}

export interface OverlayControl {
  /** Peers this tab has completed the Connect/OK handshake with, in this overlay. */
  neighbours(): string[];
  /** Open a link and handshake; rejects with the other side's refusal reason. */
  connect(id: string): Promise<void>;
  /** Say bye and drop the neighbour. */
  disconnect(id: string): void;
  /** Per-guid counters of a query or ping this tab saw. */
  trace(guid: string): GuidTrace | undefined;
  stats(): OverlayStats;
}

export interface GnutellaControl extends OverlayControl {
  /**
   * Target degree: below `min` neighbours the tab looks for more (bootstrap list, pongs);
   * above `max` it refuses connects. `min: 0` stops looking (for hand-made topologies).
   */
  setDegree(opts: { min?: number; max?: number }): void;
  /** Send a ping with `ttl` and collect the pongs for `timeoutMs`. */
  ping(ttl?: number, timeoutMs?: number): Promise<{ peer: string; hops: number; neighbours: string[]; files: number }[]>;
}

export interface SuperPeerControl extends OverlayControl {
  /** This tab's role in the two-tier overlay ('none' until the edge has named the super-peers). */
  role(): 'super' | 'leaf' | 'none';
  /** The room's super-peers, as the edge elected them. */
  supers(): string[];
  /** A leaf's super-peer (attached, handshake done), or null. */
  superPeer(): string | null;
  /** A super-peer's leaves. */
  leaves(): string[];
}

export interface OverlayApi {
  gnutella: GnutellaControl;
  superpeer: SuperPeerControl;
  /** What the network view draws. */
  snapshot(): OverlaySnapshot;
  /** Fires whenever neighbours, roles or known peers change. */
  on(event: 'change', fn: () => void): () => void;
}
