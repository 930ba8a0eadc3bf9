import { expect, test } from '@playwright/test';
import { applyOp, kindError, mergeRecords, prune, readMembers, readValue } from '../../client/core/dht-records';
import { DHT_LIMITS, keyId, type DhtRecord, type SetMember } from '../../protocol/dht';
import { seeded } from '../helpers/seeded';

const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';
const C = 'CCCCCCCCCCCCCCCCCCCC-';
const KEY = 'peers';
const ID = keyId(KEY);
const NOW = 1_000_000;

const value = (v: string, ts: number, writer = A): DhtRecord => ({ key: KEY, id: ID, kind: 'value', value: v, ts, writer });
const set = (members: [string, number][], ts = 1, writer = A): DhtRecord => ({
  key: KEY,
  id: ID,
  kind: 'set',
  ts,
  writer,
  members: members.map(([m, expires]) => ({ m, expires })).sort((a, b) => (a.m < b.m ? -1 : 1)),
});
const put = (rec: DhtRecord | undefined, v: string, ts: number, writer = A, now = NOW) => applyOp(rec, KEY, ID, { op: 'put', value: v, ts }, writer, now);
const add = (rec: DhtRecord | undefined, member: string, ttlMs: number, writer = A, now = NOW) => applyOp(rec, KEY, ID, { op: 'add', member, ttlMs }, writer, now);

test('put: last writer wins by (ts, writer)', () => {
  const first = put(undefined, 'one', 10);
  expect(first).toEqual({ record: value('one', 10), changed: true });
  expect(put(first.record, 'two', 11, B)).toEqual({ record: value('two', 11, B), changed: true });
  expect(put(first.record, 'old', 9, C)).toEqual({ record: first.record, changed: false });
  expect(put(first.record, 'tie', 10, B)).toEqual({ record: value('tie', 10, B), changed: true }); // B > A
  expect(put(value('b', 10, B), 'tie', 10, A)).toEqual({ record: value('b', 10, B), changed: false });
  expect(put(first.record, 'one', 10)).toEqual({ record: first.record, changed: false }); // the same put again
  expect(put(undefined, 'x'.repeat(DHT_LIMITS.value + 1), 1).error).toMatch(/larger than/);
  expect(put(undefined, 'x', -1).error).toMatch(/ts/);
});

test('add: a member is added or its expiry extended; expired members dropped; capped keeping the latest-expiring', () => {
  const r1 = add(undefined, 'x', 500, B);
  expect(r1).toEqual({ record: set([['x', NOW + 500]], NOW, B), changed: true });
  // Refresh later: extended.
  const r2 = add(r1.record, 'x', 500, C, NOW + 100);
  expect(r2).toEqual({ record: set([['x', NOW + 600]], NOW + 100, C), changed: true });
  // A shorter ttl does not shorten it.
  expect(add(r2.record, 'x', 10, A, NOW + 100)).toEqual({ record: r2.record, changed: false });
  // A second member; the expired one is dropped.
  const r3 = add(set([['old', NOW - 1], ['y', NOW + 50]], 7), 'z', 1000);
  expect(r3).toEqual({ record: set([['y', NOW + 50], ['z', NOW + 1000]], NOW), changed: true });
  // A set at the cap keeps the latest-expiring members.
  const full = set(Array.from({ length: DHT_LIMITS.members }, (_, i) => [`m${i}`, NOW + 10 + i] as [string, number]));
  const r4 = add(full, 'new', 5000);
  expect(r4.changed).toBe(true);
  expect(r4.record!.members).toHaveLength(DHT_LIMITS.members);
  expect(readMembers(r4.record, NOW)).toContain('new');
  expect(readMembers(r4.record, NOW)).not.toContain('m0');
  // ...and the newcomer expiring first is the one left out.
  expect(add(full, 'brief', 1)).toEqual({ record: full, changed: false });
  expect(add(undefined, 'x', 0).error).toMatch(/ttlMs/);
  expect(add(undefined, 'm'.repeat(DHT_LIMITS.member + 1), 1).error).toMatch(/member/);
});

test('a key holds one kind: the other is refused while it is live', () => {
  const v = value('v', 1);
  const s = set([['a', NOW + 1]]);
  expect(put(s, 'v', 99)).toEqual({ record: s, changed: false, error: `key "peers" holds a set, not a value` });
  expect(add(v, 'a', 10)).toEqual({ record: v, changed: false, error: `key "peers" holds a value, not a set` });
  expect(applyOp(s, KEY, ID, { op: 'get' }, A, NOW).error).toBe(kindError(KEY, 'set'));
  expect(applyOp(v, KEY, ID, { op: 'members' }, A, NOW).error).toBe(kindError(KEY, 'value'));
  expect(applyOp(v, KEY, ID, { op: 'get' }, A, NOW)).toEqual({ record: v, changed: false });
  expect(applyOp(undefined, KEY, ID, { op: 'members' }, A, NOW)).toEqual({ changed: false });
  expect(applyOp(s, KEY, ID, { op: 'find' }, A, NOW)).toEqual({ record: s, changed: false });
  // A set whose members all expired is gone: a put replaces it.
  const dead = set([['a', NOW]]);
  expect(put(dead, 'v', 1)).toEqual({ record: value('v', 1), changed: true });
  expect(applyOp(dead, KEY, ID, { op: 'get' }, A, NOW).error).toBeUndefined();
  // Long keys are cut in the error text.
  const long = '"'.repeat(DHT_LIMITS.key);
  expect(kindError(long, 'set').length).toBeLessThanOrEqual(DHT_LIMITS.error);
});

