import { expect, test } from '@playwright/test';
import { decode, encode } from '../../protocol/bencode';
import { Bitfield } from '../../protocol/bitfield';
import { ProtocolError } from '../../protocol/errors';
import {
  decodeMessage,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  HANDSHAKE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_METADATA_SIZE,
  MAX_REQUEST_LENGTH,
  metadataPieceCount,
  metadataPieceLength,
  parseExtendedHandshake,
  parseHandshake,
  parseMetadataMessage,
  WireParser,
} from '../../protocol/wire';
import type { WireEvent, WireMessage } from '../../protocol/wire';
import { pseudoBytes } from '../helpers/unit';

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

const INFO_HASH = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const PEER_ID = ascii('-ED0001-abcdefghijkl');

/** One message of every kind. */
const ALL: WireMessage[] = [
  { type: 'keep-alive' },
  { type: 'choke' },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'not-interested' },
  { type: 'have', index: 7 },
  { type: 'have', index: 0xffffffff },
  { type: 'bitfield', bytes: hex('ff80') },
  { type: 'bitfield', bytes: new Uint8Array(0) },
  { type: 'request', index: 1, begin: 16384, length: 16384 },
  { type: 'request', index: 3, begin: 0, length: MAX_REQUEST_LENGTH },
  { type: 'piece', index: 2, begin: 32768, block: pseudoBytes(16384, 5) },
  { type: 'piece', index: 0, begin: 0, block: new Uint8Array(0) },
  { type: 'cancel', index: 1, begin: 16384, length: 16384 },
  { type: 'port', port: 6881 },
  { type: 'extended', ext: 0, payload: encodeExtendedHandshake({ utMetadata: 1, metadataSize: 5000 }) },
  { type: 'extended', ext: 3, payload: new Uint8Array(0) },
  { type: 'unknown', id: 13, payload: hex('00000001') },
];

function parseAll(chunks: Uint8Array[], opts?: { handshake?: boolean }): WireEvent[] {
  const p = new WireParser(opts);
  const out: WireEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  expect(p.buffered).toBe(0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bitfield

test.describe('Bitfield', () => {
  test('BEP 3 bit order: the high bit of byte 0 is piece 0', () => {
    const b = new Bitfield(10);
    b.set(0);
    b.set(7);
    b.set(9);
    expect(toHex(b.toBytes())).toBe('8140');
    expect(b.get(0)).toBe(true);
    expect(b.get(1)).toBe(false);
    expect(b.get(9)).toBe(true);
    expect(b.get(10)).toBe(false);
    expect(b.count()).toBe(3);
    b.set(7, false);
    expect(toHex(b.toBytes())).toBe('8040');
    expect(() => b.set(10)).toThrow(RangeError);
    expect(() => b.set(-1)).toThrow(RangeError);
  });

  test('isComplete, count, and byte lengths at every size around a byte boundary', () => {
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 1000]) {
      const b = new Bitfield(n);
      expect(b.toBytes().length).toBe(Math.ceil(n / 8));
      expect(b.isComplete()).toBe(n === 0);
      for (let i = 0; i < n; i++) b.set(i);
      expect(b.count()).toBe(n);
      expect(b.isComplete()).toBe(true);
      // Spare bits stay zero when every piece is set.
      if (n % 8 !== 0) expect(b.toBytes()[b.toBytes().length - 1]! & (0xff >>> n % 8)).toBe(0);
      if (n > 0) {
        b.set(n - 1, false);
        expect(b.isComplete()).toBe(false);
      }
      expect(Bitfield.fromBytes(b.toBytes(), n).toBytes()).toEqual(b.toBytes());
    }
  });

  test('fromBytes refuses a wrong byte length and set spare bits as bad-frame', () => {
    expect(codeOf(() => Bitfield.fromBytes(new Uint8Array(2), 17))).toBe('bad-frame');
    expect(codeOf(() => Bitfield.fromBytes(new Uint8Array(4), 17))).toBe('bad-frame');
    expect(codeOf(() => Bitfield.fromBytes(hex('ffff40'), 17))).toBe('bad-frame');
    expect(codeOf(() => Bitfield.fromBytes(hex('01'), 7))).toBe('bad-frame');
    const ok = Bitfield.fromBytes(hex('ffff80'), 17);
    expect(ok.isComplete()).toBe(true);
    expect(Bitfield.fromBytes(hex('fe'), 7).isComplete()).toBe(true);
    expect(Bitfield.fromBytes(new Uint8Array(0), 0).count()).toBe(0);
  });

  test('copies are independent: constructor input, toBytes output, clone', () => {
    const src = hex('80');
    const b = new Bitfield(8, src);
    src[0] = 0;
    expect(b.get(0)).toBe(true);
    b.toBytes()[0] = 0;
    expect(b.get(0)).toBe(true);
    const c = b.clone();
    c.set(1);
    expect(b.get(1)).toBe(false);
    expect(c.get(1)).toBe(true);
    expect(c.length).toBe(8);
  });
});

