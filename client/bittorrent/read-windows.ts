/**
 * What is being read of a torrent right now: one window of pieces per reader (a media element
 * playing through the service worker, a preview), from the piece under its read position to a
 * few seconds' worth ahead. A reader refreshes its window as it reads; one not refreshed for
 * WINDOW_TTL_MS has stopped (a paused or closed player) and is forgotten. The urgent list, the
 * request book's first picks, takes the windows' pieces nearest their read positions first
 * (the first piece of every window, then the second of each, …). A player (one media element's
 * reads of one file) reads at one place at a time: after a seek its new reader's window comes
 * before the one its old reader still holds. A browser does not always cancel the old request,
 * and may go on reading it ahead for its cache, so a window moving says nothing of where the
 * playhead is: of each player's readers the newest goes first, the others after every player's
 * newest (until they stop being refreshed and expire). Pure: `now` is an input.
 */
import type { Bitfield } from '../../protocol/bitfield';

export const WINDOW_TTL_MS = 10_000;
/** At most this many readers per torrent are followed (the newest replace the oldest). */
export const MAX_READERS = 16;

interface Window {
  first: number;
  last: number;
  /** Last refreshed. */
  at: number;
  /** Whose reads these are (a page and a file); readers without one are each their own player. */
  player: string | undefined;
  /** When the reader was first seen, as a count of the readers seen before it. */
  born: number;
}

export class ReadWindows {
  private readonly windows = new Map<string, Window>();
  private readers = 0;

  constructor(private readonly pieceCount: number) {}

  /**
   * Reader `reader` of `player` reads pieces [first, last] (clamped to the torrent); false when
   * nothing changed but the time.
   */
  set(reader: string, first: number, last: number, now: number, player?: string): boolean {
    const f = Math.max(0, Math.min(this.pieceCount - 1, Math.floor(first)));
    const l = Math.max(f, Math.min(this.pieceCount - 1, Math.floor(last)));
    const old = this.windows.get(reader);
    const changed = !old || old.first !== f || old.last !== l;
    this.windows.delete(reader); // re-inserted last: the newest
    this.windows.set(reader, { first: f, last: l, at: now, player, born: old ? old.born : ++this.readers });
    while (this.windows.size > MAX_READERS) this.windows.delete(this.windows.keys().next().value as string);
    return changed;
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

  /**
   * The windows' pieces not in `have`, each once: those of every player's current window (its
   * newest reader's) nearest a read position first, then the same of the others.
   */
  urgent(have: Bitfield): number[] {
    const current = new Map<string, Window>();
    for (const w of this.windows.values()) {
      if (w.player === undefined) continue;
      const c = current.get(w.player);
      if (!c || w.born > c.born) current.set(w.player, w);
    }
    const all = [...this.windows.values()];
    const first = all.filter((w) => w.player === undefined || current.get(w.player) === w);
    const out: number[] = [];
    const seen = new Set<number>();
    for (const group of [first, all.filter((w) => !first.includes(w))]) {
      const longest = group.reduce((m, w) => Math.max(m, w.last - w.first + 1), 0);
      for (let d = 0; d < longest; d++) {
        for (const w of group) {
          const i = w.first + d;
          if (i > w.last || seen.has(i) || (i < have.length && have.get(i))) continue;
          seen.add(i);
          out.push(i);
        }
      }
    }
    return out;
  }
}
