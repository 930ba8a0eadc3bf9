/** The first page: who I am, who is online, my links and their traffic, what happened. */
import type { LinkStats, P2P } from '../api';
import { makeCard, el, formatBytes, shortId, safeText } from './dom';
import { createTorrentUI } from './torrents';
import { createSearchUI } from './search-card';
import { createNetworkUI } from './network-view';
import { createDhtRingUI } from './ring-view';
import { createStorageCard } from './storage-card';
import { pageClock } from './clock';

const STATE_LABEL: Record<string, string> = {
  connecting: 'Connecting…',
  open: 'Connected to the edge',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

export function renderPage(root: HTMLElement, p2p: P2P, warning: string | null): void {
  const idText = el('code', { id: 'my-id' }, '…');
  const shardText = el('span', { class: 'muted', id: 'my-shard' });
  const stateBadge = el('span', { class: 'badge', id: 'state' });
  const errors = el('div', { id: 'errors', class: 'errors', role: 'alert' });
  const peersList = el('ul', { id: 'peers', class: 'peers' });
  const peersCount = el('span', { class: 'count', id: 'peer-count' }, '0');
  const linksBody = el('tbody', { id: 'links' });
  const log = el('ol', { id: 'log', class: 'log' });

  const roomLine = el('p', { class: 'muted room-line', id: 'room-online' }, '');
  const peersTitle = el('span', {}, 'Online in this room ');
  const peersCard = makeCard({ id: 'peers-card' }, [peersTitle, peersCount], roomLine, peersList);
  const linksCard = el(
    'section',
    { class: 'card wide', id: 'links-card' },
    el('h2', {}, 'Peer links'),
    el(
      'div',
      { class: 'scroll-x' },
      el(
        'table',
        { class: 'links' },
        el(
          'thead',
          {},
          el('tr', {}, ...['Peer', 'State', 'Role', 'Bytes in', 'Bytes out', 'Msgs in/out', 'Queued', 'Age', ''].map((h) => el('th', {}, h))),
        ),
        linksBody,
      ),
    ),
  );
  const eventsCard = makeCard({ id: 'events-card' }, 'Events', log);
  const torrents = createTorrentUI(p2p, { showError: (m) => showError(m), log: (t) => addLog(t) });

  root.replaceChildren(
    el(
      'header',
      {},
      el('h1', {}, 'edge-p2p'),
      el('div', { class: 'who' }, el('span', { class: 'muted' }, `room ${p2p.room} · you are `), idText, shardText),
      stateBadge,
    ),
    errors,
    el(
      'main',
      {},
      // Left: the room and this tab's settings; right: files and links. On a narrow screen the
      // columns dissolve and the cards stack in the order set in style.css.
      el('div', { class: 'col side' }, peersCard, torrents.limits, createStorageCard(p2p, { showError: (m) => showError(m), log: (t) => addLog(t) }), eventsCard),
      el(
        'div',
        { class: 'col primary' },
        el('div', { class: 'pair' }, torrents.share, torrents.download),
        createSearchUI(p2p, { log: (t) => addLog(t) }),
        createNetworkUI(p2p),
        createDhtRingUI(p2p),
        torrents.list,
        torrents.details,
        linksCard,
      ),
    ),
  );

  function showError(message: string): void {
    const item = el('div', { class: 'error' }, safeText(message), el('button', { class: 'dismiss', title: 'Dismiss' }, '×'));
    item.querySelector('button')?.addEventListener('click', () => item.remove());
    errors.prepend(item);
    while (errors.childElementCount > 4) errors.lastElementChild?.remove();
  }
  if (warning) showError(warning);

  function addLog(text: string): void {
    log.prepend(el('li', {}, el('time', {}, new Date().toLocaleTimeString()), ' ', safeText(text)));
    while (log.childElementCount > 60) log.lastElementChild?.remove();
  }

  function renderState(): void {
    const s = p2p.state();
    stateBadge.textContent = STATE_LABEL[s] ?? s;
    stateBadge.className = `badge state-${s}`;
    idText.textContent = p2p.id || '…';
    const st = p2p.stats();
    shardText.textContent = p2p.id ? ` · gateway shard ${st.shard + 1}/${st.shards}` : '';
  }

  function renderPeers(): void {
    const linked = new Map(p2p.stats().links.map((l) => [l.peer, l.state]));
    const ids = p2p.peers().sort();
    peersCount.textContent = String(ids.length);
    const total = p2p.roomSize();
    // A large room: the count, and the view this tab has of it (not a list of thousands).
    // The badge counts the peers listed: the whole room when small, this tab's view when large.
    peersTitle.textContent = total > ids.length + 1 ? 'Peers in your view ' : 'Online in this room ';
    roomLine.textContent =
      total > ids.length + 1
        ? `${total.toLocaleString('en')} online · this tab sees ${ids.length} of them, a random view the edge refreshes every minute`
        : `${total.toLocaleString('en')} online, this tab included`;
    if (ids.length === 0) {
      peersList.replaceChildren(el('li', { class: 'muted empty' }, 'Nobody else yet. Open this page in another tab or device.'));
      return;
    }
    peersList.replaceChildren(
      ...ids.map((id) => {
        const state = linked.get(id);
        const button = el('button', { 'data-peer': id }, state === 'open' ? 'Send hello' : state === 'connecting' ? 'Linking…' : 'Connect');
        if (state === 'connecting') button.setAttribute('disabled', '');
        button.addEventListener('click', () => {
          const action =
            state === 'open' ? p2p.send(id, 'hello', new TextEncoder().encode(`hello from ${p2p.id}`)) : p2p.connect(id);
          action.catch((err: Error) => showError(err.message));
          renderPeers();
        });
        return el('li', {}, el('code', { title: id }, id), el('span', { class: `dot ${state ?? 'none'}` }), button);
      }),
    );
  }

  function linkRow(l: LinkStats): HTMLTableRowElement {
    const close = el('button', { class: 'small' }, 'Close');
    close.addEventListener('click', () => p2p.disconnect(l.peer));
    const age = Math.round((Date.now() - l.openedAt) / 1000);
    return el(
      'tr',
      {},
      el('td', {}, el('code', { title: l.peer }, shortId(l.peer))),
      el('td', {}, el('span', { class: `pill ${l.state}` }, l.state)),
      el('td', {}, l.initiator ? 'initiator' : 'answerer'),
      el('td', { class: 'num' }, formatBytes(l.bytesIn)),
      el('td', { class: 'num' }, formatBytes(l.bytesOut)),
      el('td', { class: 'num' }, `${l.msgsIn} / ${l.msgsOut}`),
      el('td', { class: 'num' }, formatBytes(l.buffered)),
      el('td', { class: 'num' }, `${age} s`),
      el('td', {}, close),
    );
  }

  function renderLinks(): void {
    const links = p2p.stats().links;
    linksBody.replaceChildren(
      ...(links.length
        ? links.map(linkRow)
        : [el('tr', {}, el('td', { colspan: '9', class: 'muted empty' }, 'No links. Connect to a peer to open a WebRTC data channel. (Torrent peers are listed in a torrent\'s details.)'))]),
    );
  }

  const render = () => {
    renderState();
    renderPeers();
    renderLinks();
  };
  p2p.on('state', (s) => {
    addLog(`signaling: ${STATE_LABEL[s] ?? s}`);
    render();
  });
  p2p.on('peer-join', ({ id }) => {
    addLog(`${shortId(id)} joined`);
    renderPeers();
  });
  p2p.on('peer-leave', ({ id, reason }) => {
    if (reason === 'left') addLog(`${shortId(id)} left`);
    renderPeers();
  });
  p2p.on('room', renderPeers);
  p2p.on('link-open', ({ peer }) => {
    addLog(`link to ${shortId(peer)} open`);
    render();
  });
  p2p.on('link-close', ({ peer, reason }) => {
    addLog(`link to ${shortId(peer)} closed (${reason})`);
    render();
  });
  p2p.on('data', ({ from, channel, bytes }) => {
    if (channel === 'hello') addLog(`${shortId(from)} says: ${new TextDecoder().decode(bytes.subarray(0, 200))}`);
  });
  p2p.on('error', ({ message }) => {
    addLog(`error: ${message}`);
    showError(message);
  });
  void p2p.ready.then(render);
  render();
  pageClock().subscribe(renderLinks);
}
