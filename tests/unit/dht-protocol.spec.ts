import { expect, test } from '@playwright/test';
import {
  DHT_LIMITS,
  DHT_REPLY_CODES,
  encodeDhtMessage,
  keyId,
  nodeId,
  parseDhtMessage,
  parseDhtRecord,
  storeMessages,
  utf8Length,
  type DhtMessage,
  type DhtRecord,
  type SetMember,
} from '../../protocol/dht';
import { sha1Sync, toHex } from '../../protocol/sha1';
import { protocolErrorOf } from '../helpers/unit';

const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';
const C = 'CCCCCCCCCCCCCCCCCCCC-';
const REF = 'r3f_Xy-9';
const KEY = 'room/main/peers';
const ID = keyId(KEY);
const POINT = '0123456789abcdef0123456789abcdef01234567';

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const parse = (v: unknown) => parseDhtMessage(bytes(v));

/** A well-formed proof (the parser checks its form; signatures are checked in client/dht/dht-crypto.ts). */
const PROOF = { pk: 'P'.repeat(87), cert: 'c'.repeat(86), sig: 's'.repeat(86) };
const mem = (m: string, t: number, ttl = 1, s = A): SetMember => ({ m, s, t, ttl, expires: t + ttl, ...PROOF });
const valueRec: DhtRecord = { key: KEY, id: ID, kind: 'value', value: 'héllo ☾ 𝄞', ts: 1_700_000_000_000, writer: A, ...PROOF };
const setRec: DhtRecord = {
  key: 'set:ünï',
  id: keyId('set:ünï'),
  kind: 'set',
  ts: 5,
  writer: B,
  members: [
    mem('a', 9),
    mem('b', 0, 5, B),
  ],
};

const samples: DhtMessage[] = [
  { type: 'route', ref: REF, origin: A, id: POINT, hops: 0, op: { op: 'find' } },
  { type: 'route', ref: 'x'.repeat(32), origin: A, id: ID, key: KEY, hops: DHT_LIMITS.maxHops, op: { op: 'get' } },
  { type: 'route', ref: REF, origin: B, id: ID, key: KEY, hops: 3, op: { op: 'put', value: 'v', ts: 0, writer: B, ...PROOF } },
  { type: 'route', ref: REF, origin: B, id: ID, key: KEY, hops: 3, op: { op: 'put', value: '', ts: Number.MAX_SAFE_INTEGER, writer: B, ...PROOF } },
  { type: 'route', ref: REF, origin: C, id: ID, key: KEY, hops: 1, op: { op: 'add', member: mem('m', 5, DHT_LIMITS.memberTtl, C) } },
  { type: 'route', ref: REF, origin: C, id: ID, key: KEY, hops: 1, op: { op: 'members' } },
  { type: 'reply', ref: REF, hops: 2, owner: A, ok: true },
  { type: 'reply', ref: REF, hops: 2, owner: A, ok: true, value: 'v' },
  { type: 'reply', ref: REF, hops: 2, owner: A, ok: true, value: null },
  { type: 'reply', ref: REF, hops: 0, owner: A, ok: true, members: ['a', 'b'] },
  { type: 'reply', ref: REF, hops: 0, owner: A, ok: true, successors: [B, C] },
  { type: 'reply', ref: REF, hops: 0, owner: A, ok: false, error: 'key "k" holds a set, not a value', code: 'refused' },
  { type: 'state?', ref: REF },
  { type: 'state', ref: REF, pred: null, succs: [], preds: [], held: 0 },
  { type: 'state', ref: REF, pred: A, succs: [B, C], preds: [C], held: 12 },
  { type: 'notify' },
  { type: 'store', records: [valueRec, setRec], reason: 'replicate' },
  { type: 'store', records: [], reason: 'handover' },
  { type: 'store', records: [{ ...setRec, members: [] }], reason: 'leave' },
  { type: 'leave', pred: B, succs: [C] },
  { type: 'leave', pred: null, succs: [] },
];

