/** A small key-value store interface: IndexedDB in the browser, memory in tests. */
export interface KV {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: string[]): Promise<(T | undefined)[]>;
  /**
   * Write all entries in one transaction. Rejects (e.g. QuotaExceededError) writing none.
   * `updates` are read and rewritten in the same transaction (a read-modify-write no other tab
   * can interleave with): each key gets `fn(its old value)`.
   */
  setMany(entries: [string, unknown][], updates?: KVUpdate[]): Promise<void>;
  delMany(keys: string[]): Promise<void>;
  /** Every key, or those starting with `prefix` (read from the index, not by listing all keys). */
  keys(prefix?: string): Promise<string[]>;
  /** Delete every key starting with `prefix`, in one transaction. */
  delPrefix(prefix: string): Promise<void>;
}

export interface KVUpdate {
  key: string;
  fn: (old: unknown) => unknown;
}

/** The keys starting with `prefix`, as a range of string keys (every key is a string here). */
export function prefixRange(prefix: string): { lower: string; upper: string } {
  return { lower: prefix, upper: `${prefix}\uffff` };
}

/** In-memory KV (tests, and a fallback where IndexedDB is unavailable). */
export class MemoryKV implements KV {
  private readonly map = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return this.map.get(key) as T | undefined;
  }
  async getMany<T>(keys: string[]): Promise<(T | undefined)[]> {
    return keys.map((k) => this.map.get(k) as T | undefined);
  }
  async setMany(entries: [string, unknown][], updates: KVUpdate[] = []): Promise<void> {
    for (const [k, v] of entries) this.map.set(k, v);
    for (const u of updates) this.map.set(u.key, u.fn(this.map.get(u.key)));
  }
  async delMany(keys: string[]): Promise<void> {
    for (const k of keys) this.map.delete(k);
  }
  async keys(prefix = ''): Promise<string[]> {
    return [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async delPrefix(prefix: string): Promise<void> {
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.map.delete(k);
  }
}
