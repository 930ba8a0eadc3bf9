/**
 * The event queue of a discrete-event simulation: actions due at a virtual time (ms), taken
 * earliest first, and in the order they were scheduled among equal times (so messages sent
 * over one link at one instant arrive in order). A binary heap: O(log n) per event.
 */

interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  /** The virtual clock: the time of the event being run (ms). */
  now: number;
  private heap: Entry[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.now = start;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Run `run` at `at` (never before the present). */
  at(at: number, run: () => void): void {
    const e: Entry = { at: Math.max(at, this.now), seq: this.seq++, run };
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const up = (i - 1) >> 1;
      const parent = h[up] as Entry;
      if (!before(e, parent)) break;
      h[i] = parent;
      i = up;
    }
    h[i] = e;
  }

  /** Run `run` `delay` ms from now. */
  after(delay: number, run: () => void): void {
    this.at(this.now + delay, run);
  }

  /** Take the earliest event, move the clock to it and run it; false when there is none. */
  step(): boolean {
    const h = this.heap;
    const top = h[0];
    if (!top) return false;
    const last = h.pop() as Entry;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r] as Entry, h[l] as Entry) ? r : l;
        if (!before(h[c] as Entry, last)) break;
        h[i] = h[c] as Entry;
        i = c;
      }
      h[i] = last;
    }
    this.now = top.at;
    top.run();
    return true;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
