/** Details of the selected torrent: its magnet, the peers of its swarm with their states, its piece map. */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { PeerView, TorrentHandle } from '../api';
import { CopyButton } from './copy-button';
import { Table } from './table';
import { displayName, formatRate } from './dom';
import { MediaPanel } from './media-panel';
import { PieceMapView } from './piece-map';
import { clientName, shortPeerId } from './peer-names';
import type { TorrentStore } from './torrent-store';

function Pill({ text, kind, title }: { text: string; kind: string; title: string }) {
  return (
    <span class={`pill ${kind}`} title={title}>
      {text}
    </span>
  );
}

function PeerRow({ peer: p, pieces }: { peer: PeerView; pieces: number }) {
  const isSeed = pieces > 0 && p.pieces >= pieces;
  return (
    <tr data-peer={p.id}>
      <td>
        <code title={p.id}>{shortPeerId(p.id)}</code>
      </td>
      <td title={p.client}>{clientName(p.client)}</td>
      <td data-label="We">
        {p.amChoking ? <Pill text="choking" kind="muted-pill" title="we do not upload to this peer" /> : <Pill text="unchoked" kind="ok" title="we upload to this peer" />}
        {p.amInterested && <Pill text="interested" kind="info" title="this peer has pieces we want" />}
      </td>
      <td data-label="They">
        {p.peerChoking ? (
          <Pill text="choking us" kind="muted-pill" title="this peer does not upload to us" />
        ) : (
          <Pill text="unchoked us" kind="ok" title="this peer uploads to us" />
        )}
        {p.peerInterested && <Pill text="interested" kind="info" title="this peer wants pieces we have" />}
        {p.snubbed && <Pill text="snubbed" kind="bad" title="no block from this peer for a while" />}
      </td>
      <td class="num" data-label="Down">
        {formatRate(p.downRate)}
      </td>
      <td class="num" data-label="Up">
        {formatRate(p.upRate)}
      </td>
      <td class="num" data-label="Pieces">
        {pieces ? `${p.pieces}/${pieces}${isSeed ? ' (seed)' : ''}` : String(p.pieces)}
      </td>
      <td class="num" data-label="Requests">
        {String(p.outstanding)}
      </td>
    </tr>
  );
}

/** The canvas piece map (piece-map.ts draws it), fed on every render. */
function PieceMap({ handle, peers }: { handle: TorrentHandle; peers: number }) {
  const box = useRef<HTMLDivElement>(null);
  const view = useMemo(() => new PieceMapView(), []);
  useEffect(() => {
    box.current?.append(view.element);
    return () => view.destroy();
  }, [view]);
  useEffect(() => view.update(handle.pieceMap(), peers));
  return <div ref={box} class="piece-map-host" />;
}

export function TorrentDetails({ store }: { store: TorrentStore }) {
  const h = store.selected ? (store.handles.get(store.selected) ?? null) : null;
  const magnet = useRef<HTMLInputElement>(null);
  // The peers table is read again on full refreshes (once a second), not on every progress event.
  const peers = useMemo(() => h?.peers() ?? [], [h, store.fullVersion]);
  if (!h) return <section class="card wide details" id="torrent-details" hidden />;
  const progress = h.progress();
  const sorted = [...peers].sort((a, b) => b.downRate + b.upRate - (a.downRate + a.upRate) || a.id.localeCompare(b.id));
  return (
    <section class="card wide details" id="torrent-details">
      <div class="card-head">
        <h2>
          Torrent details: <bdi class="name" id="details-name">{displayName(h.name())}</bdi>
        </h2>
        <button class="small" id="details-close" title="Hide the details" onClick={() => store.select(null)}>
          Close
        </button>
      </div>
      <div class="field-row">
        <span class="muted">info hash</span>
        <code id="details-hash">{h.infoHash}</code>
      </div>
      <div class="field-row">
        <input ref={magnet} class="magnet" readOnly id="details-magnet" aria-label="magnet link" value={h.magnet} />
        <CopyButton class="small copy" text={h.magnet} field={() => magnet.current} />
      </div>
      {progress.complete && (
        <div class="field-row">
          <label title="Offer each peer a few pieces no one has yet, so that the whole file leaves this browser about once however many download it (BEP 16). Peers of ours still get a piece a player reads at once.">
            <input
              type="checkbox"
              id="details-super-seed"
              checked={progress.superSeeding}
              onChange={(e) => store.superSeed(h.infoHash, (e.currentTarget as HTMLInputElement).checked)}
            />{' '}
            Super-seed: send each piece once, let the peers pass it on
          </label>
        </div>
      )}
      <MediaPanel handle={h} store={store} />
      <h3>Pieces</h3>
      <PieceMap key={h.infoHash} handle={h} peers={peers.length} />
      <h3>
        Peers <span class="count">{String(peers.length)}</span>
      </h3>
      <Table
        class="links peers-table"
        id="peer-table"
        heads={['Peer', 'Client', 'We', 'They', 'Down', 'Up', 'Pieces', 'Requests']}
        bodyId="peer-table-body"
        rows={sorted.map((p) => <PeerRow key={p.id} peer={p} pieces={progress.pieces} />)}
        empty={
          progress.complete
            ? 'No peer connected right now: we seed to whoever asks the tracker for this torrent.'
            : 'No peer connected yet: asking the tracker for the swarm…'
        }
      />
    </section>
  );
}
