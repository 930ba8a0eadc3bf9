import { expect, test } from '@playwright/test';
import {
  encodeOverlayMessage,
  MAX_OVERLAY_MESSAGE,
  OVERLAY_LIMITS,
  parseOverlayMessage,
  type OverlayMessage,
} from '../../protocol/overlay';
import type { DroppedEntry } from '../../protocol/entries';
import { protocolErrorOf } from '../helpers/unit';

const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';
const C = 'CCCCCCCCCCCCCCCCCCCC-';
const GUID = 'Qx3_kd9-ZZ81mmLq0aB2c';
const HASH = '0123456789abcdef0123456789abcdef01234567';
const HASH2 = 'fedcba9876543210fedcba9876543210fedcba98';

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const parse = (v: unknown) => parseOverlayMessage(bytes(v));

const samples: OverlayMessage[] = [
  { type: 'connect', role: 'peer' },
  { type: 'ok', role: 'super' },
  { type: 'refuse', reason: 'full: 5 neighbours (max 5)', try: [B, C] },
  { type: 'bye', reason: 'leaving' },
  { type: 'files', reset: true, add: [{ infoHash: HASH, name: 'Blue Moon - Night Rain (live) 1999.mp3', size: 3_000_000 }], remove: [HASH2] },
  { type: 'files', reset: false, add: [], remove: [] },
  { type: 'ping', guid: GUID, ttl: 7, hops: 0 },
  { type: 'pong', guid: GUID, ttl: 2, hops: 0, peer: A, role: 'leaf', files: 12, neighbours: [B], leaves: [] },
  { type: 'query', guid: GUID, ttl: 4, hops: 1, words: ['blue', 'moon', 'мост', '1999'] },
  {
    type: 'queryhit',
    guid: GUID,
    ttl: 3,
    hops: 0,
    peer: A,
    dist: 3,
    results: [
      { infoHash: HASH, name: 'Blue Moon.mp3', size: 0, peers: [A, B] },
      { infoHash: HASH2, name: 'Ünïcode blue moon ☾', size: Number.MAX_SAFE_INTEGER, peers: [C] },
    ],
  },
];

test('every message type survives encode -> parse unchanged', () => {
  for (const msg of samples) {
    const out = encodeOverlayMessage(msg);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(out)).toBe(JSON.stringify(msg));
    expect(parseOverlayMessage(out)).toEqual(msg);
  }
});

test('fields a sender adds are dropped; info hashes come back lowercase; repeated entries count once', () => {
  expect(parse({ type: 'bye', reason: 'x', from: B, extra: [1] })).toEqual({ type: 'bye', reason: 'x' });
  expect(parse({ type: 'ping', guid: GUID, ttl: 200, hops: 255, peer: A })).toEqual({ type: 'ping', guid: GUID, ttl: 200, hops: 255 });
  const upper = HASH.toUpperCase();
  expect(parse({ type: 'files', reset: false, add: [], remove: [upper, HASH] })).toEqual({ type: 'files', reset: false, add: [], remove: [HASH] });
  const add = [
    { infoHash: upper, name: 'old name', size: 1 },
    { infoHash: HASH, name: 'new name', size: 2 },
  ];
  expect(parse({ type: 'files', reset: false, add, remove: [] })).toEqual({ type: 'files', reset: false, add: [{ infoHash: HASH, name: 'new name', size: 2 }], remove: [] });
  const hit = parse({ type: 'queryhit', guid: GUID, ttl: 1, hops: 0, peer: A, dist: 1, results: [{ infoHash: upper, name: 'a', size: 1, peers: [A, A, B] }] });
  expect(hit).toMatchObject({ results: [{ infoHash: HASH, peers: [A, B] }] });
  expect(parse({ type: 'refuse', reason: '', try: [B, B] })).toEqual({ type: 'refuse', reason: '', try: [B] });
});

