/** What the gateways ask of a room's Lobby (worker/objects/lobby.ts) and what it answers. */
import type { PresenceTuning } from '../core/presence';

/** What a joining peer is told: the others it sees (its view), the room's count, its super-peers. */
export interface JoinReply {
  peers: string[];
  count: number;
  supers: string[];
  /** The room's certificate of the key the peer joined with (when it sent one). */
  cert?: { cert: string; roomKey: string };
}

/** A fresh view: a new sample of the room, its count and the peer's super-peers. */
export interface ViewReply {
  peers: string[];
  count: number;
  supers: string[];
}

/**
 * What a gateway asks of a room's Lobby. The gateways batch them (worker/core/batcher.ts): one
 * call carries every request a gateway's sockets made while its previous call was in flight.
 */
export type LobbyOp =
  | { op: 'join'; id: string; shard: number; conn: string; pk?: string; tuning?: PresenceTuning; addr: string }
  | { op: 'leave'; id: string; conn: string }
  | { op: 'view'; id: string; conn: string }
  | { op: 'capacity'; id: string; conn: string; bandwidth: number; links: number }
  | { op: 'bootstrap'; id: string };

/** The answer to each kind of LobbyOp. */
export interface LobbyResults {
  join: JoinReply | { refused: string };
  leave: null;
  view: ViewReply | null;
  capacity: null;
  bootstrap: string[];
}

/** One message for some of a gateway shard's peers (the Lobby's deliveries, batched per shard). */
export interface Delivery {
  ids: string[];
  text: string;
}
