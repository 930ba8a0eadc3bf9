import { expect, test } from '@playwright/test';
import { admitRecord, applyOp, kindError, mergeRecords, normalizeMembers, prune, readMembers, readValue } from '../../client/core/dht-records';
import { DHT_LIMITS, keyId, type DhtOp, type DhtRecord, type SetMember } from '../../protocol/dht';
import { seeded } from '../helpers/seeded';

// Signatures are checked before records reach the record core (client/dht/dht-crypto.ts, and
// the e2e attacks in tests/e2e/dht-attacks.spec.ts); here they only have to be well formed.
const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';
const C = 'CCCCCCCCCCCCCCCCCCCC-';
const KEY = 'peers';
const ID = keyId(KEY);
const NOW = 1_000_000_000;
const PK = 'P'.repeat(87);
const CERT = 'c'.repeat(86);
const sig = (tag: string) => tag.padEnd(86, 's').slice(0, 86);

const value = (v: string, ts: number, writer = A): DhtRecord => ({ key: KEY, id: ID, kind: 'value', value: v, ts, writer, pk: PK, cert: CERT, sig: sig(`${v}${ts}${writer}`) });
const putOp = (v: string, ts: number, writer = A): Extract<DhtOp, { op: 'put' }> => ({ op: 'put', value: v, ts, writer, pk: PK, cert: CERT, sig: sig(`${v}${ts}${writer}`) });
const member = (m: string, t: number, ttl: number, s = A, tag = ''): SetMember => ({ m, s, t, ttl, expires: t + ttl, pk: PK, cert: CERT, sig: sig(`${tag}${m}${t}`) });
const setOf = (members: SetMember[], key = KEY): DhtRecord => {
  const raw: DhtRecord = { key, id: keyId(key), kind: 'set', ts: 0, writer: A, members };
  return mergeRecords(raw, raw);
};
const put = (rec: DhtRecord | undefined, v: string, ts: number, writer = A, now = NOW) => applyOp(rec, KEY, ID, putOp(v, ts, writer), now);
const add = (rec: DhtRecord | undefined, x: SetMember, now = NOW, key = KEY) => applyOp(rec, key, keyId(key), { op: 'add', member: x }, now);

test('put: the first writer owns the key; only its newer versions replace it; a refused put says why', () => {
  const first = put(undefined, 'one', NOW);
  expect(first).toEqual({ record: value('one', NOW), changed: true });
  expect(put(first.record, 'two', NOW + 1)).toEqual({ record: value('two', NOW + 1), changed: true });
  // Another writer, even with a newer version, is refused while the value is live.
  expect(put(first.record, 'evil', NOW + 5, B).error).toMatch(new RegExp(`belongs to ${A}`));
  // An older version of the owner is refused (the put did not take effect), the same put again is fine.
  expect(put(first.record, 'old', NOW - 1).error).toMatch(/newer version .* is held/);
  expect(put(first.record, 'one', NOW)).toEqual({ record: first.record, changed: false });
  // A far-future version cannot lock the key: refused at the receiver's clock + skew.
  expect(put(undefined, 'lock', Number.MAX_SAFE_INTEGER).error).toMatch(/ahead of the receiver's clock/);
  expect(put(undefined, 'edge', NOW + DHT_LIMITS.skew).changed).toBe(true);
  expect(put(undefined, 'past edge', NOW + DHT_LIMITS.skew + 1).error).toMatch(/ahead/);
  expect(put(undefined, 'x'.repeat(DHT_LIMITS.value + 1), 1).error).toMatch(/larger than/);
  expect(put(undefined, 'x', -1).error).toMatch(/ts/);
});

test('a value not written for valueTtl expires and its key is free for any writer', () => {
  const v = value('one', NOW);
  const later = NOW + DHT_LIMITS.valueTtl;
  expect(readValue(v, later - 1)).toBe('one');
  expect(put(v, 'mine now', later, B, later - 1).error).toMatch(/belongs to/);
  expect(readValue(v, later)).toBeNull();
  expect(put(v, 'mine now', later, B, later)).toEqual({ record: value('mine now', later, B), changed: true });
});

test('add: a member is signed by the peer it names; a refresh extends it; ttl capped; future refused', () => {
  const r1 = add(undefined, member('x', NOW, 500));
  expect(r1.changed).toBe(true);
  expect(readMembers(r1.record, NOW)).toEqual(['x']);
  // The same signer refreshes it later: extended, one entry.
  const r2 = add(r1.record, member('x', NOW + 100, 500));
  expect(r2.record!.members!.map((x) => [x.s, x.m, x.expires])).toEqual([[A, 'x', NOW + 600]]);
  // Another signer adding the same text has its own entry; reads list the text once.
  const r3 = add(r2.record, member('x', NOW, 500, B));
  expect(r3.record!.members).toHaveLength(2);
  expect(readMembers(r3.record, NOW)).toEqual(['x']);
  // A shorter refresh does not shorten it (and is no change).
  expect(add(r2.record, member('x', NOW + 100, 10))).toEqual({ record: r2.record, changed: false });
  expect(add(undefined, member('x', NOW, DHT_LIMITS.memberTtl + 1)).error).toMatch(/ttl/);
  expect(add(undefined, member('x', NOW + DHT_LIMITS.skew + 1, 100)).error).toMatch(/ahead/);
  expect(add(undefined, member('x', NOW - 200, 100)).error).toMatch(/expired/);
  expect(add(undefined, { ...member('x', NOW, 100), expires: NOW + DHT_LIMITS.memberTtl }).error).toMatch(/t \+ ttl/);
  expect(add(undefined, member('m'.repeat(DHT_LIMITS.member + 1), NOW, 1)).error).toMatch(/member/);
});

test('a holders: set takes only members that name their own signer', () => {
  const key = 'holders:' + 'ab'.repeat(20);
  expect(add(undefined, member(A, NOW, 100, A), NOW, key).changed).toBe(true);
  expect(add(undefined, member(B, NOW, 100, A), NOW, key).error).toMatch(/own peer id/);
});

test('one signer cannot push the others out: 600 adds from one peer leave every honest member in', () => {
  let rec: DhtRecord | undefined;
  for (const s of [B, C]) rec = add(rec, member(`honest ${s}`, NOW, 60_000, s)).record;
  const errors = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const r = add(rec, member(`spam ${String(i).padStart(3, '0')}`, NOW, DHT_LIMITS.memberTtl, A), NOW);
    rec = r.record ?? rec;
    if (r.error) errors.add(r.error);
  }
  // Past its share the attacker is told so (its adds did not take effect).
  expect([...errors]).toEqual([`${A} already holds ${DHT_LIMITS.perSigner} entries of the set at "peers" that expire no earlier`]);
  const live = readMembers(rec, NOW + 1);
  expect(live).toContain(`honest ${B}`);
  expect(live).toContain(`honest ${C}`);
  expect(rec!.members!.filter((x) => x.s === A)).toHaveLength(DHT_LIMITS.perSigner);
});

