/** A test client of the signaling socket over a real WebSocket (the `ws` package). */
import WebSocket from 'ws';
import { parseServerMessage, type ServerMessage } from '../../protocol/signaling';

export const TEST_PORT = Number(process.env.TEST_PORT ?? 8788);
export const BASE = `http://127.0.0.1:${TEST_PORT}`;

export function uniqueRoom(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

export class TestSocket {
  readonly messages: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  welcome!: Welcome;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the edge sent a binary message');
      this.messages.push(parseServerMessage(data.toString()));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /**
   * `addr` poses as another client address (see TrackerSocket.open); `pk`: a public key for the
   * room to certify (protocol/dht-sign.ts); `query`: more /ws parameters (e.g. full and view,
   * the presence sizes the test server lets a room choose).
   */
  static async open(room: string, claim?: { id: string; token: string }, opts: { addr?: string; pk?: string; query?: Record<string, string> } = {}): Promise<TestSocket> {
    const url = new URL(`${BASE.replace('http', 'ws')}/ws`);
    url.searchParams.set('room', room);
    if (claim) {
      url.searchParams.set('id', claim.id);
      url.searchParams.set('token', claim.token);
    }
    if (opts.pk !== undefined) url.searchParams.set('pk', opts.pk);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const ws = new WebSocket(url, opts.addr ? { headers: { 'CF-Connecting-IP': opts.addr } } : {});
    const s = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    s.welcome = await s.next<Welcome>((m) => m.type === 'welcome');
    return s;
  }

  get id(): string {
    return this.welcome.id;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The first message (already received or to come) matching `pred`, removed from the queue. */
  async next<T extends ServerMessage>(pred: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<T> {
    const m = await this.seen<T>(pred, timeoutMs);
    this.messages.splice(this.messages.indexOf(m), 1);
    return m;
  }

  /** The first message (already received or to come) matching `pred`, left in the queue. */
  async seen<T extends ServerMessage>(pred: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m as T;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; have: ${JSON.stringify(this.messages).slice(0, 500)}`);
      await this.wait(left);
    }
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('socket did not close');
      await this.wait(left);
    }
    return this.closed;
  }

  close(): void {
    this.ws.close(1000, 'test done');
  }

  /** Drop the TCP connection without a close frame. */
  kill(): void {
    this.ws.terminate();
  }

  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
