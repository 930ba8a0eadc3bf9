/**
 * A DHT node's share of the records, in memory and on IndexedDB. Storage only: which records a
 * node should hold is the ring's business (client/core/chord.ts), what they mean is
 * client/core/dht-records.ts's.
 *
 * Reads are from memory. Writes go to memory at once and to the KV in batches: changes made
 * within `delayMs` (50 ms) of the first pending one are written together, one `setMany` and one
 * `delMany`; `flush()` writes now and resolves when everything changed so far is on disk.
 * A stored record is checked as strictly as one that arrives in a message (parseDhtRecord): one
 * that fails (another version of the code, a damaged store) is dropped from the KV, counted in
 * `badStored`, never trusted.
 *
 * One IndexedDB database per (room, node): idb-keyval's createStore cannot add an object store to
 * an existing database, so nodes cannot share one. A tab keeps its peer id across reloads
 * (sessionStorage), so a reload finds its records again; a new tab is a new node and database.
 */
import { parseDhtRecord, type DhtRecord } from '../../protocol/dht';
import { IdbKV } from '../store/idb';
import type { KV } from '../store/kv';

/** Name of the object store in each node's database. */
export const DHT_OBJECT_STORE = 'records';
/** Default time changes wait to be written together, ms. */
export const DHT_WRITE_DELAY_MS = 50;
/** Records read per getMany when a store opens. */
const LOAD_CHUNK = 500;

/** The IndexedDB database of node `peerId` in `room`. */
export function dhtStoreName(room: string, peerId: string): string {
  return `edge-p2p-dht-${room}-${peerId}`;
}

export interface DhtStoreOptions {
  /** How long a change waits for others to be written with it, ms (default 50). */
  delayMs?: number;
  /**
   * A batch written on the timer failed (flush() rejects instead). Its changes stay pending and
   * are retried with the next change or flush.
   */
  onError?: (err: unknown) => void;
}

export class DhtStore {
  private readonly kv: KV;
  private readonly map: Map<string, DhtRecord>;
  private readonly delayMs: number;
  private readonly onError: ((err: unknown) => void) | undefined;
  /** Changes not yet written: a record to set, or null to delete. */
  private pending = new Map<string, DhtRecord | null>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last batch written or being written (never rejects). */
  private chain: Promise<void> = Promise.resolve();
  /** Records loaded from the KV when the store opened. */
  readonly loaded: number;
  /** Stored entries that failed the checks when the store opened (dropped). */
  readonly badStored: number;
  /** Batches written to the KV so far. */
  batches = 0;

  private constructor(kv: KV, map: Map<string, DhtRecord>, badStored: number, opts: DhtStoreOptions) {
    this.kv = kv;
    this.map = map;
    this.loaded = map.size;
    this.badStored = badStored;
    this.delayMs = opts.delayMs ?? DHT_WRITE_DELAY_MS;
    this.onError = opts.onError;
  }

  /** Open a store on `kv`, loading and checking every stored record. */
  static async open(kv: KV, opts: DhtStoreOptions = {}): Promise<DhtStore> {
    const keys = await kv.keys();
    const map = new Map<string, DhtRecord>();
    const bad: string[] = [];
    for (let i = 0; i < keys.length; i += LOAD_CHUNK) {
      const chunk = keys.slice(i, i + LOAD_CHUNK);
      const values = await kv.getMany<unknown>(chunk);
      chunk.forEach((k, j) => {
        let rec: DhtRecord | undefined;
        try {
          rec = parseDhtRecord(values[j]);
        } catch {
          rec = undefined;
        }
        if (rec && rec.id === k) map.set(k, rec);
        else bad.push(k);
      });
    }
    // Cleaning up is best effort: the bad entries are already out of memory.
    if (bad.length > 0) await kv.delMany(bad).catch(() => undefined);
    return new DhtStore(kv, map, bad.length, opts);
  }

  /** Open node `peerId`'s store in `room` on IndexedDB (the browser). */
  static openIdb(room: string, peerId: string, opts: DhtStoreOptions = {}): Promise<DhtStore> {
    return DhtStore.open(new IdbKV(dhtStoreName(room, peerId), DHT_OBJECT_STORE), opts);
  }

  get size(): number {
    return this.map.size;
  }

  /** Changes not yet on disk. */
  get unwritten(): number {
    return this.pending.size;
  }

  get(id: string): DhtRecord | undefined {
    return this.map.get(id);
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  ids(): string[] {
    return [...this.map.keys()];
  }

  records(): DhtRecord[] {
    return [...this.map.values()];
  }

  /** Store `record` under its id (treated as immutable: put a new object to change it). */
  put(record: DhtRecord): void {
    this.map.set(record.id, record);
    this.change(record.id, record);
  }

  /** Forget record `id`; false if there was none. */
  delete(id: string): boolean {
    if (!this.map.delete(id)) return false;
    this.change(id, null);
    return true;
  }

  /** Write every pending change now; resolves when all changes made so far are on disk. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return this.write();
  }

  private change(id: string, record: DhtRecord | null): void {
    this.pending.set(id, record);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.write().catch((err: unknown) => this.onError?.(err));
      }, this.delayMs);
    }
  }

  /** One batch after the one in flight; on failure its changes go back to pending (newer ones win). */
  private write(): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      const sets: [string, unknown][] = [];
      const dels: string[] = [];
      for (const [id, rec] of batch) {
        if (rec) sets.push([id, rec]);
        else dels.push(id);
      }
      try {
        if (sets.length > 0) await this.kv.setMany(sets);
        if (dels.length > 0) await this.kv.delMany(dels);
        this.batches++;
      } catch (err) {
        for (const [id, rec] of batch) if (!this.pending.has(id)) this.pending.set(id, rec);
        throw err;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
