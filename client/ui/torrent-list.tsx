/**
 * The torrent list card and the details card of the selected torrent: this tab's torrents, one
 * keyed row each (torrent-row.tsx), their summed rates and the tab's torrent connections. Both
 * cards read one store (torrent-store.ts), redrawn by the page clock and by progress events.
 */
import { render } from 'preact';
import type { P2P } from '../api';
import type { Clock } from './clock';
import { Table } from './table';
import { connectionSummary } from './connection-summary';
import { useVersion } from './hooks';
import { TorrentDetails } from './torrent-details';
import { TorrentRow } from './torrent-row';
import { totalsText } from './torrent-row-view';
import { TorrentStore, type TorrentStoreHooks } from './torrent-store';

export type TorrentListHooks = TorrentStoreHooks;

function TorrentsCard({ store }: { store: TorrentStore }) {
  useVersion(store);
  const handles = [...store.handles.values()];
  let down = 0;
  let up = 0;
  for (const h of handles) {
    const p = h.progress();
    down += p.downRate;
    up += p.upRate;
  }
  return (
    <section class="card wide" id="torrents-card">
      <div class="card-head">
        <h2>
          Torrents{' '}
          <span class="count" id="torrent-count">
            {String(handles.length)}
          </span>
        </h2>
        <span class="muted totals" id="torrent-totals">
          {totalsText(handles.length, down, up)}
        </span>
      </div>
      <Table
        class="links torrents"
        id="torrents"
        heads={['Name', 'Size', 'Progress', 'Speed ↓ / ↑', 'ETA', 'Peers', '']}
        bodyId="torrent-rows"
        rows={handles.map((h) => <TorrentRow key={h.infoHash} handle={h} store={store} selected={store.selected === h.infoHash} />)}
        empty="No torrents yet. Share a file, or paste a magnet link to download one."
        emptyRowClass="empty-row"
      />
      <p class="muted" id="torrent-connections" data-testid="torrent-connections">
        {connectionSummary(store.p2p.stats().torrentConnections)}
      </p>
    </section>
  );
}

function DetailsCard({ store }: { store: TorrentStore }) {
  useVersion(store);
  return <TorrentDetails store={store} />;
}

/** The two cards, each in a host of its own (the page places them), over one store. */
export class TorrentList {
  readonly element: HTMLElement;
  readonly details: { element: HTMLElement };
  private readonly store: TorrentStore;

  constructor(p2p: Pick<P2P, 'torrents' | 'stats'>, hooks: TorrentListHooks, clock: Clock) {
    this.store = new TorrentStore(p2p, hooks, clock);
    this.element = host();
    this.details = { element: host() };
    render(<TorrentsCard store={this.store} />, this.element);
    render(<DetailsCard store={this.store} />, this.details.element);
  }

  /** Redraw; when `full`, sync the rows with p2p.torrents() first. */
  refresh(full = false): void {
    this.store.refresh(full);
  }

  /** After the UI started a torrent: show it, and its details if nothing else is selected. */
  focus(infoHash: string): void {
    this.store.refresh(true);
    if (!this.store.selected && this.store.handles.has(infoHash)) this.store.select(infoHash);
    requestAnimationFrame(() => this.element.querySelector(`tr[data-infohash="${infoHash}"]`)?.scrollIntoView({ block: 'nearest' }));
  }
}

function host(): HTMLElement {
  const el = document.createElement('div');
  el.className = 'island';
  return el;
}