test('keyId and nodeId are the hex SHA-1 of the UTF-8 text', () => {
  expect(keyId('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  expect(keyId('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  expect(keyId('ü')).toBe(toHex(sha1Sync(new Uint8Array([0xc3, 0xbc]))));
  expect(nodeId(A)).toBe(toHex(sha1Sync(new TextEncoder().encode(A))));
  expect(nodeId(A)).toMatch(/^[0-9a-f]{40}$/);
  expect(utf8Length('aé☾𝄞')).toBe(1 + 2 + 3 + 4);
  expect(utf8Length('\ud800x')).toBe(new TextEncoder().encode('\ud800x').length);
});

test('every message type survives encode -> parse unchanged', () => {
  for (const msg of samples) {
    const out = encodeDhtMessage(msg);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(out)).toBe(JSON.stringify(msg));
    expect(parseDhtMessage(out)).toEqual(msg);
  }
});

test('extra fields are dropped; repeated peers and members count once', () => {
  expect(parse({ type: 'notify', from: A })).toEqual({ type: 'notify' });
  expect(parse({ type: 'route', ref: REF, origin: A, id: ID, key: KEY, hops: 0, op: { op: 'get', value: 'x' }, x: 1 })).toEqual({
    type: 'route',
    ref: REF,
    origin: A,
    id: ID,
    key: KEY,
    hops: 0,
    op: { op: 'get' },
  });
  expect(parse({ type: 'state', ref: REF, pred: A, succs: [B, B, C], preds: [A, A], held: 3 })).toEqual({ type: 'state', ref: REF, pred: A, succs: [B, C], preds: [A], held: 3 });
  // Extra fields are dropped; `expires` is recomputed as t + ttl whatever the sender said.
  const rec = { ...setRec, extra: true, members: [{ ...mem('b', 3), expires: 99, x: 1 }, mem('a', 1)] };
  expect(parseDhtRecord(rec)).toEqual({ ...setRec, members: [mem('b', 3), mem('a', 1)] });
});

test('limits: the largest fields pass', () => {
  const key = '𝄞'.repeat(DHT_LIMITS.key); // 256 characters, 512 UTF-16 units
  const value = 'é'.repeat(DHT_LIMITS.value / 2);
  const member = 'm'.repeat(DHT_LIMITS.member);
  const peers = Array.from({ length: DHT_LIMITS.peers }, (_, i) => `${i}${'p'.repeat(20)}`);
  expect(parse({ type: 'route', ref: REF, origin: A, id: keyId(key), key, hops: 0, op: { op: 'put', value, ts: 1, writer: A, ...PROOF } })).toMatchObject({ key, op: { value } });
  expect(parse({ type: 'route', ref: REF, origin: A, id: ID, key: KEY, hops: 0, op: { op: 'add', member: mem(member, 1) } })).toMatchObject({ op: { member: { m: member } } });
  expect(parse({ type: 'state', ref: REF, pred: null, succs: peers, preds: peers, held: 0 })).toMatchObject({ succs: peers });
  const members = Array.from({ length: DHT_LIMITS.members }, (_, i) => mem(`m${String(i).padStart(3, '0')}`, i));
  const big: DhtRecord = { ...setRec, members };
  expect(parse({ type: 'store', records: [big], reason: 'handover' })).toMatchObject({ records: [{ members }] });
  const records = Array.from({ length: DHT_LIMITS.records }, () => valueRec);
  expect(parse({ type: 'store', records, reason: 'handover' })).toMatchObject({ records: { length: DHT_LIMITS.records } });
  const replyMembers = members.map((x) => x.m);
  expect(parse({ type: 'reply', ref: REF, hops: 1, owner: A, ok: true, members: replyMembers, value })).toMatchObject({ members: replyMembers });
  expect(parse({ type: 'reply', ref: REF, hops: 1, owner: A, ok: false, error: 'e'.repeat(DHT_LIMITS.error), code: 'no-route' })).toMatchObject({ ok: false, code: 'no-route' });
  // The largest message is refused only past DHT_LIMITS.message bytes.
  const pad = (n: number) => ({ type: 'notify', pad: 'x'.repeat(n) });
  const base = bytes(pad(0)).length;
  expect(parse(pad(DHT_LIMITS.message - base))).toEqual({ type: 'notify' });
  expect(protocolErrorOf(() => parse(pad(DHT_LIMITS.message - base + 1)))).toEqual({ code: 'oversize', field: undefined });
});

test('bad encoding, bad JSON, unknown types, oversize encodes', () => {
  expect(protocolErrorOf(() => parseDhtMessage(new Uint8Array([0x7b, 0xff, 0x7d])))).toEqual({ code: 'bad-encoding', field: undefined });
  expect(protocolErrorOf(() => parseDhtMessage(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])))).toEqual({ code: 'bad-json', field: undefined });
  expect(protocolErrorOf(() => parse('{"type":'))).toEqual({ code: 'bad-json', field: undefined });
  expect(protocolErrorOf(() => parse('[1]'))).toEqual({ code: 'bad-json', field: undefined });
  expect(protocolErrorOf(() => parse({ type: 'lookup' }))).toEqual({ code: 'unknown-type', field: 'type' });
  expect(protocolErrorOf(() => parse({}))).toEqual({ code: 'unknown-type', field: 'type' });
  expect(protocolErrorOf(() => parseDhtMessage(new Uint8Array(DHT_LIMITS.message + 1).fill(0x20)))).toEqual({ code: 'oversize', field: undefined });
  const huge: DhtMessage = { type: 'store', reason: 'replicate', records: Array.from({ length: 20 }, () => ({ ...valueRec, value: 'v'.repeat(DHT_LIMITS.value) })) };
  expect(protocolErrorOf(() => encodeDhtMessage(huge))).toEqual({ code: 'oversize', field: undefined });
});