// ---------------------------------------------------------------------------------------------
// Handshake

test('handshake is 68 bytes: 19, the protocol name, reserved with BEP 10 and DHT bits, ids', () => {
  const hs = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID });
  expect(hs.length).toBe(HANDSHAKE_LENGTH);
  expect(toHex(hs)).toBe(
    '13' + toHex(ascii('BitTorrent protocol')) + '0000000000100001' + toHex(INFO_HASH) + toHex(PEER_ID),
  );
  expect(parseHandshake(hs)).toEqual({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: true });
  const plain = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: false, dht: false });
  expect(toHex(plain.subarray(20, 28))).toBe('0000000000000000');
  expect(parseHandshake(plain).extensions).toBe(false);
  expect(codeOf(() => encodeHandshake({ infoHash: new Uint8Array(19), peerId: PEER_ID }))).toBe('bad-field');
  expect(codeOf(() => encodeHandshake({ infoHash: INFO_HASH, peerId: new Uint8Array(21) }))).toBe('bad-field');
});

test('a handshake with another protocol string, or of the wrong size, is bad-frame', () => {
  const hs = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID });
  const wrongName = hs.slice();
  wrongName[1] = 0x62; // 'b'
  expect(codeOf(() => parseHandshake(wrongName))).toBe('bad-frame');
  expect(codeOf(() => parseHandshake(hs.subarray(0, 67)))).toBe('bad-frame');
  expect(codeOf(() => new WireParser().push(wrongName))).toBe('bad-frame');
  // The length byte is checked as soon as it arrives.
  expect(codeOf(() => new WireParser().push(hex('12')))).toBe('bad-frame');
});

// ---------------------------------------------------------------------------------------------
// Byte-exact encodings, written by hand from BEP 3 / BEP 10

test('byte-exact encodings of every message', () => {
  const cases: [WireMessage, string][] = [
    [{ type: 'keep-alive' }, '00000000'],
    [{ type: 'choke' }, '00000001 00'],
    [{ type: 'unchoke' }, '00000001 01'],
    [{ type: 'interested' }, '00000001 02'],
    [{ type: 'not-interested' }, '00000001 03'],
    [{ type: 'have', index: 7 }, '00000005 04 00000007'],
    [{ type: 'have', index: 0x01020304 }, '00000005 04 01020304'],
    [{ type: 'bitfield', bytes: hex('ff80') }, '00000003 05 ff80'],
    [{ type: 'request', index: 1, begin: 16384, length: 16384 }, '0000000d 06 00000001 00004000 00004000'],
    [{ type: 'piece', index: 1, begin: 0, block: hex('aabb') }, '0000000b 07 00000001 00000000 aabb'],
    [{ type: 'cancel', index: 1, begin: 16384, length: 16384 }, '0000000d 08 00000001 00004000 00004000'],
    [{ type: 'port', port: 6881 }, '00000003 09 1ae1'],
    [{ type: 'extended', ext: 3, payload: hex('0102') }, '00000004 14 03 0102'],
    [{ type: 'unknown', id: 14, payload: new Uint8Array(0) }, '00000001 0e'],
  ];
  for (const [msg, want] of cases) {
    expect(toHex(encodeMessage(msg)), msg.type).toBe(want.replace(/\s+/g, ''));
    expect(decodeMessage(hex(want)), msg.type).toEqual(msg);
  }
});

test('every message round-trips through encodeMessage and decodeMessage', () => {
  for (const msg of ALL) expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
});

test('encodeMessage refuses values the wire cannot carry', () => {
  expect(codeOf(() => encodeMessage({ type: 'have', index: -1 }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'have', index: 2 ** 32 }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'have', index: 1.5 }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'request', index: 0, begin: 0, length: MAX_REQUEST_LENGTH + 1 }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'cancel', index: 0, begin: 0, length: 0 }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'port', port: 65536 }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'extended', ext: 256, payload: new Uint8Array(0) }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'unknown', id: 4, payload: new Uint8Array(0) }))).toBe('bad-field');
  expect(codeOf(() => encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(MAX_MESSAGE_LENGTH) }))).toBe('oversize');
});

