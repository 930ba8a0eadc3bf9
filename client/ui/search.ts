/**
 * The search card: one query box, a choice of discovery mechanism, results with their holders,
 * the mechanism and the time it took, and one-click download through the swarm. Overlay
 * searches (Gnutella, super-peers) take a TTL and show hops and the messages the search cost.
 */
import type { P2P, SearchHit, SearchVia } from '../api';
import { makeCard, describeError, el, formatBytes, isolatedName, nameElement, plural } from './dom';

type Mechanism = SearchVia;

const MECHANISMS: { via: Mechanism; label: string; ready: boolean }[] = [
  { via: 'napster', label: 'Napster (central index on the edge)', ready: true },
  { via: 'gnutella', label: 'Gnutella (query flooding)', ready: true },
  { via: 'superpeer', label: 'Super-peers (two-tier flooding)', ready: true },
  { via: 'dht', label: 'DHT (Chord ring lookups)', ready: true },
];

/** Overlay searches: default TTL (as the engine's), and what the mechanism does, for the hint. */
const OVERLAY: Partial<Record<SearchVia, { ttl: number; hint: string }>> = {
  gnutella: { ttl: 4, hint: 'Floods the query to your Gnutella neighbours, and theirs, up to TTL hops.' },
  superpeer: { ttl: 7, hint: 'Sends the query to your super-peer, which floods it among super-peers up to TTL hops.' },
};
const NAME: Record<SearchVia, string> = { napster: 'Napster', gnutella: 'Gnutella', superpeer: 'Super-peer', dht: 'DHT' };
const MIN_TTL = 1;
const MAX_TTL = 7;

