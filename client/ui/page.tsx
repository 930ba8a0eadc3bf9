/** The first page: who I am, who is online, my links and their traffic, what happened; the other cards placed in two columns. */
import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LinkStats, P2P } from '../api';
import { pageClock } from './clock';
import { DhtRingCard } from './ring-view';
import { formatBytes, shortId } from './dom';
import { useClock, useVersion } from './hooks';
import { createNetworkUI } from './network-view';
import { PageLog } from './page-log';
import { createSearchUI } from './search-card';
import { createStorageCard } from './storage-card';
import { Table } from './table';
import { createTorrentUI } from './torrents';

const STATE_LABEL: Record<string, string> = {
  connecting: 'Connecting…',
  open: 'Connected to the edge',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Redraws on the events that change who is online and which links are open (and `ticks` more). */
function useNetwork(p2p: P2P): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const bump = () => setN((x) => x + 1);
    const offs = (['state', 'peer-join', 'peer-leave', 'room', 'link-open', 'link-close'] as const).map((e) => p2p.on(e, bump));
    void p2p.ready.then(bump);
    return () => offs.forEach((off) => off());
  }, [p2p]);
  return n;
}

function Header({ p2p }: { p2p: P2P }) {
  useNetwork(p2p);
  const s = p2p.state();
  const st = p2p.stats();
  return (
    <header>
      <h1>edge-p2p</h1>
      <div class="who">
        <span class="muted">{`room ${p2p.room} · you are `}</span>
        <code id="my-id">{p2p.id || '…'}</code>
        <span class="muted" id="my-shard">
          {p2p.id ? ` · gateway shard ${st.shard + 1}/${st.shards}` : ''}
        </span>
      </div>
      <span class={`badge state-${s}`} id="state">
        {STATE_LABEL[s] ?? s}
      </span>
    </header>
  );
}

