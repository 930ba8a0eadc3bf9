/**
 * The storage card: how much of the browser's quota this page uses, persistent storage (asked
 * for, and the browser's answer), and every torrent the browser holds with its size and what of
 * it is stored, each with "Delete from this browser" (confirmed by a second click), which stops it
 * in every tab. Uses only window.p2p.
 */
import type { HeldTorrent, P2P } from '../api';
import { describeError, el, formatBytes, nameElement, setFill } from './dom';
import { pageClock, type Clock } from './clock';

export interface StorageCardHooks {
  showError(message: string): void;
  log(text: string): void;
}

/** How long a Delete button waits for its confirming click. */
const CONFIRM_MS = 4_000;
/** Seconds (page clock ticks) between refreshes of the estimate. */
const REFRESH_TICKS = 3;

/** "1.20 GiB of 10.0 GiB used (12 %)", or why not known. */
export function usageText(e: { usage: number; quota: number } | null): string {
  if (!e || !(e.quota > 0)) return e ? `${formatBytes(e.usage)} used; the browser does not say how much it allows.` : 'This browser does not say how much it stores.';
  const pct = Math.min(100, (100 * e.usage) / e.quota);
  return `${formatBytes(e.usage)} of ${formatBytes(e.quota)} used (${pct < 1 && e.usage > 0 ? '<1' : Math.round(pct)} %) · ${formatBytes(Math.max(0, e.quota - e.usage))} free`;
}

export function persistText(p: boolean | null): string {
  if (p === null) return 'This browser cannot make storage persistent.';
  return p ? 'Persistent: the browser keeps this data even when space runs low.' : 'Not persistent: the browser may clear this data when space runs low.';
}

export function createStorageCard(p2p: P2P, hooks: StorageCardHooks, clock: Clock = pageClock()): HTMLElement {
  const usage = el('p', { class: 'storage-usage', id: 'storage-usage' }, '…');
  const fill = el('div', { class: 'fill' });
  const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-label': 'storage used', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
  const persistState = el('span', { class: 'muted', id: 'storage-persist-state' }, '');
  const persistButton = el('button', { class: 'small', id: 'storage-persist' }, 'Keep data persistently');
  const list = el('ul', { class: 'held', id: 'storage-held' });
  const card = el(
    'section',
    { class: 'card', id: 'storage-card' },
    el('h2', {}, 'Storage in this browser'),
    usage,
    bar,
    el('div', { class: 'persist-row' }, persistButton, persistState),
    list,
  );

  let persisted: boolean | null = null;
  const showPersist = () => {
    persistState.textContent = persistText(persisted);
    persistButton.hidden = persisted !== false;
  };
  persistButton.addEventListener('click', () => {
    persistButton.setAttribute('disabled', '');
    p2p.storage.persist().then(
      (answer) => {
        persisted = answer;
        showPersist();
        if (answer === false) persistState.textContent = 'The browser said no: it may still clear this data when space runs low (browsers grant it to sites used often, installed or bookmarked).';
        hooks.log(`persistent storage: ${answer ? 'granted' : 'refused'}`);
      },
      (err: unknown) => hooks.showError(`Persistent storage could not be asked for: ${describeError(err)}`),
    ).finally(() => persistButton.removeAttribute('disabled'));
  });

  const rows = new Map<string, { li: HTMLLIElement; stored: HTMLElement; button: HTMLButtonElement; armed: ReturnType<typeof setTimeout> | null }>();
  const rowOf = (t: HeldTorrent) => {
    let row = rows.get(t.infoHash);
    if (row) return row;
    const stored = el('span', { class: 'muted num' });
    const button = el('button', { class: 'small danger', 'data-delete': t.infoHash, title: 'Delete its pieces from this browser; every tab stops seeding it' }, 'Delete from this browser');
    const li = el('li', { 'data-info-hash': t.infoHash }, nameElement(t.name, { class: 'held-name', title: t.name }), stored, button);
    const r = { li, stored, button, armed: null as ReturnType<typeof setTimeout> | null };
    button.addEventListener('click', () => {
      if (!r.armed) {
        button.textContent = 'Click again to delete';
        r.armed = setTimeout(() => {
          r.armed = null;
          button.textContent = 'Delete from this browser';
        }, CONFIRM_MS);
        return;
      }
      clearTimeout(r.armed);
      r.armed = null;
      button.setAttribute('disabled', '');
      button.textContent = 'Deleting…';
      p2p.storage.delete(t.infoHash).then(
        () => {
          hooks.log(`deleted ${t.name} from this browser`);
          void refresh();
        },
        (err: unknown) => {
          hooks.showError(`${t.name} could not be deleted: ${describeError(err)}`);
          button.removeAttribute('disabled');
          button.textContent = 'Delete from this browser';
        },
      );
    });
    rows.set(t.infoHash, r);
    return r;
  };

  let busy = false;
  async function refresh(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      const [e, held] = await Promise.all([p2p.storage.estimate(), p2p.storage.held()]);
      usage.textContent = usageText(e);
      const pct = e && e.quota > 0 ? Math.min(100, (100 * e.usage) / e.quota) : 0;
      setFill(fill, Math.max(pct, e && e.usage > 0 ? 1 : 0));
      bar.setAttribute('aria-valuenow', String(Math.round(pct)));
      const seen = new Set(held.map((t) => t.infoHash));
      for (const [h, r] of rows) if (!seen.has(h)) {
        r.li.remove();
        rows.delete(h);
      }
      if (held.length === 0) {
        list.replaceChildren(el('li', { class: 'muted empty' }, 'No torrents stored. What you share or download is kept here, across reloads.'));
        return;
      }
      list.replaceChildren(
        ...held.map((t) => {
          const r = rowOf(t);
          r.stored.textContent = t.stored >= t.length ? formatBytes(t.length) : `${formatBytes(t.stored)} of ${formatBytes(t.length)}`;
          return r.li;
        }),
      );
    } catch (err) {
      usage.textContent = `Storage could not be read: ${describeError(err)}`;
    } finally {
      busy = false;
    }
  }

  void p2p.storage.persisted().then((p) => {
    persisted = p;
    showPersist();
  });
  void refresh();
  // The clock does not tick while the page is hidden.
  clock.subscribe(() => void refresh(), REFRESH_TICKS);
  return card;
}
