/** The download card: a magnet link or info hash to download, with its error under the field. */
import type { P2P } from '../api';
import { makeCard, describeError, el, isolatedName, shortId } from './dom';

export interface DownloadHooks {
  log(text: string): void;
  /** The torrent started: show it in the list. */
  started(infoHash: string): void;
}

export const EMPTY_DOWNLOAD = 'Paste a magnet link (magnet:?xt=urn:btih:…) or a 40-character hex info hash.';

export function createDownloadCard(p2p: P2P, hooks: DownloadHooks): HTMLElement {
  const dlInput = el('input', {
    id: 'download-input',
    type: 'text',
    placeholder: 'magnet:?xt=urn:btih:… or info hash',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'download-error',
  });
  const dlButton = el('button', { type: 'submit', id: 'download-button' }, 'Download');
  const dlError = el('p', { class: 'field-error', id: 'download-error', role: 'alert', hidden: '' });
  const form = el(
    'form',
    { id: 'download-form', novalidate: '' },
    el('label', { for: 'download-input', class: 'muted label' }, 'Magnet link or info hash'),
    el('div', { class: 'field-row' }, dlInput, dlButton),
    dlError,
  );
  const card = makeCard(
    { id: 'download-card' },
    'Download',
    form,
    el('p', { class: 'hint muted' }, 'Pieces come from every peer of the swarm at once, rarest first; each is checked against its SHA-1 hash.'),
  );
  function problem(message: string | null): void {
    dlError.textContent = message ?? '';
    dlError.hidden = !message;
    if (message) dlInput.setAttribute('aria-invalid', 'true');
    else dlInput.removeAttribute('aria-invalid');
  }
  dlInput.addEventListener('input', () => problem(null));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = dlInput.value.trim();
    if (!text) {
      problem(EMPTY_DOWNLOAD);
      return;
    }
    dlButton.disabled = true;
    dlButton.textContent = 'Starting…';
    p2p
      .download(text)
      .then((h) => {
        dlInput.value = '';
        problem(null);
        hooks.log(`downloading ${isolatedName(h.name())} (${shortId(h.infoHash)})`);
        hooks.started(h.infoHash);
      })
      .catch((err: unknown) => problem(`Cannot download this: ${describeError(err)}`))
      .finally(() => {
        dlButton.disabled = false;
        dlButton.textContent = 'Download';
      });
  });
  return card;
}