test('limits: the largest lists and values pass', () => {
  const peers = Array.from({ length: OVERLAY_LIMITS.peers }, (_, i) => `${String(i).padStart(2, '0')}${'p'.repeat(19)}`);
  expect(parse({ type: 'refuse', reason: 'r'.repeat(OVERLAY_LIMITS.reason), try: peers })).toMatchObject({ try: peers });
  const words = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  expect(parse({ type: 'query', guid: 'a'.repeat(32), ttl: 255, hops: 255, words })).toMatchObject({ words, ttl: 255, hops: 255 });
  const results = Array.from({ length: OVERLAY_LIMITS.results }, (_, i) => ({
    infoHash: i.toString(16).padStart(40, '0'),
    name: `file ${i}`,
    size: i,
    peers: peers.slice(0, OVERLAY_LIMITS.holders),
  }));
  expect(parse({ type: 'queryhit', guid: GUID, ttl: 7, hops: 0, peer: A, dist: 255, results })).toMatchObject({ dist: 255 });
  // The largest message is refused only past MAX_OVERLAY_MESSAGE bytes.
  const pad = (n: number) => ({ type: 'bye', reason: 'x', pad: 'x'.repeat(n) });
  const base = bytes(pad(0)).length;
  expect(parse(pad(MAX_OVERLAY_MESSAGE - base))).toEqual({ type: 'bye', reason: 'x' });
  expect(protocolErrorOf(() => parse(pad(MAX_OVERLAY_MESSAGE - base + 1)))).toEqual({ code: 'oversize', field: undefined });
});

test('bad encoding, bad JSON, unknown types', () => {
  expect(protocolErrorOf(() => parseOverlayMessage(new Uint8Array([0x7b, 0xff, 0x7d])))).toEqual({ code: 'bad-encoding', field: undefined });
  expect(protocolErrorOf(() => parseOverlayMessage(new Uint8Array([0x7b, 0xed, 0xa0, 0x80, 0x7d])))).toEqual({ code: 'bad-encoding', field: undefined });
  expect(protocolErrorOf(() => parse('{"type":'))).toEqual({ code: 'bad-json', field: undefined });
  expect(protocolErrorOf(() => parse('[1]'))).toEqual({ code: 'bad-json', field: undefined });
  expect(protocolErrorOf(() => parse('null'))).toEqual({ code: 'bad-json', field: undefined });
  expect(protocolErrorOf(() => parse({ type: 'push', guid: GUID }))).toEqual({ code: 'unknown-type', field: 'type' });
  expect(protocolErrorOf(() => parse({ role: 'peer' }))).toEqual({ code: 'unknown-type', field: 'type' });
  expect(protocolErrorOf(() => parseOverlayMessage(new Uint8Array(MAX_OVERLAY_MESSAGE + 1).fill(0x20)))).toEqual({ code: 'oversize', field: undefined });
});

