import { expect, test } from '@playwright/test';
import {
  bbytes,
  bdict,
  bget,
  bint,
  blist,
  bstr,
  bytesToLatin1,
  decode,
  decodeDictWithRaw,
  decodePrefix,
  encode,
  infoSpan,
  utf8Key,
  type BDict,
  type BValue,
} from '../../protocol/bencode';
import { protocolErrorOf } from '../helpers/unit';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
/** Bytes of a string whose chars are all below 256 (one byte each). */
const raw = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (u: Uint8Array): string => bytesToLatin1(u);

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** A random bencode value with binary strings and binary keys. */
function randomValue(r: () => number, depth = 0): BValue {
  const kind = Math.floor(r() * (depth > 4 ? 2 : 4));
  if (kind === 0) {
    const n = Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1);
    return r() < 0.3 ? Math.floor(r() * 10) : n;
  }
  if (kind === 1) return Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256));
  if (kind === 2) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
  const d = Object.create(null) as BDict;
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const key = String.fromCharCode(...Array.from({ length: Math.floor(r() * 6) }, () => Math.floor(r() * 256)));
    d[key] = randomValue(r, depth + 1);
  }
  return d;
}

test.describe('encode', () => {
  test('writes the BEP 3 examples canonically', () => {
    expect(text(encode('spam'))).toBe('4:spam');
    expect(text(encode(b('spam')))).toBe('4:spam');
    expect(text(encode(''))).toBe('0:');
    expect(text(encode(3))).toBe('i3e');
    expect(text(encode(-3))).toBe('i-3e');
    expect(text(encode(0))).toBe('i0e');
    expect(text(encode(['spam', 'eggs']))).toBe('l4:spam4:eggse');
    expect(text(encode([]))).toBe('le');
    expect(text(encode({ cow: 'moo', spam: 'eggs' }))).toBe('d3:cow3:moo4:spam4:eggse');
    expect(text(encode({ spam: ['a', 'b'] }))).toBe('d4:spaml1:a1:bee');
    expect(text(encode({}))).toBe('de');
  });

  test('sorts dictionary keys by raw bytes, whatever the insertion order', () => {
    expect(text(encode({ spam: 'eggs', cow: 'moo' }))).toBe('d3:cow3:moo4:spam4:eggse');
    // "Z" (0x5a) < "a" (0x61) < "ab" < "b" < 0xe9 < 0xff
    const d = { '\u00ff': 1, b: 1, ab: 1, a: 1, Z: 1, '\u00e9': 1 };
    expect(text(encode(d))).toBe('d1:Zi1e1:ai1e2:abi1e1:bi1e1:\u00e9i1e1:\u00ffi1ee');
  });

  test('writes JS strings as UTF-8, keys as latin1, and utf8Key bridges them', () => {
    expect(encode('é€')).toEqual(raw('5:\u00c3\u00a9\u00e2\u0082\u00ac'));
    expect(encode({ [utf8Key('é')]: 1 })).toEqual(raw('d2:\u00c3\u00a9i1ee'));
    expect(encode({ '\u00e9': 1 })).toEqual(raw('d1:\u00e9i1ee'));
  });

  test('leaves out undefined dictionary values', () => {
    expect(text(encode({ a: 1, b: undefined }))).toBe('d1:ai1ee');
  });

  test('refuses what bencode cannot carry', () => {
    for (const v of [1.5, NaN, Infinity, 2 ** 53, -(2 ** 53)]) expect(protocolErrorOf(() => encode(v)).code).toBe('bad-field');
    expect(protocolErrorOf(() => encode({ size: 0.5 }))).toEqual({ code: 'bad-field', field: 'size' });
    expect(protocolErrorOf(() => encode(null as unknown as number)).code).toBe('bad-field');
    expect(protocolErrorOf(() => encode(true as unknown as number)).code).toBe('bad-field');
    expect(protocolErrorOf(() => encode({ '\u20ac': 1 })).code).toBe('bad-field');
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(protocolErrorOf(() => encode(cyclic as never)).code).toBe('oversize');
  });

  test('keeps the largest safe integers exact', () => {
    expect(text(encode(Number.MAX_SAFE_INTEGER))).toBe('i9007199254740991e');
    expect(decode(encode(Number.MIN_SAFE_INTEGER))).toBe(Number.MIN_SAFE_INTEGER);
  });
});

