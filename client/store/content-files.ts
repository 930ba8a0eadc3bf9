/**
 * The pieces' files of this browser, as the page and the service worker open them: OPFS where
 * the browser has it (reading what an earlier version stored in IndexedDB too), IndexedDB
 * otherwise. Both decide alike, so the service worker reads where the pages write.
 */
import type { KV } from './kv';
import { opfsAvailable, OpfsPieceFiles } from './opfs-files';
import { OpfsReader } from './opfs-read';
import { KvPieceFiles, WithLegacyPieces, type PieceFiles } from './piece-files';

/** Reads a piece: `length` bytes of `file` at `at` (piece `index`), undefined when it is not stored. */
export type PieceReader = (file: string, index: number, at: number, length: number) => Promise<Uint8Array | undefined>;

/** The page's pieces (writes go to a dedicated worker). */
export function pagePieceFiles(kv: KV): PieceFiles {
  const legacy = new KvPieceFiles(kv);
  return opfsAvailable() ? new WithLegacyPieces(new OpfsPieceFiles(), legacy) : legacy;
}

/** The service worker's reads of the same pieces (it runs in a secure context, where pages have OPFS). */
export function workerPieceReader(kv: KV): PieceReader {
  const legacy = new KvPieceFiles(kv);
  if (typeof navigator.storage?.getDirectory !== 'function') return (file, index) => legacy.read(file, index);
  const opfs = new OpfsReader();
  return async (file, index, at, length) => (await opfs.read(file, at, length)) ?? (await legacy.read(file, index));
}
