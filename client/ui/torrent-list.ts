/**
 * The torrent list card: this tab's torrents, one keyed row each (torrent-row.ts), kept in step
 * with p2p.torrents() once a second (the page clock) and refreshed on progress events; their
 * summed rates, the tab's torrent connections, and the details of the selected torrent.
 */
import type { P2P } from '../api';
import { el } from './dom';
import { TorrentDetails } from './torrent-details';
import { connectionSummary } from './connection-summary';
import { TorrentRow } from './torrent-row';
import { totalsText } from './torrent-row-view';
import type { Clock } from './clock';

export interface TorrentListHooks {
  showError(message: string): void;
  log(text: string): void;
}

/** Progress events come per piece: a refresh waits this long to take several. */
const COALESCE_MS = 200;
/** The details' full refresh (peers table) at most this often. */
const FULL_DETAILS_MS = 1000;

export class TorrentList {
  readonly element: HTMLElement;
  private readonly rowsBody = el('tbody', { id: 'torrent-rows' });
  private readonly emptyRow = el(
    'tr',
    { class: 'empty-row' },
    el('td', { colspan: '7', class: 'muted empty' }, 'No torrents yet. Share a file, or paste a magnet link to download one.'),
  );
  private readonly countBadge = el('span', { class: 'count', id: 'torrent-count' }, '0');
  private readonly totals = el('span', { class: 'muted totals', id: 'torrent-totals' });
  /** The tab's torrent connections and the offers its budget refused. */
  private readonly connections = el('p', { class: 'muted', id: 'torrent-connections', 'data-testid': 'torrent-connections' });
  private readonly rows = new Map<string, TorrentRow>();
  private selected: string | null = null;
  readonly details = new TorrentDetails(() => this.select(null));
  private lastFull = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly p2p: P2P,
    private readonly hooks: TorrentListHooks,
    clock: Clock,
  ) {
    this.element = el(
      'section',
      { class: 'card wide', id: 'torrents-card' },
      el('div', { class: 'card-head' }, el('h2', {}, 'Torrents ', this.countBadge), this.totals),
      el(
        'div',
        { class: 'scroll-x' },
        el(
          'table',
          { class: 'links torrents', id: 'torrents' },
          el('thead', {}, el('tr', {}, ...['Name', 'Size', 'Progress', 'Speed ↓ / ↑', 'ETA', 'Peers', ''].map((h) => el('th', {}, h)))),
          this.rowsBody,
        ),
      ),
      this.connections,
    );
    clock.subscribe(() => this.refresh(true));
  }

  private select(infoHash: string | null): void {
    this.selected = infoHash;
    for (const r of this.rows.values()) r.setSelected(r.infoHash === infoHash);
    this.details.show(infoHash ? (this.rows.get(infoHash)?.handle ?? null) : null);
  }

  /**
   * Refresh the rows; when `full` (once a second, and after the UI started or removed one), first
   * sync them with p2p.torrents() and refresh the peers table too. (Progress events only update
   * the rows of the handles we hold: each p2p.torrents() call makes new handles.)
   */
  refresh(full = false): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    if (full) this.sync();
    if (this.rows.size === 0) this.rowsBody.replaceChildren(this.emptyRow);
    else this.emptyRow.remove();
    this.countBadge.textContent = String(this.rows.size);

    let down = 0;
    let up = 0;
    for (const row of this.rows.values()) {
      const r = row.update();
      down += r.down;
      up += r.up;
    }
    this.totals.textContent = totalsText(this.rows.size, down, up);
    if (full) this.connections.textContent = connectionSummary(this.p2p.stats().torrentConnections);
    const now = Date.now();
    if (this.selected && this.rows.has(this.selected)) {
      const isFull = full || now - this.lastFull >= FULL_DETAILS_MS;
      if (isFull) this.lastFull = now;
      this.details.update(isFull);
    }
  }

  /** After the UI started a torrent: show it, and its details if nothing else is selected. */
  focus(infoHash: string): void {
    this.refresh(true);
    if (!this.selected && this.rows.has(infoHash)) this.select(infoHash);
    this.rows.get(infoHash)?.tr.scrollIntoView({ block: 'nearest' });
  }

  /** Rows for new torrents (appended in the API's order), none for the ones gone. */
  private sync(): void {
    const seen = new Set<string>();
    for (const h of this.p2p.torrents()) {
      seen.add(h.infoHash);
      if (this.rows.has(h.infoHash)) continue;
      const row = new TorrentRow(h, {
        showError: (m) => this.hooks.showError(m),
        log: (t) => this.hooks.log(t),
        select: (hash, toggle) => this.select(toggle && this.selected === hash ? null : hash),
        removed: () => this.refresh(true),
        changed: () => this.schedule(),
        current: (r) => this.rows.get(r.infoHash) === r,
      });
      this.rows.set(h.infoHash, row);
      this.rowsBody.append(row.tr);
    }
    for (const [hash, row] of this.rows) {
      if (seen.has(hash)) continue;
      row.dispose();
      this.rows.delete(hash);
      if (this.selected === hash) this.select(null);
    }
  }

  /** Refresh soon (progress events come per piece: coalesce them). */
  private schedule(): void {
    this.pending ??= setTimeout(() => this.refresh(false), COALESCE_MS);
  }
}
