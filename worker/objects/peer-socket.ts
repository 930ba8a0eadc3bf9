/**
 * The peer side of a Gateway: our peers' signaling sockets (`/ws`). A peer's id lives in its
 * socket's attachment, so a peer can never speak as another. Every message is rate-limited and
 * parsed here; bad input gets a named error reply. Joins, leaves, views, bootstraps and
 * capacities go to the room's Lobby (through the Gateway's batched calls), signals to the peer's
 * gateway shard, publishes and searches to the Napster desk.
 */
import { CLOSE_CODES, HEARTBEAT_MS } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import type { DroppedEntry } from '../../protocol/entries';
import { carriesOffer, errorReply, parseClientMessage, peekSearchRef, type ServerMessage, type SignalData } from '../../protocol/signaling';
import { gatewayStub, roomTuning } from '../env';
import type { PresenceTuning } from '../core/presence';
import { messageCost, type LimitVerdict, type TokenBucket } from '../core/rate-limit';
import { SIGNAL_OFFER_LIMITS } from '../core/tracker-budget';
import { shardOf } from '../core/shard';
import { NapsterDesk, type NapsterPeer } from './napster-desk';
import type { LobbyOp, LobbyResults } from './lobby-ops';
import { LIMIT_RATE, PeerSocket, acceptSocket, countError, socketsOf, type GatewayParts } from './edge-socket';
import { PeerIndex } from './peer-index';

const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

/** A request to a room's Lobby (batched by the Gateway). */
export type LobbyCall = <O extends LobbyOp>(room: string, op: O) => Promise<LobbyResults[O['op']]>;

export class PeerHandler {
  private readonly index: PeerIndex;
  private readonly napster: NapsterDesk;
  /** Relayed-offer buckets of addresses (in memory: a restart refills them). */
  private readonly addressOffers = new Map<string, TokenBucket>();

  constructor(
    private readonly gw: GatewayParts,
    private readonly lobby: LobbyCall,
  ) {
    this.index = new PeerIndex(gw.ctx);
    this.napster = new NapsterDesk(gw.env, gw.ctx.storage.sql, (room, ids) => this.present(room, ids));
  }

