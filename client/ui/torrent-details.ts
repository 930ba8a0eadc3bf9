/** Details of one torrent: its magnet, the peers of its swarm with their states, its piece map. */
import type { PeerView, TorrentHandle } from '../api';
import { copyText, displayName, el, formatRate } from './dom';
import { PieceMapView } from './piece-map';

/** Known BitTorrent client prefixes (Azureus-style "-XX1234-" peer ids). */
const CLIENTS: Record<string, string> = {
  EP: 'edge-p2p',
  WW: 'WebTorrent',
  WD: 'WebTorrent Desktop',
  qB: 'qBittorrent',
  TR: 'Transmission',
  UT: 'µTorrent',
  ut: 'µTorrent',
  LT: 'libtorrent',
  lt: 'libTorrent',
  DE: 'Deluge',
  AZ: 'Vuze',
  BI: 'BiglyBT',
};

export function clientName(raw: string): string {
  const m = /^-([A-Za-z~]{2})([0-9A-Za-z]{4})-$/.exec(raw);
  if (!m) return raw.replace(/[^\x20-\x7e]/g, '?') || 'unknown';
  const [, code, version] = m;
  const name = CLIENTS[code!] ?? code!;
  return `${name} ${version!.replace(/^0+(?=.)/, '')}`;
}

/** A BitTorrent peer id (40 hex digits) shortened: its random printable tail, else its last hex digits. */
export function shortPeerId(hex: string): string {
  if (/^[0-9a-f]{40}$/i.test(hex)) {
    const bytes = hex.match(/../g)!.map((h) => parseInt(h, 16));
    const tail = bytes.slice(8);
    if (tail.every((b) => b >= 0x21 && b <= 0x7e)) return `${String.fromCharCode(...tail.slice(0, 8))}…`;
  }
  return hex.length > 10 ? `…${hex.slice(-8)}` : hex;
}

function pill(text: string, kind: string, title: string): HTMLElement {
  return el('span', { class: `pill ${kind}`, title }, text);
}

function peerRow(p: PeerView, pieces: number): HTMLTableRowElement {
  const isSeed = pieces > 0 && p.pieces >= pieces;
  return el(
    'tr',
    { 'data-peer': p.id },
    el('td', {}, el('code', { title: p.id }, shortPeerId(p.id))),
    el('td', { title: p.client }, clientName(p.client)),
    el(
      'td',
      { 'data-label': 'We' },
      p.amChoking ? pill('choking', 'muted-pill', 'we do not upload to this peer') : pill('unchoked', 'ok', 'we upload to this peer'),
      p.amInterested ? pill('interested', 'info', 'this peer has pieces we want') : '',
    ),
    el(
      'td',
      { 'data-label': 'They' },
      p.peerChoking ? pill('choking us', 'muted-pill', 'this peer does not upload to us') : pill('unchoked us', 'ok', 'this peer uploads to us'),
      p.peerInterested ? pill('interested', 'info', 'this peer wants pieces we have') : '',
      p.snubbed ? pill('snubbed', 'bad', 'no block from this peer for a while') : '',
    ),
    el('td', { class: 'num', 'data-label': 'Down' }, formatRate(p.downRate)),
    el('td', { class: 'num', 'data-label': 'Up' }, formatRate(p.upRate)),
    el('td', { class: 'num', 'data-label': 'Pieces' }, pieces ? `${p.pieces}/${pieces}${isSeed ? ' (seed)' : ''}` : String(p.pieces)),
    el('td', { class: 'num', 'data-label': 'Requests' }, String(p.outstanding)),
  );
}

export class TorrentDetails {
  readonly element: HTMLElement;
  private readonly title = el('bdi', { class: 'name', id: 'details-name' });
  private readonly hash = el('code', { id: 'details-hash' });
  private readonly magnet = el('input', { class: 'magnet', readonly: '', id: 'details-magnet', 'aria-label': 'magnet link' });
  private readonly copy = el('button', { class: 'small copy' }, 'Copy');
  private readonly peersBody = el('tbody', { id: 'peer-table-body' });
  private readonly peersCount = el('span', { class: 'count' }, '0');
  private readonly map = new PieceMapView();
  private handle: TorrentHandle | null = null;
  private lastPeers = 0;

  constructor(onClose: () => void) {
    const close = el('button', { class: 'small', id: 'details-close', title: 'Hide the details' }, 'Close');
    close.addEventListener('click', onClose);
    this.copy.addEventListener('click', () => {
      void copyText(this.magnet.value, this.magnet).then((r) => flash(this.copy, r === 'copied' ? 'Copied' : 'Press Ctrl+C'));
    });
    this.element = el(
      'section',
      { class: 'card wide details', id: 'torrent-details', hidden: '' },
      el('div', { class: 'card-head' }, el('h2', {}, 'Torrent details: ', this.title), close),
      el('div', { class: 'field-row' }, el('span', { class: 'muted' }, 'info hash'), this.hash),
      el('div', { class: 'field-row' }, this.magnet, this.copy),
      el('h3', {}, 'Pieces'),
      this.map.element,
      el('h3', {}, 'Peers ', this.peersCount),
      el(
        'div',
        { class: 'scroll-x' },
        el(
          'table',
          { class: 'links peers-table', id: 'peer-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['Peer', 'Client', 'We', 'They', 'Down', 'Up', 'Pieces', 'Requests'].map((h) => el('th', {}, h)),
            ),
          ),
          this.peersBody,
        ),
      ),
    );
  }

  get infoHash(): string | null {
    return this.handle?.infoHash ?? null;
  }

  show(handle: TorrentHandle | null): void {
    const changed = handle?.infoHash !== this.handle?.infoHash;
    this.handle = handle;
    this.element.hidden = !handle;
    if (!handle) return;
    if (!changed) return;
    this.hash.textContent = handle.infoHash;
    this.magnet.value = handle.magnet;
    this.update(true);
  }

  /** Refresh: the piece map whenever it changed; the peers table when `full` (once a second). */
  update(full: boolean): void {
    const h = this.handle;
    if (!h) return;
    this.title.textContent = displayName(h.name());
    const progress = h.progress();
    const peers = full ? h.peers() : null;
    if (peers) this.lastPeers = peers.length;
    this.map.update(h.pieceMap(), this.lastPeers);
    if (!peers) return;
    this.peersCount.textContent = String(peers.length);
    peers.sort((a, b) => b.downRate + b.upRate - (a.downRate + a.upRate) || a.id.localeCompare(b.id));
    this.peersBody.replaceChildren(
      ...(peers.length
        ? peers.map((p) => peerRow(p, progress.pieces))
        : [
            el(
              'tr',
              {},
              el(
                'td',
                { colspan: '8', class: 'muted empty' },
                progress.complete
                  ? 'No peer connected right now: we seed to whoever asks the tracker for this torrent.'
                  : 'No peer connected yet: asking the tracker for the swarm…',
              ),
            ),
          ]),
    );
  }
}

/** Show `text` on a button for a moment, then its label again. */
export function flash(button: HTMLButtonElement, text: string, ms = 1500): void {
  const label = button.dataset.label ?? button.textContent ?? '';
  button.dataset.label = label;
  button.textContent = text;
  clearTimeout(Number(button.dataset.timer));
  button.dataset.timer = String(
    setTimeout(() => {
      button.textContent = label;
    }, ms),
  );
}