test('a set full of members that expire later refuses a newcomer with a reason', () => {
  const signers = Array.from({ length: DHT_LIMITS.members }, (_, i) => `S${String(i).padStart(20, '0')}`);
  const full = setOf(signers.map((s) => member(s, NOW, 1000, s)));
  expect(full.members).toHaveLength(DHT_LIMITS.members);
  expect(add(full, member('late', NOW, 5000, A)).changed).toBe(true);
  expect(add(full, member('brief', NOW, 1, A)).error).toMatch(/full/);
});

test('a key holds one kind: the other is refused while it is live', () => {
  const v = value('v', NOW);
  const s = setOf([member('a', NOW, 1)]);
  expect(put(s, 'v', NOW)).toEqual({ record: s, changed: false, error: `key "peers" holds a set, not a value` });
  expect(add(v, member('a', NOW, 10))).toEqual({ record: v, changed: false, error: `key "peers" holds a value, not a set` });
  expect(applyOp(s, KEY, ID, { op: 'get' }, NOW).error).toBe(kindError(KEY, 'set'));
  expect(applyOp(v, KEY, ID, { op: 'members' }, NOW).error).toBe(kindError(KEY, 'value'));
  expect(applyOp(v, KEY, ID, { op: 'get' }, NOW)).toEqual({ record: v, changed: false });
  expect(applyOp(undefined, KEY, ID, { op: 'members' }, NOW)).toEqual({ changed: false });
  // A set whose members all expired is gone: a put replaces it.
  const dead = setOf([member('a', NOW - 1, 1)]);
  expect(put(dead, 'v', NOW)).toEqual({ record: value('v', NOW), changed: true });
  expect(kindError('"'.repeat(DHT_LIMITS.key), 'set').length).toBeLessThanOrEqual(DHT_LIMITS.error);
});

test('reads and prune see live members only', () => {
  const s = setOf([member('a', NOW, 1), member('b', NOW - 1, 1), member('c', NOW - 10, 5)]);
  expect(readMembers(s, NOW)).toEqual(['a']);
  expect(readMembers(s, NOW - 10)).toEqual(['a', 'b', 'c']);
  expect(readValue(s, NOW)).toBeNull();
  expect(readMembers(value('v', NOW), NOW)).toEqual([]);
  expect(prune(s, NOW)!.members!.map((x) => x.m)).toEqual(['a']);
  expect(prune(s, NOW - 10)).toBe(s);
  expect(prune(s, NOW + 1)).toBeUndefined();
  expect(prune(undefined, NOW)).toBeUndefined();
});

