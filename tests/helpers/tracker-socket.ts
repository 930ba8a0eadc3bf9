/** A raw tracker client over a real WebSocket, speaking WebTorrent's JSON with binary strings. */
import WebSocket from 'ws';
import { BASE } from './socket';

export type Json = Record<string, unknown>;

export function bin(hex: string): string {
  let s = '';
  for (let i = 0; i < hex.length; i += 2) s += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return s;
}

export function randomHex(bytes = 20): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
export const ANSWER = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };

export class TrackerSocket {
  readonly messages: Json[] = [];
  closed: number | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.messages.push(JSON.parse(d.toString()) as Json);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closed = code;
      this.wake();
    });
  }

  /**
   * `addr` poses as another client address: wrangler dev keeps a CF-Connecting-IP header that the
   * client sent (Cloudflare itself overwrites it), so attackers get budgets of their own.
   */
  static async open(opts: { addr?: string } = {}): Promise<TrackerSocket> {
    const ws = new WebSocket(`${BASE.replace('http', 'ws')}/announce`, opts.addr ? { headers: { 'CF-Connecting-IP': opts.addr } } : {});
    const t = new TrackerSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return t;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  announce(infoHash: string, peerId: string, extra: Json = {}): void {
    this.send({ action: 'announce', info_hash: bin(infoHash), peer_id: bin(peerId), numwant: 0, uploaded: 0, downloaded: 0, left: 100, event: 'started', ...extra });
  }

  async next(pred: (m: Json) => boolean, timeoutMs = 10_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0] as Json;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching tracker message within ${timeoutMs} ms; have ${JSON.stringify(this.messages).slice(0, 400)}`);
      if (this.closed !== null && !this.messages.some(pred)) throw new Error(`tracker socket closed (${this.closed})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export const isFailure = (m: Json) => typeof m['failure reason'] === 'string';
export const isAnnounceReply = (m: Json) => m.action === 'announce' && typeof m.interval === 'number';
