/** KV on IndexedDB (idb-keyval). Every tab of the browser opens the same database. */
import { createStore, delMany, get, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import type { KV } from './kv';

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
  setMany(entries: [string, unknown][]): Promise<void> {
    return setMany(entries as [IDBValidKey, unknown][], this.store);
  }
  delMany(ks: string[]): Promise<void> {
    return delMany(ks, this.store);
  }
  async keys(): Promise<string[]> {
    return (await keys(this.store)).map(String);
  }
}
