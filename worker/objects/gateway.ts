/**
 * Gateway: terminates the peers' signaling sockets with the WebSocket hibernation API.
 * A peer's id lives in its socket's attachment, so a peer can never speak as another.
 * Every inbound message is rate-limited and parsed here; bad input gets a named error reply.
 */
import { DurableObject } from 'cloudflare:workers';
import { CLOSE_CODES, HEARTBEAT_MS, PING_TEXT, PONG_TEXT } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import type { DroppedEntry } from '../../protocol/entries';
import { carriesOffer, errorReply, parseClientMessage, peekSearchRef, type ServerMessage, type SignalData } from '../../protocol/signaling';
import { gatewayStub, lobbyStub, roomTuning, swarmStub, type Env } from '../env';
import type { PresenceTuning } from '../core/presence';
import { SocketLimiter, TokenBucket, bucketOf, messageCost, type LimitVerdict } from '../core/rate-limit';
import { OfferBudget, SIGNAL_OFFER_LIMITS, TRACKER_LIMITS, type OfferLimits } from '../core/tracker-budget';
import { failure, type TrackerResponse } from '../../protocol/tracker';
import { onTrackerMessage } from './tracker-socket';
import { shardOf } from '../core/shard';
import { NapsterDesk, type NapsterPeer } from './napster-desk';
import type { Delivery, LobbyOp, LobbyResults } from './lobby';
import { Batchers, EDGE_BATCHING, type Settled } from '../core/batcher';

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
  /** The client's address (CF-Connecting-IP), for the per-address offer budget. */
  addr?: string;
}

/** A BitTorrent tracker socket (`/announce`): WebTorrent clients and our own. */
interface TrackerAttachment {
  kind: 'tracker';
  sock: string;
  shard: number;
  /** How many gateway shards there are (a scrape asks each). */
  shards: number;
  since: number;
  /** The client's address (CF-Connecting-IP), for the per-address budgets. */
  addr: string;
  /** The BitTorrent peer ids this socket announced as (TRACKER_LIMITS.peerIdsPerSocket at most). */
  peerIds: string[];
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
  /** Signals relayed between peers. */
  relayed: number;
  /** Tracker offers relayed for this shard's tracker sockets. */
  offersRelayed: number;
  /** Batched calls into rooms' Lobbies (each carries the joins, leaves, views ... made meanwhile). */
  lobbyCalls: number;
  errors: Record<string, number>;
}

/** WebSocket.readyState of an open socket. */
const WS_OPEN = 1;

const peerKey = (room: string, id: string) => `${room}\n${id}`;

function addTo(index: Map<string, Set<WebSocket>>, key: string, ws: WebSocket): void {
  const set = index.get(key);
  if (set) set.add(ws);
  else index.set(key, new Set([ws]));
}