test('reads and prune see live members only', () => {
  const s = set([['a', NOW + 1], ['b', NOW], ['c', NOW - 5]]);
  expect(readMembers(s, NOW)).toEqual(['a']);
  expect(readMembers(s, NOW - 10)).toEqual(['a', 'b', 'c']);
  expect(readValue(s, NOW)).toBeNull();
  expect(readValue(value('v', 1), NOW)).toBe('v');
  expect(readMembers(value('v', 1), NOW)).toEqual([]);
  expect(readValue(undefined, NOW)).toBeNull();
  expect(readMembers(undefined, NOW)).toEqual([]);
  expect(prune(s, NOW)).toEqual(set([['a', NOW + 1]]));
  expect(prune(s, NOW - 10)).toBe(s);
  expect(prune(s, NOW + 1)).toBeUndefined();
  expect(prune(value('v', 1), NOW)).toEqual(value('v', 1));
  expect(prune(undefined, NOW)).toBeUndefined();
});

test('mergeRecords: newer value; union of sets with the latest expiry; a value beats a set', () => {
  expect(mergeRecords(value('a', 1), value('b', 2, B))).toEqual(value('b', 2, B));
  expect(mergeRecords(value('a', 3), value('b', 2, B))).toEqual(value('a', 3));
  expect(mergeRecords(value('a', 2, C), value('b', 2, B))).toEqual(value('a', 2, C));
  const s1 = set([['x', 5], ['y', 9]], 4, B);
  const s2 = set([['y', 7], ['z', 1]], 6, A);
  expect(mergeRecords(s1, s2)).toEqual(set([['x', 5], ['y', 9], ['z', 1]], 6, A));
  expect(mergeRecords(set([['x', 1]], 9), value('v', 1))).toEqual(value('v', 1));
  expect(mergeRecords(value('v', 9), set([['x', 1]], 1))).toEqual(value('v', 9));
  // Capped, the latest-expiring kept.
  const many = (from: number) => set(Array.from({ length: DHT_LIMITS.members }, (_, i) => [`m${from + i}`, from + i] as [string, number]));
  const merged = mergeRecords(many(0), many(100));
  expect(merged.members).toHaveLength(DHT_LIMITS.members);
  expect(Math.min(...merged.members!.map((x) => x.expires))).toBe(100);
});

/** A random record of KEY, in canonical form (members sorted by m, each once). */
function randomRecord(rand: () => number): DhtRecord {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const ts = Math.floor(rand() * 5);
  const writer = pick([A, B, C]);
  if (rand() < 0.3) return value(pick(['', 'a', 'b', 'c']), ts, writer);
  // Mostly small sets from a small pool (overlaps), sometimes big ones that hit the cap.
  const big = rand() < 0.15;
  const n = big ? 200 + Math.floor(rand() * 100) : Math.floor(rand() * 6);
  const byM = new Map<string, number>();
  for (let i = 0; i < n; i++) byM.set(`m${Math.floor(rand() * (big ? 400 : 8))}`, Math.floor(rand() * (big ? 50 : 4)));
  const rec = set([...byM], ts, writer);
  return mergeRecords(rec, rec); // canonical: capped
}

test('mergeRecords is commutative, associative and idempotent', () => {
  const rand = seeded(20240601);
  for (let i = 0; i < 600; i++) {
    const a = randomRecord(rand);
    const b = randomRecord(rand);
    const c = randomRecord(rand);
    expect(mergeRecords(a, a)).toEqual(a);
    expect(mergeRecords(a, b)).toEqual(mergeRecords(b, a));
    expect(mergeRecords(mergeRecords(a, b), c)).toEqual(mergeRecords(a, mergeRecords(b, c)));
    const ab = mergeRecords(a, b);
    expect(mergeRecords(ab, b)).toEqual(ab);
    const m: SetMember[] | undefined = ab.members;
    if (m) expect(m.length).toBeLessThanOrEqual(DHT_LIMITS.members);
  }
});

test('replicas that applied the same adds in different orders agree after merging', () => {
  const rand = seeded(7);
  for (let round = 0; round < 50; round++) {
    const ops = Array.from({ length: 10 }, (_, i) => ({ member: `m${Math.floor(rand() * 5)}`, ttl: 1 + Math.floor(rand() * 100), now: NOW + i }));
    let r1: DhtRecord | undefined;
    let r2: DhtRecord | undefined;
    for (const o of ops) r1 = add(r1, o.member, o.ttl, A, o.now).record ?? r1;
    for (const o of [...ops].reverse()) r2 = add(r2, o.member, o.ttl, A, o.now).record ?? r2;
    const later = NOW + ops.length;
    const expected = [...new Set(ops.filter((o) => o.now + o.ttl > later).map((o) => o.member))].sort();
    expect(readMembers(r1, later)).toEqual(expected);
    expect(readMembers(r2, later)).toEqual(expected);
    expect(readMembers(mergeRecords(r1!, r2!), later)).toEqual(expected);
  }
});
