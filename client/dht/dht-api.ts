/** What window.p2p.dht offers: the DHT owns these types; client/api.ts re-exports them. */
import type { DhtOp, SetMember } from '../../protocol/dht';
import type { DhtErrorCode } from './dht-error';

/** A node of the DHT ring: its peer id, its ring position (SHA-1 of the peer id) and, when known, how many keys it holds. */
export interface DhtNodeRef {
  peer: string;
  id: string;
  held?: number;
}

/** The ring as this tab knows it: itself, its neighbours and fingers. */
export interface DhtRingView {
  self: DhtNodeRef;
  predecessor: DhtNodeRef | null;
  successors: DhtNodeRef[];
  predecessors: DhtNodeRef[];
  fingers: DhtNodeRef[];
  /** Every node above, sorted by ring position. */
  nodes: DhtNodeRef[];
  /** Keys stored here, and of those the ones this node owns (the others are replicas). */
  held: number;
  owned: number;
}

export interface DhtStats {
  nodeId: string;
  keysHeld: number;
  keysOwned: number;
  /** put/get/lookup calls of this tab, and their average hops to the key's successor. */
  lookups: number;
  avgHops: number;
  /** Lookups of others this node passed on. */
  routed: number;
  replicasSent: number;
  handedOver: number;
  badMessages: number;
  /**
   * What this node refused: records (a set: members) of `store` messages over the sender's
   * budget, from a node whose range they are not, with a signature that does not verify, or
   * against the record rules (a far-future version, another writer's key, a member rule); and
   * writes (put, add) whose signature does not verify.
   */
  refused: { budget: number; range: number; signature: number; rule: number; writes: number };
  /** Nodes found dead (no answer, or left). */
  failures: number;
  /** Keys this node found in its IndexedDB share when it started (a reload keeps its keys). */
  loaded: number;
}

/**
 * The DHT: Chord over peer links. A key lives at its successor on the ring (SHA-1 of the key)
 * and on the next r - 1 = 2 nodes; each node keeps its share in IndexedDB.
 *
 *   await p2p.dht.put('greeting', 'hello')     // { owner, hops, ms }
 *   await p2p.dht.get('greeting')              // 'hello'
 */
export interface DhtSignerApi {
  put(key: string, value: string, ts: number): Promise<Extract<DhtOp, { op: 'put' }>>;
  member(key: string, m: string, t: number, ttl: number): Promise<SetMember>;
}

/**
 * What p2p.dht's put, get, members and lookup reject with: an Error with a readable message; a
 * failure on the ring (a DhtError: no answer in time, no route, a refusal...) also carries its
 * `code`, to decide on (the message is for people). A bad key or value, or a tab without a DHT
 * node, carries none.
 */
export type DhtApiError = Error & { code?: DhtErrorCode };
export type { DhtErrorCode };

export interface DhtApi {
  /** This tab's ring position (40 hex digits); '' until ready. */
  readonly nodeId: string;
  readonly ready: Promise<void>;
  /** Store a text value (key 1-256 characters, value up to 16 KiB). Rejects with a readable reason (a DhtApiError). */
  put(key: string, value: string): Promise<{ owner: string; hops: number; ms: number }>;
  /** The value, or null when the key is unknown. */
  get(key: string): Promise<string | null>;
  /** The live members of a set (e.g. `holders:<info hash>`), each once; [] when the key is unknown. */
  members(key: string): Promise<string[]>;
  /** The key's successor and replica set, and the hops it took to find them. */
  lookup(key: string): Promise<{ owner: string; hops: number; ms: number; replicas: string[] }>;
  /** Keys stored in this tab (owned, or replicas of its predecessors' keys). */
  localKeys(): { key: string; id: string; owned: boolean }[];
  ring(): DhtRingView | null;
  stats(): DhtStats;
}
