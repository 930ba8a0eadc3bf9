/**
 * What the torrent cards show, in one place: this tab's torrents (one handle each, kept by info
 * hash while p2p.torrents() makes new ones), the selected one, and a version that changes when
 * they should redraw: every tick of the page clock (a full refresh: the list synced with
 * p2p.torrents(), the peers tables read again) and, between ticks, on progress events, taken
 * together for COALESCE_MS. The torrents' warnings, errors and completions go to the page's
 * event log here, once per torrent. No DOM: the components (torrent-list.tsx) read it.
 */
import type { P2P, TorrentHandle } from '../api';
import type { Clock } from './clock';
import { isolatedName } from './dom';
import { Versioned } from './versioned';

export interface TorrentStoreHooks {
  showError(message: string): void;
  log(text: string): void;
}

/** Progress events come per piece: a redraw waits this long to take several. */
const COALESCE_MS = 200;

type P2PTorrents = Pick<P2P, 'torrents' | 'stats'>;

export class TorrentStore extends Versioned {
  /** The torrents in the API's order (new ones appended). */
  readonly handles = new Map<string, TorrentHandle>();
  selected: string | null = null;
  /** The file shown in the selected torrent's player (its index), if any. */
  playing: number | null = null;
  /** Changes on full refreshes only (the clock's ticks, a torrent started or removed here). */
  fullVersion = 0;
  private readonly offs = new Map<string, () => void>();
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly p2p: P2PTorrents,
    private readonly hooks: TorrentStoreHooks,
    clock: Clock,
  ) {
    super();
    clock.subscribe(() => this.refresh(true));
  }

  /** Redraw now; when `full`, first sync the torrents with p2p.torrents(). */
  refresh(full = false): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    if (full) {
      this.sync();
      this.fullVersion++;
    }
    this.changed(); // the version changes on every redraw
  }

  /** Select a torrent (its details open), or none. */
  select(infoHash: string | null): void {
    if (infoHash !== this.selected) this.playing = null;
    this.selected = infoHash;
    this.refresh(false);
  }

  /** Play or preview file `index` of a torrent (its details open with the player), or stop (null). */
  play(infoHash: string, index: number | null): void {
    this.select(infoHash);
    this.playing = index;
    this.refresh(false);
  }

  /** Details clicked: select it, or unselect it if it was. */
  toggle(infoHash: string): void {
    this.select(this.selected === infoHash ? null : infoHash);
  }

  /** The super-seeding toggle of a complete torrent. */
  superSeed(infoHash: string, on: boolean): void {
    const h = this.handles.get(infoHash);
    if (!h) return;
    const now = h.superSeed(on);
    this.hooks.log(`${isolatedName(h.name())}: super-seeding ${now ? 'on' : 'off'}`);
    this.refresh(false);
  }

  /** Remove clicked: the torrent stops in this tab. */
  remove(infoHash: string): void {
    const h = this.handles.get(infoHash);
    if (!h) return;
    h.remove();
    this.hooks.log(`removed torrent ${isolatedName(h.name())}`);
    this.refresh(true);
  }

  showError(message: string): void {
    this.hooks.showError(message);
  }

  private sync(): void {
    const seen = new Set<string>();
    for (const h of this.p2p.torrents()) {
      seen.add(h.infoHash);
      if (!this.handles.has(h.infoHash)) this.adopt(h);
    }
    for (const hash of [...this.handles.keys()]) {
      if (seen.has(hash)) continue;
      this.offs.get(hash)?.();
      this.offs.delete(hash);
      this.handles.delete(hash);
      if (this.selected === hash) this.selected = null;
    }
  }

  private adopt(h: TorrentHandle): void {
    this.handles.set(h.infoHash, h);
    const label = () => isolatedName(h.name());
    const offs = [
      h.on('progress', () => this.schedule()),
      h.on('warning', ({ message }) => this.hooks.log(`${label()}: ${message}`)),
      h.on('error', ({ message }) => {
        this.hooks.log(`${label()}: error: ${message}`);
        this.hooks.showError(`${label()}: ${message}`);
      }),
    ];
    this.offs.set(h.infoHash, () => offs.forEach((off) => off()));
    void h.done.then(() => {
      if (this.handles.get(h.infoHash) !== h) return;
      this.hooks.log(`${label()} is complete`);
      this.schedule();
    });
  }

  private schedule(): void {
    this.pending ??= setTimeout(() => this.refresh(false), COALESCE_MS);
  }
}
