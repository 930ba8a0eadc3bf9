/**
 * The service worker's answer to `GET /files/<infoHash>/<name>` (a multi-file torrent:
 * `/files/<infoHash>/<path in it>`): the stored file as a streamed response (pieces pulled from
 * storage one at a time, the file's own bytes cut out of pieces it shares with its neighbours)
 * with `Content-Disposition: attachment` of the file's own name; with `?stream` (its media URL)
 * the same bytes in place (`inline`, the Content-Type of its extension) for a media element or
 * a preview. Both answer Range requests (206 with Content-Range; 416 for a range outside the
 * file). Or a short plain-text error — 404 for a torrent this browser does not hold or a path
 * that is none of its files, 409 for bytes whose pieces are not all here, 500 when storage
 * fails — never a hang.
 */
import type { StoredPieces } from '../store/content-files';
import type { KV } from '../store/kv';
import { parseRange } from './byte-range';
import { contentDisposition, parseFilePath, STREAM_QUERY } from './file-url';
import { fileTarget } from './file-target';
import { mediaType } from './media-type';
import { pieceStream, piecesOf, type ByteRange } from './piece-stream';
import { openStoredFile, type StoredFile } from './stored-file';
import type { PieceSource } from './tab-pieces';

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

/** The first piece of `range` the browser lacks, or -1. */
function firstMissing(file: StoredFile, range: ByteRange): number {
  const span = piecesOf(file, range);
  if (!span) return -1;
  for (let i = span.first; i <= span.last; i++) if (!file.have.get(i)) return i;
  return -1;
}

/**
 * Piece reads for a media response over pieces still coming: each read moves the reader's
 * window to the piece read and the few after it (the tabs fetch those first), and a piece not
 * here yet is waited for; undefined when it does not come in time.
 */
function awaitingRead(file: StoredFile, range: ByteRange, reader: Reader, source: PieceSource): (index: number) => Promise<Uint8Array | undefined> {
  return async (index) => {
    const last = windowEnd(file, range, index);
    let ahead = false;
    for (let i = index; i <= last && !ahead; i++) ahead = !file.have.get(i);
    if (ahead) void source.want(file.infoHash, reader.id, index, last, reader.player);
    if (!file.have.get(index)) {
      if (!(await source.stored(file.infoHash, index, PIECE_WAIT_MS))) return undefined;
      file.have.set(index);
    }
    return file.read(index);
  };
}

/** One streamed media response, and whose reads it serves (the page's client id and the file). */
interface Reader {
  id: string;
  player: string | undefined;
}

/** The last piece of a reader's window from piece `index`: READ_AHEAD_BYTES further (at least one piece), within the range. */
function windowEnd(file: StoredFile, range: ByteRange, index: number): number {
  return Math.min(piecesOf(file, range)?.last ?? index, index + Math.max(1, Math.ceil(READ_AHEAD_BYTES / file.pieceLength)));
}

/**
 * Bytes past the piece being read that a media reader asks the tabs for first: a few seconds of
 * video (2.8 s at 3 Mbit/s), four pieces of 256 KiB, whatever size the torrent's pieces are.
 */
export const READ_AHEAD_BYTES = 1024 * 1024;
/** A streamed media response whose next piece has not come in this long fails (the element asks again). */
export const PIECE_WAIT_MS = 60_000;

/**
 * null: not a file URL (let the request go to the network). `source`: where a media URL's
 * missing pieces come from (the tabs, tab-pieces.ts); without one, missing pieces are a 409.
 * `client`: the id of the page that asked (a FetchEvent's clientId), whose reads of one file are
 * one player's: after a seek its new reader goes first.
 */
export async function fileResponse(kv: KV, stored: StoredPieces, request: Request, source?: PieceSource, client?: string): Promise<Response | null> {
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  const target = parseFilePath(url.pathname);
  if (!target && !url.pathname.startsWith('/files/')) return null;
  if (!target) return text(404, 'Not a file of this browser: the address must be /files/<40 hex digits of an info hash>/<name or path>.');
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Only GET and HEAD are answered here.');
  const media = url.searchParams.has(STREAM_QUERY);
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
  const asked = parseRange(request.headers.get('range'), span.length);
  if (asked.kind === 'unsatisfiable') {
    return text(416, `The range asked for cannot be served: ${asked.reason}.`, { 'content-range': `bytes */${span.length}` });
  }
  // The asked bytes of the file, as offsets in the torrent.
  const part = asked.kind === 'range' ? asked.range : { start: 0, end: span.length };
  const range: ByteRange = { start: span.offset + part.start, end: span.offset + part.end };
  const missing = firstMissing(file, range);
  const what = file.multi ? `“${span.path.join('/')}” of “${file.name}”` : `“${file.name}”`;
  let reader: Reader | null = null;
  if (missing >= 0) {
    const incomplete = `${what} is not complete in this browser: ${file.have.count()} of ${file.pieces} pieces are here (piece ${missing} is missing)`;
    if (!media || !source) return text(409, `${incomplete}.`);
    // Played while it downloads: the tabs fetch what is read first, and the response waits for it.
    reader = { id: crypto.randomUUID(), player: client ? `${client}:${span.offset}` : undefined };
    if (!(await source.want(file.infoHash, reader.id, missing, windowEnd(file, range, missing), reader.player))) {
      return text(503, `${incomplete}, and no tab of this browser is downloading it: open the page with it (or keep it open) to play it while it downloads.`);
    }
  }
  const headers: Record<string, string> = {
    // A media URL says what the file is (by its extension) and is shown in place; a save URL is bytes to keep.
    'content-type': media ? mediaType(name).type : 'application/octet-stream',
    'content-length': String(part.end - part.start),
    'content-disposition': contentDisposition(name, media ? 'inline' : 'attachment'),
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // A peer's file is never a document of this origin, whatever it holds.
    'content-security-policy': "default-src 'none'; sandbox",
  };
  const status = asked.kind === 'range' ? 206 : 200;
  if (status === 206) headers['content-range'] = `bytes ${part.start}-${part.end - 1}/${span.length}`;
  if (request.method === 'HEAD') return new Response(null, { status, headers });
  if (reader && source) return new Response(pieceStream(file, range, awaitingRead(file, range, reader, source), (i) => `piece ${i} of ${what} did not come within ${PIECE_WAIT_MS / 1000} s`), { status, headers });
  // Where the bytes lie contiguous on disk (OPFS), the browser streams them itself: no piece
  // passes through this worker's memory. Otherwise, one piece at a time.
  const blob = await file.slice(range.start, range.end).catch(() => undefined);
  const body = blob ?? pieceStream(file, range, file.read, (i) => `piece ${i} of “${name}” has gone from storage`);
  return new Response(body, { status, headers });
}
