/**
 * The service worker's answer to `GET /files/<infoHash>/<name>` (a multi-file torrent:
 * `/files/<infoHash>/<path in it>`): the stored file as a streamed response (pieces pulled from
 * storage one at a time, the file's own bytes cut out of pieces it shares with its neighbours)
 * with `Content-Disposition: attachment` of the file's own name, or a short plain-text error —
 * 404 for a torrent this browser does not hold or a path that is none of its files, 409 for a
 * file whose pieces are not all here, 500 when storage fails — never a hang.
 */
import type { StoredPieces } from '../store/content-files';
import type { KV } from '../store/kv';
import { contentDisposition, parseFilePath } from './file-url';
import { fileTarget } from './file-target';
import { pieceStream, piecesOf, type ByteRange } from './piece-stream';
import { openStoredFile, type StoredFile } from './stored-file';

function text(status: number, body: string): Response {
  return new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

/** The first piece of `range` the browser lacks, or -1. */
function firstMissing(file: StoredFile, range: ByteRange): number {
  const span = piecesOf(file, range);
  if (!span) return -1;
  for (let i = span.first; i <= span.last; i++) if (!file.have.get(i)) return i;
  return -1;
}

/** null: not a file URL (let the request go to the network). */
export async function fileResponse(kv: KV, stored: StoredPieces, request: Request): Promise<Response | null> {
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  const target = parseFilePath(url.pathname);
  if (!target && !url.pathname.startsWith('/files/')) return null;
  if (!target) return text(404, 'Not a file of this browser: the address must be /files/<40 hex digits of an info hash>/<name or path>.');
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Only GET and HEAD are answered here.');
  let file: StoredFile | null;
  try {
    file = await openStoredFile(kv, stored, target.infoHash);
  } catch (err) {
    return text(500, `The stored torrent ${target.infoHash} could not be read: ${(err as Error).message}`);
  }
  if (!file) return text(404, `This browser holds no torrent with info hash ${target.infoHash}.`);
  const chosen = fileTarget(file.name, file.files, file.multi, target.path);
  if (!chosen.ok) return text(chosen.status, chosen.message);
  const span = chosen.file;
  const name = span.path[span.path.length - 1] as string;
  const range: ByteRange = { start: span.offset, end: span.offset + span.length };
  const missing = firstMissing(file, range);
  if (missing >= 0) {
    const what = file.multi ? `“${span.path.join('/')}” of “${file.name}”` : `“${file.name}”`;
    return text(409, `${what} is not complete in this browser: ${file.have.count()} of ${file.pieces} pieces are here (piece ${missing} is missing).`);
  }
  const headers = {
    'content-type': 'application/octet-stream',
    'content-length': String(range.end - range.start),
    'content-disposition': contentDisposition(name),
    'accept-ranges': 'none',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  // Where the bytes lie contiguous on disk (OPFS), the browser streams them itself: no piece
  // passes through this worker's memory. Otherwise, one piece at a time.
  const blob = await file.slice(range.start, range.end).catch(() => undefined);
  const body = blob ?? pieceStream(file, range, file.read, (i) => `piece ${i} of “${name}” has gone from storage`);
  return new Response(body, { status: 200, headers });
}
