/**
 * One row of the torrent list, keyed by its info hash: its cells (rowView() says what they
 * show), its ▶ Play (a torrent with video or audio), Details and Remove buttons, its Save link once the torrent is done (a single-file
 * one; a multi-file torrent's files are saved from its file list, in a row under it).
 */
import type { TorrentHandle } from '../api';
import { displayName, fillTransform, isolatedName } from './dom';
import { FileRows } from './file-list';
import { firstPlayable } from './media-panel';
import { SaveLink } from './save-link';
import type { TorrentStore } from './torrent-store';
import { rowView } from './torrent-row-view';

export function TorrentRow({ handle: h, store, selected }: { handle: TorrentHandle; store: TorrentStore; selected: boolean }) {
  const p = h.progress();
  const v = rowView(p, h.peers().length);
  const name = displayName(h.name());
  const label = isolatedName(h.name());
  const playable = firstPlayable(h.files());
  return (
    <>
      <tr data-infohash={h.infoHash} class={selected ? 'torrent selected' : 'torrent'}>
        <td class="name-cell" data-label="Name">
          <bdi class="name" title={`${name}\ninfo hash ${h.infoHash}`} onClick={() => store.select(h.infoHash)}>
            {name}
          </bdi>
          <div class="sub">
            <span class={`pill ${v.statusKind}`}>{v.status}</span>
            <span class={v.notes ? 'notes warn-text' : 'notes'}>{v.notes}</span>
          </div>
        </td>
        <td class="num" data-label="Size" title={v.sizeTitle}>
          {v.size}
        </td>
        <td class="progress-cell" data-label="Progress">
          <div class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={v.percent}>
            <div class={p.done ? 'fill done' : 'fill'} style={{ transform: fillTransform(v.percent) }} />
          </div>
          <span class="pct" title={v.pctTitle}>{`${v.percent}%`}</span>
        </td>
        <td class="num rates" data-label="Speed ↓ / ↑">
          <div>
            <span class="rate down" title="download rate">
              {v.down}
            </span>
            <span class="rate up" title={v.upTitle}>
              {v.up}
            </span>
          </div>
        </td>
        <td class="num" data-label="ETA" title={v.etaTitle}>
          {v.eta}
        </td>
        <td class="num" data-label="Peers">
          {v.peers}
        </td>
        <td class="actions">
          <div class="actions-inner">
            {p.done && !p.multiFile && (
              <SaveLink
                class="button save-link"
                title="Save the file to disk"
                url={h.saveUrl()}
                blob={() => h.blob()}
                fileName={h.name()}
                failed={(m) => store.showError(`Could not save ${label}: ${m}`)}
              />
            )}
            {playable && (
              <button class="small play" data-testid="row-play" title={`Play ${displayName(playable.path)} while it downloads`} onClick={() => store.play(h.infoHash, playable.index)}>
                ▶ Play
              </button>
            )}
            <button class="small details-toggle" aria-pressed={selected ? 'true' : 'false'} onClick={() => store.toggle(h.infoHash)}>
              {selected ? 'Hide' : 'Details'}
            </button>
            <button class="small danger remove" title="Stop this torrent in this tab" onClick={() => store.remove(h.infoHash)}>
              Remove
            </button>
          </div>
        </td>
      </tr>
      {p.multiFile && <FileRows handle={h} store={store} complete={p.complete} selectedLength={p.selectedLength} />}
    </>
  );
}