// ---------------------------------------------------------------------------------------------
// Incremental parsing

/** The handshake and every message; `small` shrinks the 16 KiB block so that exhaustive cuts stay fast. */
function sampleStream(small = false): { stream: Uint8Array; expected: WireEvent[] } {
  const msgs = small ? ALL.map((m) => (m.type === 'piece' && m.block.length > 0 ? { ...m, block: m.block.subarray(0, 200) } : m)) : ALL;
  const parts = [encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID }), ...msgs.map(encodeMessage)];
  const expected: WireEvent[] = [{ type: 'handshake', infoHash: INFO_HASH, peerId: PEER_ID, extensions: true }, ...msgs];
  return { stream: concat(parts), expected };
}

test('one chunk with the handshake and every message yields the same events', () => {
  const { stream, expected } = sampleStream();
  expect(parseAll([stream])).toEqual(expected);
});

test('a stream cut at every byte boundary yields the same events', () => {
  const { stream, expected } = sampleStream(true);
  expect(stream.length).toBeGreaterThan(400);
  for (let i = 0; i <= stream.length; i++) {
    const events = parseAll([stream.subarray(0, i), stream.subarray(i)]);
    if (events.length !== expected.length) throw new Error(`cut at ${i}: ${events.length} events`);
    expect(events).toEqual(expected);
  }
});

test('a stream fed one byte at a time, and in random pieces, yields the same events', () => {
  const { stream, expected } = sampleStream();
  const single = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
  expect(parseAll(single)).toEqual(expected);
  let seed = 7;
  for (let round = 0; round < 50; round++) {
    const chunks: Uint8Array[] = [];
    let o = 0;
    while (o < stream.length) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const n = (seed >>> 16) % 40;
      chunks.push(stream.subarray(o, o + n));
      o += n;
    }
    expect(parseAll(chunks)).toEqual(expected);
  }
});

test('1,000 messages in one chunk', () => {
  const msgs: WireMessage[] = [];
  for (let i = 0; i < 1000; i++) {
    const m = i % 4;
    if (m === 0) msgs.push({ type: 'have', index: i });
    else if (m === 1) msgs.push({ type: 'request', index: i, begin: 16384 * (i % 16), length: 16384 });
    else if (m === 2) msgs.push({ type: 'piece', index: i, begin: 0, block: pseudoBytes(i % 300, i) });
    else msgs.push({ type: 'keep-alive' });
  }
  const events = parseAll([concat(msgs.map(encodeMessage))], { handshake: false });
  expect(events).toHaveLength(1000);
  expect(events).toEqual(msgs);
});

test('large messages in tiny chunks are parsed in linear time', () => {
  // 1 MiB bitfield in 1-byte chunks and 8 MiB of 16 KiB pieces in 1000-byte chunks: quadratic
  // buffering would not finish within the test timeout.
  const big = pseudoBytes(MAX_MESSAGE_LENGTH - 1, 3);
  const p = new WireParser({ handshake: false });
  const bitfield = encodeMessage({ type: 'bitfield', bytes: big });
  let events: WireEvent[] = [];
  for (let i = 0; i < bitfield.length; i++) events.push(...p.push(bitfield.subarray(i, i + 1)));
  expect(events).toHaveLength(1);
  expect(events[0]).toEqual({ type: 'bitfield', bytes: big });

  const block = pseudoBytes(16384, 9);
  const stream = concat(Array.from({ length: 512 }, (_, i) => encodeMessage({ type: 'piece', index: i, begin: 0, block })));
  events = [];
  for (let o = 0; o < stream.length; o += 1000) events.push(...p.push(stream.subarray(o, o + 1000)));
  expect(events).toHaveLength(512);
  expect(events.every((e, i) => e.type === 'piece' && e.index === i && e.block.length === 16384)).toBe(true);
  expect(p.buffered).toBe(0);
});

test('returned payloads are copies, not views of the pushed chunks', () => {
  const chunk = encodeMessage({ type: 'piece', index: 1, begin: 0, block: hex('0102') });
  const [ev] = new WireParser({ handshake: false }).push(chunk);
  chunk.fill(0xee);
  expect(ev).toEqual({ type: 'piece', index: 1, begin: 0, block: hex('0102') });
});

