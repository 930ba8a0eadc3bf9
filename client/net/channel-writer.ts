/**
 * The one send queue of a data channel, with our own water marks on its buffer: writes queue
 * here and go to the channel while it holds fewer than `highWater` bytes; above that, nothing
 * more is handed to it until its buffer drains to `lowWater`. Optionally, the writes of one turn
 * of the event loop are joined into messages of up to `joinUpTo` bytes (a byte stream, where
 * message boundaries do not matter), sent at the end of the turn.
 *
 * No sockets of its own: it writes to a ChannelSink (client/net/channel.ts adapts simple-peer).
 */
import { takeJoined } from './coalesce';

/** Stop writing above this many buffered bytes… */
export const HIGH_WATER = 1024 * 1024;
/** …and resume when the buffer drains below this. */
export const LOW_WATER = 256 * 1024;

/** Where a ChannelWriter writes: an open data channel. */
export interface ChannelSink {
  /** Bytes the channel holds, not yet sent. */
  readonly bufferedAmount: number;
  /** Hand one message to the channel (throws if the channel is gone). */
  send(bytes: Uint8Array): void;
  /** Call `listener` whenever the buffer falls to `threshold` bytes or below. */
  onLow(threshold: number, listener: () => void): void;
}

export interface WriterOptions {
  highWater?: number;
  lowWater?: number;
  /** Join the writes of one turn into messages of up to this many bytes (unset: every write is sent alone, at once). */
  joinUpTo?: number;
  /** A send threw: the owner closes its connection (and this writer; else it closes itself). */
  onFail(err: Error): void;
}

/** A write's callback: called once its last byte is handed to the channel, or with the error that dropped it. */
export type WriteDone = (err?: Error) => void;

export class ChannelWriter {
  /** Bytes handed to the channel. */
  bytesSent = 0;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** Callbacks of writes, by the count of bytes written when each write ends (in order). */
  private marks: { at: number; done: WriteDone }[] = [];
  private written = 0;
  private waiters: { bytes: number; resolve: () => void }[] = [];
  private sink: ChannelSink | null = null;
  private waitingForDrain = false;
  private pumpQueued = false;
  private closed = false;
  private readonly highWater: number;
  private readonly lowWater: number;

  constructor(private readonly opts: WriterOptions) {
    this.highWater = opts.highWater ?? HIGH_WATER;
    this.lowWater = opts.lowWater ?? LOW_WATER;
  }

  /** The channel is open: start writing to it. */
  attach(sink: ChannelSink): void {
    if (this.closed || this.sink) return;
    this.sink = sink;
    sink.onLow(this.lowWater, () => {
      this.waitingForDrain = false;
      this.pump();
    });
    this.pump();
  }

  /** Queue `bytes`; `done` is told once they are handed to the channel (or dropped). */
  write(bytes: Uint8Array, done?: WriteDone): void {
    if (this.closed) {
      done?.(new Error('the channel writer is closed'));
      return;
    }
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.written += bytes.length;
    if (done) this.marks.push({ at: this.written, done });
    if (this.opts.joinUpTo === undefined) {
      this.pump();
      return;
    }
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Bytes queued here and in the channel's own buffer. */
  buffered(): number {
    return (this.sink?.bufferedAmount ?? 0) + this.queuedBytes;
  }

  /** Resolves once fewer than `bytes` are buffered here and in the channel, or the writer is closed. */
  whenBelow(bytes: number): Promise<void> {
    if (this.closed || this.buffered() < bytes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes, resolve }));
  }

  /** Drop what is queued (its callbacks get `err`) and release every whenBelow(). */
  close(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    for (const m of this.marks.splice(0)) m.done(err);
    this.wake();
  }

  private pump(): void {
    const sink = this.sink;
    while (sink && !this.closed && !this.waitingForDrain && this.queue.length > 0) {
      if (sink.bufferedAmount >= this.highWater) {
        this.waitingForDrain = true;
        break;
      }
      const bytes = this.opts.joinUpTo === undefined ? (this.queue.shift() as Uint8Array) : takeJoined(this.queue, this.opts.joinUpTo);
      try {
        sink.send(bytes);
      } catch (err) {
        // The owner closes its connection, and this writer with the error it tells its callers.
        this.opts.onFail(err as Error);
        this.close(err as Error);
        return;
      }
      this.queuedBytes -= bytes.length;
      this.bytesSent += bytes.length;
      this.sent();
    }
    this.wake();
  }

  /** Tell the writes whose last byte is now handed to the channel. */
  private sent(): void {
    const handed = this.written - this.queuedBytes;
    let n = 0;
    while (n < this.marks.length && (this.marks[n] as { at: number }).at <= handed) n++;
    if (n === 0) return;
    for (const m of this.marks.splice(0, n)) m.done();
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
}
