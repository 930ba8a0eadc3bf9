/** A small key-value store interface: IndexedDB in the browser, memory in tests. */
export interface KV {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: string[]): Promise<(T | undefined)[]>;
  /** Write all entries in one transaction. Rejects (e.g. QuotaExceededError) writing none. */
  setMany(entries: [string, unknown][]): Promise<void>;
  delMany(keys: string[]): Promise<void>;
  keys(): Promise<string[]>;
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
  async setMany(entries: [string, unknown][]): Promise<void> {
    for (const [k, v] of entries) this.map.set(k, v);
  }
  async delMany(keys: string[]): Promise<void> {
    for (const k of keys) this.map.delete(k);
  }
  async keys(): Promise<string[]> {
    return [...this.map.keys()];
  }
}