test.describe('decode', () => {
  test('reads the BEP 3 examples', () => {
    expect(decode(b('4:spam'))).toEqual(b('spam'));
    expect(decode(b('0:'))).toEqual(new Uint8Array(0));
    expect(decode(b('i3e'))).toBe(3);
    expect(decode(b('i-3e'))).toBe(-3);
    expect(decode(b('i0e'))).toBe(0);
    expect(decode(b('l4:spam4:eggse'))).toEqual([b('spam'), b('eggs')]);
    expect(decode(b('d3:cow3:moo4:spam4:eggse'))).toEqual({ cow: b('moo'), spam: b('eggs') });
    expect(decode(b('d4:spaml1:a1:bee'))).toEqual({ spam: [b('a'), b('b')] });
  });

  test('round-trips random values byte for byte, binary keys and strings included', () => {
    const r = rng(42);
    for (let i = 0; i < 500; i++) {
      const v = randomValue(r);
      const bytes = encode(v);
      const back = decode(bytes);
      expect(back).toEqual(v);
      expect(encode(back)).toEqual(bytes);
    }
  });

  test('strings with every byte value survive, and keys come back as latin1', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decode(encode(all))).toEqual(all);
    const input = raw('d1:\u0080i2e2:\u00ff\u0000i1ee');
    const d = bdict(decode(input), 'value');
    expect(Object.keys(d).sort()).toEqual(['\u0080', '\u00ff\u0000']);
    expect(encode(d)).toEqual(input);
  });

  test('accepts unsorted keys; re-encoding sorts them', () => {
    const v = decode(b('d4:spam4:eggs3:cow3:mooe'));
    expect(v).toEqual({ spam: b('eggs'), cow: b('moo') });
    expect(text(encode(v))).toBe('d3:cow3:moo4:spam4:eggse');
  });

  test('"__proto__" is an ordinary key, and no inherited property leaks out', () => {
    const d = bdict(decode(b('d9:__proto__i1e11:constructori2ee')), 'value');
    expect(Object.keys(d).sort()).toEqual(['__proto__', 'constructor']);
    expect(d['__proto__']).toBe(1);
    expect(text(encode(d))).toBe('d9:__proto__i1e11:constructori2ee');
    const empty = bdict(decode(b('de')), 'value');
    expect(empty['toString']).toBeUndefined();
    expect(bget({ a: 1 }, 'toString')).toBeUndefined();
    expect(bget({ a: 1 }, 'a')).toBe(1);
  });

  test('returns copies: changing the input later does not change decoded strings', () => {
    const input = b('4:spam');
    const v = decode(input) as Uint8Array;
    input[2] = 0x58;
    expect(dec.decode(v)).toBe('spam');
  });

  test('names every class of malformed input', () => {
    const badEncoding = [
      '', 'x', 'e', ':', 'i', 'ie', 'i-e', 'i1', 'i1.5e', 'i+1e', 'i 1e', 'i03e', 'i00e', 'i-0e', 'i-03e',
      '03:abc', '00:', '-1:a', '4:spa', '1:', '2', 'l', 'li1e', 'd', 'd3:cow', 'd3:cowe', 'di1ei2ee', 'dl1:aei1ee',
      'd1:ai1e1:ai2ee', 'd1:ai1e1:bi2e1:ai3ee', 'i1ei2e', '4:spamX', 'lee', 'de1', '99999999999999999999:',
      '9999999999999999:a',
    ];
    for (const s of badEncoding) {
      expect(protocolErrorOf(() => decode(b(s))).code, JSON.stringify(s)).toBe('bad-encoding');
    }
    for (const s of ['i9007199254740992e', 'i-9007199254740992e', 'i99999999999999999999e']) {
      expect(protocolErrorOf(() => decode(b(s))).code, s).toBe('oversize');
    }
  });

  test('limits nesting depth (64 by default, or maxDepth)', () => {
    const nest = (n: number, open = 'l'): Uint8Array => b(open.repeat(n) + 'e'.repeat(n));
    expect(() => decode(nest(64))).not.toThrow();
    expect(protocolErrorOf(() => decode(nest(65))).code).toBe('oversize');
    expect(protocolErrorOf(() => decode(b('d1:a'.repeat(65) + 'le' + 'e'.repeat(65)))).code).toBe('oversize');
    expect(protocolErrorOf(() => decode(nest(3), { maxDepth: 2 })).code).toBe('oversize');
    expect(() => decode(nest(2), { maxDepth: 2 })).not.toThrow();
    expect(protocolErrorOf(() => decode(nest(100_000))).code).toBe('oversize');
  });

  test('limits the encoded length with maxLength', () => {
    expect(protocolErrorOf(() => decode(b('10:0123456789'), { maxLength: 12 })).code).toBe('oversize');
    expect(decode(b('10:0123456789'), { maxLength: 13 })).toEqual(b('0123456789'));
  });
});