test('unknown message ids are returned as unknown events, not errors', () => {
  const events = parseAll([hex('00000003 0d 0001'), hex('00000001 ff')], { handshake: false });
  expect(events).toEqual([
    { type: 'unknown', id: 13, payload: hex('0001') },
    { type: 'unknown', id: 255, payload: new Uint8Array(0) },
  ]);
});

// ---------------------------------------------------------------------------------------------
// Malformed input

test('each malformed class is refused with its code, and the parser stays dead', () => {
  const bad: [string, string, string][] = [
    ['length over the cap', (MAX_MESSAGE_LENGTH + 1).toString(16).padStart(8, '0') + '05', 'oversize'],
    ['huge length', 'ffffffff', 'oversize'],
    ['choke with a payload', '00000002 00 00', 'bad-frame'],
    ['unchoke with a payload', '00000002 01 00', 'bad-frame'],
    ['interested with a payload', '00000002 02 00', 'bad-frame'],
    ['not-interested with a payload', '00000002 03 00', 'bad-frame'],
    ['short have', '00000004 04 000000', 'bad-frame'],
    ['long have', '00000006 04 0000000000', 'bad-frame'],
    ['short request', '0000000c 06 00000000 00000000 000040', 'bad-frame'],
    ['long cancel', '0000000e 08 00000000 00000000 00004000 00', 'bad-frame'],
    ['request over 128 KiB', '0000000d 06 00000000 00000000 00020001', 'bad-frame'],
    ['cancel over 128 KiB', '0000000d 08 00000000 00000000 00020001', 'bad-frame'],
    ['request of 0 bytes', '0000000d 06 00000000 00000000 00000000', 'bad-frame'],
    ['piece without begin', '00000008 07 00000000 000000', 'bad-frame'],
    ['short port', '00000002 09 1a', 'bad-frame'],
    ['extended without its id', '00000001 14', 'bad-frame'],
  ];
  for (const [name, wire, code] of bad) {
    const p = new WireParser({ handshake: false });
    expect(codeOf(() => p.push(hex(wire))), name).toBe(code);
    expect(p.failed).toBe(true);
    expect(codeOf(() => p.push(encodeMessage({ type: 'choke' }))), `${name}, then more`).toBe(code);
    // The same bytes fed one at a time fail the same way.
    const q = new WireParser({ handshake: false });
    const w = hex(wire);
    expect(codeOf(() => { for (let i = 0; i < w.length; i++) q.push(w.subarray(i, i + 1)); }), `${name}, bytewise`).toBe(code);
    expect(codeOf(() => decodeMessage(w)), `${name}, decodeMessage`).toBe(code);
  }
});

test('limits are inclusive: a 1 MiB + 13 byte message and a 128 KiB request pass', () => {
  const max = encodeMessage({ type: 'bitfield', bytes: new Uint8Array(MAX_MESSAGE_LENGTH - 1) });
  expect(parseAll([max], { handshake: false })).toHaveLength(1);
  const req = hex('0000000d 06 00000000 00000000 00020000');
  expect(parseAll([req], { handshake: false })).toEqual([{ type: 'request', index: 0, begin: 0, length: MAX_REQUEST_LENGTH }]);
});

test('a fixed-size message with a wrong length is refused when its id arrives, before its body', () => {
  const p = new WireParser({ handshake: false });
  expect(p.push(hex('00100000'))).toEqual([]); // 1 MiB announced, id not yet known
  expect(codeOf(() => p.push(hex('04')))).toBe('bad-frame'); // a have cannot be 1 MiB
});

test('the handshake comes first: messages after it in the same chunk parse, messages before it are refused', () => {
  const p = new WireParser();
  const hs = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: false });
  const events = p.push(concat([hs, encodeMessage({ type: 'have', index: 1 })]));
  expect(events).toEqual([
    { type: 'handshake', infoHash: INFO_HASH, peerId: PEER_ID, extensions: false },
    { type: 'have', index: 1 },
  ]);
  expect(codeOf(() => new WireParser().push(concat([encodeMessage({ type: 'have', index: 1 }), hs])))).toBe('bad-frame');
});

// ---------------------------------------------------------------------------------------------
// BEP 10 extended handshake

