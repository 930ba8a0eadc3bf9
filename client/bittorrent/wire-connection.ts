/**
 * One torrent link: the BitTorrent peer wire protocol (BEP 3, BEP 10) over a WebRTC data
 * channel (simple-peer), byte-compatible with WebTorrent. Every inbound byte goes through the
 * WireParser; sends respect the data channel's buffer (high and low water marks).
 */
import type SimplePeer from 'simple-peer';
import { encodeHandshake, encodeMessage, WireParser, type Handshake, type WireMessage } from '../../protocol/wire';
import { Emitter } from '../core/emitter';
import { RateMeter } from '../core/rate';
import { drainingChannel, HIGH_WATER } from '../net/channel';


export interface WireEvents extends Record<string, unknown> {
  handshake: Handshake;
  message: WireMessage;
  /** The connection is gone; `reason` says why. */
  close: { reason: string };
}

export class WireConnection extends Emitter<WireEvents> {
  readonly down = new RateMeter();
  readonly up = new RateMeter();
  readonly connectedAt = Date.now();
  closed = false;
  remote: Handshake | null = null;
  private readonly parser = new WireParser();
  private readonly queue: Uint8Array[] = [];
  private channel: RTCDataChannel | null = null;
  private handshakeSent = false;

  constructor(
    readonly peer: SimplePeer.Instance,
    private readonly local: { infoHash: Uint8Array; peerId: Uint8Array },
  ) {
    super();
    peer.on('data', (chunk: Uint8Array) => this.onData(chunk));
    peer.on('close', () => this.close('peer closed the connection'));
    peer.on('error', (err: Error) => this.close(err.message));
    if ((peer as unknown as { connected: boolean }).connected) this.onConnect();
    else peer.once('connect', () => this.onConnect());
  }

  /** Send our handshake (done at once on outgoing links, after theirs on incoming ones). */
  sendHandshake(): void {
    if (this.handshakeSent) return;
    this.handshakeSent = true;
    // As browser WebTorrent does: extension protocol on, no DHT bit (browsers run no DHT).
    this.write(encodeHandshake({ infoHash: this.local.infoHash, peerId: this.local.peerId, dht: false }));
  }

  send(msg: WireMessage): void {
    if (this.closed) return;
    const bytes = encodeMessage(msg);
    if (msg.type === 'piece') this.up.add(msg.block.length, Date.now());
    this.write(bytes);
  }

  /** Bytes waiting here and in the channel. */
  buffered(): number {
    let n = this.channel?.bufferedAmount ?? 0;
    for (const q of this.queue) n += q.length;
    return n;
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    try {
      this.peer.destroy();
    } catch {
      // already gone
    }
    this.emit('close', { reason });
  }

  private onConnect(): void {
    this.channel = drainingChannel(this.peer, () => this.pump());
    this.pump();
  }

  private write(bytes: Uint8Array): void {
    this.queue.push(bytes);
    this.pump();
  }

  private pump(): void {
    const ch = this.channel;
    if (!ch || this.closed) return;
    while (this.queue.length > 0 && ch.bufferedAmount < HIGH_WATER) {
      try {
        this.peer.send(this.queue.shift() as Uint8Array);
      } catch (err) {
        this.close(`send failed: ${(err as Error).message}`);
        return;
      }
    }
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    let events;
    try {
      events = this.parser.push(chunk);
    } catch (err) {
      this.close(`bad wire data: ${(err as Error).message}`);
      return;
    }
    for (const ev of events) {
      if (this.closed) return;
      if (ev.type === 'handshake') {
        const { type: _t, ...hs } = ev;
        this.remote = hs;
        this.emit('handshake', hs);
        continue;
      }
      if (ev.type === 'piece') this.down.add(ev.block.length, Date.now());
      this.emit('message', ev);
    }
  }
}
