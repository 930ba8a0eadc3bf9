/**
 * The service worker's side of playing a file while it downloads: it has no torrent engine,
 * so it asks the browser's tabs (client/bittorrent/content-channel.ts). `want` tells them a
 * reader reads these pieces now (a tab running the torrent fetches them first and says so);
 * `stored` waits until a tab says a piece is stored, looking at the have record now and then
 * as well (a word may be missed: a tab that stored it before the wait began, or closed).
 */
import type { ContentMessage } from '../bittorrent/content-channel';

/** How long a tab has to say it is fetching what a reader wants. */
export const ANSWER_MS = 2_000;
/** How often a wait for a piece looks at the have record itself. */
export const POLL_MS = 1_000;

/** Where a streamed response gets the pieces it lacks (what file-response.ts needs). */
export interface PieceSource {
  /** Reader `reader` (of `player`: a page's reads of one file) reads pieces [first, last] now: whether a tab is fetching them. */
  want(infoHash: string, reader: string, first: number, last: number, player?: string): Promise<boolean>;
  /** Whether piece `index` is stored within `timeoutMs`. */
  stored(infoHash: string, index: number, timeoutMs: number): Promise<boolean>;
}

export class TabPieces implements PieceSource {
  private readonly answers = new Map<string, Set<() => void>>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly post: (m: ContentMessage) => void,
    /** Whether the have record says piece `index` is stored. */
    private readonly storedNow: (infoHash: string, index: number) => Promise<boolean>,
    private readonly timing = { answerMs: ANSWER_MS, pollMs: POLL_MS },
  ) {}

  /** A message of the content channel. */
  onMessage(m: ContentMessage): void {
    if (m.type === 'wanting') this.wake(this.answers, `${m.infoHash}:${m.reader}`);
    else if (m.type === 'stored') this.wake(this.waiters, `${m.infoHash}:${m.index}`);
  }

  want(infoHash: string, reader: string, first: number, last: number, player?: string): Promise<boolean> {
    const answered = this.until(this.answers, `${infoHash}:${reader}`, this.timing.answerMs);
    this.post(player === undefined ? { type: 'want', infoHash, reader, first, last } : { type: 'want', infoHash, reader, first, last, player });
    return answered;
  }

  async stored(infoHash: string, index: number, timeoutMs: number): Promise<boolean> {
    const key = `${infoHash}:${index}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.storedNow(infoHash, index).catch(() => false)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (await this.until(this.waiters, key, Math.min(this.timing.pollMs, left))) return true;
    }
  }

  /** True when `key` is woken within `ms`, false after. */
  private until(table: Map<string, Set<() => void>>, key: string, ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let set = table.get(key);
      if (!set) table.set(key, (set = new Set()));
      const done = (ok: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && table.get(key) === set) table.delete(key);
        resolve(ok);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      set.add(wake);
    });
  }

  private wake(table: Map<string, Set<() => void>>, key: string): void {
    for (const w of [...(table.get(key) ?? [])]) w();
  }
}
