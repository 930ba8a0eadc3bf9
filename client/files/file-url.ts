/**
 * The same-origin URLs the service worker answers with a torrent's file: `/files/<infoHash>/<name>`
 * for a single-file torrent, `/files/<infoHash>/<path in the torrent>` for a file of a multi-file
 * one (each path element percent-encoded); the same with `?stream` is its media URL (shown in
 * the page, played by a media element, read by Range requests as its pieces arrive); and the
 * Content-Disposition that makes the browser save it under its name. Pure.
 */

const FILE_PATH_RE = /^\/files\/([0-9a-f]{40})(?:\/(.*))?$/;

/**
 * The URL path of a torrent's file: `/files/<infoHash>/` then the name (one element, a "/" in
 * it encoded) or the path elements, each percent-encoded, joined by "/".
 */
export function filePath(infoHash: string, path: string | readonly string[]): string {
  const parts = typeof path === 'string' ? [path] : path;
  return `/files/${infoHash}/${parts.map(encodeURIComponent).join('/')}`;
}

/** The query that makes a file URL its media URL. */
export const STREAM_QUERY = 'stream';

/** The URL path and query of a file to play or show in the page (see file-response.ts). */
export function mediaPath(infoHash: string, path: string | readonly string[]): string {
  return `${filePath(infoHash, path)}?${STREAM_QUERY}`;
}

/**
 * The info hash and decoded path elements a URL path names (no elements: `/files/<infoHash>`),
 * or null when it is not a file path: another shape, or malformed percent-encoding.
 */
export function parseFilePath(pathname: string): { infoHash: string; path: string[] } | null {
  const m = FILE_PATH_RE.exec(pathname);
  if (!m) return null;
  const rest = m[2] ?? '';
  try {
    return { infoHash: m[1] as string, path: rest === '' ? [] : rest.split('/').map(decodeURIComponent) };
  } catch {
    return null;
  }
}

/**
 * `attachment` (or `inline`, for a media URL) with the name twice: an ASCII fallback (other
 * characters, quotes and backslashes as "_") and the exact name as RFC 5987 UTF-8 (`filename*`).
 */
export function contentDisposition(name: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const fallback = [...name].map((c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== '\\' ? c : '_')).join('') || 'download.bin';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
