/**
 * The blocks one peer has asked us for, in the order asked (BEP 3 request, cancel; a choke
 * drops them all), and which pieces to read from storage ahead of their turn. Pure.
 */
import type { BlockRequest } from '../core/requests';

/** Requests queued per peer; past this a peer is asking far beyond its reqq, and more are ignored. */
export const MAX_QUEUED_UPLOADS = 500;

export class UploadQueue {
  private items: BlockRequest[] = [];

  get length(): number {
    return this.items.length;
  }

  /** Queue a request; false (ignored) when the queue is full. */
  push(r: BlockRequest): boolean {
    if (this.items.length >= MAX_QUEUED_UPLOADS) return false;
    this.items.push(r);
    return true;
  }

  /** The request to send next. */
  first(): BlockRequest | undefined {
    return this.items[0];
  }

  /** Drop the first request (it is being sent). */
  shift(): void {
    this.items.shift();
  }

  /** Drop every request for exactly this block. */
  cancel(r: BlockRequest): void {
    this.items = this.items.filter((q) => !(q.index === r.index && q.begin === r.begin && q.length === r.length));
  }

  clear(): void {
    this.items = [];
  }

  /** The next pieces asked for (not `current`, not in `skip`), in order, at most `max`: the ones worth reading from storage ahead of their turn. */
  readAhead(current: number, skip: { has(index: number): boolean }, max: number): Set<number> {
    const next = new Set<number>();
    for (const u of this.items) {
      if (next.size >= max) break;
      if (u.index !== current && !skip.has(u.index)) next.add(u.index);
    }
    return next;
  }
}
