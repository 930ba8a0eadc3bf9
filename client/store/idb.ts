/** KV on IndexedDB (idb-keyval). Every tab of the browser (and the service worker) opens the same database. */
import { createStore, delMany, get, getMany, keys, promisifyRequest, type UseStore } from 'idb-keyval';
import { prefixRange, type KV, type KVUpdate } from './kv';

/** The database and object store of the torrents and their pieces (the pages' piece store and the service worker). */
export const CONTENT_DB = { db: 'edge-p2p', store: 'content' } as const;

export class IdbKV implements KV {
  private readonly store: UseStore;
  constructor(dbName: string, storeName: string) {
    this.store = createStore(dbName, storeName);
  }
  get<T>(key: string): Promise<T | undefined> {
    return get<T>(key, this.store);
  }
  getMany<T>(ks: string[]): Promise<(T | undefined)[]> {
    return getMany<T>(ks, this.store);
  }
  setMany(entries: [string, unknown][], updates: KVUpdate[] = []): Promise<void> {
    return this.store('readwrite', (s) => {
      for (const [k, v] of entries) s.put(v, k);
      for (const u of updates) {
        const r = s.get(u.key);
        r.onsuccess = () => s.put(u.fn(r.result), u.key);
      }
      return promisifyRequest(s.transaction);
    });
  }
  delMany(ks: string[]): Promise<void> {
    return delMany(ks, this.store);
  }
  async keys(prefix?: string): Promise<string[]> {
    if (prefix === undefined) return (await keys(this.store)).map(String);
    const { lower, upper } = prefixRange(prefix);
    const found = await this.store('readonly', (s) => promisifyRequest(s.getAllKeys(IDBKeyRange.bound(lower, upper))));
    return found.map(String);
  }
  delPrefix(prefix: string): Promise<void> {
    const { lower, upper } = prefixRange(prefix);
    return this.store('readwrite', (s) => {
      s.delete(IDBKeyRange.bound(lower, upper));
      return promisifyRequest(s.transaction);
    });
  }
}