test('each bad field is refused naming the field', () => {
  const ping = { type: 'ping', guid: GUID, ttl: 3, hops: 0 };
  const pong = { type: 'pong', guid: GUID, ttl: 1, hops: 0, peer: A, role: 'peer', files: 0, neighbours: [], leaves: [] };
  const query = { type: 'query', guid: GUID, ttl: 3, hops: 0, words: ['blue'] };
  const result = { infoHash: HASH, name: 'blue', size: 1, peers: [A] };
  const hit = { type: 'queryhit', guid: GUID, ttl: 1, hops: 0, peer: A, dist: 1, results: [result] };
  const file = { infoHash: HASH, name: 'blue', size: 1 };
  const files = { type: 'files', reset: false, add: [file], remove: [] };
  const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  const bad: [unknown, string][] = [
    [{ type: 'connect' }, 'role'],
    [{ type: 'connect', role: 'ultrapeer' }, 'role'],
    [{ type: 'ok', role: 1 }, 'role'],
    [{ type: 'refuse', try: [] }, 'reason'],
    [{ type: 'refuse', reason: 'r'.repeat(OVERLAY_LIMITS.reason + 1), try: [] }, 'reason'],
    [{ type: 'refuse', reason: 'x', try: ['short'] }, 'try'],
    [{ type: 'refuse', reason: 'x', try: B }, 'try'],
    [{ type: 'refuse', reason: 'x', try: many(OVERLAY_LIMITS.peers + 1, () => B) }, 'try'],
    [{ type: 'bye', reason: 5 }, 'reason'],
    [{ ...ping, guid: 'short' }, 'guid'],
    [{ ...ping, guid: 'a'.repeat(33) }, 'guid'],
    [{ ...ping, guid: 'has space in the guid' }, 'guid'],
    [{ ...ping, guid: undefined }, 'guid'],
    [{ ...ping, ttl: -1 }, 'ttl'],
    [{ ...ping, ttl: 256 }, 'ttl'],
    [{ ...ping, ttl: 1.5 }, 'ttl'],
    [{ ...ping, ttl: '3' }, 'ttl'],
    [{ ...ping, hops: 256 }, 'hops'],
    [{ ...ping, hops: null }, 'hops'],
    [{ ...pong, peer: 'x' }, 'peer'],
    [{ ...pong, role: 'boss' }, 'role'],
    [{ ...pong, files: -1 }, 'files'],
    [{ ...pong, files: 2 ** 53 }, 'files'],
    [{ ...pong, neighbours: [A, 7] }, 'neighbours'],
    [{ ...pong, neighbours: many(OVERLAY_LIMITS.peers + 1, () => A) }, 'neighbours'],
    [{ ...pong, leaves: undefined }, 'leaves'],
    [{ ...query, words: [] }, 'words'],
    [{ ...query, words: 'blue' }, 'words'],
    [{ ...query, words: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }, 'words'],
    [{ ...query, words: ['Blue'] }, 'words'],
    [{ ...query, words: ['blue moon'] }, 'words'],
    [{ ...query, words: ['café'.normalize('NFC')] }, 'words'],
    [{ ...query, words: [''] }, 'words'],
    [{ ...query, words: ['x'.repeat(41)] }, 'words'],
    [{ ...query, words: ['blue', 'blue'] }, 'words'],
    [{ ...query, words: [3] }, 'words'],
    [{ ...hit, peer: undefined }, 'peer'],
    [{ ...hit, dist: 0 }, 'dist'],
    [{ ...hit, dist: 256 }, 'dist'],
    [{ ...hit, results: {} }, 'results'],
    [{ ...hit, results: many(OVERLAY_LIMITS.results + 1, () => result) }, 'results'],
    [{ ...files, reset: 'yes' }, 'reset'],
    [{ ...files, add: file }, 'add'],
    [{ ...files, add: many(OVERLAY_LIMITS.files + 1, () => file) }, 'add'],
    [{ ...files, remove: many(OVERLAY_LIMITS.files + 1, () => HASH) }, 'remove'],
  ];
  for (const [msg, field] of bad) {
    expect(protocolErrorOf(() => parse(msg)), JSON.stringify(msg).slice(0, 120)).toEqual({ code: 'bad-field', field });
  }
});