test('each bad field is refused naming the field', () => {
  const find = { type: 'route', ref: REF, origin: A, id: POINT, hops: 0, op: { op: 'find' } };
  const get = { type: 'route', ref: REF, origin: A, id: ID, key: KEY, hops: 0, op: { op: 'get' } };
  const put = { ...get, op: { op: 'put', value: 'v', ts: 1, writer: A, ...PROOF } };
  const add = { ...get, op: { op: 'add', member: mem('m', 1, 1000) } };
  const reply = { type: 'reply', ref: REF, hops: 0, owner: A, ok: true };
  const state = { type: 'state', ref: REF, pred: null, succs: [], preds: [], held: 0 };
  const store = (rec: unknown) => ({ type: 'store', records: [rec], reason: 'replicate' });
  const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  const longKey = 'k'.repeat(DHT_LIMITS.key + 1);
  const bad: [unknown, string][] = [
    [{ ...get, ref: 'short' }, 'ref'],
    [{ ...get, ref: 'r'.repeat(33) }, 'ref'],
    [{ ...get, ref: 'has space' }, 'ref'],
    [{ ...get, ref: 12345678 }, 'ref'],
    [{ ...get, origin: 'x' }, 'origin'],
    [{ ...get, origin: undefined }, 'origin'],
    [{ ...find, id: POINT.toUpperCase() }, 'id'],
    [{ ...find, id: POINT.slice(1) }, 'id'],
    [{ ...find, id: `${POINT.slice(1)}g` }, 'id'],
    [{ ...find, hops: -1 }, 'hops'],
    [{ ...find, hops: DHT_LIMITS.maxHops + 1 }, 'hops'],
    [{ ...find, hops: 1.5 }, 'hops'],
    [{ ...find, op: 'find' }, 'op'],
    [{ ...find, op: null }, 'op'],
    [{ ...find, op: { op: 'delete' } }, 'op'],
    [{ ...find, op: undefined }, 'op'],
    [{ ...find, key: KEY }, 'key'],
    [{ ...find, id: ID, key: KEY }, 'key'],
    [{ ...get, key: undefined }, 'key'],
    [{ ...get, key: '' }, 'key'],
    [{ ...get, key: 7 }, 'key'],
    [{ ...get, key: longKey, id: keyId(longKey) }, 'key'],
    [{ ...get, key: 'a\u0000b', id: keyId('a\u0000b') }, 'key'],
    [{ ...get, key: 'a\nb', id: keyId('a\nb') }, 'key'],
    [{ ...get, key: 'a\u0085b', id: keyId('a\u0085b') }, 'key'],
    [{ ...get, key: 'a\ud800', id: keyId('a\ud800') }, 'key'],
    // A route whose id is not its key's point (another key's slot) is refused on "id".
    [{ ...get, id: POINT }, 'id'],
    [{ ...put, id: keyId('other') }, 'id'],
    [{ ...add, id: keyId(`${KEY} `) }, 'id'],
    [{ ...put, op: { op: 'put', ts: 1, writer: A, ...PROOF } }, 'value'],
    [{ ...put, op: { op: 'put', value: 5, ts: 1, writer: A, ...PROOF } }, 'value'],
    [{ ...put, op: { op: 'put', value: 'v'.repeat(DHT_LIMITS.value + 1), ts: 1, writer: A, ...PROOF } }, 'value'],
    [{ ...put, op: { op: 'put', value: 'é'.repeat(DHT_LIMITS.value / 2 + 1), ts: 1, writer: A, ...PROOF } }, 'value'],
    [{ ...put, op: { op: 'put', value: 'x\udc00', ts: 1, writer: A, ...PROOF } }, 'value'],
    [{ ...put, op: { op: 'put', value: 'v', writer: A, ...PROOF } }, 'ts'],
    [{ ...put, op: { op: 'put', value: 'v', ts: -1, writer: A, ...PROOF } }, 'ts'],
    [{ ...put, op: { op: 'put', value: 'v', ts: 2 ** 53, writer: A, ...PROOF } }, 'ts'],
    [{ ...put, op: { op: 'put', value: 'v', ts: 0.5, writer: A, ...PROOF } }, 'ts'],
    [{ ...put, op: { op: 'put', value: 'v', ts: '1', writer: A, ...PROOF } }, 'ts'],
    [{ ...add, op: { op: 'add' } }, 'member'],
    [{ ...add, op: { op: 'add', member: 'm' } }, 'member'],
    [{ ...add, op: { op: 'add', member: mem('', 1) } }, 'm'],
    [{ ...add, op: { op: 'add', member: mem('m'.repeat(DHT_LIMITS.member + 1), 1) } }, 'm'],
    [{ ...add, op: { op: 'add', member: { ...mem('m', 1), ttl: 0 } } }, 'ttl'],
    [{ ...add, op: { op: 'add', member: mem('m', 1, DHT_LIMITS.memberTtl + 1) } }, 'ttl'],
    [{ ...add, op: { op: 'add', member: { ...mem('m', 1), s: 'me' } } }, 's'],
    [{ ...add, op: { op: 'add', member: { ...mem('m', 1), sig: 'short' } } }, 'sig'],
    [{ ...add, op: { op: 'add', member: { ...mem('m', 1), pk: undefined } } }, 'pk'],
    [{ ...put, op: { op: 'put', value: 'v', ts: 1, writer: A, ...PROOF, cert: 'c' } }, 'cert'],
    [{ ...put, op: { op: 'put', value: 'v', ts: 1, ...PROOF } }, 'writer'],
    [{ ...reply, ref: undefined }, 'ref'],
    [{ ...reply, hops: DHT_LIMITS.maxHops + 1 }, 'hops'],
    [{ ...reply, owner: B.slice(1) }, 'owner'],
    [{ ...reply, ok: 'yes' }, 'ok'],
    [{ ...reply, ok: undefined }, 'ok'],
    [{ ...reply, ok: false }, 'error'],
    [{ ...reply, ok: false, error: 'e'.repeat(DHT_LIMITS.error + 1), code: 'refused' }, 'error'],
    [{ ...reply, error: 'why' }, 'error'],
    [{ ...reply, code: 'refused' }, 'code'],
    [{ ...reply, ok: false, error: 'why', code: 5 }, 'code'],
    [{ ...reply, ok: false, error: 'why', code: null }, 'code'],
    [{ ...reply, ok: false, error: 'why', code: ['refused'] }, 'code'],
    [{ ...reply, ok: false, error: 'why', code: { code: 'refused' } }, 'code'],
    [{ ...reply, value: 5 }, 'value'],
    [{ ...reply, value: 'v'.repeat(DHT_LIMITS.value + 1) }, 'value'],
    [{ ...reply, members: 'a' }, 'members'],
    [{ ...reply, members: [1] }, 'members'],
    [{ ...reply, members: [''] }, 'members'],
    [{ ...reply, members: ['m'.repeat(DHT_LIMITS.member + 1)] }, 'members'],
    [{ ...reply, members: many(DHT_LIMITS.members + 1, (i) => `m${i}`) }, 'members'],
    [{ ...reply, successors: [A, 'x'] }, 'successors'],
    [{ ...reply, successors: many(DHT_LIMITS.peers + 1, () => A) }, 'successors'],
    [{ type: 'state?' }, 'ref'],
    [{ ...state, pred: 'x' }, 'pred'],
    [{ ...state, pred: undefined }, 'pred'],
    [{ ...state, succs: null }, 'succs'],
    [{ ...state, succs: many(DHT_LIMITS.peers + 1, () => A) }, 'succs'],
    [{ ...state, preds: [5] }, 'preds'],
    [{ type: 'leave', pred: null }, 'succs'],
    [{ type: 'leave', pred: 3, succs: [] }, 'pred'],
    [{ type: 'store', records: [], reason: 'gift' }, 'reason'],
    [{ type: 'store', records: [] }, 'reason'],
    [{ type: 'store', records: {}, reason: 'leave' }, 'records'],
    [{ type: 'store', records: many(DHT_LIMITS.records + 1, () => valueRec), reason: 'leave' }, 'records'],
    [store(null), 'records'],
    [store([valueRec]), 'records'],
    [store({ ...valueRec, key: undefined }), 'key'],
    [store({ ...valueRec, key: longKey, id: keyId(longKey) }), 'key'],
    [store({ ...valueRec, key: 'tab\there', id: keyId('tab\there') }), 'key'],
    [store({ ...valueRec, id: POINT }), 'id'],
    [store({ ...valueRec, id: ID.toUpperCase() }), 'id'],
    [store({ ...valueRec, kind: 'list' }), 'kind'],
    [store({ ...valueRec, kind: undefined }), 'kind'],
    [store({ ...valueRec, ts: -5 }), 'ts'],
    [store({ ...valueRec, ts: 1e300 }), 'ts'],
    [store({ ...valueRec, writer: 'me' }), 'writer'],
    [store({ ...valueRec, value: undefined }), 'value'],
    [store({ ...valueRec, value: 'v'.repeat(DHT_LIMITS.value + 1) }), 'value'],
    [store({ ...valueRec, members: [] }), 'members'],
    [store({ ...setRec, members: undefined }), 'members'],
    [store({ ...setRec, value: 'v' }), 'value'],
    [store({ ...setRec, members: many(DHT_LIMITS.members + 1, (i) => mem(`m${i}`, 1)) }), 'members'],
    [store({ ...setRec, members: ['a'] }), 'member'],
    [store({ ...setRec, members: [{ ...mem('a', 1), m: undefined }] }), 'm'],
    [store({ ...setRec, members: [mem('m'.repeat(DHT_LIMITS.member + 1), 1)] }), 'm'],
    [store({ ...setRec, members: [{ ...mem('a', 1), t: 1.5 }] }), 't'],
    [store({ ...setRec, members: [{ ...mem('a', 1), t: 2 ** 53 }] }), 't'],
    [store({ ...setRec, members: [{ ...mem('a', 1), t: undefined }] }), 't'],
    [store({ ...setRec, sig: PROOF.sig }), 'value'],
    [store({ ...valueRec, sig: undefined }), 'sig'],
  ];
  for (const [msg, field] of bad) {
    expect(protocolErrorOf(() => parse(msg)), JSON.stringify(msg).slice(0, 160)).toEqual({ code: 'bad-field', field });
  }
});

