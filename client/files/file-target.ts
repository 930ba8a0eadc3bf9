/**
 * Which file of a torrent a `/files/<infoHash>/<path>` URL names: a single-file torrent's one
 * file whatever name follows the hash (the name is for the browser's download bar), a
 * multi-file torrent's file by its path in the torrent, or why none: a 404 in words. Pure.
 */
import { joinPath, type FileSpan } from '../../protocol/file-layout';

export type FileTarget = { ok: true; file: FileSpan } | { ok: false; status: 404; message: string };

/** `multi`: the torrent has an info `files` list; `path`: the URL's decoded elements after the hash. */
export function fileTarget(name: string, files: readonly FileSpan[], multi: boolean, path: readonly string[]): FileTarget {
  if (!multi) return { ok: true, file: files[0] as FileSpan };
  if (path.length === 0) {
    return { ok: false, status: 404, message: `“${name}” is a folder of ${files.length} files: add the path of one of them to the address.` };
  }
  const want = joinPath(path);
  const file = files.find((f) => joinPath(f.path) === want);
  return file ? { ok: true, file } : { ok: false, status: 404, message: `“${name}” has no file “${want}”.` };
}