function Errors({ log }: { log: PageLog }) {
  useVersion(log);
  return (
    <div id="errors" class="errors" role="alert">
      {log.errors.map((e) => (
        <div key={e.id} class="error">
          {e.text}
          <button class="dismiss" title="Dismiss" onClick={() => log.dismiss(e.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function PeersCard({ p2p, log }: { p2p: P2P; log: PageLog }) {
  useNetwork(p2p);
  const [, redraw] = useState(0);
  const linked = new Map(p2p.stats().links.map((l) => [l.peer, l.state]));
  const ids = p2p.peers().sort();
  const total = p2p.roomSize();
  // A large room: the count, and the view this tab has of it (not a list of thousands).
  // The badge counts the peers listed: the whole room when small, this tab's view when large.
  const large = total > ids.length + 1;
  const act = (id: string, state: string | undefined) => {
    const action = state === 'open' ? p2p.send(id, 'hello', new TextEncoder().encode(`hello from ${p2p.id}`)) : p2p.connect(id);
    action.catch((err: Error) => log.showError(err.message));
    redraw((n) => n + 1);
  };
  return (
    <section class="card" id="peers-card">
      <h2>
        <span>{large ? 'Peers in your view ' : 'Online in this room '}</span>
        <span class="count" id="peer-count">
          {String(ids.length)}
        </span>
      </h2>
      <p class="muted room-line" id="room-online">
        {large
          ? `${total.toLocaleString('en')} online · this tab sees ${ids.length} of them, a random view the edge refreshes every minute`
          : `${total.toLocaleString('en')} online, this tab included`}
      </p>
      <ul id="peers" class="peers">
        {ids.length === 0 ? (
          <li class="muted empty">Nobody else yet. Open this page in another tab or device.</li>
        ) : (
          ids.map((id) => {
            const state = linked.get(id);
            return (
              <li key={id}>
                <code title={id}>{id}</code>
                <span class={`dot ${state ?? 'none'}`} />
                <button data-peer={id} disabled={state === 'connecting'} onClick={() => act(id, state)}>
                  {state === 'open' ? 'Send hello' : state === 'connecting' ? 'Linking…' : 'Connect'}
                </button>
              </li>
            );
          })
        )}
      </ul>
    </section>
  );
}

function LinkRow({ link: l, p2p }: { link: LinkStats; p2p: P2P }) {
  return (
    <tr>
      <td>
        <code title={l.peer}>{shortId(l.peer)}</code>
      </td>
      <td>
        <span class={`pill ${l.state}`}>{l.state}</span>
      </td>
      <td>{l.initiator ? 'initiator' : 'answerer'}</td>
      <td class="num">{formatBytes(l.bytesIn)}</td>
      <td class="num">{formatBytes(l.bytesOut)}</td>
      <td class="num">{`${l.msgsIn} / ${l.msgsOut}`}</td>
      <td class="num">{formatBytes(l.buffered)}</td>
      <td class="num">{`${Math.round((Date.now() - l.openedAt) / 1000)} s`}</td>
      <td>
        <button class="small" onClick={() => p2p.disconnect(l.peer)}>
          Close
        </button>
      </td>
    </tr>
  );
}

function LinksCard({ p2p }: { p2p: P2P }) {
  useNetwork(p2p);
  useClock();
  const links = p2p.stats().links;
  return (
    <section class="card wide" id="links-card">
      <h2>Peer links</h2>
      <Table
        class="links"
        heads={['Peer', 'State', 'Role', 'Bytes in', 'Bytes out', 'Msgs in/out', 'Queued', 'Age', '']}
        bodyId="links"
        rows={links.map((l) => <LinkRow key={l.peer} link={l} p2p={p2p} />)}
        empty="No links. Connect to a peer to open a WebRTC data channel. (Torrent peers are listed in a torrent's details.)"
      />
    </section>
  );
}

function EventsCard({ log }: { log: PageLog }) {
  useVersion(log);
  return (
    <section class="card" id="events-card">
      <h2>Events</h2>
      <ol id="log" class="log">
        {log.events.map((e) => (
          <li key={e.id}>
            <time>{new Date(e.at).toLocaleTimeString()}</time> {e.text}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A card made outside Preact (an element), placed in the tree. */
function Mount({ node }: { node: HTMLElement }) {
  const host = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    host.current?.replaceChildren(node);
  }, [node]);
  return <div ref={host} class="island" />;
}

/** The page's events that are news for the log (a peer came or went, a link opened or closed, a hello). */
function logNetwork(p2p: P2P, log: PageLog): void {
  p2p.on('state', (s) => log.log(`signaling: ${STATE_LABEL[s] ?? s}`));
  p2p.on('peer-join', ({ id }) => log.log(`${shortId(id)} joined`));
  p2p.on('peer-leave', ({ id, reason }) => {
    if (reason === 'left') log.log(`${shortId(id)} left`);
  });
  p2p.on('link-open', ({ peer }) => log.log(`link to ${shortId(peer)} open`));
  p2p.on('link-close', ({ peer, reason }) => log.log(`link to ${shortId(peer)} closed (${reason})`));
  p2p.on('data', ({ from, channel, bytes }) => {
    if (channel === 'hello') log.log(`${shortId(from)} says: ${new TextDecoder().decode(bytes.subarray(0, 200))}`);
  });
  p2p.on('error', ({ message }) => {
    log.log(`error: ${message}`);
    log.showError(message);
  });
}

export function renderPage(root: HTMLElement, p2p: P2P, warning: string | null): void {
  const log = new PageLog();
  const hooks = { showError: (m: string) => log.showError(m), log: (t: string) => log.log(t) };
  logNetwork(p2p, log);
  if (warning) log.showError(warning);
  const torrents = createTorrentUI(p2p, hooks, pageClock());
  const storage = createStorageCard(p2p, hooks);
  const search = createSearchUI(p2p, { log: hooks.log });
  const network = createNetworkUI(p2p);
  root.replaceChildren();
  render(
    <>
      <Header p2p={p2p} />
      <Errors log={log} />
      <main>
        {/* Left: the room and this tab's settings; right: files and links. On a narrow screen the
            columns dissolve and the cards stack in the order set in style.css. */}
        <div class="col side">
          <PeersCard p2p={p2p} log={log} />
          <Mount node={torrents.limits} />
          <Mount node={storage} />
          <EventsCard log={log} />
        </div>
        <div class="col primary">
          <div class="pair">
            <Mount node={torrents.share} />
            <Mount node={torrents.download} />
          </div>
          <Mount node={search} />
          <Mount node={network} />
          <DhtRingCard p2p={p2p} />
          <Mount node={torrents.list} />
          <Mount node={torrents.details} />
          <LinksCard p2p={p2p} />
        </div>
      </main>
    </>,
    root,
  );
}
