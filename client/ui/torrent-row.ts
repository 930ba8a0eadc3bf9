/**
 * One row of the torrent list, keyed by its info hash: its cells, its Details and Remove buttons,
 * its Save link once the torrent is done (a single-file one; a multi-file torrent's files are
 * saved from its file list, in a row under it), and its event subscriptions. `update()` puts
 * what rowView() says in the cells.
 */
import type { TorrentHandle } from '../api';
import { describeError, displayName, el, isolatedName, setFill } from './dom';
import { FileList } from './file-list';
import { rowView } from './torrent-row-view';

export interface RowHooks {
  showError(message: string): void;
  log(text: string): void;
  /** Details or name clicked: select this row (or unselect it: `toggle`). */
  select(infoHash: string, toggle: boolean): void;
  /** Remove clicked (after the handle was removed). */
  removed(): void;
  /** Something changed (a progress event, done): refresh soon. */
  changed(): void;
  /** Whether the list still holds this row. */
  current(row: TorrentRow): boolean;
}

/** How long a Blob prepared for Save is kept. */
const BLOB_KEEP_MS = 60_000;

export class TorrentRow {
  readonly infoHash: string;
  readonly tr: HTMLTableRowElement;
  private readonly nameEl: HTMLElement;
  private readonly status: HTMLElement;
  private readonly notes: HTMLElement;
  private readonly size: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly pct: HTMLElement;
  private readonly down: HTMLElement;
  private readonly up: HTMLElement;
  private readonly eta: HTMLElement;
  private readonly peers: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly detailsButton: HTMLButtonElement;
  private save: HTMLAnchorElement | null = null;
  private saveUrl: string | null = null;
  private revokeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly offs: (() => void)[] = [];
  private done = false;
  /** A multi-file torrent's files, in a row under its own (once the metadata is here). */
  private files: FileList | null = null;

  constructor(
    readonly handle: TorrentHandle,
    private readonly hooks: RowHooks,
  ) {
    this.infoHash = handle.infoHash;
    this.nameEl = el('bdi', { class: 'name' });
    this.status = el('span', { class: 'pill' });
    this.notes = el('span', { class: 'notes' });
    this.fill = el('div', { class: 'fill' });
    this.bar = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' }, this.fill);
    this.pct = el('span', { class: 'pct' });
    this.detailsButton = el('button', { class: 'small details-toggle', 'aria-pressed': 'false' }, 'Details');
    const remove = el('button', { class: 'small danger remove', title: 'Stop this torrent in this tab' }, 'Remove');
    this.actions = el('div', { class: 'actions-inner' }, this.detailsButton, remove);
    this.down = el('span', { class: 'rate down', title: 'download rate' });
    this.up = el('span', { class: 'rate up' });
    this.size = el('td', { class: 'num', 'data-label': 'Size' });
    this.eta = el('td', { class: 'num', 'data-label': 'ETA' });
    this.peers = el('td', { class: 'num', 'data-label': 'Peers' });
    this.tr = el(
      'tr',
      { 'data-infohash': handle.infoHash, class: 'torrent' },
      el('td', { class: 'name-cell', 'data-label': 'Name' }, this.nameEl, el('div', { class: 'sub' }, this.status, this.notes)),
      this.size,
      el('td', { class: 'progress-cell', 'data-label': 'Progress' }, this.bar, this.pct),
      el('td', { class: 'num rates', 'data-label': 'Speed ↓ / ↑' }, el('div', {}, this.down, this.up)),
      this.eta,
      this.peers,
      el('td', { class: 'actions' }, this.actions),
    );
    this.detailsButton.addEventListener('click', () => hooks.select(this.infoHash, true));
    this.nameEl.addEventListener('click', () => hooks.select(this.infoHash, false));
    remove.addEventListener('click', () => {
      const label = this.label();
      this.handle.remove();
      hooks.log(`removed torrent ${label}`);
      hooks.removed();
    });
    this.offs.push(
      handle.on('progress', () => hooks.changed()),
      handle.on('warning', ({ message }) => hooks.log(`${this.label()}: ${message}`)),
      handle.on('error', ({ message }) => {
        hooks.log(`${this.label()}: error: ${message}`);
        hooks.showError(`${this.label()}: ${message}`);
      }),
    );
    void handle.done.then(() => {
      if (hooks.current(this)) {
        hooks.log(`${this.label()} is complete`);
        hooks.changed();
      }
    });
  }

