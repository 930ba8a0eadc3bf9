/**
 * A link to one peer over a WebRTC data channel (simple-peer): framed messages with a channel
 * tag, fragmentation of large messages, and backpressure with our own high and low water marks
 * on the data channel's bufferedAmount.
 */
import type SimplePeer from 'simple-peer';
import { encodeFrames, Reassembler } from '../../protocol/frame';
import { Emitter } from '../core/emitter';
import { drainingChannel, HIGH_WATER } from './channel';


export type LinkState = 'connecting' | 'open' | 'closed';

export interface LinkEvents extends Record<string, unknown> {
  open: void;
  data: { channel: string; bytes: Uint8Array };
  close: { reason: string };
  error: Error;
  /** A frame that failed to parse: counted and dropped. */
  'bad-frame': Error;
}

interface Pending {
  frames: Uint8Array[];
  next: number;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class PeerLink extends Emitter<LinkEvents> {
  state: LinkState = 'connecting';
  readonly openedAt = Date.now();
  lastActivity = Date.now();
  bytesIn = 0;
  bytesOut = 0;
  msgsIn = 0;
  msgsOut = 0;
  badFrames = 0;
  private readonly queue: Pending[] = [];
  private readonly reassembler = new Reassembler();
  private channel: RTCDataChannel | null = null;
  private waitingForDrain = false;

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
      this.queue.push({ frames, next: 0, bytes: bytes.length, resolve, reject });
      this.pump();
    });
  }

  /** Bytes queued here and in the data channel's own buffer. */
  buffered(): number {
    let n = this.channel?.bufferedAmount ?? 0;
    for (const p of this.queue) for (let i = p.next; i < p.frames.length; i++) n += (p.frames[i] as Uint8Array).length;
    return n;
  }

  close(reason = 'closed'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const p of this.queue.splice(0)) p.reject(new Error(`link to ${this.remoteId} closed: ${reason}`));
    try {
      this.peer.destroy();
    } catch {
      // already destroyed
    }
    this.emit('close', { reason });
  }

  private onConnect(): void {
    this.channel = drainingChannel(this.peer, () => {
      if (this.waitingForDrain) {
        this.waitingForDrain = false;
        this.pump();
      }
    });
    this.state = 'open';
    this.lastActivity = Date.now();
    this.emit('open', undefined);
    this.pump();
  }

  private pump(): void {
    const ch = this.channel;
    if (this.state !== 'open' || !ch || this.waitingForDrain) return;
    while (this.queue.length > 0) {
      if (ch.bufferedAmount >= HIGH_WATER) {
        this.waitingForDrain = true;
        return;
      }
      const p = this.queue[0] as Pending;
      const frame = p.frames[p.next++] as Uint8Array;
      try {
        this.peer.send(frame);
      } catch (err) {
        this.close(`send failed: ${(err as Error).message}`);
        return;
      }
      this.bytesOut += frame.length;
      if (p.next === p.frames.length) {
        this.queue.shift();
        this.msgsOut++;
        this.lastActivity = Date.now();
        p.resolve();
      }
    }
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