test('a failed reply keeps its code across the wire; one this node does not know, or none, parses to unknown', () => {
  const failed = (code?: unknown) => ({ type: 'reply', ref: REF, hops: 3, owner: B, ok: false, error: 'key "k" holds a set, not a value', ...(code !== undefined ? { code } : {}) });
  expect(DHT_REPLY_CODES).toEqual(['refused', 'no-route', 'too-many-hops', 'unreachable', 'timeout', 'internal', 'unknown']);
  for (const code of DHT_REPLY_CODES) {
    const msg = failed(code) as DhtMessage;
    expect(parseDhtMessage(encodeDhtMessage(msg))).toEqual(msg);
  }
  // A peer of an older version sends no code, a newer one codes added since: neither is refused,
  // and the words stay as they came (they are what a person reads).
  for (const code of [undefined, 'because', 'Refused', ' timeout', '', 'constructor', 'x'.repeat(5000)]) {
    expect(parse(failed(code)), String(code).slice(0, 20)).toEqual({ ...failed(), code: 'unknown' });
  }
  // A code of the wrong type is a malformed message, refused with the field named and its rule.
  expect(() => parse(failed(404))).toThrow(`field "code" must be a string (one of ${DHT_REPLY_CODES.join(', ')})`);
  expect(() => parse(failed(false))).toThrow(/field "code" must be a string/);
});

