/**
 * Torrents and their verified pieces, shared by all tabs of the browser (and the service worker
 * that streams saved files): a verified piece is the same bytes whichever tab wrote it.
 *
 *   KV (IndexedDB)  torrent:<infoHash>   TorrentRecord (name, length, the info dictionary, pieceKey)
 *                   have:<infoHash>      HaveRecord: which pieces are stored (a bitfield, its own record)
 *   PieceFiles      <pieceKey>           the pieces' bytes, piece i at i x piece length
 *                                        (client/store/piece-files.ts: OPFS, or the KV where there is none)
 *
 * `pieceKey` is the info hash for downloads; a file being shared is stored under a key of its
 * own while it is hashed (its info hash is known only at the end), and the record names it.
 * Writes are batched: pieces queued within a few milliseconds are written together, then their
 * bits are set in the torrent's have record (read and rewritten in one transaction, so tabs
 * storing pieces of one torrent at once lose none of each other's): a bit is set only for a
 * piece on disk. Memory held: the queued batch and a small cache of recently used pieces,
 * whatever the torrents' sizes.
 */
import { Bitfield } from '../../protocol/bitfield';
import { parseInfo } from '../../protocol/metainfo';
import type { KV, KVUpdate } from '../store/kv';
import { pieceKV, pieceKVPrefix, type PieceFiles } from '../store/piece-files';
import { haveBitfield, markHave, type HaveRecord } from './have-record';

export interface TorrentRecord {
  infoHash: string;
  name: string;
  length: number;
  infoBytes: Uint8Array;
  addedAt: number;
  /** Its pieces are `piece:<pieceKey>:<index>`; absent: the info hash. */
  pieceKey?: string;
  /** A multi-file torrent's files to fetch (indexes), as the user last selected them; absent: every file. */
  selected?: number[];
}

export type { HaveRecord };

/** The piece length of the stored torrent whose pieces are under `pieceKey`, or null when no record names it. */
export async function storedPieceLength(kv: KV, pieceKey: string): Promise<number | null> {
  const recs = await kv.getMany<TorrentRecord>(await kv.keys('torrent:'));
  const rec = recs.find((r) => r && (r.pieceKey ?? r.infoHash) === pieceKey);
  return rec ? (await parseInfo(rec.infoBytes, rec.infoHash)).info.pieceLength : null;
}

/** Where a torrent's pieces lie in its file: piece i at i x pieceLength, the last one shorter. */
export interface PieceGeometry {
  pieceLength: number;
  /** The torrent's length in bytes. */
  length: number;
}

const piecesOf = (g: PieceGeometry) => Math.ceil(g.length / g.pieceLength);

interface Pending {
  key: string;
  file: string;
  index: number;
  at: number;
  bytes: Uint8Array;
  /** A torrent's piece: its bit is set in `have:<infoHash>` once the batch's bytes are written. */
  have?: { infoHash: string; pieces: number; index: number };
  resolve: () => void;
  reject: (err: unknown) => void;
}

const BATCH_MS = 15;
const BATCH_MAX = 16;
/** Pieces kept in memory for serving blocks without a read per block (12 MiB of 256 KiB pieces). */
const CACHE_PIECES = 48;

export const torrentKey = (infoHash: string) => `torrent:${infoHash}`;
export const haveKey = (infoHash: string) => `have:${infoHash}`;

export class PieceStore {
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly cache = new Map<string, Uint8Array>();
  /** Reads from storage under way, by key. */
  private readonly reading = new Map<string, Promise<Uint8Array | undefined>>();
  /** Info hash -> piece key, for the torrents whose record this tab has read or written. */
  private readonly pieceKeys = new Map<string, string>();
  /** Info hash -> where its pieces lie, learnt when the torrent's have-state is read. */
  private readonly geometry = new Map<string, PieceGeometry>();

  constructor(
    readonly kv: KV,
    private readonly files: PieceFiles,
  ) {}

