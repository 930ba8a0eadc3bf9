/**
 * Gateway: terminates the peers' signaling sockets with the WebSocket hibernation API.
 * A peer's id lives in its socket's attachment, so a peer can never speak as another.
 * Every inbound message is rate-limited and parsed here; bad input gets a named error reply.
 */
import { DurableObject } from 'cloudflare:workers';
import { CLOSE_CODES, HEARTBEAT_MS, PING_TEXT, PONG_TEXT } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { errorReply, parseClientMessage, peekSearchRef, type ServerMessage, type SignalData } from '../../protocol/signaling';
import { gatewayStub, lobbyStub, swarmStub, type Env } from '../env';
import { SocketLimiter, messageCost, type LimitVerdict } from '../core/rate-limit';
import { failure, type TrackerResponse } from '../../protocol/tracker';
import { onTrackerMessage } from './tracker-socket';
import { shardOf } from '../core/shard';
import { NapsterDesk, type NapsterPeer } from './napster-desk';

/** A socket of one of our peers (`/ws`). */
interface PeerAttachment {
  kind?: 'peer';
  id: string;
  room: string;
  /** Distinguishes this connection from an earlier one of the same peer id. */
  conn: string;
  shard: number;
  shards: number;
  since: number;
}

/** A BitTorrent tracker socket (`/announce`): WebTorrent clients and our own. */
interface TrackerAttachment {
  kind: 'tracker';
  sock: string;
  shard: number;
  since: number;
}

type Attachment = PeerAttachment | TrackerAttachment;

/** Burst of 100 messages, 50 per second after it; 200 refusals (refilling over a minute) close the socket. */
const LIMIT_BURST = 100;
const LIMIT_RATE = 50;
const LIMIT_CLOSE_AFTER = 200;
const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export interface GatewayStats {
  sockets: number;
  messages: number;
  relayed: number;
  errors: Record<string, number>;
}

