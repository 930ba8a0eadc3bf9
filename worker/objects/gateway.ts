/**
 * Gateway: terminates the sockets of one gateway shard with the WebSocket hibernation API, and
 * routes each socket's messages to the handler of its kind: peers' signaling sockets (`/ws`) to
 * PeerHandler (peer-socket.ts), BitTorrent tracker sockets (`/announce`) to TrackerHandler
 * (tracker-socket.ts). The socket's attachment is read once, typed (edge-socket.ts). Every
 * message is rate-limited here before it is handed on. Other objects reach the sockets through
 * this object's RPC methods.
 */
import { DurableObject } from 'cloudflare:workers';
import { HEARTBEAT_MS, PING_TEXT, PONG_TEXT } from '../../protocol/constants';
import type { SignalData } from '../../protocol/signaling';
import { lobbyStub, type Env } from '../env';
import type { Delivery, LobbyOp, LobbyResults } from './lobby-ops';
import { Batchers, EDGE_BATCHING, type Settled } from '../core/batcher';
import { closeQuietly, socketOf, type AnySocket, type GatewayCounters } from './edge-socket';
import { PeerHandler } from './peer-socket';
import { TrackerHandler } from './tracker-socket';

export interface GatewayStats extends GatewayCounters {
  sockets: number;
  /** Batched calls into rooms' Lobbies (each carries the joins, leaves, views ... made meanwhile). */
  lobbyCalls: number;
}

export class Gateway extends DurableObject<Env> {
  private readonly counters: GatewayCounters = { messages: 0, relayed: 0, offersRelayed: 0, errors: {} };
  /** Requests to each room's Lobby, one batched call in flight per room. */
  private readonly lobbyCalls = new Batchers<LobbyOp, LobbyResults[LobbyOp['op']]>((room, ops) => lobbyStub(this.env, room).run(room, ops), EDGE_BATCHING);
  private readonly peers: PeerHandler;
  private readonly trackers: TrackerHandler;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    const parts = { env, ctx, counters: this.counters };
    this.trackers = new TrackerHandler(parts);
    this.peers = new PeerHandler(parts, (room, op) => this.lobby(room, op));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('x-kind') === 'tracker') return this.trackers.accept(request);
    const res = this.peers.accept(request);
    if (res.status === 101) await this.ensureAlarm();
    return res;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // A socket the edge closed (rate limit, replaced by a newer one) may still have messages
    // queued: none of them is acted on or relayed.
    const sock = socketOf(ws);
    if (!sock || !sock.open) return;
    this.counters.messages++;
    const verdict = sock.limiter.check(Date.now());
    if (sock.kind === 'tracker') await this.trackers.message(sock, message, verdict);
    else await this.peers.message(sock, message, verdict);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
    await this.leave(socketOf(ws));
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.leave(socketOf(ws));
  }

  private async leave(sock: AnySocket | null): Promise<void> {
    if (!sock) return;
    if (sock.kind === 'tracker') await this.trackers.leave(sock);
    else await this.peers.leave(sock);
  }

  /** A request to a room's Lobby, batched with the others this shard's sockets make meanwhile. */
  private lobby<O extends LobbyOp>(room: string, op: O): Promise<LobbyResults[O['op']]> {
    return this.lobbyCalls.submit(room, op) as Promise<LobbyResults[O['op']]>;
  }

  /** RPC from any gateway: hand a signal to peer `to`, stamped with the sender's true id. */
  deliverSignal(room: string, to: string, from: string, data: SignalData): boolean {
    return this.peers.deliverSignal(room, to, from, data);
  }

  /** RPC from a Lobby: a batch of deliveries; for each, the ids this shard no longer holds. */
  deliverMany(room: string, items: Delivery[]): Settled<string[]>[] {
    return items.map((d) => ({ ok: true, value: this.peers.deliver(room, d.ids, d.text) }));
  }

  /** RPC from any gateway (a search's live check): which of `ids` have a socket in `room` here. */
  present(room: string, ids: string[]): string[] {
    return this.peers.present(room, ids);
  }

  /** RPC from the edge (`/api/stats?room=`): whether any peer of `room` has a socket here. */
  hasRoom(room: string): boolean {
    return this.peers.hasRoom(room);
  }

  /** RPC from any gateway (a scrape): which of `infoHashes` have a member among this shard's tracker sockets. */
  trackerSwarms(infoHashes: string[]): string[] {
    return this.trackers.swarms(infoHashes);
  }

  /** RPC from a Swarm: is this tracker socket still connected? */
  hasTrackerSocket(sock: string): boolean {
    return this.ctx.getWebSockets(`sock:${sock}`).length > 0;
  }

  /** RPC from a Swarm: send a tracker message to one tracker socket; false when it is gone. */
  deliverTracker(sock: string, text: string): boolean {
    return this.trackers.deliver(sock, text);
  }

  stats(): GatewayStats {
    return { sockets: this.ctx.getWebSockets().length, ...this.counters, lobbyCalls: this.lobbyCalls.calls, errors: { ...this.counters.errors } };
  }

  /** Close peer sockets whose heartbeat stopped (tracker clients do not ping: their swarms expire peers that stop announcing). */
  override async alarm(): Promise<void> {
    await this.peers.sweep(Date.now());
    if (this.ctx.getWebSockets().length > 0) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }

  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }
}