  /** Write (or refresh) a torrent's record; a stored record keeps its piece key, date and selection. */
  async saveTorrent(rec: TorrentRecord): Promise<void> {
    let pieceKey = rec.pieceKey ?? rec.infoHash;
    await this.kv.setMany(
      [],
      [
        {
          key: torrentKey(rec.infoHash),
          fn: (old) => {
            const prev = old as TorrentRecord | undefined;
            pieceKey = prev?.pieceKey ?? pieceKey;
            const selected = rec.selected ?? prev?.selected;
            return { ...rec, addedAt: prev?.addedAt ?? rec.addedAt, ...(pieceKey !== rec.infoHash ? { pieceKey } : {}), ...(selected ? { selected } : {}) };
          },
        },
      ],
    );
    this.pieceKeys.set(rec.infoHash, pieceKey);
  }

  /** Keep a torrent's selection of files (null: every file) in its record, if it has one, so a reload fetches the same files. */
  async saveSelection(infoHash: string, selected: number[] | null): Promise<void> {
    if (!(await this.kv.get(torrentKey(infoHash)))) return;
    await this.kv.setMany(
      [],
      [
        {
          key: torrentKey(infoHash),
          fn: (old) => {
            const { selected: _, ...rest } = old as TorrentRecord;
            return selected ? { ...rest, selected } : rest;
          },
        },
      ],
    );
  }

  async torrents(): Promise<TorrentRecord[]> {
    const recs = await this.kv.getMany<TorrentRecord>(await this.kv.keys('torrent:'));
    const out = recs.filter((r): r is TorrentRecord => !!r).sort((a, b) => a.addedAt - b.addedAt);
    for (const r of out) this.pieceKeys.set(r.infoHash, r.pieceKey ?? r.infoHash);
    return out;
  }

  async torrent(infoHash: string): Promise<TorrentRecord | undefined> {
    const r = await this.kv.get<TorrentRecord>(torrentKey(infoHash));
    if (r) this.pieceKeys.set(infoHash, r.pieceKey ?? infoHash);
    return r;
  }

  /**
   * Which pieces of the torrent the browser holds (whichever tab stored them): its have record.
   * A torrent stored before have records existed gets one, from its piece keys, once.
   */
  async have(infoHash: string, geometry: PieceGeometry): Promise<Bitfield> {
    this.geometry.set(infoHash, geometry);
    const pieceCount = piecesOf(geometry);
    const rec = await this.kv.get<HaveRecord>(haveKey(infoHash));
    if (rec) return haveBitfield(rec, pieceCount);
    const prefix = pieceKVPrefix(this.pieceKeyOf(infoHash));
    const indices: number[] = [];
    for (const k of await this.kv.keys(prefix)) {
      const i = Number(k.slice(prefix.length));
      if (Number.isInteger(i) && i >= 0 && i < pieceCount) indices.push(i);
    }
    if (indices.length > 0) await this.kv.setMany([], [{ key: haveKey(infoHash), fn: (old) => markHave(old as HaveRecord | undefined, pieceCount, indices) }]);
    const bf = new Bitfield(pieceCount);
    for (const i of indices) bf.set(i);
    return bf;
  }

  /** A stored piece of a torrent whose have-state was read (`have`); undefined when it is not stored. */
  async piece(infoHash: string, index: number): Promise<Uint8Array | undefined> {
    const g = this.geometry.get(infoHash);
    if (!g) throw new Error(`the pieces of ${infoHash} are not known yet`);
    const at = index * g.pieceLength;
    return this.read(this.pieceKeyOf(infoHash), index, at, Math.min(g.pieceLength, g.length - at));
  }

