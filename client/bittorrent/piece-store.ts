/**
 * Torrents and their verified pieces in a KV store (IndexedDB), keyed by info hash and shared by
 * all tabs of the browser: a verified piece is the same bytes whichever tab wrote it.
 *
 *   torrent:<infoHash>          { infoHash, name, length, infoBytes, addedAt }
 *   piece:<infoHash>:<index>    Uint8Array (a whole verified piece)
 *
 * Writes are batched: pieces queued within a few milliseconds go in one transaction; each
 * queued piece's promise settles when its transaction does.
 */
import { Bitfield } from '../../protocol/bitfield';
import type { KV } from '../store/kv';

export interface TorrentRecord {
  infoHash: string;
  name: string;
  length: number;
  infoBytes: Uint8Array;
  addedAt: number;
}

interface Pending {
  key: string;
  bytes: Uint8Array;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const BATCH_MS = 15;
const BATCH_MAX = 16;
const CACHE_PIECES = 48;

export class PieceStore {
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Recently used pieces, for serving blocks without a read per block. */
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly kv: KV) {}

  async saveTorrent(rec: TorrentRecord): Promise<void> {
    await this.kv.setMany([[`torrent:${rec.infoHash}`, rec]]);
  }

  async torrents(): Promise<TorrentRecord[]> {
    const ks = (await this.kv.keys()).filter((k) => k.startsWith('torrent:'));
    const recs = await this.kv.getMany<TorrentRecord>(ks);
    return recs.filter((r): r is TorrentRecord => !!r).sort((a, b) => a.addedAt - b.addedAt);
  }

  async torrent(infoHash: string): Promise<TorrentRecord | undefined> {
    return this.kv.get<TorrentRecord>(`torrent:${infoHash}`);
  }

  /** Which pieces of the torrent the browser holds (whichever tab stored them). */
  async have(infoHash: string, pieceCount: number): Promise<Bitfield> {
    const bf = new Bitfield(pieceCount);
    const prefix = `piece:${infoHash}:`;
    for (const k of await this.kv.keys()) {
      if (!k.startsWith(prefix)) continue;
      const i = Number(k.slice(prefix.length));
      if (Number.isInteger(i) && i >= 0 && i < pieceCount) bf.set(i);
    }
    return bf;
  }

  async piece(infoHash: string, index: number): Promise<Uint8Array | undefined> {
    const key = `piece:${infoHash}:${index}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const bytes = await this.kv.get<Uint8Array>(key);
    if (bytes) this.remember(key, bytes);
    return bytes;
  }

  /** Persist a verified piece; resolves once it is in the store (rejects e.g. with QuotaExceededError). */
  putPiece(infoHash: string, index: number, bytes: Uint8Array): Promise<void> {
    const key = `piece:${infoHash}:${index}`;
    this.remember(key, bytes);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ key, bytes, resolve, reject });
      if (this.pending.length >= BATCH_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
    });
  }

  async removeTorrent(infoHash: string, pieceCount: number): Promise<void> {
    const ks = [`torrent:${infoHash}`, ...Array.from({ length: pieceCount }, (_, i) => `piece:${infoHash}:${i}`)];
    for (const k of ks) this.cache.delete(k);
    await this.kv.delMany(ks);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.kv.setMany(batch.map((p) => [p.key, p.bytes])).then(
      () => batch.forEach((p) => p.resolve()),
      (err) => batch.forEach((p) => p.reject(err)),
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
