import { expect, test } from '@playwright/test';
import { DhtStore, dhtStoreName } from '../../client/dht/dht-store';
import { MemoryKV } from '../../client/store/kv';
import { keyId, type DhtRecord } from '../../protocol/dht';

const A = 'AAAAAAAAAAAAAAAAAAAAA';

const PROOF = { pk: 'P'.repeat(87), cert: 'c'.repeat(86), sig: 's'.repeat(86) };
const rec = (key: string, v = 'v', ts = 1): DhtRecord => ({ key, id: keyId(key), kind: 'value', value: v, ts, writer: A, ...PROOF });

/** A MemoryKV that counts its write calls and can be made to fail. */
class CountingKV extends MemoryKV {
  setCalls = 0;
  delCalls = 0;
  fail = false;
  override async setMany(entries: [string, unknown][]): Promise<void> {
    this.setCalls++;
    if (this.fail) throw new Error('QuotaExceededError');
    await super.setMany(entries);
  }
  override async delMany(keys: string[]): Promise<void> {
    this.delCalls++;
    await super.delMany(keys);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('dhtStoreName: one database per room and node', () => {
  expect(dhtStoreName('main', A)).toBe(`edge-p2p-dht-main-${A}`);
});

test('changes are in memory at once and written together in one batch', async () => {
  const kv = new CountingKV();
  const store = await DhtStore.open(kv);
  expect([store.size, store.loaded, store.badStored]).toEqual([0, 0, 0]);
  for (let i = 0; i < 20; i++) store.put(rec(`k${i}`));
  store.put(rec('k0', 'newer', 2));
  store.delete(keyId('k1'));
  expect(store.delete(keyId('nothing'))).toBe(false);
  expect(store.size).toBe(19);
  expect(store.get(keyId('k0'))).toEqual(rec('k0', 'newer', 2));
  expect(store.has(keyId('k1'))).toBe(false);
  expect(store.ids().sort()).toEqual(store.records().map((r) => r.id).sort());
  expect(kv.setCalls).toBe(0);
  expect(store.unwritten).toBe(20);
  await sleep(120);
  expect([kv.setCalls, kv.delCalls, store.batches, store.unwritten]).toEqual([1, 1, 1, 0]);
  expect((await kv.keys()).length).toBe(19);
  expect(await kv.get(keyId('k0'))).toEqual(rec('k0', 'newer', 2));
});

test('flush writes now and resolves when everything is on disk', async () => {
  const kv = new CountingKV();
  const store = await DhtStore.open(kv, { delayMs: 10_000 });
  store.put(rec('a'));
  store.put(rec('b'));
  await store.flush();
  expect(kv.setCalls).toBe(1);
  expect((await kv.keys()).sort()).toEqual([keyId('a'), keyId('b')].sort());
  // A flush with nothing pending writes nothing; changes during a write go in the next batch.
  await store.flush();
  expect(kv.setCalls).toBe(1);
  store.put(rec('c'));
  const first = store.flush();
  store.delete(keyId('a'));
  await Promise.all([first, store.flush()]);
  expect((await kv.keys()).sort()).toEqual([keyId('b'), keyId('c')].sort());
});

test('a failed write keeps its changes pending; flush rejects, and a later flush writes them', async () => {
  const kv = new CountingKV();
  const errors: unknown[] = [];
  const store = await DhtStore.open(kv, { delayMs: 5, onError: (e) => errors.push(e) });
  kv.fail = true;
  store.put(rec('a'));
  await expect(store.flush()).rejects.toThrow('QuotaExceededError');
  expect(store.unwritten).toBe(1);
  store.put(rec('b'));
  await sleep(50);
  expect(errors).toHaveLength(1);
  expect(store.unwritten).toBe(2);
  kv.fail = false;
  store.put(rec('a', 'newest', 9));
  await store.flush();
  expect(store.unwritten).toBe(0);
  expect(await kv.get(keyId('a'))).toEqual(rec('a', 'newest', 9));
  expect(await kv.get(keyId('b'))).toEqual(rec('b'));
});

test('reopening sees the records; bad stored records are dropped and counted', async () => {
  const kv = new CountingKV();
  const store = await DhtStore.open(kv);
  const set: DhtRecord = { key: 's', id: keyId('s'), kind: 'set', ts: 3, writer: A, members: [{ m: 'x', s: A, t: 90, ttl: 9, expires: 99, ...PROOF }] };
  store.put(rec('a'));
  store.put(set);
  await store.flush();
  // Entries that fail the checks, written behind the store's back.
  await kv.setMany([
    ['junk', { hello: 1 }],
    [keyId('b'), { ...rec('b'), id: keyId('not b') }], // id is not SHA-1(key)
    [keyId('c'), rec('other')], // stored under another record's id
    [keyId('d'), { ...rec('d'), value: 'v'.repeat(16 * 1024 + 1) }],
    [keyId('e'), { ...set, key: 'e', id: keyId('e'), value: 'both' }],
    [keyId('f'), null],
  ]);
  const again = await DhtStore.open(kv);
  expect([again.loaded, again.size, again.badStored]).toEqual([2, 2, 6]);
  expect(again.get(keyId('a'))).toEqual(rec('a'));
  expect(again.get(keyId('s'))).toEqual(set);
  expect((await kv.keys()).sort()).toEqual([keyId('a'), keyId('s')].sort());
  const third = await DhtStore.open(kv);
  expect([third.loaded, third.badStored]).toEqual([2, 0]);
});

test('many records load in chunks', async () => {
  const kv = new MemoryKV();
  await kv.setMany(Array.from({ length: 1234 }, (_, i) => [keyId(`k${i}`), rec(`k${i}`)] as [string, unknown]));
  const store = await DhtStore.open(kv);
  expect([store.loaded, store.badStored]).toEqual([1234, 0]);
  expect(store.get(keyId('k1233'))).toEqual(rec('k1233'));
});
