/**
 * The files of a multi-file torrent, under its row in the torrent list: per file its path,
 * size, progress, a checkbox to fetch it or not (while the torrent is incomplete), and a Save
 * link once it is here (the service worker's streamed /files/ URL; without one, a Blob made on
 * the click). Uses only the torrent handle of window.p2p.
 */
import type { TorrentFileView, TorrentHandle } from '../api';
import { describeError, displayName, el, formatBytes, isolatedName } from './dom';

/** Files listed at most (a torrent may hold 100,000: the rest are counted, not drawn). */
const MAX_SHOWN = 500;

interface Item {
  li: HTMLLIElement;
  check: HTMLInputElement;
  pct: HTMLElement;
  bar: HTMLProgressElement;
  save: HTMLAnchorElement;
}

export class FileList {
  /** A table row spanning the torrent list's columns. */
  readonly element: HTMLTableRowElement;
  private readonly list = el('ul', { class: 'file-list' });
  private readonly more = el('p', { class: 'muted file-more', hidden: '' });
  private readonly summary = el('p', { class: 'muted file-summary' });
  private readonly items = new Map<number, Item>();

  constructor(
    private readonly handle: TorrentHandle,
    private readonly showError: (message: string) => void,
  ) {
    this.element = el(
      'tr',
      { class: 'files-row', 'data-files-of': handle.infoHash },
      el('td', { colspan: '7' }, this.summary, this.list, this.more),
    );
  }

  update(): void {
    const files = this.handle.files();
    const p = this.handle.progress();
    const chosen = files.filter((f) => f.selected);
    this.summary.textContent = p.complete
      ? `${files.length} files, all here`
      : `${chosen.length} of ${files.length} files selected (${formatBytes(p.selectedLength)}) · untick a file to leave it out`;
    for (const f of files.slice(0, MAX_SHOWN)) this.updateItem(f, p.complete);
    this.more.hidden = files.length <= MAX_SHOWN;
    this.more.textContent = `…and ${files.length - MAX_SHOWN} more files (see p2p.torrents()[i].files()).`;
  }

  private updateItem(f: TorrentFileView, complete: boolean): void {
    let item = this.items.get(f.index);
    if (!item) {
      item = this.makeItem(f);
      this.items.set(f.index, item);
      this.list.append(item.li);
    }
    const here = f.progress >= 1;
    const percent = here ? 100 : Math.min(99.9, Math.floor(f.progress * 1000) / 10);
    item.check.checked = f.selected;
    item.check.disabled = complete;
    item.li.classList.toggle('unselected', !f.selected);
    item.li.dataset.state = here ? 'here' : f.selected ? 'fetching' : 'skipped';
    item.bar.value = f.progress;
    item.pct.textContent = here ? 'here' : f.selected ? `${percent}%` : `skipped · ${percent}%`;
    item.save.hidden = !here;
    if (here && navigator.serviceWorker?.controller) item.save.href = this.handle.saveUrl(f.path);
  }

  private makeItem(f: TorrentFileView): Item {
    const check = el('input', { type: 'checkbox', class: 'file-select', 'aria-label': `fetch ${displayName(f.path)}` });
    const bar = el('progress', { class: 'file-bar', max: '1' });
    const pct = el('span', { class: 'file-pct' });
    const save = el('a', { class: 'button small file-save', title: `Save ${displayName(f.path)} to disk`, hidden: '' }, 'Save');
    const li = el(
      'li',
      { class: 'file', 'data-path': f.path, 'data-index': String(f.index) },
      el('label', { class: 'file-name' }, check, el('bdi', { class: 'file-path', title: displayName(f.path) }, displayName(f.path))),
      el('span', { class: 'file-size' }, formatBytes(f.length)),
      el('span', { class: 'file-progress' }, bar, pct),
      save,
    );
    check.addEventListener('change', () => this.applySelection());
    save.addEventListener('click', (e) => {
      if (navigator.serviceWorker?.controller) return; // the service worker streams it from storage
      e.preventDefault();
      this.handle
        .blob(f.path)
        .then((blob) => {
          const url = URL.createObjectURL(blob);
          const a = el('a', { href: url, download: displayName(f.path.split('/').pop() ?? 'file') });
          a.click();
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        })
        .catch((err: unknown) => this.showError(`Could not save ${isolatedName(f.path)}: ${describeError(err)}`));
    });
    return { li, check, pct, bar, save };
  }

  private applySelection(): void {
    const picked = [...this.items.entries()].filter(([, it]) => it.check.checked).map(([index]) => index);
    // Files beyond those drawn keep their state.
    for (const f of this.handle.files().slice(MAX_SHOWN)) if (f.selected) picked.push(f.index);
    try {
      this.handle.select(picked);
    } catch (err) {
      this.showError(describeError(err));
    }
    this.update();
  }
}
