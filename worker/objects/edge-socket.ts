/**
 * A Gateway's hibernatable WebSockets, typed by kind: a peer's signaling socket (`/ws`) or a
 * BitTorrent tracker socket (`/announce`). `socketOf` reads a socket's attachment once (then
 * keeps the wrapper for as long as the object is awake) and gives the socket with its typed
 * attachment and its in-memory state: its message limiter and its relayed-offer budget (a
 * restart refills both). Also what a socket handler gets of its Gateway (GatewayParts).
 */
import type { ServerMessage } from '../../protocol/signaling';
import type { TrackerResponse } from '../../protocol/tracker';
import type { Env } from '../env';
import { SocketLimiter, bucketOf, type TokenBucket } from '../core/rate-limit';
import { OfferBudget, type OfferLimits } from '../core/tracker-budget';

/** The attachment of a socket of one of our peers (`/ws`). */
export interface PeerAttachment {
  /** Absent on sockets accepted before tracker sockets existed. */
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

/** The attachment of a BitTorrent tracker socket (`/announce`): WebTorrent clients and our own. */
export interface TrackerAttachment {
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

/** Burst of 100 messages, 50 per second after it; 200 refusals (refilling over a minute) close the socket. */
const LIMIT_BURST = 100;
export const LIMIT_RATE = 50;
const LIMIT_CLOSE_AFTER = 200;

/** WebSocket.readyState of an open socket. */
const WS_OPEN = 1;

/** The Gateway's counts, for /api/stats. */
export interface GatewayCounters {
  messages: number;
  /** Signals relayed between peers. */
  relayed: number;
  /** Tracker offers relayed for this shard's tracker sockets. */
  offersRelayed: number;
  errors: Record<string, number>;
}

/** What a socket handler is given by its Gateway. */
export interface GatewayParts {
  env: Env;
  ctx: DurableObjectState;
  counters: GatewayCounters;
}

/** Count a refusal or a drop by kind. */
export function countError(counters: GatewayCounters, code: string, n = 1): void {
  counters.errors[code] = (counters.errors[code] ?? 0) + n;
}

/** Close a socket; one already closed is left as it is. */
export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

abstract class EdgeSocket<A extends PeerAttachment | TrackerAttachment, M> {
  private limiterOf: SocketLimiter | undefined;
  private offers: OfferBudget | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly att: A,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WS_OPEN;
  }

  /** The client's address (CF-Connecting-IP). */
  get addr(): string {
    return this.att.addr ?? '';
  }

  get limiter(): SocketLimiter {
    this.limiterOf ??= new SocketLimiter(LIMIT_BURST, LIMIT_RATE, LIMIT_CLOSE_AFTER, Date.now());
    return this.limiterOf;
  }

  /** The socket's relayed-offer budget, with its address's bucket in `addresses`. */
  offerBudget(addresses: Map<string, TokenBucket>, limits: OfferLimits): OfferBudget {
    if (!this.offers) {
      const address = bucketOf(addresses, this.addr, limits.addressOfferBurst, limits.addressOffersPerSecond, Date.now());
      this.offers = OfferBudget.forSocket(address, Date.now(), limits);
    }
    return this.offers;
  }

  send(msg: M): void {
    this.sendText(JSON.stringify(msg));
  }

  sendText(text: string): void {
    try {
      this.ws.send(text);
    } catch {
      // the socket is closing; its close handler does the bookkeeping
    }
  }

  close(code: number, reason: string): void {
    closeQuietly(this.ws, code, reason);
  }

  /** Store the attachment again after a change (it outlives hibernation). */
  protected save(): void {
    this.ws.serializeAttachment(this.att);
  }
}

export class PeerSocket extends EdgeSocket<PeerAttachment, ServerMessage> {
  readonly kind = 'peer';

  /**
   * Close from the edge's side. The close code is also sent as a `bye` message first: the
   * runtime does not always finish the closing handshake of a socket the server closes, so the
   * client acts on the bye rather than waiting for the TCP close.
   */
  bye(code: number, reason: string): void {
    this.send({ type: 'bye', code, reason });
    this.close(code, reason);
  }
}

export class TrackerSocket extends EdgeSocket<TrackerAttachment, TrackerResponse> {
  readonly kind = 'tracker';

  /** A BitTorrent peer id this socket now announces as. */
  addPeerId(peerId: string): void {
    if (this.att.peerIds.includes(peerId)) return;
    this.att.peerIds.push(peerId);
    this.save();
  }
}

export type AnySocket = PeerSocket | TrackerSocket;

const wrappers = new WeakMap<WebSocket, AnySocket>();

/** The socket, typed by its kind (null: a socket without an attachment). */
export function socketOf(ws: WebSocket): AnySocket | null {
  const known = wrappers.get(ws);
  if (known) return known;
  const att = ws.deserializeAttachment() as PeerAttachment | TrackerAttachment | null;
  if (att === null || typeof att !== 'object') return null;
  const sock = att.kind === 'tracker' ? new TrackerSocket(ws, att) : new PeerSocket(ws, att);
  wrappers.set(ws, sock);
  return sock;
}

/** Accept a new socket with its tags and attachment; returns it typed. */
export function acceptSocket<S extends AnySocket>(ctx: DurableObjectState, sock: S, tags: string[]): S {
  ctx.acceptWebSocket(sock.ws, tags);
  sock.ws.serializeAttachment(sock.att);
  wrappers.set(sock.ws, sock);
  return sock;
}

/** The open-or-not sockets of one kind among the object's accepted sockets (`tag`: only those with it). */
export function socketsOf<K extends AnySocket['kind']>(ctx: DurableObjectState, kind: K, tag?: string): Extract<AnySocket, { kind: K }>[] {
  const out: Extract<AnySocket, { kind: K }>[] = [];
  for (const ws of tag === undefined ? ctx.getWebSockets() : ctx.getWebSockets(tag)) {
    const sock = socketOf(ws);
    if (sock?.kind === kind) out.push(sock as Extract<AnySocket, { kind: K }>);
  }
  return out;
}
