/**
 * SHA-1, the hash of BitTorrent v1 (info hashes and piece hashes).
 *
 * `sha1` uses Web Crypto when it is there; browsers give no `crypto.subtle` to insecure origins
 * (such as http://192.168.x.y on a LAN), so a pure TypeScript implementation stands in.
 */
import { ProtocolError } from './errors';

/** Bytes of a SHA-1 digest. */
export const SHA1_LENGTH = 20;

const W = new Int32Array(80);

/** Mixes one 64-byte block at `off` of `m` into the state `h`. */
function block(h: Int32Array, m: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (m[j]! << 24) | (m[j + 1]! << 16) | (m[j + 2]! << 8) | m[j + 3]!;
  }
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

/** SHA-1 of `bytes`, computed in pure TypeScript (FIPS 180-4), synchronously. */
export function sha1Sync(bytes: Uint8Array): Uint8Array {
  const h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);
  const len = bytes.length;
  const full = len - (len % 64);
  for (let off = 0; off < full; off += 64) block(h, bytes, off);

  // The tail: remaining bytes, 0x80, zeros, then the bit length as a 64-bit big-endian number.
  const rest = len - full;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(bytes.subarray(full));
  tail[rest] = 0x80;
  const hi = Math.floor(len / 0x20000000) >>> 0; // len * 8 / 2^32
  const lo = (len << 3) >>> 0; // (len * 8) mod 2^32
  const n = tail.length;
  tail[n - 8] = hi >>> 24;
  tail[n - 7] = hi >>> 16;
  tail[n - 6] = hi >>> 8;
  tail[n - 5] = hi;
  tail[n - 4] = lo >>> 24;
  tail[n - 3] = lo >>> 16;
  tail[n - 2] = lo >>> 8;
  tail[n - 1] = lo;
  for (let off = 0; off < n; off += 64) block(h, tail, off);

  const out = new Uint8Array(SHA1_LENGTH);
  for (let i = 0; i < 5; i++) {
    const v = h[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}

/**
 * SHA-1 of `bytes`: Web Crypto (`crypto.subtle.digest('SHA-1')`) where available, else (or if
 * it fails) `sha1Sync`.
 */
export async function sha1(bytes: Uint8Array): Promise<Uint8Array> {
  // Typed loosely: Workers' types declare `crypto` as a global const, not a property.
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle) {
    try {
      // Web Crypto refuses views on a SharedArrayBuffer: copy those.
      const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
      return new Uint8Array(await subtle.digest('SHA-1', input));
    } catch {
      // Fall through to the pure implementation.
    }
  }
  return sha1Sync(bytes);
}

const HEX = '0123456789abcdef';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >>> 4]! + HEX[b & 15]!;
  return out;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30; // 0-9
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // a-f
  if (c >= 0x41 && c <= 0x46) return c - 0x37; // A-F
  return -1;
}

/**
 * Bytes of a hex string (either case). Throws `ProtocolError('bad-field', ..., field)` on an odd
 * length or a non-hex char.
 */
export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (hex.length % 2 !== 0) throw new ProtocolError('bad-field', `"${field}" has an odd number of hex digits`, field);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(hex.charCodeAt(i * 2));
    const lo = hexDigit(hex.charCodeAt(i * 2 + 1));
    if (hi < 0 || lo < 0) throw new ProtocolError('bad-field', `"${field}" is not hex`, field);
    out[i] = (hi << 4) | lo;
  }
  return out;
}
