/**
 * The search card: one query box, a choice of discovery mechanism, results with their holders,
 * the mechanism and the time it took, and one-click download through the swarm.
 */
import type { P2P, SearchHit, SearchVia } from '../api';
import { describeError, el, formatBytes, plural } from './dom';

const MECHANISMS: { via: SearchVia | 'gnutella' | 'superpeer' | 'dht'; label: string; ready: boolean }[] = [
  { via: 'napster', label: 'Napster (central index on the edge)', ready: true },
  { via: 'gnutella', label: 'Gnutella (query flooding) — coming', ready: false },
  { via: 'superpeer', label: 'Super-peers — coming', ready: false },
  { via: 'dht', label: 'DHT (Chord) — coming', ready: false },
];

export function createSearchUI(p2p: P2P, hooks: { log: (text: string) => void }): HTMLElement {
  const input = el('input', { type: 'search', id: 'search-query', placeholder: 'words in a file name', 'aria-label': 'Search words' });
  const via = el('select', { id: 'search-via', 'aria-label': 'Search mechanism' });
  for (const m of MECHANISMS) {
    const opt = el('option', { value: m.via }, m.label);
    if (!m.ready) opt.setAttribute('disabled', '');
    via.append(opt);
  }
  const button = el('button', { type: 'submit', id: 'search-go' }, 'Search');
  const status = el('p', { class: 'muted', id: 'search-status', role: 'status' });
  const body = el('tbody', { id: 'search-results' });
  const table = el(
    'table',
    { class: 'links search-results', hidden: '' },
    el('thead', {}, el('tr', {}, ...['Name', 'Size', 'Holders', 'Via', ''].map((h) => el('th', {}, h)))),
    body,
  );
  const form = el('form', { class: 'search-form' }, input, via, button);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    void run(query, via.value as SearchVia);
  });

  async function run(query: string, mechanism: SearchVia): Promise<void> {
    button.setAttribute('disabled', '');
    status.className = 'muted';
    status.textContent = `Searching ${mechanism}…`;
    try {
      const hits = await p2p.search(query, { via: mechanism });
      const ms = hits[0]?.ms;
      status.textContent = hits.length
        ? `${plural(hits.length, 'file')} via ${mechanism} in ${ms} ms`
        : `No file matches every word of "${query}" (${mechanism}).`;
      show(hits);
    } catch (err) {
      status.className = 'search-error';
      status.textContent = describeError(err);
      show([]);
    } finally {
      button.removeAttribute('disabled');
    }
  }

  function show(hits: SearchHit[]): void {
    table.toggleAttribute('hidden', hits.length === 0);
    body.replaceChildren(
      ...hits.map((h) => {
        const get = el('button', { class: 'small', 'data-info-hash': h.infoHash }, 'Download');
        get.addEventListener('click', () => {
          get.setAttribute('disabled', '');
          p2p
            .download(h.infoHash, { peers: h.peers, name: h.name })
            .then(() => {
              get.textContent = 'Added below';
              hooks.log(`downloading ${h.name} from ${plural(h.peers.length, 'holder')} found by ${h.via}`);
            })
            .catch((err: unknown) => {
              status.className = 'search-error';
              status.textContent = describeError(err);
              get.removeAttribute('disabled');
            });
        });
        return el(
          'tr',
          {},
          el('td', { class: 'name' }, h.name),
          el('td', { class: 'num' }, formatBytes(h.size)),
          el('td', { class: 'num' }, String(h.peers.length)),
          el('td', {}, `${h.via} · ${h.ms} ms`),
          el('td', {}, get),
        );
      }),
    );
  }

  return el(
    'section',
    { class: 'card', id: 'search-card' },
    el('h2', {}, 'Search the network'),
    form,
    status,
    table,
  );
}
