/**
 * The peer's one socket to the edge: connects, reconnects with exponential backoff and jitter,
 * re-registers with its stored id and token, keeps a heartbeat, and parses every message.
 */
import { CLOSE_CODES, HEARTBEAT_MS, PING_TEXT } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { parseServerMessage, type ClientMessage, type ServerMessage } from '../../protocol/signaling';
import { backoffDelay } from '../core/backoff';
import { Emitter } from '../core/emitter';

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface Identity {
  id: string;
  token: string;
}

/** Where a tab keeps its identity (sessionStorage in the browser: per tab, kept across reloads). */
export interface IdentityStore {
  load(): Identity | null;
  save(identity: Identity): void;
  clear(): void;
}

export interface SignalingEvents extends Record<string, unknown> {
  state: SocketState;
  welcome: Extract<ServerMessage, { type: 'welcome' }>;
  message: ServerMessage;
  /** A message from the edge that failed to parse, or an error reply from the edge. */
  error: Error;
}

export interface SignalingOptions {
  /** e.g. ws://localhost:8787/ws */
  url: string;
  room: string;
  identity: IdentityStore;
  /** The public key the edge certifies for this tab (base64url raw P-256), sent as `pk`. */
  publicKey?: () => string | null;
  rng?: () => number;
}

export class SignalingSocket extends Emitter<SignalingEvents> {
  state: SocketState = 'connecting';
  attempts = 0;
  readonly counters = { sent: 0, received: 0, errors: 0, reconnects: 0 };
  private ws: WebSocket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private lastHeard = 0;
  private stopped = false;

  constructor(private readonly opts: SignalingOptions) {
    super();
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Close for good (the page is going away). */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.stopHeartbeat();
    this.ws?.close(1000, 'bye');
    this.setState('closed');
  }

  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    this.counters.sent++;
    return true;
  }

  /** Send raw text (tests of the edge's parsers use this). */
  sendRaw(text: string): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(text);
    this.counters.sent++;
    return true;
  }

  /** Simulate a dropped connection: the socket dies without a goodbye, and we reconnect. */
  drop(): void {
    if (this.ws) this.lost(4000);
  }

  private url(): string {
    const u = new URL(this.opts.url);
    u.searchParams.set('room', this.opts.room);
    const ident = this.opts.identity.load();
    if (ident) {
      u.searchParams.set('id', ident.id);
      u.searchParams.set('token', ident.token);
    }
    const pk = this.opts.publicKey?.();
    if (pk) u.searchParams.set('pk', pk);
    return u.toString();
  }

  private open(): void {
    this.setState(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      this.startHeartbeat();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.onText(typeof ev.data === 'string' ? ev.data : '');
    };
    ws.onclose = (ev) => {
      if (this.ws === ws) this.lost(ev.code);
    };
  }

  /** The socket is gone (closed, or the edge said bye): forget it and come back. */
  private lost(code: number): void {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      ws.onclose = null;
      ws.onmessage = null;
      try {
        ws.close(1000, 'leaving');
      } catch {
        // closing already
      }
    }
    if (code === CLOSE_CODES.replaced) {
      // Another tab now holds this id (a duplicated tab copies sessionStorage): become a new peer.
      this.opts.identity.clear();
    }
    if (!this.stopped) this.scheduleReconnect();
  }

  private onText(text: string): void {
    let msg: ServerMessage;
    try {
      msg = parseServerMessage(text);
    } catch (err) {
      this.counters.errors++;
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.counters.received++;
    if (msg.type === 'welcome') {
      this.attempts = 0;
      this.opts.identity.save({ id: msg.id, token: msg.token });
      this.setState('open');
      this.emit('welcome', msg);
      return;
    }
    if (msg.type === 'bye') {
      if (msg.code !== CLOSE_CODES.replaced) this.emit('error', new Error(`the edge closed the connection: ${msg.reason}`));
      this.lost(msg.code);
      return;
    }
    if (msg.type === 'error') {
      this.counters.errors++;
      this.emit('error', new ProtocolError(msg.code, msg.message, msg.field));
    }
    this.emit('message', msg);
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    this.counters.reconnects++;
    const delay = backoffDelay(this.attempts++, this.opts.rng ?? Math.random);
    this.retry = setTimeout(() => this.open(), delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > 2.5 * HEARTBEAT_MS) {
        this.lost(CLOSE_CODES.stale);
        return;
      }
      this.ws?.send(PING_TEXT);
    }, HEARTBEAT_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private setState(state: SocketState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }
}