  /** A routed `/ws` upgrade: the socket is accepted, welcomed, and joins its room. */
  accept(request: Request): Response {
    const id = request.headers.get('x-peer-id');
    const token = request.headers.get('x-peer-token');
    const room = request.headers.get('x-room');
    if (!id || !token || !room) return new Response('gateway needs a routed request', { status: 400 });
    // A reload or reconnect reclaims the id: the older socket of the same peer gives way (tokens
    // are bound to their room, so only a socket of this room can be that peer).
    for (const old of this.index.get(room, id)) old.bye(CLOSE_CODES.replaced, 'replaced by a newer connection of this peer');
    const pair = new WebSocketPair();
    const sock = new PeerSocket(pair[1], {
      id,
      room,
      conn: crypto.randomUUID(),
      shard: Number(request.headers.get('x-shard')),
      shards: Number(request.headers.get('x-shards')),
      since: Date.now(),
      addr: (request.headers.get('x-addr') ?? '').slice(0, 64),
    });
    acceptSocket(this.gw.ctx, sock, [id]);
    this.index.add(sock);
    sock.send({ type: 'welcome', id, token, room, shard: sock.att.shard, shards: sock.att.shards });
    // `pk`: the public key the Lobby certifies for this peer's DHT signatures.
    const params = new URL(request.url).searchParams;
    this.gw.ctx.waitUntil(this.join(sock, params.get('pk') ?? undefined, roomTuning(this.gw.env, params)));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private async join(sock: PeerSocket, pk?: string, tuning?: PresenceTuning): Promise<void> {
    const att = sock.att;
    try {
      const reply = await this.lobby(att.room, { op: 'join', id: att.id, shard: att.shard, conn: att.conn, pk, tuning, addr: sock.addr });
      if ('refused' in reply) {
        // Too many sockets of this address in the room, or joins too fast: told why, then closed.
        this.count('address-refused');
        // The bye carries the whole reason; the close frame a short one (workerd refuses long ones).
        sock.send({ type: 'bye', code: CLOSE_CODES.tooMany, reason: reply.refused });
        sock.close(CLOSE_CODES.tooMany, 'address limit');
        return;
      }
      const { peers, count, supers, cert } = reply;
      if (cert) sock.send({ type: 'cert', ...cert });
      sock.send({ type: 'roster', peers, count });
      sock.send({ type: 'supers', supers });
    } catch (err) {
      console.error('lobby join failed', err);
      sock.close(1011, 'lobby unavailable');
    }
  }

  /** A message of the socket (`verdict`: the socket's limiter's, already taken for it). */
  async message(sock: PeerSocket, message: string | ArrayBuffer, verdict: LimitVerdict): Promise<void> {
    if (verdict !== 'ok') {
      // A refused search still names its ref, so that the peer can pair the refusal.
      await this.refuse(sock, verdict, typeof message === 'string' ? peekSearchRef(message) : undefined);
      return;
    }
    try {
      if (typeof message !== 'string') throw new ProtocolError('bad-json', 'binary messages are not accepted');
      // Bad entries of a publish batch are left out and counted; the rest of the batch is kept.
      const dropped: DroppedEntry[] = [];
      const msg = parseClientMessage(message, dropped);
      for (const _ of dropped) this.count('dropped-entry');
      // Messages that cost the edge more (searches, big publishes) spend more of the limit.
      const extra = sock.limiter.charge(Date.now(), messageCost(msg) - 1);
      if (extra !== 'ok') {
        await this.refuse(sock, extra, msg.type === 'search' ? msg.ref : undefined);
        return;
      }
      const att = sock.att;
      switch (msg.type) {
        case 'signal': {
          if (msg.to === att.id) throw new ProtocolError('bad-field', 'a peer cannot signal itself', 'to');
          if (carriesOffer(msg.data) && sock.offerBudget(this.addressOffers, SIGNAL_OFFER_LIMITS).grant(Date.now(), 1) === 0) {
            this.count('offers-dropped');
            throw new ProtocolError('rate-limited', `more than ${SIGNAL_OFFER_LIMITS.socketOffersPerSecond} WebRTC offers per second (burst ${SIGNAL_OFFER_LIMITS.socketOfferBurst}): this offer was not relayed`, 'data');
          }
          // A peer on this shard is served here; another shard's through an RPC to it.
          const shard = shardOf(msg.to, att.shards);
          const delivered =
            shard === att.shard ? this.deliverSignal(att.room, msg.to, att.id, msg.data) : await gatewayStub(this.gw.env, shard).deliverSignal(att.room, msg.to, att.id, msg.data);
          if (!delivered) throw new ProtocolError('unknown-peer', `peer ${msg.to} is not online in this room`, 'to');
          this.gw.counters.relayed++;
          return;
        }
        case 'bootstrap': {
          const peers = await this.lobby(att.room, { op: 'bootstrap', id: att.id });
          sock.send({ type: 'bootstrap', peers });
          return;
        }
        case 'view': {
          const view = await this.lobby(att.room, { op: 'view', id: att.id, conn: att.conn });
          if (!view) throw new ProtocolError('unknown-peer', 'this socket is not the peer\'s current connection to the room', 'type');
          sock.send({ type: 'view', ...view });
          return;
        }
        case 'ping':
          sock.send({ type: 'pong' });
          return;
        case 'capacity':
          await this.lobby(att.room, { op: 'capacity', id: att.id, conn: att.conn, bandwidth: msg.bandwidth, links: msg.links });
          return;
        case 'publish': {
          const reply = await this.napster.publish(napsterPeer(sock), msg.files);
          const first = dropped[0];
          sock.send(first ? { ...reply, dropped: dropped.length, reason: first.error.message.slice(0, 300) } : reply);
          return;
        }
        case 'unpublish':
          sock.send(await this.napster.unpublish(napsterPeer(sock), msg.infoHashes));
          return;
        case 'search':
          sock.send(await this.napster.search(napsterPeer(sock), msg.ref, msg.query));
          return;
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) {
        // Not the input's fault (the parsers are total): an object behind this one failed.
        console.error('gateway message failed', err);
        this.count('internal');
        sock.send({ type: 'error', code: 'unavailable', message: 'the edge could not handle this message; try again' });
        return;
      }
      this.count(err.code);
      sock.send(errorReply(err));
    }
  }

  /** A message over the socket's rate limit: refused with an error, or the socket closed. */
  private async refuse(sock: PeerSocket, verdict: LimitVerdict, ref: number | undefined): Promise<void> {
    this.count('rate-limited');
    if (verdict === 'close') {
      sock.bye(CLOSE_CODES.rateLimited, 'rate limit exceeded');
      await this.leave(sock);
      return;
    }
    const reply: ServerMessage = { type: 'error', code: 'rate-limited', message: `more than ${LIMIT_RATE} messages per second (a search counts as ${messageCost({ type: 'search' })})` };
    if (ref !== undefined) reply.ref = ref;
    sock.send(reply);
  }

  /** The socket closed: the room hears of the leave, and the index forgets the peer's files, at once. */
  async leave(sock: PeerSocket): Promise<void> {
    const { room, id, conn } = sock.att;
    await Promise.all([this.lobby(room, { op: 'leave', id, conn }), this.napster.leave(conn)]);
  }

  /** Hand a signal to peer `to`, stamped with the sender's true id; false when it is not here. */
  deliverSignal(room: string, to: string, from: string, data: SignalData): boolean {
    return this.deliver(room, [to], JSON.stringify({ type: 'signal', from, data } satisfies ServerMessage)).length === 0;
  }

  /** Send one message to these peers; returns the ids this shard no longer holds. */
  deliver(room: string, ids: string[], text: string): string[] {
    const missing: string[] = [];
    for (const id of ids) {
      const sockets = this.index.get(room, id);
      if (sockets.length === 0) missing.push(id);
      for (const sock of sockets) sock.sendText(text);
    }
    return missing;
  }

  /** Which of `ids` have a socket in `room` here. */
  present(room: string, ids: string[]): string[] {
    return ids.filter((id) => this.index.get(room, id).length > 0);
  }

  /** Whether any peer of `room` has a socket here. */
  hasRoom(room: string): boolean {
    return socketsOf(this.gw.ctx, 'peer').some((s) => s.att.room === room);
  }

  /** Close sockets whose heartbeat (auto-answered pings) stopped; drop index holdings of connections gone. */
  async sweep(now: number): Promise<void> {
    for (const sock of socketsOf(this.gw.ctx, 'peer')) {
      const last = Math.max(this.gw.ctx.getWebSocketAutoResponseTimestamp(sock.ws)?.getTime() ?? 0, sock.att.since);
      if (now - last > STALE_AFTER_MS) {
        sock.bye(CLOSE_CODES.stale, 'heartbeat missed');
        await this.leave(sock);
      }
    }
    // Index holdings of connections whose close this object never saw (e.g. after a restart).
    await this.napster.sweep(new Set(socketsOf(this.gw.ctx, 'peer').map((s) => s.att.conn)));
  }

  private count(code: string): void {
    countError(this.gw.counters, code);
  }
}

function napsterPeer(sock: PeerSocket): NapsterPeer {
  const { id, room, conn, shard } = sock.att;
  return { id, room, conn, shard };
}
