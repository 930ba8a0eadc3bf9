/**
 * The pieces' files of this browser, as the page and the service worker open them: OPFS where
 * the browser has it, IndexedDB otherwise (an insecure origin, or a browser whose private mode
 * refuses OPFS: the page asks `getDirectory()` once before the first piece). Both decide alike,
 * so the service worker reads where the pages write. Pieces an earlier version of the app kept
 * in IndexedDB are moved into OPFS once, before the first piece is read or written.
 */
import type { KV } from './kv';
import { opfsAvailable, OpfsPieceFiles } from './opfs-files';
import { OpfsReader } from './opfs-read';
import { KvPieceFiles, type PieceFiles, type PieceWrite } from './piece-files';

/** What the service worker reads of a torrent's stored pieces. */
export interface StoredPieces {
  /** `length` bytes of `file` at `at` (piece `index`); undefined when it is not stored. */
  read(file: string, index: number, at: number, length: number): Promise<Uint8Array | undefined>;
  /**
   * Bytes [start, end) of `file` as one Blob, where storage keeps a torrent's bytes contiguous
   * (OPFS: the browser streams it from disk); undefined where it does not (IndexedDB). Only for
   * ranges whose pieces are all stored.
   */
  slice(file: string, start: number, end: number): Promise<Blob | undefined>;
}

/** Whether this origin's private file system opens (asked once). */
const opfsOpens = (): Promise<boolean> =>
  typeof navigator.storage?.getDirectory === 'function'
    ? navigator.storage.getDirectory().then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);

/** Move the pieces kept in the KV (one key a piece) into `files`, a file at a time; each piece's key goes once it is written. */
export async function movePiecesFromKV(kv: KV, files: PieceFiles, geometry: (file: string) => Promise<number | null>): Promise<number> {
  let moved = 0;
  const byFile = new Map<string, { key: string; index: number }[]>();
  for (const key of await kv.keys('piece:')) {
    const m = /^piece:(.+):(\d+)$/.exec(key);
    if (!m) continue;
    const file = m[1] as string;
    const list = byFile.get(file) ?? [];
    list.push({ key, index: Number(m[2]) });
    byFile.set(file, list);
  }
  for (const [file, pieces] of byFile) {
    const pieceLength = await geometry(file);
    if (!pieceLength) continue; // no torrent names it (a share that never finished): left as it is
    for (const p of pieces) {
      const bytes = await kv.get<Uint8Array>(p.key);
      if (bytes) await files.writeMany([{ file, index: p.index, at: p.index * pieceLength, bytes }]);
      await kv.delMany([p.key]);
      moved++;
    }
  }
  return moved;
}

/** The page's pieces (writes go to a dedicated worker); `pieceLengthOf` names a piece key's piece length (from its torrent's record). */
export function pagePieceFiles(kv: KV, pieceLengthOf: (file: string) => Promise<number | null>): PieceFiles {
  if (!opfsAvailable()) return new KvPieceFiles(kv);
  const chosen = opfsOpens().then(async (ok) => {
    if (!ok) return new KvPieceFiles(kv);
    const opfs = new OpfsPieceFiles();
    await movePiecesFromKV(kv, opfs, pieceLengthOf).catch(() => 0);
    return opfs;
  });
  return {
    writeMany: async (writes: readonly PieceWrite[]) => (await chosen).writeMany(writes),
    read: async (file, index, at, length) => (await chosen).read(file, index, at, length),
    remove: async (file) => (await chosen).remove(file),
  };
}

/** The service worker's reads of the same pieces. */
export function workerPieces(kv: KV): StoredPieces {
  const legacy = new KvPieceFiles(kv);
  const opfs = new OpfsReader();
  const usable = opfsOpens();
  return {
    read: async (file, index, at, length) => ((await usable) ? opfs.read(file, at, length) : legacy.read(file, index)),
    slice: async (file, start, end) => ((await usable) ? opfs.slice(file, start, end) : undefined),
  };
}