test.describe('decodePrefix', () => {
  test('says how many bytes the first value used and leaves the rest (a BEP 9 data message)', () => {
    const head = b('d8:msg_typei1e5:piecei0e10:total_sizei5ee');
    const msg = new Uint8Array(head.length + 5);
    msg.set(head);
    msg.set([1, 2, 3, 4, 5], head.length);
    const { value, length } = decodePrefix(msg);
    expect(length).toBe(head.length);
    expect(value).toEqual({ msg_type: 1, piece: 0, total_size: 5 });
    expect(msg.subarray(length)).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(decodePrefix(b('i7e')).length).toBe(3);
  });

  test('maxLength bounds the value, not the bytes after it', () => {
    const msg = new Uint8Array(1000);
    msg.set(b('d1:ai1ee'));
    expect(decodePrefix(msg, { maxLength: 8 }).length).toBe(8);
    expect(protocolErrorOf(() => decodePrefix(msg, { maxLength: 7 })).code).toBe('oversize');
    expect(protocolErrorOf(() => decodePrefix(b('5:abc'))).code).toBe('bad-encoding');
  });
});

test.describe('raw spans', () => {
  test('infoSpan returns the exact original bytes of "info", unsorted keys and all', () => {
    const info = 'd4:name1:x6:lengthi3e12:piece lengthi16384e6:pieces0:e';
    const torrent = b(`d8:announce3:url4:info${info}7:comment2:hie`);
    expect(dec.decode(infoSpan(torrent))).toBe(info);
    const { value, raw: spans } = decodeDictWithRaw(torrent);
    expect(dec.decode(spans['announce']!)).toBe('3:url');
    expect(dec.decode(spans['comment']!)).toBe('2:hi');
    expect(bstr(bdict(value['info'], 'info')['name'], 'name')).toBe('x');
    // Re-encoding sorts the keys, so it would not give the original bytes back.
    expect(dec.decode(encode(bdict(value['info'], 'info')))).not.toBe(info);
  });

  test('infoSpan ignores nested "info" keys and refuses a torrent without one', () => {
    expect(protocolErrorOf(() => infoSpan(b('d1:ad4:infodeee')))).toEqual({ code: 'bad-field', field: 'info' });
    expect(protocolErrorOf(() => infoSpan(b('d4:infoi1ee')))).toEqual({ code: 'bad-field', field: 'info' });
    expect(protocolErrorOf(() => infoSpan(b('li1ee'))).code).toBe('bad-field');
    expect(protocolErrorOf(() => infoSpan(b('d4:infode'))).code).toBe('bad-encoding');
    expect(dec.decode(infoSpan(b('d4:infodee')))).toBe('de');
  });
});

test.describe('accessors', () => {
  const d = bdict(decode(b('d1:s3:abc1:ii5e1:lli1ee1:ddee')), 'd');
  d['bad'] = raw('\u00ff\u00fe');

  test('return typed values', () => {
    expect(bstr(d['s'], 's')).toBe('abc');
    expect(bstr(decode(encode('é')), 'n')).toBe('é');
    expect(bstr(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), 'n')).toBe('\ufeffa'); // a BOM is kept
    expect(bint(d['i'], 'i')).toBe(5);
    expect(bint(d['i'], 'i', 0, 5)).toBe(5);
    expect(bbytes(d['s'], 's')).toEqual(b('abc'));
    expect(blist(d['l'], 'l')).toEqual([1]);
    expect(bdict(d['d'], 'd')).toEqual({});
  });

  test('throw bad-field naming the field', () => {
    expect(protocolErrorOf(() => bstr(d['i'], 'name'))).toEqual({ code: 'bad-field', field: 'name' });
    expect(protocolErrorOf(() => bstr(d['bad'], 'name'))).toEqual({ code: 'bad-field', field: 'name' });
    expect(protocolErrorOf(() => bstr(undefined, 'name'))).toEqual({ code: 'bad-field', field: 'name' });
    expect(protocolErrorOf(() => bint(d['s'], 'length'))).toEqual({ code: 'bad-field', field: 'length' });
    expect(protocolErrorOf(() => bint(d['i'], 'length', 6))).toEqual({ code: 'bad-field', field: 'length' });
    expect(protocolErrorOf(() => bint(d['i'], 'length', 0, 4))).toEqual({ code: 'bad-field', field: 'length' });
    expect(protocolErrorOf(() => bbytes(d['l'], 'pieces'))).toEqual({ code: 'bad-field', field: 'pieces' });
    expect(protocolErrorOf(() => blist(d['d'], 'files'))).toEqual({ code: 'bad-field', field: 'files' });
    expect(protocolErrorOf(() => bdict(d['l'], 'info'))).toEqual({ code: 'bad-field', field: 'info' });
    expect(protocolErrorOf(() => bdict(d['s'], 'info'))).toEqual({ code: 'bad-field', field: 'info' });
  });
});
