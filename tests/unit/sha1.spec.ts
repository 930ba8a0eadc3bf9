import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { fromHex, sha1, sha1Sync, toHex } from '../../protocol/sha1';
import { protocolErrorOf } from '../helpers/unit';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const nodeSha1 = (u: Uint8Array): string => createHash('sha1').update(u).digest('hex');

/** Runs `fn` with `globalThis.crypto` gone, as on an insecure browser origin. */
async function withoutWebCrypto<T>(fn: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    if (saved) Object.defineProperty(globalThis, 'crypto', saved);
    else delete (globalThis as { crypto?: unknown }).crypto;
  }
}

const VECTORS: [string, string][] = [
  ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'a49b2446a02c645bf419f995b67091253a04a259',
  ],
  ['The quick brown fox jumps over the lazy dog', '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12'],
];

test('sha1Sync matches the FIPS 180 / RFC 3174 vectors', () => {
  for (const [input, hex] of VECTORS) expect(toHex(sha1Sync(b(input))), input).toBe(hex);
  expect(toHex(sha1Sync(new Uint8Array(1_000_000).fill(0x61)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
});

test('sha1Sync matches node:crypto on random inputs of many lengths', () => {
  const lengths = [0, 1, 2, 3, 19, 20, 55, 56, 57, 63, 64, 65, 100, 119, 120, 127, 128, 129, 191, 192, 1000, 4096, 65_537, 262_144, 1 << 20];
  for (const n of lengths) {
    for (let rep = 0; rep < 3; rep++) {
      const data = new Uint8Array(randomBytes(n));
      expect(toHex(sha1Sync(data)), `length ${n}`).toBe(nodeSha1(data));
    }
  }
  for (let n = 0; n <= 300; n++) {
    const data = new Uint8Array(randomBytes(n));
    expect(toHex(sha1Sync(data)), `length ${n}`).toBe(nodeSha1(data));
  }
});

test('sha1Sync hashes only the bytes of a view', () => {
  const whole = new Uint8Array(randomBytes(1000));
  const view = whole.subarray(17, 17 + 300);
  expect(toHex(sha1Sync(view))).toBe(nodeSha1(view));
});

test('sha1 (Web Crypto) agrees with sha1Sync, views included', async () => {
  expect(globalThis.crypto?.subtle).toBeTruthy();
  for (const n of [0, 1, 64, 1000, 262_144]) {
    const data = new Uint8Array(randomBytes(n));
    expect(await sha1(data)).toEqual(sha1Sync(data));
  }
  const whole = new Uint8Array(randomBytes(500));
  const view = whole.subarray(3, 203);
  expect(toHex(await sha1(view))).toBe(nodeSha1(view));
  const shared = new Uint8Array(new SharedArrayBuffer(100));
  shared.set(randomBytes(100));
  expect(toHex(await sha1(shared))).toBe(nodeSha1(shared));
});

test('sha1 falls back to the pure implementation without crypto.subtle', async () => {
  const data = new Uint8Array(randomBytes(70_000));
  const hex = await withoutWebCrypto(async () => {
    expect(globalThis.crypto).toBeUndefined();
    return toHex(await sha1(data));
  });
  expect(globalThis.crypto?.subtle).toBeTruthy();
  expect(hex).toBe(nodeSha1(data));
});

test('toHex and fromHex round-trip; fromHex takes either case', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  expect(fromHex(toHex(all))).toEqual(all);
  expect(toHex(all)).toBe(Buffer.from(all).toString('hex'));
  expect(toHex(new Uint8Array(0))).toBe('');
  expect(fromHex('')).toEqual(new Uint8Array(0));
  expect(fromHex('DEADbeef')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
});

test('fromHex refuses bad hex with bad-field', () => {
  expect(protocolErrorOf(() => fromHex('abc'))).toEqual({ code: 'bad-field', field: 'hex' });
  expect(protocolErrorOf(() => fromHex('zz'))).toEqual({ code: 'bad-field', field: 'hex' });
  expect(protocolErrorOf(() => fromHex('0g'))).toEqual({ code: 'bad-field', field: 'hex' });
  expect(protocolErrorOf(() => fromHex(' 0'))).toEqual({ code: 'bad-field', field: 'hex' });
  expect(protocolErrorOf(() => fromHex('0x00', 'infoHash'))).toEqual({ code: 'bad-field', field: 'infoHash' });
});
