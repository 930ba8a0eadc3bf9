/**
 * The same-origin URLs the service worker answers with a torrent's file (`/files/<infoHash>/<name>`),
 * and the Content-Disposition that makes the browser save it under its name. Pure.
 */

const FILE_PATH_RE = /^\/files\/([0-9a-f]{40})(?:\/([^/]*))?$/;

/** The URL path of a torrent's file: `/files/<infoHash>/<name, percent-encoded>`. */
export function filePath(infoHash: string, name: string): string {
  return `/files/${infoHash}/${encodeURIComponent(name)}`;
}

/** The info hash a path names, or null when it is not a file path (it is left to the network). */
export function parseFilePath(pathname: string): { infoHash: string } | null {
  const m = FILE_PATH_RE.exec(pathname);
  return m ? { infoHash: m[1] as string } : null;
}

/**
 * `attachment` with the name twice: an ASCII fallback (other characters, quotes and
 * backslashes as "_") and the exact name as RFC 5987 UTF-8 (`filename*`).
 */
export function contentDisposition(name: string): string {
  const fallback = [...name].map((c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== '\\' ? c : '_')).join('') || 'download.bin';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
