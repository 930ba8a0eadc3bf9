/** window.p2p's handle of a torrent (TorrentHandle in client/api.ts): one per torrent, made on first use. */
import { formatMagnet } from '../../protocol/magnet';
import type { TorrentHandle } from '../api';
import { filePath, mediaPath } from '../files/file-url';
import type { TorrentClient } from './client';
import type { Torrent } from './torrent';

const handles = new WeakMap<Torrent, TorrentHandle>();

/** One handle per torrent, made on first use. */
export function handleOf(t: Torrent, client: TorrentClient): TorrentHandle {
  let h = handles.get(t);
  if (!h) {
    h = makeHandle(t, client);
    handles.set(t, h);
  }
  return h;
}

/** The path elements of a torrent's file in its /files/ URL: its name (single-file), or a file's path in it (multi-file, where one must be named). */
function fileElements(t: Torrent, path: string | number | undefined, caller: string): string[] {
  if (!t.multiFile) return [t.name];
  if (path === undefined) throw new Error(`"${t.name}" holds several files: ${caller}() needs the path of one of them`);
  const file = t.files().find((f) => (typeof path === 'number' ? f.index === path : f.path === path));
  if (!file) throw new RangeError(typeof path === 'number' ? `file index ${path} is not in [0, ${t.files().length})` : `the torrent has no file "${path}"`);
  return file.path.split('/');
}

function makeHandle(t: Torrent, client: TorrentClient): TorrentHandle {
  const done = new Promise<void>((resolve) => {
    // Done for the user: every selected file is here (fired before `done` when all are selected).
    if (t.selectionDone) resolve();
    else t.on('selection-done', () => resolve());
  });
  return {
    infoHash: t.infoHash,
    magnet: formatMagnet({ infoHash: t.infoHash, name: t.name, trackers: [client.trackerUrl] }),
    name: () => t.name,
    progress: () => t.progress(),
    peers: () => t.peerViews(),
    pieceMap: () => t.pieceMap(),
    done,
    files: () => t.files(),
    select: (files) => t.select(files),
    bytes: (path) => t.bytes(path),
    blob: (path) => t.blob(path),
    stream: (path) => t.stream(path),
    saveUrl: (path) => new URL(filePath(t.infoHash, fileElements(t, path, 'saveUrl')), location.origin).href,
    mediaUrl: (path) => new URL(mediaPath(t.infoHash, fileElements(t, path, 'mediaUrl')), location.origin).href,
    on: ((event: 'progress' | 'warning' | 'error', fn: (p: unknown) => void) => t.on(event, fn)) as TorrentHandle['on'],
    remove: () => client.remove(t.infoHash),
    superSeed: (on) => t.setSuperSeed(on),
  };
}