  /** A piece if it is in this tab's cache (no read from storage); otherwise undefined. */
  cachedPiece(infoHash: string, index: number): Uint8Array | undefined {
    const key = pieceKV(this.pieceKeyOf(infoHash), index);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /**
   * Persist a verified piece of a torrent and mark it in the torrent's have record; resolves
   * once both are in storage (rejects e.g. with QuotaExceededError, setting no bit).
   */
  putPiece(infoHash: string, index: number, bytes: Uint8Array): Promise<void> {
    const g = this.geometry.get(infoHash);
    if (!g) return Promise.reject(new Error(`the pieces of ${infoHash} are not known yet`));
    return this.queue(this.pieceKeyOf(infoHash), index, index * g.pieceLength, bytes, { infoHash, pieces: piecesOf(g), index });
  }

  /** Persist a piece under a piece key of its own (a file being shared, before its info hash is known). */
  putLoosePiece(pieceKey: string, index: number, bytes: Uint8Array, pieceLength: number): Promise<void> {
    return this.queue(pieceKey, index, index * pieceLength, bytes);
  }

  /** Make stored loose pieces a complete torrent: its record and a full have record, in one transaction. */
  async adoptPieces(rec: TorrentRecord & { pieceKey: string }, geometry: PieceGeometry): Promise<void> {
    const pieceCount = piecesOf(geometry);
    const all = Array.from({ length: pieceCount }, (_, i) => i);
    await this.kv.setMany([[torrentKey(rec.infoHash), rec], [haveKey(rec.infoHash), markHave(undefined, pieceCount, all)]]);
    this.pieceKeys.set(rec.infoHash, rec.pieceKey);
    this.geometry.set(rec.infoHash, geometry);
  }

  /** Delete every piece stored under a piece key (a cancelled or failed share). */
  async removePieces(pieceKey: string): Promise<void> {
    const prefix = pieceKVPrefix(pieceKey);
    for (const k of [...this.cache.keys()]) if (k.startsWith(prefix)) this.cache.delete(k);
    for (const k of [...this.reading.keys()]) if (k.startsWith(prefix)) this.reading.delete(k);
    await this.files.remove(pieceKey);
  }

  /**
   * Delete a torrent: its record and have record first (it is gone at once), then its pieces.
   * Pieces of it still queued here are not written (their writes resolve: the torrent is gone).
   */
  async removeTorrent(infoHash: string): Promise<void> {
    const pieceKey = this.pieceKeyOf(infoHash);
    const dropped = this.pending.filter((p) => p.have?.infoHash === infoHash);
    this.pending = this.pending.filter((p) => p.have?.infoHash !== infoHash);
    for (const p of dropped) p.resolve();
    const rec = await this.kv.get<TorrentRecord>(torrentKey(infoHash));
    await this.kv.delMany([torrentKey(infoHash), haveKey(infoHash)]);
    this.pieceKeys.delete(infoHash);
    this.geometry.delete(infoHash);
    await this.removePieces(rec?.pieceKey ?? pieceKey);
  }

  private pieceKeyOf(infoHash: string): string {
    return this.pieceKeys.get(infoHash) ?? infoHash;
  }

  /** A piece from the cache, or from storage (one read however many ask for it at once). */
  private read(file: string, index: number, at: number, length: number): Promise<Uint8Array | undefined> {
    const key = pieceKV(file, index);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return Promise.resolve(hit);
    }
    const running = this.reading.get(key);
    if (running) return running;
    const read = this.files.read(file, index, at, length).then(
      (bytes) => {
        // Not kept if the pieces were removed meanwhile (removePieces forgets the read).
        if (this.reading.get(key) !== read) return bytes;
        this.reading.delete(key);
        if (bytes) this.remember(key, bytes);
        return bytes;
      },
      (err: unknown) => {
        if (this.reading.get(key) === read) this.reading.delete(key);
        throw err;
      },
    );
    this.reading.set(key, read);
    return read;
  }

  private queue(file: string, index: number, at: number, bytes: Uint8Array, have?: Pending['have']): Promise<void> {
    const key = pieceKV(file, index);
    this.remember(key, bytes);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ key, file, index, at, bytes, ...(have ? { have } : {}), resolve, reject });
      if (this.pending.length >= BATCH_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    const marks = new Map<string, { pieces: number; indices: number[] }>();
    for (const p of batch) {
      if (!p.have) continue;
      const m = marks.get(p.have.infoHash) ?? { pieces: p.have.pieces, indices: [] };
      m.indices.push(p.have.index);
      marks.set(p.have.infoHash, m);
    }
    const updates: KVUpdate[] = [...marks].map(([infoHash, m]) => ({
      key: haveKey(infoHash),
      fn: (old) => markHave(old as HaveRecord | undefined, m.pieces, m.indices),
    }));
    // The bytes first, then the bits: a have bit is never set for a piece that is not on disk.
    this.files
      .writeMany(batch)
      .then(() => (updates.length > 0 ? this.kv.setMany([], updates) : undefined))
      .then(
      () => batch.forEach((p) => p.resolve()),
      (err) => {
        for (const p of batch) this.cache.delete(p.key);
        batch.forEach((p) => p.reject(err));
      },
    );
  }

  private remember(key: string, bytes: Uint8Array): void {
    this.cache.delete(key);
    this.cache.set(key, bytes);
    while (this.cache.size > CACHE_PIECES) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}
