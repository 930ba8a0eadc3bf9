/** Stores waiting for the ring view (DeferQueue, explicit time) and record versions for replication. */
import { expect, test } from '@playwright/test';
import type { DhtRecord, SetMember } from '../../protocol/dht';
import { DEFER_MAX, DEFER_MS, DEFER_PER_SENDER, DeferQueue, type StoreCheck } from '../../client/dht/dht-intake';
import { versionOf } from '../../client/dht/dht-replication';

const rec = (n: number): DhtRecord => ({ key: `k${n}`, id: n.toString(16).padStart(40, '0'), kind: 'value', value: 'v', ts: 1, writer: 'w' });
const recs = (from: number, count: number) => Array.from({ length: count }, (_, i) => rec(from + i));

test('allowed records are kept at once; the others wait, and are kept once the view agrees', () => {
  const q = new DeferQueue();
  let inRange = false;
  const allowed: StoreCheck = (from, _reason, id) => from === 'near' || (inRange && id !== rec(3).id);
  expect(q.sort('near', 'replicate', recs(1, 2), allowed, 0)).toEqual({ keep: recs(1, 2), refused: 0 });
  expect(q.sort('far', 'replicate', recs(3, 2), allowed, 0)).toEqual({ keep: [], refused: 0 });
  expect(q.size).toBe(2);
  // Nothing changed yet: they go on waiting.
  expect(q.retry(allowed, DEFER_MS - 1)).toEqual({ keep: [], refused: 0 });
  inRange = true;
  expect(q.retry(allowed, DEFER_MS - 1)).toEqual({ keep: [rec(4)], refused: 0 });
  // One still outside the range: refused once it waited DEFER_MS.
  expect(q.retry(allowed, DEFER_MS)).toEqual({ keep: [], refused: 1 });
  expect(q.size).toBe(0);
});

test('at most DEFER_PER_SENDER records of one sender wait, and DEFER_MAX in all', () => {
  const never: StoreCheck = () => false;
  const q = new DeferQueue();
  expect(q.sort('flood', 'handover', recs(0, DEFER_PER_SENDER + 10), never, 0).refused).toBe(10);
  expect(q.sort('flood', 'handover', recs(1000, 5), never, 0).refused).toBe(5);
  // Other senders still have room, up to DEFER_MAX in all.
  let refused = 0;
  for (let s = 0; s < 4; s++) refused += q.sort(`s${s}`, 'replicate', recs(2000 + s * 300, DEFER_PER_SENDER), never, 1).refused;
  expect(q.size).toBe(DEFER_MAX);
  expect(refused).toBe(DEFER_PER_SENDER);
  // Each waited its own DEFER_MS from when it came.
  expect(q.retry(never, DEFER_MS).refused).toBe(DEFER_PER_SENDER);
  expect(q.retry(never, DEFER_MS + 1).refused).toBe(DEFER_MAX - DEFER_PER_SENDER);
});

test('a record version changes whenever the record does', () => {
  const member = (m: string, expires: number, sig: string): SetMember => ({ m, s: 'p', t: 0, ttl: expires, expires, pk: 'k', cert: 'c', sig });
  const set = (members: SetMember[], ts = 5): DhtRecord => ({ key: 'kw:x', id: '1'.repeat(40), kind: 'set', ts, writer: 'p', members });
  expect(versionOf(rec(1))).toBe(versionOf({ ...rec(1) }));
  expect(versionOf(rec(1))).not.toBe(versionOf({ ...rec(1), ts: 2 }));
  expect(versionOf(rec(1))).not.toBe(versionOf({ ...rec(1), writer: 'x' }));
  const a = set([member('a', 10, 'AAAAxx')]);
  expect(versionOf(a)).toBe(versionOf(set([member('a', 10, 'AAAAyy')])));
  expect(versionOf(a)).not.toBe(versionOf(set([member('a', 11, 'AAAAxx')])));
  expect(versionOf(a)).not.toBe(versionOf(set([member('a', 10, 'BBBBxx')])));
  expect(versionOf(a)).not.toBe(versionOf(set([member('a', 10, 'AAAAxx'), member('b', 1, 'CCCC')])));
  expect(versionOf(a)).not.toBe(versionOf(set([member('a', 10, 'AAAAxx')], 6)));
});
