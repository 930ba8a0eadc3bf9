/**
 * The files of a multi-file torrent, in a row under its own in the torrent list: per file its
 * path, size, progress, a checkbox to fetch it or not (while the torrent is incomplete), and a
 * Save link once it is here. Uses only the torrent handle of window.p2p.
 */
import type { TorrentFileView, TorrentHandle } from '../api';
import { describeError, displayName, formatBytes, isolatedName } from './dom';
import { SaveLink } from './save-link';
import type { TorrentStore } from './torrent-store';

/** Files listed at most (a torrent may hold 100,000: the rest are counted, not drawn). */
const MAX_SHOWN = 500;

interface FileRowsProps {
  handle: TorrentHandle;
  store: TorrentStore;
  complete: boolean;
  selectedLength: number;
}

export function FileRows({ handle, store, complete, selectedLength }: FileRowsProps) {
  const files = handle.files();
  const chosen = files.filter((f) => f.selected).length;
  /** Fetch `f` or not; every other file keeps its state. */
  const choose = (f: TorrentFileView, fetch: boolean) => {
    const picked = files.filter((x) => (x.index === f.index ? fetch : x.selected)).map((x) => x.index);
    try {
      handle.select(picked);
    } catch (err) {
      store.showError(describeError(err));
    }
    store.refresh(false);
  };
  return (
    <tr class="files-row" data-files-of={handle.infoHash}>
      <td colSpan={7}>
        <p class="muted file-summary">
          {complete
            ? `${files.length} files, all here`
            : `${chosen} of ${files.length} files selected (${formatBytes(selectedLength)}) · untick a file to leave it out`}
        </p>
        <ul class="file-list">
          {files.slice(0, MAX_SHOWN).map((f) => (
            <FileItem key={f.index} file={f} handle={handle} store={store} complete={complete} choose={choose} />
          ))}
        </ul>
        <p class="muted file-more" hidden={files.length <= MAX_SHOWN}>
          {`…and ${files.length - MAX_SHOWN} more files (see p2p.torrents()[i].files()).`}
        </p>
      </td>
    </tr>
  );
}

interface FileItemProps {
  file: TorrentFileView;
  handle: TorrentHandle;
  store: TorrentStore;
  complete: boolean;
  choose(f: TorrentFileView, fetch: boolean): void;
}

function FileItem({ file: f, handle, store, complete, choose }: FileItemProps) {
  const here = f.progress >= 1;
  const percent = here ? 100 : Math.min(99.9, Math.floor(f.progress * 1000) / 10);
  const name = displayName(f.path);
  return (
    <li class={f.selected ? 'file' : 'file unselected'} data-path={f.path} data-index={String(f.index)} data-state={here ? 'here' : f.selected ? 'fetching' : 'skipped'}>
      <label class="file-name">
        <input
          type="checkbox"
          class="file-select"
          aria-label={`fetch ${name}`}
          checked={f.selected}
          disabled={complete}
          onChange={(e) => choose(f, e.currentTarget.checked)}
        />
        <bdi class="file-path" title={name}>
          {name}
        </bdi>
      </label>
      <span class="file-size">{formatBytes(f.length)}</span>
      <span class="file-progress">
        <progress class="file-bar" max={1} value={f.progress} />
        <span class="file-pct">{here ? 'here' : f.selected ? `${percent}%` : `skipped · ${percent}%`}</span>
      </span>
      <SaveLink
        class="button small file-save"
        title={`Save ${name} to disk`}
        hidden={!here}
        url={handle.saveUrl(f.path)}
        blob={() => handle.blob(f.path)}
        fileName={f.path.split('/').pop() ?? 'file'}
        failed={(m) => store.showError(`Could not save ${isolatedName(f.path)}: ${m}`)}
      />
    </li>
  );
}