export function createSearchUI(p2p: P2P, hooks: { log: (text: string) => void }): HTMLElement {
  const input = el('input', { type: 'search', id: 'search-query', placeholder: 'words in a file name', 'aria-label': 'Search words' });
  const via = el('select', { id: 'search-via', 'aria-label': 'Search mechanism' });
  for (const m of MECHANISMS) {
    const opt = el('option', { value: m.via }, m.label);
    if (!m.ready) opt.setAttribute('disabled', '');
    via.append(opt);
  }
  const ttl = el('input', {
    type: 'number',
    id: 'search-ttl',
    'data-testid': 'search-ttl',
    min: String(MIN_TTL),
    max: String(MAX_TTL),
    step: '1',
    inputmode: 'numeric',
    'aria-label': 'TTL: hops the query may travel',
  });
  const ttlLabel = el('label', { class: 'ttl', title: `How many hops the query may travel (${MIN_TTL}-${MAX_TTL})`, hidden: '' }, 'TTL', ttl);
  const button = el('button', { type: 'submit', id: 'search-go' }, 'Search');
  const hint = el('p', { class: 'search-hint muted', 'data-testid': 'search-hint', hidden: '' });
  const status = el('p', { class: 'muted', id: 'search-status', role: 'status' });
  const body = el('tbody', { id: 'search-results' });
  const table = el(
    'table',
    { class: 'links search-results', hidden: '' },
    el('thead', {}, el('tr', {}, ...['Name', 'Size', 'Holders', 'Via', ''].map((h) => el('th', {}, h)))),
    body,
  );
  // novalidate: a TTL out of range gets our sentence in the status line, not the browser's bubble.
  const form = el('form', { class: 'search-form', novalidate: '' }, input, via, ttlLabel, button);

  // The TTL the user chose per overlay, kept while switching between mechanisms.
  const ttlOf = new Map<SearchVia, string>();
  let shown: SearchVia = 'napster';
  function onMechanism(): void {
    const next = via.value as SearchVia;
    if (OVERLAY[shown]) ttlOf.set(shown, ttl.value);
    const o = OVERLAY[next];
    ttlLabel.hidden = !o;
    hint.hidden = !o;
    if (o) {
      ttl.value = ttlOf.get(next) ?? String(o.ttl);
      hint.textContent = o.hint;
    }
    ttl.removeAttribute('aria-invalid');
    shown = next;
  }
  via.addEventListener('change', onMechanism);
  ttl.addEventListener('input', () => ttl.removeAttribute('aria-invalid'));

  /** The TTL field as a whole number 1-7, or null (and the field marked) if it is not one. */
  function readTtl(): number | null {
    const raw = ttl.value.trim();
    const n = Number(raw);
    if (raw === '' || !Number.isInteger(n) || n < MIN_TTL || n > MAX_TTL) {
      ttl.setAttribute('aria-invalid', 'true');
      return null;
    }
    return n;
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    const mechanism = via.value as SearchVia;
    let hops: number | undefined;
    if (OVERLAY[mechanism]) {
      const t = readTtl();
      if (t === null) {
        status.className = 'search-error';
        status.textContent = `TTL must be a whole number from ${MIN_TTL} to ${MAX_TTL}.`;
        ttl.focus();
        return;
      }
      hops = t;
    }
    void run(query, mechanism, hops);
  });

  async function run(query: string, mechanism: SearchVia, ttlValue: number | undefined): Promise<void> {
    button.setAttribute('disabled', '');
    status.className = 'muted';
    status.textContent = ttlValue === undefined ? `Searching ${mechanism}…` : `Searching ${mechanism} (ttl ${ttlValue}), collecting answers…`;
    try {
      const hits = await p2p.search(query, ttlValue === undefined ? { via: mechanism } : { via: mechanism, ttl: ttlValue });
      status.textContent = ttlValue === undefined ? napsterStatus(hits, query, mechanism) : overlayStatus(hits, query, mechanism, ttlValue);
      show(hits);
    } catch (err) {
      status.className = 'search-error';
      status.textContent = ttlValue === undefined ? describeError(err) : `${NAME[mechanism]} search failed: ${describeError(err)}`;
      show([]);
    } finally {
      button.removeAttribute('disabled');
    }
  }

  function napsterStatus(hits: SearchHit[], query: string, mechanism: SearchVia): string {
    const ms = hits[0]?.ms;
    return hits.length ? `${plural(hits.length, 'file')} via ${mechanism} in ${ms} ms` : `No file matches every word of "${query}" (${mechanism}).`;
  }

  function overlayStatus(hits: SearchHit[], query: string, mechanism: SearchVia, ttlValue: number): string {
    if (!hits.length) return `No peer within ${plural(ttlValue, 'hop')} answered for "${query}" (${mechanism}, ttl ${ttlValue}).`;
    // The time until the last distinct file was found; the messages are counted for the whole search.
    const ms = Math.max(...hits.map((h) => h.ms));
    const messages = Math.max(0, ...hits.map((h) => h.messages ?? 0));
    return `${plural(hits.length, 'result')} via ${mechanism} in ${ms} ms · ${plural(messages, 'message')} · ttl ${ttlValue}`;
  }

  function viaText(h: SearchHit): string {
    const parts: string[] = [h.via];
    if (h.hops !== undefined) parts.push(plural(h.hops, 'hop'));
    parts.push(`${h.ms} ms`);
    return parts.join(' · ');
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
              hooks.log(`downloading ${isolatedName(h.name)} from ${plural(h.peers.length, 'holder')} found by ${h.via}`);
            })
            .catch((err: unknown) => {
              status.className = 'search-error';
              status.textContent = describeError(err);
              get.removeAttribute('disabled');
            });
        });
        const viaCell = el('td', { class: 'via', 'data-testid': 'search-hit-via' }, viaText(h));
        if (h.hops !== undefined) viaCell.setAttribute('data-hops', String(h.hops));
        if (h.messages !== undefined) viaCell.setAttribute('data-messages', String(h.messages));
        const tip = [
          h.hops !== undefined ? `nearest holder's answer travelled ${plural(h.hops, 'hop')}` : '',
          h.messages !== undefined ? `${plural(h.messages, 'message')} sent and received for this search` : '',
          h.guid ? `query guid ${h.guid}` : '',
        ].filter(Boolean);
        if (tip.length) viaCell.title = tip.join('\n');
        return el(
          'tr',
          {},
          el('td', { class: 'name' }, nameElement(h.name)),
          el('td', { class: 'num' }, formatBytes(h.size)),
          el('td', { class: 'num' }, String(h.peers.length)),
          viaCell,
          el('td', {}, get),
        );
      }),
    );
  }

  return makeCard(
    { id: 'search-card' },
    'Search the network',
    form,
    hint,
    status,
    table,
  );
}