test('extended handshake: byte-exact encoding and round trip', () => {
  const payload = encodeExtendedHandshake({ utMetadata: 1, metadataSize: 1234 });
  expect(new TextDecoder().decode(payload)).toBe('d1:md11:ut_metadatai1ee13:metadata_sizei1234ee');
  expect(parseExtendedHandshake(payload)).toEqual({ m: { ut_metadata: 1 }, metadataSize: 1234 });

  const full = encodeExtendedHandshake({ utMetadata: 3, metadataSize: 99, client: 'edge-p2p 0.1 ✓', reqq: 250 });
  expect(new TextDecoder().decode(full)).toBe(
    'd1:md11:ut_metadatai3ee13:metadata_sizei99e4:reqqi250e1:v16:edge-p2p 0.1 ✓e',
  );
  expect(parseExtendedHandshake(full)).toEqual({ m: { ut_metadata: 3 }, metadataSize: 99, client: 'edge-p2p 0.1 ✓', reqq: 250 });
  expect(parseExtendedHandshake(encodeExtendedHandshake())).toEqual({ m: {} });
  // BEP 21 upload_only, as a super-seeder says it.
  const seed = encodeExtendedHandshake({ utMetadata: 1, uploadOnly: true });
  expect(new TextDecoder().decode(seed)).toBe('d1:md11:ut_metadatai1ee11:upload_onlyi1ee');
  expect(parseExtendedHandshake(seed)).toEqual({ m: { ut_metadata: 1 }, uploadOnly: true });
  expect(parseExtendedHandshake(encode({ m: {}, upload_only: 0 }))).toEqual({ m: {}, uploadOnly: false });
});

test('extended handshake: other extensions and unknown keys pass, disabled ids stay 0', () => {
  const payload = encode({ m: { ut_metadata: 2, ut_pex: 0, lt_donthave: 7 }, p: 6881, yourip: hex('7f000001'), e: 0 });
  expect(parseExtendedHandshake(payload)).toEqual({ m: { ut_metadata: 2, ut_pex: 0, lt_donthave: 7 } });
  expect(parseExtendedHandshake(encode({}))).toEqual({ m: {} });
});

test('extended handshake: wrong types are refused', () => {
  const bad: [unknown, string][] = [
    [{ m: { ut_metadata: 1 }, metadata_size: 0 }, 'bad-frame'],
    [{ m: { ut_metadata: 1 }, metadata_size: -5 }, 'bad-frame'],
    [{ m: { ut_metadata: 1 }, metadata_size: '100' }, 'bad-frame'],
    [{ m: { ut_metadata: 1 }, metadata_size: MAX_METADATA_SIZE + 1 }, 'oversize'],
    [{ m: 1 }, 'bad-frame'],
    [{ m: [1] }, 'bad-frame'],
    [{ m: { ut_metadata: 256 } }, 'bad-frame'],
    [{ m: { ut_metadata: 'one' } }, 'bad-frame'],
    [{ m: {}, v: 5 }, 'bad-frame'],
    [{ m: {}, reqq: 0 }, 'bad-frame'],
    [{ m: {}, upload_only: 'yes' }, 'bad-frame'],
    [[1, 2], 'bad-frame'],
    ['text', 'bad-frame'],
  ];
  for (const [value, code] of bad) {
    expect(codeOf(() => parseExtendedHandshake(encode(value as never))), JSON.stringify(value)).toBe(code);
  }
  expect(codeOf(() => parseExtendedHandshake(ascii('d1:md')))).toBe('bad-frame');
  expect(codeOf(() => parseExtendedHandshake(ascii('de trailing')))).toBe('bad-frame');
  expect(codeOf(() => parseExtendedHandshake(new Uint8Array(0)))).toBe('bad-frame');
  expect(codeOf(() => encodeExtendedHandshake({ metadataSize: 0 }))).toBe('bad-field');
  expect(codeOf(() => encodeExtendedHandshake({ utMetadata: 300 }))).toBe('bad-field');
});

// ---------------------------------------------------------------------------------------------
// BEP 9 ut_metadata

test('ut_metadata request and reject: byte-exact and round trip', () => {
  const req = encodeMetadataMessage({ kind: 'request', piece: 0 });
  expect(new TextDecoder().decode(req)).toBe('d8:msg_typei0e5:piecei0ee');
  expect(parseMetadataMessage(req)).toEqual({ kind: 'request', piece: 0 });
  const rej = encodeMetadataMessage({ kind: 'reject', piece: 3 });
  expect(new TextDecoder().decode(rej)).toBe('d8:msg_typei2e5:piecei3ee');
  expect(parseMetadataMessage(rej)).toEqual({ kind: 'reject', piece: 3 });
});