test('a bad entry of a list is dropped and recorded, naming its list, its place and its field; the message is kept', () => {
  const result = { infoHash: HASH, name: 'blue', size: 1, peers: [A] };
  const hit = { type: 'queryhit', guid: GUID, ttl: 1, hops: 0, peer: A, dist: 1, results: [result] };
  const file = { infoHash: HASH, name: 'blue', size: 1 };
  const files = { type: 'files', reset: false, add: [file], remove: [] };
  const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  const bad: [unknown, 'results' | 'add' | 'remove', string | undefined][] = [
    [{ ...hit, results: [null] }, 'results', undefined],
    [{ ...hit, results: [{ ...result, infoHash: HASH.slice(1) }] }, 'results', 'infoHash'],
    [{ ...hit, results: [{ ...result, infoHash: `${HASH.slice(1)}g` }] }, 'results', 'infoHash'],
    [{ ...hit, results: [{ ...result, name: '' }] }, 'results', 'name'],
    [{ ...hit, results: [{ ...result, name: '---' }] }, 'results', 'name'],
    [{ ...hit, results: [{ ...result, name: 'a\u0000b' }] }, 'results', 'name'],
    [{ ...hit, results: [{ ...result, name: 'n'.repeat(256) }] }, 'results', 'name'],
    [{ ...hit, results: [{ ...result, size: -1 }] }, 'results', 'size'],
    [{ ...hit, results: [{ ...result, size: 2 ** 53 }] }, 'results', 'size'],
    [{ ...hit, results: [{ ...result, size: 0.5 }] }, 'results', 'size'],
    [{ ...hit, results: [{ ...result, peers: [] }] }, 'results', 'peers'],
    [{ ...hit, results: [{ ...result, peers: many(OVERLAY_LIMITS.holders + 1, () => A) }] }, 'results', 'peers'],
    [{ ...files, add: ['x'] }, 'add', undefined],
    [{ ...files, add: [{ ...file, name: 7 }] }, 'add', 'name'],
    [{ ...files, add: [{ ...file, infoHash: undefined }] }, 'add', 'infoHash'],
    [{ ...files, remove: ['nothex'] }, 'remove', 'remove'],
  ];
  for (const [msg, list, field] of bad) {
    const dropped: DroppedEntry[] = [];
    const out = parseOverlayMessage(bytes(msg), dropped) as unknown as Record<string, unknown>;
    const label = JSON.stringify(msg).slice(0, 120);
    expect(out[list], label).toEqual([]);
    expect(dropped.map((d) => ({ list: d.list, index: d.index, code: d.error.code, field: d.error.field })), label).toEqual([{ list, index: 0, code: 'bad-field', field }]);
  }
});

test('one bad name among honest files: a query hit and a leaf file list keep the honest entries, in order, and say which entry went', () => {
  const honest = (i: number) => ({ infoHash: i.toString(16).padStart(40, '0'), name: `report ${i}.pdf`, size: i });
  const long = { infoHash: HASH, name: `report ${'x'.repeat(300)}.pdf`, size: 1 };
  const bell = { infoHash: HASH2, name: 'report\u0007.pdf', size: 1 };
  const hitDrops: DroppedEntry[] = [];
  const hit = parseOverlayMessage(
    bytes({ type: 'queryhit', guid: GUID, ttl: 1, hops: 0, peer: A, dist: 1, results: [{ ...honest(1), peers: [A] }, { ...long, peers: [A] }, { ...honest(2), peers: [A] }, { ...bell, peers: [A] }] }),
    hitDrops,
  );
  expect(hit).toMatchObject({ type: 'queryhit', results: [{ ...honest(1), peers: [A] }, { ...honest(2), peers: [A] }] });
  expect(hitDrops.map((d) => d.error.message)).toEqual([
    'results[1]: field "name" is longer than 255 characters',
    'results[3]: field "name" contains control characters or malformed text',
  ]);
  const listDrops: DroppedEntry[] = [];
  const list = parseOverlayMessage(bytes({ type: 'files', reset: true, add: [long, honest(3), bell], remove: [HASH, 'nothex'] }), listDrops);
  expect(list).toEqual({ type: 'files', reset: true, add: [honest(3)], remove: [HASH] });
  expect(listDrops.map((d) => `${d.list}[${d.index}] ${d.error.field}`)).toEqual(['add[0] name', 'add[2] name', 'remove[1] remove']);
  // Without a list to record them in, the drops are still drops, never a refusal.
  expect(parseOverlayMessage(bytes({ type: 'files', reset: false, add: [bell], remove: [] }))).toEqual({ type: 'files', reset: false, add: [], remove: [] });
});