  private label(): string {
    return isolatedName(this.handle.name());
  }

  /** Shown as selected (its details open below the list) or not. */
  setSelected(on: boolean): void {
    this.tr.classList.toggle('selected', on);
    this.detailsButton.textContent = on ? 'Hide' : 'Details';
    this.detailsButton.setAttribute('aria-pressed', String(on));
  }

  /** Refresh the cells; returns the torrent's rates for the card's totals. */
  update(): { down: number; up: number } {
    const h = this.handle;
    const p = h.progress();
    const v = rowView(p, h.peers().length);
    this.nameEl.textContent = displayName(h.name());
    this.nameEl.title = `${displayName(h.name())}\ninfo hash ${h.infoHash}`;
    if (p.multiFile && !this.files) {
      this.files = new FileList(h, this.hooks.showError);
      this.tr.after(this.files.element);
    }
    this.files?.update();
    this.status.textContent = v.status;
    this.status.className = `pill ${v.statusKind}`;
    this.notes.textContent = v.notes;
    this.notes.className = v.notes ? 'notes warn-text' : 'notes';
    this.size.textContent = v.size;
    this.size.title = v.sizeTitle;
    setFill(this.fill, v.percent);
    this.fill.className = p.done ? 'fill done' : 'fill';
    this.bar.setAttribute('aria-valuenow', String(v.percent));
    this.pct.textContent = `${v.percent}%`;
    this.pct.title = v.pctTitle;
    this.down.textContent = v.down;
    this.up.textContent = v.up;
    this.up.title = v.upTitle;
    this.eta.textContent = v.eta;
    this.eta.title = v.etaTitle;
    this.peers.textContent = v.peers;

    if (p.done && !this.done) {
      this.done = true;
      // A multi-file torrent is saved file by file, from its file list.
      if (!p.multiFile) this.addSave();
    }
    this.setSaveTarget();
    return { down: p.downRate, up: p.upRate };
  }

  /** The torrent left the list: unsubscribe, drop the Blob, take the rows out of the page. */
  dispose(): void {
    for (const off of this.offs) off();
    this.revokeSave();
    this.tr.remove();
    this.files?.element.remove();
  }

  /**
   * The Save link: the service worker's streamed file (`saveUrl()`: nothing is assembled in
   * memory) when it controls the page; otherwise (an insecure origin, no service worker yet) a
   * Blob of the pieces, made on the first click and dropped a minute later.
   */
  private addSave(): void {
    const a = el('a', { class: 'button save-link', title: 'Save the file to disk' }, 'Save');
    this.save = a;
    this.setSaveTarget();
    let preparing = false;
    a.addEventListener('click', (e) => {
      if (this.setSaveTarget()) return; // the service worker streams it from storage
      if (this.saveUrl) return; // the object URL is ready: let the browser download it
      e.preventDefault();
      if (preparing) return;
      preparing = true;
      a.textContent = 'Preparing…';
      this.handle
        .blob()
        .then((blob) => {
          this.saveUrl = URL.createObjectURL(blob);
          a.href = this.saveUrl;
          a.textContent = 'Save';
          a.click();
          // Keep the Blob only for a while; a later click prepares it again.
          clearTimeout(this.revokeTimer);
          this.revokeTimer = setTimeout(() => this.revokeSave(), BLOB_KEEP_MS);
        })
        .catch((err: unknown) => {
          a.textContent = 'Save';
          this.hooks.showError(`Could not save ${this.label()}: ${describeError(err)}`);
        })
        .finally(() => {
          preparing = false;
        });
    });
    this.actions.prepend(a);
  }

  /**
   * Point the Save link at the service worker's URL when it controls the page (true), else at
   * the Blob prepared by a click. A link to the service worker's URL has no `download`
   * attribute: the browser sends such downloads around the service worker; its
   * Content-Disposition names the file instead.
   */
  private setSaveTarget(): boolean {
    const a = this.save;
    if (!a) return false;
    if (navigator.serviceWorker?.controller) {
      a.href = this.handle.saveUrl();
      a.removeAttribute('download');
      return true;
    }
    a.download = displayName(this.handle.name()) || 'download.bin';
    if (!this.saveUrl) a.removeAttribute('href');
    return false;
  }

  private revokeSave(): void {
    clearTimeout(this.revokeTimer);
    if (this.saveUrl) URL.revokeObjectURL(this.saveUrl);
    this.saveUrl = null;
    this.save?.removeAttribute('href');
  }
}
