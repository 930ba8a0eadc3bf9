/**
 * One share job of the share card: its line (name, size, Cancel, dismiss), its state and
 * progress bar while the file is checked, hashed and stored, then its magnet link or its error.
 */
import type { P2P, ShareItem } from '../api';
import { copyText, describeError, el, flash, formatBytes, isolatedName, nameElement, safeText, shortId } from './dom';
import { hashingText } from './share-plan';

export interface ShareJobHooks {
  log(text: string): void;
  /** The torrent is seeding: show it in the list. */
  started(infoHash: string): void;
}

/** Jobs kept in the card; older ones are dropped. */
const MAX_JOBS = 5;

export class ShareJob {
  readonly root: HTMLElement;
  private readonly status: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly result: HTMLElement;
  private readonly error: HTMLElement;
  private readonly cancel: HTMLButtonElement;

  /** A queued job at the top of `jobs`. */
  constructor(jobs: HTMLElement, label: string, size: number) {
    this.status = el('span', { class: 'job-status muted' }, 'queued');
    this.bar = el('progress', { class: 'job-bar', max: '1' });
    const dismiss = el('button', { class: 'dismiss small', title: 'Dismiss' }, '×');
    this.cancel = el('button', { class: 'small cancel-share', title: 'Stop hashing and storing this file', hidden: '' }, 'Cancel');
    this.root = el(
      'div',
      { class: 'share-job', 'data-state': 'queued' },
      el('div', { class: 'job-head' }, el('strong', { class: 'job-name' }, nameElement(label)), el('span', { class: 'muted' }, formatBytes(size)), this.cancel, dismiss),
      this.status,
      this.bar,
    );
    this.result = el('div', { class: 'field-row', hidden: '' });
    this.error = el('p', { class: 'field-error', role: 'alert', hidden: '' });
    this.root.append(this.result, this.error);
    dismiss.addEventListener('click', () => this.root.remove());
    jobs.prepend(this.root);
    while (jobs.childElementCount > MAX_JOBS) jobs.lastElementChild?.remove();
  }

  private set(state: string, text: string, progress?: number | null): void {
    this.root.dataset.state = state;
    this.status.textContent = text;
    if (progress === undefined) this.bar.hidden = true;
    else {
      this.bar.hidden = false;
      if (progress === null) this.bar.removeAttribute('value');
      else this.bar.value = progress;
    }
  }

  /** Share a file, or a list of files as one torrent named after `label` (their folder, or "N files"). */
  async run(p2p: P2P, source: File | ShareItem[], label: string, size: number, hooks: ShareJobHooks): Promise<void> {
    try {
      if (size === 0) throw new Error(`${isolatedName(label)} ${Array.isArray(source) ? 'hold no bytes' : 'is empty'}: there is nothing to share.`);
      const abort = new AbortController();
      this.cancel.hidden = false;
      this.cancel.onclick = () => {
        this.cancel.disabled = true;
        this.cancel.textContent = 'Cancelling…';
        abort.abort();
      };
      this.set('checking', 'Checking that storage can hold it…', null);
      const { infoHash, magnet, name, renamed } = await p2p
        .share(source, Array.isArray(source) ? (label.endsWith(' files') ? undefined : label) : source.name, {
          signal: abort.signal,
          onProgress: ({ bytes, total }) => {
            const h = hashingText(bytes, total, formatBytes);
            this.set('hashing', h.text, h.fraction);
          },
        })
        .finally(() => (this.cancel.hidden = true));
      this.set('done', `Seeding · info hash ${infoHash.slice(0, 12)}…`);
      if (renamed) {
        // Said in the page: the network knows the file by this name, not by the one dropped.
        this.result.before(el('p', { class: 'renamed warn-text', 'data-testid': 'share-renamed' }, 'Renamed to “', nameElement(name), `”: ${renamed}.`));
      }
      this.showMagnet(name, magnet);
      hooks.log(`sharing ${isolatedName(name)} (${formatBytes(size)}), info hash ${shortId(infoHash)}${renamed ? ` (renamed: ${renamed})` : ''}`);
      hooks.started(infoHash);
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        this.set('cancelled', 'Cancelled: nothing of the file was kept.');
        hooks.log(`cancelled the share of ${isolatedName(label)}`);
        return;
      }
      this.set('error', 'Not shared');
      this.error.textContent = safeText(describeError(err));
      this.error.hidden = false;
      hooks.log(`could not share ${isolatedName(label)}: ${describeError(err)}`);
    }
  }

  private showMagnet(name: string, magnet: string): void {
    const field = el('input', { class: 'magnet', readonly: '', 'aria-label': `magnet link of ${isolatedName(name)}` });
    field.value = magnet;
    field.addEventListener('focus', () => field.select());
    const copy = el('button', { class: 'copy' }, 'Copy');
    copy.addEventListener('click', () => {
      void copyText(magnet, field).then((r) => flash(copy, r === 'copied' ? 'Copied' : 'Press Ctrl+C'));
    });
    this.result.replaceChildren(field, copy);
    this.result.hidden = false;
  }
}
