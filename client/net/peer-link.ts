/**
 * A link to one peer over a WebRTC data channel (simple-peer): framed messages with a channel
 * tag, fragmentation of large messages, and backpressure with our own high and low water marks
 * on the data channel's bufferedAmount.
 */
import type SimplePeer from 'simple-peer';
import { encodeFrames, Reassembler } from '../../protocol/frame';
import { Emitter } from '../core/emitter';
import { peerSink } from './channel';
import { ChannelWriter } from './channel-writer';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface LinkEvents extends Record<string, unknown> {
  open: void;
  data: { channel: string; bytes: Uint8Array };
  close: { reason: string };
  error: Error;
  /** A frame that failed to parse: counted and dropped. */
  'bad-frame': Error;
}

export class PeerLink extends Emitter<LinkEvents> {
  state: LinkState = 'connecting';
  readonly openedAt = Date.now();
  lastActivity = Date.now();
  bytesIn = 0;
  msgsIn = 0;
  msgsOut = 0;
  badFrames = 0;
  private readonly reassembler = new Reassembler();
  /** Every frame is one data-channel message (the receiver's Reassembler reads them one by one). */
  private readonly writer = new ChannelWriter({ onFail: (err) => this.close(`send failed: ${err.message}`) });

  constructor(
    readonly remoteId: string,
    readonly nonce: string,
    readonly initiator: boolean,
    readonly peer: SimplePeer.Instance,
  ) {
    super();
    peer.on('connect', () => this.onConnect());
    peer.on('data', (chunk: Uint8Array) => this.onData(chunk));
    peer.on('close', () => this.close('closed by the remote peer'));
    peer.on('error', (err: Error & { code?: string }) => {
      this.emit('error', err);
      this.close(err.code ? `${err.code}: ${err.message}` : err.message);
    });
  }

  /** Queue one message; resolves once all its frames are handed to the data channel. */
  send(channel: string, bytes: Uint8Array): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new Error(`link to ${this.remoteId} is closed`));
    const frames = encodeFrames(channel, bytes);
    return new Promise<void>((resolve, reject) => {
      const last = frames.length - 1;
      frames.forEach((frame, i) => {
        this.writer.write(
          frame,
          i === last
            ? (err) => {
                if (err) return reject(err);
                this.msgsOut++;
                this.lastActivity = Date.now();
                resolve();
              }
            : undefined,
        );
      });
    });
  }

  /** Bytes handed to the data channel. */
  get bytesOut(): number {
    return this.writer.bytesSent;
  }

  /** Bytes queued here and in the data channel's own buffer. */
  buffered(): number {
    return this.writer.buffered();
  }

  close(reason = 'closed'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.writer.close(new Error(`link to ${this.remoteId} closed: ${reason}`));
    try {
      this.peer.destroy();
    } catch {
      // already destroyed
    }
    this.emit('close', { reason });
  }

  private onConnect(): void {
    this.state = 'open';
    this.writer.attach(peerSink(this.peer));
    this.lastActivity = Date.now();
    this.emit('open', undefined);
  }

  private onData(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    this.lastActivity = Date.now();
    let msg: { tag: string; payload: Uint8Array } | null;
    try {
      msg = this.reassembler.push(chunk);
    } catch (err) {
      this.badFrames++;
      this.emit('bad-frame', err as Error);
      return;
    }
    if (!msg) return;
    this.msgsIn++;
    this.emit('data', { channel: msg.tag, bytes: msg.payload });
  }
}
