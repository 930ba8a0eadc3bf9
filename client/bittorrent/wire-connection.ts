/**
 * One torrent link: the BitTorrent peer wire protocol (BEP 3, BEP 10) over a WebRTC data
 * channel (simple-peer), byte-compatible with WebTorrent. Every inbound byte goes through the
 * WireParser; sends go through a ChannelWriter (high and low water marks on the channel's buffer).
 *
 * The wire is a byte stream, so messages written in one turn of the event loop (a fill's
 * requests, a run of blocks served from cache) go out together in data-channel messages of up
 * to MESSAGE_BYTES: one send of four 16 KiB blocks instead of four sends, or one for a hundred
 * 17-byte requests. Each send costs a fixed overhead in the browser (hundreds of microseconds
 * measured here), so fewer, larger messages carry more bytes per second of CPU.
 */
import type SimplePeer from 'simple-peer';
import { encodeHandshake, encodeMessage, WireParser, type Handshake, type WireMessage } from '../../protocol/wire';
import { Emitter } from '../core/emitter';
import { RateMeter } from '../core/rate';
import { peerSink } from '../net/channel';
import { ChannelWriter } from '../net/channel-writer';

/**
 * Largest data-channel message we send: four 16 KiB blocks with their 13-byte headers and some
 * requests (64 KiB would hold only three). Every engine takes it (Chromium's maxMessageSize is
 * 256 KiB, Firefox's 1 GiB).
 */
export const MESSAGE_BYTES = 65 * 1024;

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
  private handshakeSent = false;
  /** The wire is a byte stream: the writes of one turn go out joined, in messages of up to MESSAGE_BYTES. */
  private readonly writer = new ChannelWriter({ joinUpTo: MESSAGE_BYTES, onFail: (err) => this.close(`send failed: ${err.message}`) });

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
    this.writer.write(encodeHandshake({ infoHash: this.local.infoHash, peerId: this.local.peerId, dht: false }));
  }

  send(msg: WireMessage): void {
    if (this.closed) return;
    const bytes = encodeMessage(msg);
    if (msg.type === 'piece') this.up.add(msg.block.length, Date.now());
    this.writer.write(bytes);
  }

  /** Bytes waiting here and in the channel. */
  buffered(): number {
    return this.writer.buffered();
  }

  /** Resolves once fewer than `bytes` are buffered here and in the channel, or the connection is closed. */
  whenBelow(bytes: number): Promise<void> {
    return this.writer.whenBelow(bytes);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.writer.close(new Error(`connection closed: ${reason}`));
    try {
      this.peer.destroy();
    } catch {
      // already gone
    }
    this.emit('close', { reason });
  }

  private onConnect(): void {
    this.writer.attach(peerSink(this.peer));
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
