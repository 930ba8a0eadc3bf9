/**
 * A fixed-length set of piece indexes, in the byte layout of the BEP 3 `bitfield` message:
 * the high bit of byte 0 is piece 0, the low bit of byte 0 is piece 7, and so on; the spare
 * bits at the end of the last byte are always zero.
 */
import { ProtocolError } from './errors';

export class Bitfield {
  /** Number of pieces (bits) this field covers. */
  readonly length: number;
  private readonly bytes: Uint8Array;

  /**
   * `bytes`, when given, is copied; it must be exactly `ceil(length / 8)` bytes long, and
   * spare bits in it are cleared (use `Bitfield.fromBytes` to refuse them instead).
   */
  constructor(length: number, bytes?: Uint8Array) {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bitfield length ${length} is not a non-negative integer`);
    this.length = length;
    const size = byteLength(length);
    if (bytes === undefined) {
      this.bytes = new Uint8Array(size);
    } else {
      if (bytes.length !== size) throw new RangeError(`bitfield of ${length} pieces needs ${size} bytes, got ${bytes.length}`);
      this.bytes = bytes.slice();
      const spare = spareMask(length);
      if (spare !== 0) this.bytes[size - 1]! &= ~spare & 0xff;
    }
  }

  /** Parse a received `bitfield` payload for a torrent of `length` pieces. */
  static fromBytes(bytes: Uint8Array, length: number): Bitfield {
    const size = byteLength(length);
    if (bytes.length !== size) {
      throw new ProtocolError('bad-frame', `bitfield of ${length} pieces must be ${size} bytes, got ${bytes.length}`);
    }
    const spare = spareMask(length);
    if (spare !== 0 && (bytes[size - 1]! & spare) !== 0) {
      throw new ProtocolError('bad-frame', 'bitfield has spare bits set');
    }
    return new Bitfield(length, bytes);
  }

  get(i: number): boolean {
    if (!this.inRange(i)) return false;
    return (this.bytes[i >>> 3]! & (0x80 >>> (i & 7))) !== 0;
  }

  set(i: number, v = true): void {
    if (!this.inRange(i)) throw new RangeError(`piece index ${i} is outside [0, ${this.length})`);
    const bit = 0x80 >>> (i & 7);
    if (v) this.bytes[i >>> 3]! |= bit;
    else this.bytes[i >>> 3]! &= ~bit & 0xff;
  }

  /** Number of set bits. */
  count(): number {
    let n = 0;
    for (const b of this.bytes) n += POPCOUNT[b]!;
    return n;
  }

  /** True when every piece is set (an empty bitfield is complete). */
  isComplete(): boolean {
    const full = this.length >>> 3;
    for (let i = 0; i < full; i++) if (this.bytes[i] !== 0xff) return false;
    const rest = this.length & 7;
    if (rest === 0) return true;
    const want = (0xff << (8 - rest)) & 0xff;
    return this.bytes[full] === want;
  }

  /** A copy of the wire bytes (BEP 3 bit order, spare bits zero). */
  toBytes(): Uint8Array {
    return this.bytes.slice();
  }

  clone(): Bitfield {
    return new Bitfield(this.length, this.bytes);
  }

  private inRange(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.length;
  }
}

function byteLength(length: number): number {
  return Math.ceil(length / 8);
}

/** The spare (must-be-zero) bits of the last byte. */
function spareMask(length: number): number {
  const rest = length & 7;
  return rest === 0 ? 0 : 0xff >>> rest;
}

const POPCOUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >>> 1]!;
  return t;
})();