test('admitRecord: a received record is refused when far-future, another writer\'s, or breaking a member rule', () => {
  const mine = value('mine', NOW);
  expect(admitRecord(mine, value('forged', Number.MAX_SAFE_INTEGER, A), NOW)).toMatchObject({ record: mine, changed: false, refused: 1 });
  expect(admitRecord(mine, value('theirs', NOW + 10, B), NOW)).toMatchObject({ record: mine, changed: false, refused: 1, reason: expect.stringMatching(/belongs to/) });
  expect(admitRecord(mine, value('newer', NOW + 10, A), NOW)).toMatchObject({ record: value('newer', NOW + 10, A), changed: true, refused: 0 });
  expect(admitRecord(undefined, value('new', NOW, B), NOW)).toMatchObject({ changed: true, refused: 0 });
  const key = 'holders:' + 'cd'.repeat(20);
  const incoming: DhtRecord = { key, id: keyId(key), kind: 'set', ts: 0, writer: A, members: [member(A, NOW, 100, A), member(B, NOW, 100, A), member(C, NOW + DHT_LIMITS.skew + 5, 100, C)] };
  const r = admitRecord(undefined, incoming, NOW);
  expect(r.refused).toBe(2);
  expect(readMembers(r.record, NOW)).toEqual([A]);
});

/** A random record of KEY in canonical form: a value, or a set of signed members from a small pool. */
function randomRecord(rand: () => number): DhtRecord {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const ts = Math.floor(rand() * 5);
  if (rand() < 0.3) return value(pick(['', 'a', 'b', 'c']), ts, pick([A, B, C]));
  // Mostly small sets from a small pool (overlaps), sometimes big ones that hit the caps.
  const big = rand() < 0.15;
  const n = big ? 200 + Math.floor(rand() * 200) : Math.floor(rand() * 6);
  const signers = big ? Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(20, '0')}`) : [A, B, C];
  const list: SetMember[] = [];
  for (let i = 0; i < n; i++) {
    list.push(member(`m${Math.floor(rand() * (big ? 40 : 6))}`, Math.floor(rand() * (big ? 50 : 4)), 1 + Math.floor(rand() * 3), pick(signers), pick(['', 'x'])));
  }
  return { key: KEY, id: ID, kind: 'set', ts: 0, writer: A, members: list };
}

test('mergeRecords of signed records is commutative, associative and idempotent, and respects the caps', () => {
  const rand = seeded(20240601);
  const canon = (r: DhtRecord) => mergeRecords(r, r);
  for (let i = 0; i < 600; i++) {
    const a = canon(randomRecord(rand));
    const b = canon(randomRecord(rand));
    const c = canon(randomRecord(rand));
    expect(mergeRecords(a, a)).toEqual(a);
    expect(mergeRecords(a, b)).toEqual(mergeRecords(b, a));
    expect(mergeRecords(mergeRecords(a, b), c)).toEqual(mergeRecords(a, mergeRecords(b, c)));
    const ab = mergeRecords(a, b);
    expect(mergeRecords(ab, b)).toEqual(ab);
    if (ab.members) {
      expect(ab.members.length).toBeLessThanOrEqual(DHT_LIMITS.members);
      const per = new Map<string, number>();
      for (const x of ab.members) per.set(x.s, (per.get(x.s) ?? 0) + 1);
      expect(Math.max(0, ...per.values())).toBeLessThanOrEqual(DHT_LIMITS.perSigner);
      expect(normalizeMembers(ab.members)).toEqual(ab.members);
    }
  }
});

test('replicas that applied the same signed adds in different orders agree after merging', () => {
  const rand = seeded(7);
  for (let round = 0; round < 50; round++) {
    const ops = Array.from({ length: 12 }, (_, i) => ({ x: member(`m${Math.floor(rand() * 5)}`, NOW + i, 1 + Math.floor(rand() * 100), [A, B, C][Math.floor(rand() * 3)]!), now: NOW + i }));
    let r1: DhtRecord | undefined;
    let r2: DhtRecord | undefined;
    for (const o of ops) r1 = add(r1, o.x, o.now).record ?? r1;
    for (const o of [...ops].reverse()) r2 = add(r2, o.x, o.now).record ?? r2;
    const later = NOW + ops.length;
    const expected = [...new Set(ops.filter((o) => o.x.expires > later).map((o) => o.x.m))].sort();
    expect(readMembers(mergeRecords(r1!, r2!), later)).toEqual(expected);
    expect(mergeRecords(r1!, r2!)).toEqual(mergeRecords(r2!, r1!));
  }
});
