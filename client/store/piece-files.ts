/**
 * Where the bytes of verified pieces live: one "file" per piece key (a torrent, or a file being
 * shared), each piece at its offset in it. The Origin Private File System where the browser has
 * it (client/store/opfs-files.ts: a dedicated worker writing with sync access handles, about 20x
 * less CPU per GiB than IndexedDB by `npm run bench:storage`); IndexedDB otherwise (an insecure
 * origin such as http://<LAN address>, and unit tests on a MemoryKV), one key per piece (the
 * layout every piece had before OPFS: client/store/content-files.ts moves such pieces into OPFS).
 * What is stored (a torrent's record, its have record) stays in the KV: this holds bytes only.
 */
import type { KV } from './kv';

/** One piece to write: piece `index` of `file`, at byte `at` of it. */
export interface PieceWrite {
  file: string;
  index: number;
  at: number;
  bytes: Uint8Array;
}

export interface PieceFiles {
  /** Write every piece; resolves once all are on disk (rejects, e.g. with QuotaExceededError, when one is not). */
  writeMany(writes: readonly PieceWrite[]): Promise<void>;
  /** Piece `index` of `file` (`length` bytes at `at`), or undefined when it is not stored. */
  read(file: string, index: number, at: number, length: number): Promise<Uint8Array | undefined>;
  /** Delete `file` and every piece in it (nothing stored under it: nothing to do). */
  remove(file: string): Promise<void>;
}

/** The keys of a file's pieces in a KV start so (the layout pieces had before they moved to files). */
export const pieceKVPrefix = (file: string) => `piece:${file}:`;
/** The key of a piece in a KV. */
export const pieceKV = (file: string, index: number) => `${pieceKVPrefix(file)}${index}`;

/** Pieces in a KV (IndexedDB, or memory in tests), one key per piece. */
export class KvPieceFiles implements PieceFiles {
  constructor(private readonly kv: KV) {}
  writeMany(writes: readonly PieceWrite[]): Promise<void> {
    return this.kv.setMany(writes.map((w) => [pieceKV(w.file, w.index), w.bytes]));
  }
  read(file: string, index: number): Promise<Uint8Array | undefined> {
    return this.kv.get<Uint8Array>(pieceKV(file, index));
  }
  remove(file: string): Promise<void> {
    return this.kv.delPrefix(pieceKVPrefix(file));
  }
}