export class Gateway extends DurableObject<Env> {
  private readonly limiters = new WeakMap<WebSocket, SocketLimiter>();
  /** Relayed-offer budgets of tracker sockets, and of their addresses (in memory: a restart refills them). */
  private readonly offerBudgets = new WeakMap<WebSocket, OfferBudget>();
  private readonly addressOffers = new Map<string, TokenBucket>();
  private readonly addressSignalOffers = new Map<string, TokenBucket>();
  private readonly addressJoins = new Map<string, TokenBucket>();
  private readonly counters = { messages: 0, relayed: 0, offersRelayed: 0, errors: {} as Record<string, number> };
  private readonly napster: NapsterDesk;
  /** Requests to each room's Lobby, one batched call in flight per room. */
  private readonly lobbyCalls = new Batchers<LobbyOp, LobbyResults[LobbyOp['op']]>((room, ops) => lobbyStub(this.env, room).run(room, ops), EDGE_BATCHING);
  /** Peer sockets by room and peer id (see peerSockets); null until first needed. */
  private sockets: Map<string, Set<WebSocket>> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS tracker_swarms (sock TEXT NOT NULL, info_hash TEXT NOT NULL, PRIMARY KEY (sock, info_hash))');
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS tracker_swarms_by_hash ON tracker_swarms (info_hash)');
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
      addr: (request.headers.get('x-addr') ?? '').slice(0, 64),
    };
    // A reload or reconnect reclaims the id: the older socket of the same peer gives way (tokens
    // are bound to their room, so only a socket of this room can be that peer).
    for (const old of this.peerSockets(id, room)) {
      this.closeWithBye(old, CLOSE_CODES.replaced, 'replaced by a newer connection of this peer');
    }
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [id]);
    server.serializeAttachment(att);
    addTo(this.peerIndex(), peerKey(room, id), server);
    this.send(server, { type: 'welcome', id, token, room, shard: att.shard, shards: att.shards });
    // `pk`: the public key the Lobby certifies for this peer's DHT signatures.
    const params = new URL(request.url).searchParams;
    this.ctx.waitUntil(this.join(server, att, params.get('pk') ?? undefined, roomTuning(this.env, params)));
    await this.ensureAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  private async acceptTracker(request: Request): Promise<Response> {
    const addr = (request.headers.get('x-addr') ?? '').slice(0, 64);
    if (this.ctx.getWebSockets(`addr:${addr}`).length >= TRACKER_LIMITS.socketsPerAddress) {
      this.count('tracker-sockets-per-address');
      return Response.json({ 'failure reason': `too many tracker connections from this address (at most ${TRACKER_LIMITS.socketsPerAddress})` }, { status: 429 });
    }
    const att: TrackerAttachment = {
      kind: 'tracker',
      sock: crypto.randomUUID(),
      shard: Number(request.headers.get('x-shard')),
      shards: Number(request.headers.get('x-shards')),
      since: Date.now(),
      addr,
      peerIds: [],
    };
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], ['tracker', `sock:${att.sock}`, `addr:${addr}`]);
    pair[1].serializeAttachment(att);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private async join(ws: WebSocket, att: PeerAttachment, pk?: string, tuning?: PresenceTuning): Promise<void> {
    try {
      const reply = await this.lobby(att.room, { op: 'join', id: att.id, shard: att.shard, conn: att.conn, pk, tuning, addr: att.addr ?? '' });
      if ('refused' in reply) {
        // Too many sockets of this address in the room, or joins too fast: told why, then closed.
        this.count('address-refused');
        // The bye carries the whole reason; the close frame a short one (workerd refuses long ones).
        this.send(ws, { type: 'bye', code: CLOSE_CODES.tooMany, reason: reply.refused });
        this.closeQuietly(ws, CLOSE_CODES.tooMany, 'address limit');
        return;
      }
      const { peers, count, supers, cert } = reply;
      if (cert) this.send(ws, { type: 'cert', ...cert });
      this.send(ws, { type: 'roster', peers, count });
      this.send(ws, { type: 'supers', supers });
    } catch (err) {
      console.error('lobby join failed', err);
      this.closeQuietly(ws, 1011, 'lobby unavailable');
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // A socket the edge closed (rate limit, replaced by a newer one) may still have messages
    // queued: none of them is acted on or relayed.
    if (ws.readyState !== WS_OPEN) return;
    const att = ws.deserializeAttachment() as Attachment;
    this.counters.messages++;
    const limiter = this.limiter(ws);
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
      // Bad entries of a publish batch are left out and counted; the rest of the batch is kept.
      const dropped: DroppedEntry[] = [];
      const msg = parseClientMessage(message, dropped);
      for (const _ of dropped) this.count('dropped-entry');
      // Messages that cost the edge more (searches, big publishes) spend more of the limit.
      const extra = limiter.charge(Date.now(), messageCost(msg) - 1);
      if (extra !== 'ok') {
        await this.refuse(ws, extra, msg.type === 'search' ? msg.ref : undefined);
        return;
      }
      switch (msg.type) {
        case 'signal': {
          if (msg.to === att.id) throw new ProtocolError('bad-field', 'a peer cannot signal itself', 'to');
          if (carriesOffer(msg.data) && this.offerBudget(ws, att.addr ?? '', this.addressSignalOffers, SIGNAL_OFFER_LIMITS).grant(Date.now(), 1) === 0) {
            this.count('offers-dropped');
            throw new ProtocolError('rate-limited', `more than ${SIGNAL_OFFER_LIMITS.socketOffersPerSecond} WebRTC offers per second (burst ${SIGNAL_OFFER_LIMITS.socketOfferBurst}): this offer was not relayed`, 'data');
          }
          // A peer on this shard is served here; another shard's through an RPC to it.
          const shard = shardOf(msg.to, att.shards);
          const delivered =
            shard === att.shard ? this.deliverSignal(att.room, msg.to, att.id, msg.data) : await gatewayStub(this.env, shard).deliverSignal(att.room, msg.to, att.id, msg.data);
          if (!delivered) throw new ProtocolError('unknown-peer', `peer ${msg.to} is not online in this room`, 'to');
          this.counters.relayed++;
          return;
        }
        case 'bootstrap': {
          const peers = await this.lobby(att.room, { op: 'bootstrap', id: att.id });
          this.send(ws, { type: 'bootstrap', peers });
          return;
        }
        case 'view': {
          const view = await this.lobby(att.room, { op: 'view', id: att.id, conn: att.conn });
          if (!view) throw new ProtocolError('unknown-peer', 'this socket is not the peer\'s current connection to the room', 'type');
          this.send(ws, { type: 'view', ...view });
          return;
        }
        case 'ping':
          this.send(ws, { type: 'pong' });
          return;
        case 'capacity':
          await this.lobby(att.room, { op: 'capacity', id: att.id, conn: att.conn, bandwidth: msg.bandwidth, links: msg.links });
          return;
        case 'publish': {
          const reply = await this.napster.publish(napsterPeer(att), msg.files);
          const first = dropped[0];
          this.send(ws, first ? { ...reply, dropped: dropped.length, reason: first.error.message.slice(0, 300) } : reply);
          return;
        }
        case 'unpublish':
          this.send(ws, await this.napster.unpublish(napsterPeer(att), msg.infoHashes));
          return;
        case 'search':
          this.send(ws, await this.napster.search(napsterPeer(att), msg.ref, msg.query));
          return;
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) {
        // Not the input's fault (the parsers are total): an object behind this one failed.
        console.error('gateway message failed', err);
        this.count('internal');
        this.send(ws, { type: 'error', code: 'unavailable', message: 'the edge could not handle this message; try again' });
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
    const sql = this.ctx.storage.sql;
    try {
      await onTrackerMessage(
        {
          env: this.env,
          sock: att.sock,
          shard: att.shard,
          send,
          joined: (infoHash, member) => {
            if (member) sql.exec('INSERT OR IGNORE INTO tracker_swarms (sock, info_hash) VALUES (?, ?)', att.sock, infoHash);
            else sql.exec('DELETE FROM tracker_swarms WHERE sock = ? AND info_hash = ?', att.sock, infoHash);
          },
          isMember: (infoHash) => sql.exec('SELECT 1 FROM tracker_swarms WHERE sock = ? AND info_hash = ?', att.sock, infoHash).toArray().length > 0,
          swarms: () => sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM tracker_swarms WHERE sock = ?', att.sock).one().n,
          peerIds: () => att.peerIds,
          addPeerId: (peerId) => {
            if (att.peerIds.includes(peerId)) return;
            att.peerIds.push(peerId);
            ws.serializeAttachment(att);
          },
          admitJoin: () => this.addressBucket(this.addressJoins, att.addr, TRACKER_LIMITS.addressJoinBurst, TRACKER_LIMITS.addressJoinsPerSecond).take(Date.now()),
          grantOffers: (n) => this.offerBudget(ws, att.addr, this.addressOffers, TRACKER_LIMITS).grant(Date.now(), n),
          refundOffers: (n) => this.offerBudget(ws, att.addr, this.addressOffers, TRACKER_LIMITS).refund(n),
          charge: (cost) => this.limiter(ws).charge(Date.now(), cost) === 'ok',
          liveSwarms: async (infoHashes) => {
            const shards = Number.isInteger(att.shards) && att.shards > 0 ? att.shards : 1;
            const lists = await Promise.all(Array.from({ length: shards }, (_, i) => gatewayStub(this.env, i).trackerSwarms(infoHashes)));
            return new Set(lists.flat());
          },
          count: (code, n) => this.count(code, n),
          relayed: (n) => (this.counters.offersRelayed += n),
        },
        message,
      );
    } catch (err) {
      console.error('tracker message failed', err);
      this.count('internal');
      send(failure('the tracker could not handle this message; try again'));
    }
  }

  /** RPC from any gateway (a scrape): which of `infoHashes` have a member among this shard's tracker sockets. */
  trackerSwarms(infoHashes: string[]): string[] {
    const list = infoHashes.slice(0, 100);
    if (list.length === 0) return [];
    return this.ctx.storage.sql
      .exec<{ info_hash: string }>(`SELECT DISTINCT info_hash FROM tracker_swarms WHERE info_hash IN (${list.map(() => '?').join(',')})`, ...list)
      .toArray()
      .map((r) => r.info_hash);
  }

  /** The relayed-offer budget of a socket (a tracker's or a peer's: a socket is only ever one). */
  private offerBudget(ws: WebSocket, addr: string, addresses: Map<string, TokenBucket>, limits: OfferLimits): OfferBudget {
    let budget = this.offerBudgets.get(ws);
    if (!budget) {
      const address = this.addressBucket(addresses, addr, limits.addressOfferBurst, limits.addressOffersPerSecond);
      budget = OfferBudget.forSocket(address, Date.now(), limits);
      this.offerBudgets.set(ws, budget);
    }
    return budget;
  }

  /** The bucket of one client address in `buckets` (at most 10,000 addresses are remembered). */
  private addressBucket(buckets: Map<string, TokenBucket>, addr: string, burst: number, perSecond: number): TokenBucket {
    return bucketOf(buckets, addr, burst, perSecond, Date.now());
  }

  private limiter(ws: WebSocket): SocketLimiter {
    let limiter = this.limiters.get(ws);
    if (!limiter) {
      limiter = new SocketLimiter(LIMIT_BURST, LIMIT_RATE, LIMIT_CLOSE_AFTER, Date.now());
      this.limiters.set(ws, limiter);
    }
    return limiter;
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
      if (this.ctx.getWebSockets(`addr:${att.addr}`).every((s) => s === ws)) {
        this.addressOffers.delete(att.addr);
        this.addressJoins.delete(att.addr);
      }
      const rows = this.ctx.storage.sql
        .exec<{ info_hash: string }>('DELETE FROM tracker_swarms WHERE sock = ? RETURNING info_hash', att.sock)
        .toArray();
      await Promise.all(rows.map((r) => swarmStub(this.env, r.info_hash).leave(att.sock)));
      return;
    }
    // The room hears of the leave, and the index forgets the peer's files, at once.
    await Promise.all([this.lobby(att.room, { op: 'leave', id: att.id, conn: att.conn }), this.napster.leave(att.conn)]);
  }

  /** A request to a room's Lobby, batched with the others this shard's sockets make meanwhile. */
  private lobby<O extends LobbyOp>(room: string, op: O): Promise<LobbyResults[O['op']]> {
    return this.lobbyCalls.submit(room, op) as Promise<LobbyResults[O['op']]>;
  }

  /** RPC from any gateway: hand a signal to peer `to`, stamped with the sender's true id. */
  deliverSignal(room: string, to: string, from: string, data: SignalData): boolean {
    const sockets = this.peerSockets(to, room);
    const text = JSON.stringify({ type: 'signal', from, data } satisfies ServerMessage);
    for (const ws of sockets) this.sendText(ws, text);
    return sockets.length > 0;
  }

  /** RPC from a Lobby: a batch of deliveries; for each, the ids this shard no longer holds. */
  deliverMany(room: string, items: Delivery[]): Settled<string[]>[] {
    return items.map((d) => ({ ok: true, value: this.deliver(room, d.ids, d.text) }));
  }

  /** Send one message to these peers; returns the ids this shard no longer holds. */
  private deliver(room: string, ids: string[], text: string): string[] {
    const missing: string[] = [];
    for (const id of ids) {
      const sockets = this.peerSockets(id, room);
      if (sockets.length === 0) missing.push(id);
      for (const ws of sockets) this.sendText(ws, text);
    }
    return missing;
  }

  /** RPC from any gateway (a search's live check): which of `ids` have a socket in `room` here. */
  present(room: string, ids: string[]): string[] {
    return ids.filter((id) => this.peerSockets(id, room).length > 0);
  }

  /**
   * The open sockets of peer `id` in `room`. From an index in memory (built from the accepted
   * sockets when the object starts or wakes, kept as sockets are accepted; closed ones drop out
   * when looked up): a signal or a delivery looks up its peer without reading every socket.
   */
  private peerSockets(id: string, room: string): WebSocket[] {
    const index = this.peerIndex();
    const key = peerKey(room, id);
    const set = index.get(key);
    if (!set) return [];
    const out: WebSocket[] = [];
    for (const ws of set) {
      if (ws.readyState === WS_OPEN) out.push(ws);
      else set.delete(ws);
    }
    if (set.size === 0) index.delete(key);
    return out;
  }

  private peerIndex(): Map<string, Set<WebSocket>> {
    if (this.sockets) return this.sockets;
    const index = new Map<string, Set<WebSocket>>();
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as Attachment | null;
      if (att && att.kind !== 'tracker') addTo(index, peerKey(att.room, att.id), ws);
    }
    this.sockets = index;
    return index;
  }

  /** RPC from the edge (`/api/stats?room=`): whether any peer of `room` has a socket here. */
  hasRoom(room: string): boolean {
    return this.ctx.getWebSockets().some((ws) => {
      const att = ws.deserializeAttachment() as Attachment | null;
      return att !== null && att.kind !== 'tracker' && att.room === room;
    });
  }

  stats(): GatewayStats {
    return { sockets: this.ctx.getWebSockets().length, ...this.counters, lobbyCalls: this.lobbyCalls.calls, errors: { ...this.counters.errors } };
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

  private count(code: string, n = 1): void {
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + n;
  }
}

function napsterPeer(att: PeerAttachment): NapsterPeer {
  return { id: att.id, room: att.room, conn: att.conn, shard: att.shard };
}