export class Gateway extends DurableObject<Env> {
  private readonly limiters = new WeakMap<WebSocket, SocketLimiter>();
  private readonly counters = { messages: 0, relayed: 0, errors: {} as Record<string, number> };
  private readonly napster: NapsterDesk;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS tracker_swarms (sock TEXT NOT NULL, info_hash TEXT NOT NULL, PRIMARY KEY (sock, info_hash))');
    this.napster = new NapsterDesk(env, ctx.storage.sql, (room, ids) => this.present(room, ids));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('x-kind') === 'tracker') return this.acceptTracker(request);
    const id = request.headers.get('x-peer-id');
    const token = request.headers.get('x-peer-token');
    const room = request.headers.get('x-room');
    if (!id || !token || !room) return new Response('gateway needs a routed request', { status: 400 });
    const att: PeerAttachment = {
      id,
      room,
      conn: crypto.randomUUID(),
      shard: Number(request.headers.get('x-shard')),
      shards: Number(request.headers.get('x-shards')),
      since: Date.now(),
    };
    // A reload or reconnect reclaims the id: the older socket of the same peer gives way.
    for (const old of this.ctx.getWebSockets(id)) {
      this.closeWithBye(old, CLOSE_CODES.replaced, 'replaced by a newer connection of this peer');
    }
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [id]);
    server.serializeAttachment(att);
    this.send(server, { type: 'welcome', id, token, room, shard: att.shard, shards: att.shards });
    // `pk`: the public key the Lobby certifies for this peer's DHT signatures.
    this.ctx.waitUntil(this.join(server, att, new URL(request.url).searchParams.get('pk') ?? undefined));
    await this.ensureAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  private async acceptTracker(request: Request): Promise<Response> {
    const att: TrackerAttachment = {
      kind: 'tracker',
      sock: crypto.randomUUID(),
      shard: Number(request.headers.get('x-shard')),
      since: Date.now(),
    };
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], ['tracker', `sock:${att.sock}`]);
    pair[1].serializeAttachment(att);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private async join(ws: WebSocket, att: PeerAttachment, pk?: string): Promise<void> {
    try {
      const { peers, supers, cert } = await lobbyStub(this.env, att.room).join(att.room, att.id, att.shard, att.conn, pk);
      if (cert) this.send(ws, { type: 'cert', ...cert });
      this.send(ws, { type: 'roster', peers });
      this.send(ws, { type: 'supers', supers });
    } catch (err) {
      console.error('lobby join failed', err);
      this.closeQuietly(ws, 1011, 'lobby unavailable');
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment;
    this.counters.messages++;
    let limiter = this.limiters.get(ws);
    if (!limiter) {
      limiter = new SocketLimiter(LIMIT_BURST, LIMIT_RATE, LIMIT_CLOSE_AFTER, Date.now());
      this.limiters.set(ws, limiter);
    }
    const verdict = limiter.check(Date.now());
    if (att.kind === 'tracker') {
      await this.onTracker(ws, att, message, verdict);
      return;
    }
    if (verdict !== 'ok') {
      // A refused search still names its ref, so that the peer can pair the refusal.
      await this.refuse(ws, verdict, typeof message === 'string' ? peekSearchRef(message) : undefined);
      return;
    }
    try {
      if (typeof message !== 'string') throw new ProtocolError('bad-json', 'binary messages are not accepted');
      const msg = parseClientMessage(message);
      // Messages that cost the edge more (searches, big publishes) spend more of the limit.
      const extra = limiter.charge(Date.now(), messageCost(msg) - 1);
      if (extra !== 'ok') {
        await this.refuse(ws, extra, msg.type === 'search' ? msg.ref : undefined);
        return;
      }
      switch (msg.type) {
        case 'signal': {
          if (msg.to === att.id) throw new ProtocolError('bad-field', 'a peer cannot signal itself', 'to');
          const target = gatewayStub(this.env, shardOf(msg.to, att.shards));
          const delivered = await target.deliverSignal(att.room, msg.to, att.id, msg.data);
          if (!delivered) throw new ProtocolError('unknown-peer', `peer ${msg.to} is not online in this room`, 'to');
          this.counters.relayed++;
          return;
        }
        case 'bootstrap': {
          const peers = await lobbyStub(this.env, att.room).bootstrap(att.id);
          this.send(ws, { type: 'bootstrap', peers });
          return;
        }
        case 'ping':
          this.send(ws, { type: 'pong' });
          return;
        case 'capacity':
          await lobbyStub(this.env, att.room).capacity(att.room, att.id, att.conn, msg.bandwidth, msg.links);
          return;
        case 'publish':
          this.send(ws, await this.napster.publish(napsterPeer(att), msg.files));
          return;
        case 'unpublish':
          this.send(ws, await this.napster.unpublish(napsterPeer(att), msg.infoHashes));
          return;
        case 'search':
          this.send(ws, await this.napster.search(napsterPeer(att), msg.ref, msg.query));
          return;
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) {
        console.error('gateway message failed', err);
        return;
      }
      this.count(err.code);
      this.send(ws, errorReply(err));
    }
  }

  /** A message over the socket's rate limit: refused with an error, or the socket closed. */
  private async refuse(ws: WebSocket, verdict: LimitVerdict, ref: number | undefined): Promise<void> {
    this.count('rate-limited');
    if (verdict === 'close') {
      this.closeWithBye(ws, CLOSE_CODES.rateLimited, 'rate limit exceeded');
      await this.leave(ws);
      return;
    }
    const reply: ServerMessage = { type: 'error', code: 'rate-limited', message: `more than ${LIMIT_RATE} messages per second (a search counts as ${messageCost({ type: 'search' })})` };
    if (ref !== undefined) reply.ref = ref;
    this.send(ws, reply);
  }

  private async onTracker(ws: WebSocket, att: TrackerAttachment, message: string | ArrayBuffer, verdict: LimitVerdict): Promise<void> {
    const send = (msg: TrackerResponse) => this.sendText(ws, JSON.stringify(msg));
    if (verdict !== 'ok') {
      this.count('rate-limited');
      send(failure(`rate limit exceeded: at most ${LIMIT_RATE} messages per second`));
      if (verdict === 'close') {
        this.closeQuietly(ws, CLOSE_CODES.rateLimited, 'rate limit exceeded');
        await this.leave(ws);
      }
      return;
    }
    if (typeof message !== 'string') {
      send(failure('binary messages are not accepted'));
      return;
    }
    await onTrackerMessage(
      {
        env: this.env,
        sock: att.sock,
        shard: att.shard,
        send,
        joined: (infoHash, member) => {
          if (member) this.ctx.storage.sql.exec('INSERT OR IGNORE INTO tracker_swarms (sock, info_hash) VALUES (?, ?)', att.sock, infoHash);
          else this.ctx.storage.sql.exec('DELETE FROM tracker_swarms WHERE sock = ? AND info_hash = ?', att.sock, infoHash);
        },
      },
      message,
    );
  }

  /** RPC from a Swarm: is this tracker socket still connected? */
  hasTrackerSocket(sock: string): boolean {
    return this.ctx.getWebSockets(`sock:${sock}`).length > 0;
  }

  /** RPC from a Swarm: send a tracker message to one tracker socket; false when it is gone. */
  deliverTracker(sock: string, text: string): boolean {
    const sockets = this.ctx.getWebSockets(`sock:${sock}`);
    for (const ws of sockets) this.sendText(ws, text);
    return sockets.length > 0;
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
    await this.leave(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.leave(ws);
  }

  private async leave(ws: WebSocket): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att) return;
    if (att.kind === 'tracker') {
      const rows = this.ctx.storage.sql
        .exec<{ info_hash: string }>('DELETE FROM tracker_swarms WHERE sock = ? RETURNING info_hash', att.sock)
        .toArray();
      await Promise.all(rows.map((r) => swarmStub(this.env, r.info_hash).leave(att.sock)));
      return;
    }
    // The room hears of the leave, and the index forgets the peer's files, at once.
    await Promise.all([lobbyStub(this.env, att.room).leave(att.room, att.id, att.conn), this.napster.leave(att.conn)]);
  }

  /** RPC from any gateway: hand a signal to peer `to`, stamped with the sender's true id. */
  deliverSignal(room: string, to: string, from: string, data: SignalData): boolean {
    const sockets = this.ctx.getWebSockets(to).filter((ws) => (ws.deserializeAttachment() as PeerAttachment).room === room);
    const text = JSON.stringify({ type: 'signal', from, data } satisfies ServerMessage);
    for (const ws of sockets) this.sendText(ws, text);
    return sockets.length > 0;
  }

  /** RPC from a Lobby: send one message to these peers; returns the ids this shard no longer holds. */
  deliver(room: string, ids: string[], text: string): string[] {
    const missing: string[] = [];
    for (const id of ids) {
      const sockets = this.ctx.getWebSockets(id).filter((ws) => (ws.deserializeAttachment() as PeerAttachment).room === room);
      if (sockets.length === 0) missing.push(id);
      for (const ws of sockets) this.sendText(ws, text);
    }
    return missing;
  }

  /** RPC from any gateway (a search's live check): which of `ids` have a socket in `room` here. */
  present(room: string, ids: string[]): string[] {
    return ids.filter((id) => this.ctx.getWebSockets(id).some((ws) => (ws.deserializeAttachment() as PeerAttachment).room === room));
  }

  stats(): GatewayStats {
    return { sockets: this.ctx.getWebSockets().length, ...this.counters, errors: { ...this.counters.errors } };
  }

  /** Close sockets whose heartbeat (auto-answered pings) stopped. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as Attachment;
      // Tracker clients do not ping: their swarms expire peers that stop announcing.
      if (att.kind === 'tracker') continue;
      const last = Math.max(this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0, att.since);
      if (now - last > STALE_AFTER_MS) {
        this.closeWithBye(ws, CLOSE_CODES.stale, 'heartbeat missed');
        await this.leave(ws);
      }
    }
    // Index holdings of connections whose close this object never saw (e.g. after a restart).
    const live = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as Attachment | null;
      if (att && att.kind !== 'tracker') live.add(att.conn);
    }
    await this.napster.sweep(live);
    if (this.ctx.getWebSockets().length > 0) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }

  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }

  private send(ws: WebSocket, msg: ServerMessage): void {
    this.sendText(ws, JSON.stringify(msg));
  }

  private sendText(ws: WebSocket, text: string): void {
    try {
      ws.send(text);
    } catch {
      // the socket is closing; its close handler does the bookkeeping
    }
  }

  /**
   * Close from the edge's side. The close code is also sent as a `bye` message first: the
   * runtime does not always finish the closing handshake of a socket the server closes, so the
   * client acts on the bye rather than waiting for the TCP close.
   */
  private closeWithBye(ws: WebSocket, code: number, reason: string): void {
    this.send(ws, { type: 'bye', code, reason });
    this.closeQuietly(ws, code, reason);
  }

  private closeQuietly(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  private count(code: string): void {
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
  }
}

function napsterPeer(att: PeerAttachment): NapsterPeer {
  return { id: att.id, room: att.room, conn: att.conn, shard: att.shard };
}
