/**
 * A streamed share: a File or Blob — or an ordered list of files, a multi-file torrent whose
 * pieces run across file boundaries — read in chunks with `blob.slice()` (never whole), each piece
 * hashed and stored as it is read, under a piece key of its own (the info hash is known only
 * once every piece is hashed). Memory held: a few chunks, whatever the file's size. Refused up
 * front when the storage quota cannot hold the file; cancelled (signal) or failed part way,
 * every piece written is deleted again: nothing half-written is left.
 */
import { PIECE_LENGTH } from '../../protocol/constants';
import { pieceCount, torrentFromHashes, type CreatedTorrent } from '../../protocol/metainfo';
import { sha1, SHA1_LENGTH } from '../../protocol/sha1';
import { storageProblem, type StorageEstimateLike } from '../core/quota';
import type { PieceStore } from './piece-store';

/** Pieces read per slice of the file (4 MiB of 256 KiB pieces). */
const CHUNK_PIECES = 16;
/** Chunks whose pieces may be still on their way to storage while the next is read. */
const CHUNKS_IN_FLIGHT = 2;

export interface ShareProgress {
  /** Bytes hashed and stored so far. */
  bytes: number;
  total: number;
}

export interface StreamShareOptions {
  announce: string[];
  signal?: AbortSignal;
  onProgress?: (p: ShareProgress) => void;
  /** The storage estimate to check against (default navigator.storage.estimate(), when there is one). */
  estimate?: () => Promise<StorageEstimateLike | null>;
}

/** The error a cancelled share rejects with. */
export class ShareCancelled extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('Cancelled: nothing of the file was kept.');
  }
}

async function browserEstimate(): Promise<StorageEstimateLike | null> {
  const storage = (globalThis as { navigator?: { storage?: { estimate?: () => Promise<StorageEstimateLike> } } }).navigator?.storage;
  return storage?.estimate ? storage.estimate() : null;
}

/** One file of a multi-file share: its path elements in the torrent, and its content. */
export interface ShareFile {
  path: string[];
  blob: Blob;
}

/**
 * Hash and store `source` as piece key `pieceKey`; resolves with the torrent built from the
 * hashes. A list of files is a multi-file torrent named `name`: its data is the files one after
 * another, as a Blob made of their Blobs (nothing is read until a slice of it is: a slice that
 * spans two files reads the end of one and the start of the next).
 */
export async function hashAndStore(store: PieceStore, source: Blob | readonly ShareFile[], name: string, pieceKey: string, opts: StreamShareOptions): Promise<CreatedTorrent> {
  const files = source instanceof Blob ? undefined : source.map((f) => ({ path: f.path, length: f.blob.size }));
  const blob = source instanceof Blob ? source : new Blob(source.map((f) => f.blob));
  const problem = storageProblem(blob.size, await (opts.estimate ?? browserEstimate)(), `“${name}”`);
  if (problem) throw new Error(problem);
  const pieceLength = PIECE_LENGTH;
  const count = pieceCount(blob.size, pieceLength);
  const hashes = new Uint8Array(count * SHA1_LENGTH);
  const inFlight: Promise<void>[] = [];
  let stored = 0;
  try {
    for (let first = 0; first < count; first += CHUNK_PIECES) {
      if (opts.signal?.aborted) throw new ShareCancelled();
      const start = first * pieceLength;
      const chunk = new Uint8Array(await blob.slice(start, Math.min(blob.size, start + CHUNK_PIECES * pieceLength)).arrayBuffer());
      const pieces: { index: number; bytes: Uint8Array }[] = [];
      for (let i = first, o = 0; i < Math.min(count, first + CHUNK_PIECES); i++, o += pieceLength) {
        pieces.push({ index: i, bytes: chunk.slice(o, Math.min(chunk.length, o + pieceLength)) });
      }
      const digests = await Promise.all(pieces.map((p) => sha1(p.bytes)));
      digests.forEach((d, k) => hashes.set(d, (pieces[k] as { index: number }).index * SHA1_LENGTH));
      const bytes = chunk.length;
      const written = Promise.all(pieces.map((p) => store.putLoosePiece(pieceKey, p.index, p.bytes, pieceLength))).then(() => {
        stored += bytes;
        opts.onProgress?.({ bytes: stored, total: blob.size });
      });
      written.catch(() => {}); // awaited below, in order; a failure meanwhile is not unhandled
      inFlight.push(written);
      while (inFlight.length >= CHUNKS_IN_FLIGHT) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (opts.signal?.aborted) throw new ShareCancelled();
    return await torrentFromHashes(blob.size, name, hashes, { announce: opts.announce, ...(files ? { files } : {}) });
  } catch (err) {
    await Promise.allSettled(inFlight);
    await store.removePieces(pieceKey);
    throw shareFailure(err, name);
  }
}

/** The error a failed share rejects with, in plain words (what was written is deleted by then). */
export function shareFailure(err: unknown, name: string): Error {
  if (err instanceof ShareCancelled) return err;
  const e = err as Error;
  if (e.name === 'QuotaExceededError') {
    return new Error(`Storage is full: “${name}” could not be stored, and what was written of it was deleted. Free some disk space, or share a smaller file.`);
  }
  if (e.name === 'NotReadableError' || e.name === 'NotFoundError') {
    return new Error(`“${name}” could not be read (was it moved or changed meanwhile?): nothing of it was kept.`);
  }
  return e instanceof Error ? e : new Error(String(err));
}
