/**
 * The storage card: how much of the browser's quota this page uses, persistent storage (asked
 * for, and the browser's answer), and every torrent the browser holds with its size and what of
 * it is stored, each with "Delete from this browser" (confirmed by a second click), which stops it
 * in every tab. Uses only window.p2p; refreshed every few ticks of the page clock.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HeldTorrent, P2P } from '../api';
import { pageClock, type Clock } from './clock';
import { describeError, displayName, fillTransform } from './dom';
import { useClock } from './hooks';
import { island } from './island';
import { PERSIST_REFUSED, persistText, storedText, usagePercent, usageText } from './storage-text';

export interface StorageCardHooks {
  showError(message: string): void;
  log(text: string): void;
}

/** How long a Delete button waits for its confirming click. */
const CONFIRM_MS = 4_000;
/** Seconds (page clock ticks) between refreshes of the estimate. */
const REFRESH_TICKS = 3;

type Estimate = { usage: number; quota: number } | null;
type Read = { estimate: Estimate; held: HeldTorrent[] } | { error: string };

function StorageCard({ p2p, hooks, clock }: { p2p: P2P; hooks: StorageCardHooks; clock: Clock }) {
  const ticks = useClock(REFRESH_TICKS, clock);
  const [read, setRead] = useState<Read | null>(null);
  const [again, refreshNow] = useState(0);
  const busy = useRef(false);
  useEffect(() => {
    if (busy.current) return;
    busy.current = true;
    Promise.all([p2p.storage.estimate(), p2p.storage.held()])
      .then(
        ([estimate, held]) => setRead({ estimate, held }),
        (err: unknown) => setRead({ error: `Storage could not be read: ${describeError(err)}` }),
      )
      .finally(() => (busy.current = false));
  }, [p2p, ticks, again]);

  const pct = read && 'estimate' in read ? usagePercent(read.estimate) : 0;
  return (
    <section class="card" id="storage-card">
      <h2>Storage in this browser</h2>
      <p class="storage-usage" id="storage-usage">
        {!read ? '…' : 'error' in read ? read.error : usageText(read.estimate)}
      </p>
      <div class="bar" role="progressbar" aria-label="storage used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={read && 'estimate' in read ? Math.round(pct) : undefined}>
        <div class="fill" style={{ transform: fillTransform(pct) }} />
      </div>
      <Persistence p2p={p2p} hooks={hooks} />
      <ul class="held" id="storage-held">
        {read && 'held' in read && read.held.length === 0 && <li class="muted empty">No torrents stored. What you share or download is kept here, across reloads.</li>}
        {read && 'held' in read && read.held.map((t) => <HeldRow key={t.infoHash} t={t} p2p={p2p} hooks={hooks} deleted={() => refreshNow((n) => n + 1)} />)}
      </ul>
    </section>
  );
}

function Persistence({ p2p, hooks }: { p2p: P2P; hooks: StorageCardHooks }) {
  const [persisted, setPersisted] = useState<boolean | null | undefined>(undefined);
  const [refused, setRefused] = useState(false);
  const [asking, setAsking] = useState(false);
  useEffect(() => void p2p.storage.persisted().then(setPersisted), [p2p]);
  const ask = () => {
    setAsking(true);
    p2p.storage
      .persist()
      .then(
        (answer) => {
          setPersisted(answer);
          setRefused(answer === false);
          hooks.log(`persistent storage: ${answer ? 'granted' : 'refused'}`);
        },
        (err: unknown) => hooks.showError(`Persistent storage could not be asked for: ${describeError(err)}`),
      )
      .finally(() => setAsking(false));
  };
  return (
    <div class="persist-row">
      <button class="small" id="storage-persist" hidden={persisted !== false} disabled={asking} onClick={ask}>
        Keep data persistently
      </button>
      <span class="muted" id="storage-persist-state">
        {persisted === undefined ? '' : refused ? PERSIST_REFUSED : persistText(persisted)}
      </span>
    </div>
  );
}

function HeldRow({ t, p2p, hooks, deleted }: { t: HeldTorrent; p2p: P2P; hooks: StorageCardHooks; deleted: () => void }) {
  const [state, setState] = useState<'idle' | 'armed' | 'deleting'>('idle');
  useEffect(() => {
    if (state !== 'armed') return;
    const timer = setTimeout(() => setState('idle'), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [state]);
  const click = () => {
    if (state === 'idle') return setState('armed');
    if (state !== 'armed') return;
    setState('deleting');
    p2p.storage.delete(t.infoHash).then(
      () => {
        hooks.log(`deleted ${t.name} from this browser`);
        deleted();
      },
      (err: unknown) => {
        hooks.showError(`${t.name} could not be deleted: ${describeError(err)}`);
        setState('idle');
      },
    );
  };
  return (
    <li data-info-hash={t.infoHash}>
      <bdi class="held-name" title={t.name}>
        {displayName(t.name)}
      </bdi>
      <span class="muted num">{storedText(t)}</span>
      <button class="small danger" data-delete={t.infoHash} title="Delete its pieces from this browser; every tab stops seeding it" disabled={state === 'deleting'} onClick={click}>
        {state === 'armed' ? 'Click again to delete' : state === 'deleting' ? 'Deleting…' : 'Delete from this browser'}
      </button>
    </li>
  );
}

export function createStorageCard(p2p: P2P, hooks: StorageCardHooks, clock: Clock = pageClock()): HTMLElement {
  return island(<StorageCard p2p={p2p} hooks={hooks} clock={clock} />);
}
