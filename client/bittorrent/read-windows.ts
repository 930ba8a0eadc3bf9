/**
 * What is being read of a torrent right now: one window of pieces per reader (a media element
 * playing through the service worker, a preview), from the piece under its read position to a
 * few seconds' worth ahead. A reader refreshes its window as it reads; one not refreshed for
 * WINDOW_TTL_MS has stopped (a paused or closed player) and is forgotten. The urgent list, the
 * request book's first picks, takes the windows' pieces nearest their read positions first
 * (the first piece of every window, then the second of each, …). Pure: `now` is an input.
 */
import type { Bitfield } from '../../protocol/bitfield';

export const WINDOW_TTL_MS = 10_000;
/** At most this many readers per torrent are followed (the newest replace the oldest). */
export const MAX_READERS = 16;

interface Window {
  first: number;
  last: number;
  at: number;
}

export class ReadWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly pieceCount: number) {}

  /** Reader `reader` reads pieces [first, last] (clamped to the torrent); false when nothing changed but the time. */
  set(reader: string, first: number, last: number, now: number): boolean {
    const f = Math.max(0, Math.min(this.pieceCount - 1, Math.floor(first)));
    const l = Math.max(f, Math.min(this.pieceCount - 1, Math.floor(last)));
    const old = this.windows.get(reader);
    this.windows.delete(reader); // re-inserted last: the newest
    this.windows.set(reader, { first: f, last: l, at: now });
    while (this.windows.size > MAX_READERS) this.windows.delete(this.windows.keys().next().value as string);
    return !old || old.first !== f || old.last !== l;
  }

  /** Forget windows not refreshed since `now - WINDOW_TTL_MS`; whether any went. */
  expire(now: number): boolean {
    let gone = false;
    for (const [reader, w] of this.windows) {
      if (now - w.at > WINDOW_TTL_MS) {
        this.windows.delete(reader);
        gone = true;
      }
    }
    return gone;
  }

  get size(): number {
    return this.windows.size;
  }

  /** The windows' pieces not in `have`, nearest a read position first, each once. */
  urgent(have: Bitfield): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    const windows = [...this.windows.values()];
    const longest = windows.reduce((m, w) => Math.max(m, w.last - w.first + 1), 0);
    for (let d = 0; d < longest; d++) {
      for (const w of windows) {
        const i = w.first + d;
        if (i > w.last || seen.has(i) || (i < have.length && have.get(i))) continue;
        seen.add(i);
        out.push(i);
      }
    }
    return out;
  }
}
