/**
 * One torrent link: the BitTorrent peer wire protocol (BEP 3, BEP 10) over a WebRTC data
 * channel (simple-peer), byte-compatible with WebTorrent. Every inbound byte goes through the
 * WireParser; sends respect the data channel's buffer (high and low water marks).
 *
 * The wire is a byte stream, so messages written in one turn of the event loop (a fill's
 * requests, a run of blocks served from cache) go out together in data-channel messages of up
 * to MESSAGE_BYTES: one send of 64 KiB instead of four of 16 KiB, or one for a hundred
 * 17-byte requests. Each send costs a fixed overhead in the browser (hundreds of microseconds
 * measured here), so fewer, larger messages carry more bytes per second of CPU.
 */
import type SimplePeer from 'simple-peer';
import { encodeHandshake, encodeMessage, WireParser, type Handshake, type WireMessage } from '../../protocol/wire';
import { Emitter } from '../core/emitter';
import { RateMeter } from '../core/rate';
import { drainingChannel, HIGH_WATER } from '../net/channel';
import { takeJoined } from '../net/coalesce';

/** Largest data-channel message we send: every engine takes it (Chromium's maxMessageSize is 256 KiB). */
export const MESSAGE_BYTES = 64 * 1024;

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
  private pumpQueued = false;
  /** Callers of whenBelow() waiting for the buffer to drain. */
  private waiters: { bytes: number; resolve: () => void }[] = [];

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

  /** Resolves once fewer than `bytes` are buffered here and in the channel, or the connection is closed. */
  whenBelow(bytes: number): Promise<void> {
    if (this.closed || this.buffered() < bytes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes, resolve }));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.wake();
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

  /** Queue bytes; they go out at the end of this turn, with whatever else is written in it. */
  private write(bytes: Uint8Array): void {
    this.queue.push(bytes);
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    const ch = this.channel;
    if (!ch || this.closed) return;
    while (this.queue.length > 0 && ch.bufferedAmount < HIGH_WATER) {
      try {
        this.peer.send(takeJoined(this.queue, MESSAGE_BYTES));
      } catch (err) {
        this.close(`send failed: ${(err as Error).message}`);
        return;
      }
    }
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const buffered = this.closed ? -1 : this.buffered();
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (buffered < w.bytes) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
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