test('errors inside a list say which entry', () => {
  const msg = { type: 'store', reason: 'leave', records: [valueRec, { ...setRec, members: [mem('a', 1), { ...mem('b', 1), t: -1 }] }] };
  expect(() => parse(msg)).toThrow('records[1]: members[1]: field "t" must be a non-negative safe integer');
});

test('storeMessages packs records under the limits and splits a set too big for one message', () => {
  const values = Array.from({ length: 150 }, (_, i) => ({ ...valueRec, key: `k${i}`, id: keyId(`k${i}`) }));
  const small = storeMessages(values, 'handover');
  expect(small.map((m) => m.records.length)).toEqual([64, 64, 22]);
  expect(small.flatMap((m) => m.records)).toEqual(values);

  // 256 members of 512 three-byte characters: ~400 KB, more than one message.
  const members = Array.from({ length: DHT_LIMITS.members }, (_, i) => mem(`${String(i).padStart(3, '0')}${'☾'.repeat(509)}`, i));
  const big: DhtRecord = { ...setRec, members };
  const msgs = storeMessages([valueRec, big, valueRec], 'replicate');
  expect(msgs.length).toBeGreaterThan(1);
  for (const m of msgs) {
    const out = encodeDhtMessage(m); // throws past the limit
    expect(parseDhtMessage(out)).toEqual(m);
  }
  const parts = msgs.flatMap((m) => m.records).filter((r) => r.kind === 'set');
  expect(parts.length).toBeGreaterThan(1);
  for (const p of parts) expect({ ...p, members: [] }).toEqual({ ...big, members: [] });
  expect(parts.flatMap((p) => p.members)).toEqual(members);
  expect(msgs.flatMap((m) => m.records).filter((r) => r.kind === 'value')).toHaveLength(2);
  expect(() => storeMessages([valueRec], 'leave', 100)).toThrow(RangeError);
});
