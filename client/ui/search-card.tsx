/**
 * The search card: one query box, a choice of discovery mechanism, results with their holders,
 * the mechanism and the time it took, and one-click download through the swarm. Overlay
 * searches (Gnutella, super-peers) take a TTL and show hops and the messages the search cost.
 */
import { useRef, useState } from 'preact/hooks';
import type { P2P, SearchHit, SearchVia } from '../api';
import { describeError, displayName, formatBytes, isolatedName, plural } from './dom';
import { island } from './island';
import { failureText, MAX_TTL, MECHANISMS, MIN_TTL, OVERLAY, parseTtl, resultText, searchingText, TTL_RULE, viaText, viaTitle } from './search-text';

interface Status {
  text: string;
  error: boolean;
}

function HitRow({ hit: h, p2p, log, failed }: { hit: SearchHit; p2p: P2P; log: (t: string) => void; failed: (message: string) => void }) {
  const [state, setState] = useState<'idle' | 'adding' | 'added'>('idle');
  const get = () => {
    setState('adding');
    p2p
      .download(h.infoHash, { peers: h.peers, name: h.name })
      .then(() => {
        setState('added');
        log(`downloading ${isolatedName(h.name)} from ${plural(h.peers.length, 'holder')} found by ${h.via}`);
      })
      .catch((err: unknown) => {
        setState('idle');
        failed(describeError(err));
      });
  };
  return (
    <tr class="hit">
      <td class="name">
        <bdi>{displayName(h.name)}</bdi>
      </td>
      <td class="num" data-label="Size">
        {formatBytes(h.size)}
      </td>
      <td class="num" data-label="Holders">
        {String(h.peers.length)}
      </td>
      <td class="via" data-label="Via" data-testid="search-hit-via" data-hops={h.hops === undefined ? undefined : String(h.hops)} data-messages={h.messages === undefined ? undefined : String(h.messages)} title={viaTitle(h) || undefined}>
        {viaText(h)}
      </td>
      <td class="actions">
        <button class="small" data-info-hash={h.infoHash} disabled={state !== 'idle'} onClick={get}>
          {state === 'added' ? 'Added below' : 'Download'}
        </button>
      </td>
    </tr>
  );
}

function SearchCard({ p2p, log }: { p2p: P2P; log: (text: string) => void }) {
  const [query, setQuery] = useState('');
  const [via, setVia] = useState<SearchVia>('napster');
  // The TTL the user chose per overlay, kept while switching between mechanisms.
  const [ttls, setTtls] = useState<Partial<Record<SearchVia, string>>>({});
  const [ttlInvalid, setTtlInvalid] = useState(false);
  const [status, setStatus] = useState<Status>({ text: '', error: false });
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [searching, setSearching] = useState(false);
  /** Each search's results replace the last one's rows (their Download buttons start again). */
  const [round, setRound] = useState(0);
  const ttlField = useRef<HTMLInputElement>(null);
  const overlay = OVERLAY[via];
  const ttlText = ttls[via] ?? String(overlay?.ttl ?? '');

  const submit = (e: Event) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    let ttl: number | undefined;
    if (overlay) {
      const t = parseTtl(ttlText);
      if (t === null) {
        setTtlInvalid(true);
        setStatus({ text: TTL_RULE, error: true });
        ttlField.current?.focus();
        return;
      }
      ttl = t;
    }
    setSearching(true);
    setStatus({ text: searchingText(via, ttl), error: false });
    p2p
      .search(q, ttl === undefined ? { via } : { via, ttl })
      .then((found) => {
        setStatus({ text: resultText(found, q, via, ttl), error: false });
        setHits(found);
      })
      .catch((err: unknown) => {
        setStatus({ text: failureText(describeError(err), via, ttl), error: true });
        setHits([]);
      })
      .finally(() => {
        setRound((n) => n + 1);
        setSearching(false);
      });
  };

  return (
    <section class="card" id="search-card">
      <h2>Search the network</h2>
      {/* novalidate: a TTL out of range gets our sentence in the status line, not the browser's bubble. */}
      <form class="search-form" noValidate onSubmit={submit}>
        <input type="search" id="search-query" placeholder="words in a file name" aria-label="Search words" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <select
          id="search-via"
          aria-label="Search mechanism"
          value={via}
          onChange={(e) => {
            setVia(e.currentTarget.value as SearchVia);
            setTtlInvalid(false);
          }}
        >
          {MECHANISMS.map((m) => (
            <option key={m.via} value={m.via}>
              {m.label}
            </option>
          ))}
        </select>
        <label class="ttl" title={`How many hops the query may travel (${MIN_TTL}-${MAX_TTL})`} hidden={!overlay}>
          TTL
          <input
            ref={ttlField}
            type="number"
            id="search-ttl"
            data-testid="search-ttl"
            min={MIN_TTL}
            max={MAX_TTL}
            step={1}
            inputMode="numeric"
            aria-label="TTL: hops the query may travel"
            aria-invalid={ttlInvalid ? 'true' : undefined}
            value={ttlText}
            onInput={(e) => {
              const value = e.currentTarget.value;
              setTtls((t) => ({ ...t, [via]: value }));
              setTtlInvalid(false);
            }}
          />
        </label>
        <button type="submit" id="search-go" disabled={searching}>
          Search
        </button>
      </form>
      <p class="search-hint muted" data-testid="search-hint" hidden={!overlay}>
        {overlay?.hint ?? ''}
      </p>
      <p class={status.error ? 'search-error' : 'muted'} id="search-status" role="status">
        {status.text}
      </p>
      <table class="links search-results" hidden={hits.length === 0}>
        <thead>
          <tr>
            {['Name', 'Size', 'Holders', 'Via', ''].map((t) => (
              <th key={t}>{t}</th>
            ))}
          </tr>
        </thead>
        <tbody id="search-results">
          {hits.map((h) => (
            <HitRow key={`${round}:${h.infoHash}`} hit={h} p2p={p2p} log={log} failed={(text) => setStatus({ text, error: true })} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function createSearchUI(p2p: P2P, hooks: { log: (text: string) => void }): HTMLElement {
  return island(<SearchCard p2p={p2p} log={hooks.log} />);
}