test('ut_metadata data: the piece bytes follow the dict, even when they look like bencode', () => {
  // The last piece: bencode look-alikes, including a complete ut_metadata reject and a dangling dict.
  const last = concat([ascii('d8:msg_typei2e5:piecei9ee'), ascii('i42e3:abclee'), ascii('d1:x')]);
  const total = 16384 + last.length;
  const payload = encodeMetadataMessage({ kind: 'data', piece: 1, totalSize: total, data: last });
  expect(new TextDecoder().decode(payload)).toBe(`d8:msg_typei1e5:piecei1e10:total_sizei${total}ee` + new TextDecoder().decode(last));
  expect(parseMetadataMessage(payload)).toEqual({ kind: 'data', piece: 1, totalSize: total, data: last });

  const first = pseudoBytes(16384, 11);
  first.set(ascii('d4:infod'), 0);
  const p0 = parseMetadataMessage(encodeMetadataMessage({ kind: 'data', piece: 0, totalSize: total, data: first }));
  expect(p0.data).toEqual(first);

  // Through the wire parser, as an extended message, split across chunks.
  const wire = encodeMessage({ type: 'extended', ext: 2, payload });
  const events = parseAll([wire.subarray(0, 30), wire.subarray(30)], { handshake: false });
  const ev = events[0];
  expect(ev?.type).toBe('extended');
  if (ev?.type !== 'extended') throw new Error('not extended');
  expect(ev.ext).toBe(2);
  expect(parseMetadataMessage(ev.payload)).toEqual({ kind: 'data', piece: 1, totalSize: total, data: last });
});

test('ut_metadata: piece counts and lengths', () => {
  expect(metadataPieceCount(1)).toBe(1);
  expect(metadataPieceCount(16384)).toBe(1);
  expect(metadataPieceCount(16385)).toBe(2);
  expect(metadataPieceLength(16385, 0)).toBe(16384);
  expect(metadataPieceLength(16385, 1)).toBe(1);
  expect(metadataPieceLength(16385, 2)).toBe(0);
});

test('ut_metadata: malformed messages are refused', () => {
  const enc = (v: unknown, rest = new Uint8Array(0)) => concat([encode(v as never), rest]);
  const bad: [string, Uint8Array, string][] = [
    ['not a dict', enc([0, 1]), 'bad-frame'],
    ['not bencode', ascii('x'), 'bad-frame'],
    ['truncated', ascii('d8:msg_typei0e5:piecei0e'), 'bad-frame'],
    ['msg_type 3', enc({ msg_type: 3, piece: 0 }), 'bad-frame'],
    ['msg_type missing', enc({ piece: 0 }), 'bad-frame'],
    ['piece missing', enc({ msg_type: 0 }), 'bad-frame'],
    ['negative piece', enc({ msg_type: 0, piece: -1 }), 'bad-frame'],
    ['piece as string', enc({ msg_type: 0, piece: '0' }), 'bad-frame'],
    ['request with trailing bytes', enc({ msg_type: 0, piece: 0 }, hex('00')), 'bad-frame'],
    ['data without total_size', enc({ msg_type: 1, piece: 0 }, hex('00')), 'bad-frame'],
    ['data too short', enc({ msg_type: 1, piece: 0, total_size: 10 }, new Uint8Array(9)), 'bad-frame'],
    ['data too long', enc({ msg_type: 1, piece: 0, total_size: 10 }, new Uint8Array(11)), 'bad-frame'],
    ['data beyond the end', enc({ msg_type: 1, piece: 1, total_size: 10 }, new Uint8Array(0)), 'bad-frame'],
    ['total_size 0', enc({ msg_type: 1, piece: 0, total_size: 0 }), 'bad-frame'],
    ['total_size over 16 MiB', enc({ msg_type: 1, piece: 0, total_size: MAX_METADATA_SIZE + 1 }), 'oversize'],
  ];
  for (const [name, payload, code] of bad) expect(codeOf(() => parseMetadataMessage(payload)), name).toBe(code);
  expect(codeOf(() => encodeMetadataMessage({ kind: 'data', piece: 0, totalSize: 10, data: new Uint8Array(9) }))).toBe('bad-field');
  expect(codeOf(() => encodeMetadataMessage({ kind: 'data', piece: 0 }))).toBe('bad-field');
});

test('bencode values in the extended handshake decode as the encoder wrote them', () => {
  // A guard on the shared bencode module's contract that wire.ts relies on.
  const v = decode(encodeExtendedHandshake({ utMetadata: 1, client: 'x' }));
  expect(v).toEqual(Object.assign(Object.create(null), { m: Object.assign(Object.create(null), { ut_metadata: 1 }), v: ascii('x') }));
});
