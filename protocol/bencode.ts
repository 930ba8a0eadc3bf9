/**
 * Bencode (BEP 3): the encoding of .torrent files, of tracker replies and of the extension
 * messages of the peer wire protocol.
 *
 * Decoded values: integers are JS numbers (safe integers only), byte strings stay `Uint8Array`
 * (a torrent's `pieces` is binary), lists are arrays and dictionaries are objects whose keys are
 * the raw key bytes read as latin1 (one char per byte, so any key round-trips). Dictionaries
 * come out with a null prototype, so a key such as `__proto__` is an ordinary key.
 */
import { ProtocolError } from './errors';

/** A decoded bencode value. */
export type BValue = number | Uint8Array | BValue[] | BDict;

/** A bencode dictionary: keys are byte strings read as latin1. */
export interface BDict {
  [key: string]: BValue;
}

/**
 * What `encode` accepts: a `BValue`, plus JS strings as values (encoded as UTF-8) and
 * `undefined` dictionary values (left out, handy for optional fields).
 */
export type BInput = number | string | Uint8Array | BInput[] | { [key: string]: BInput | undefined };

/** Options of `decode` and `decodePrefix`. */
export interface DecodeOptions {
  /** Deepest nesting of lists and dictionaries allowed (default 64); deeper input is 'oversize'. */
  maxDepth?: number;
  /** Most bytes the encoded value may use (default: no limit); longer input is 'oversize'. */
  maxLength?: number;
}

/** Default nesting limit of the decoder. */
export const DEFAULT_MAX_DEPTH = 64;

const CH_I = 0x69; // 'i'
const CH_L = 0x6c; // 'l'
const CH_D = 0x64; // 'd'
const CH_E = 0x65; // 'e'
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;
const CH_0 = 0x30;
const CH_9 = 0x39;

const utf8Encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the field's text, not something to strip.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True for a decoded dictionary (an object that is neither a list nor a byte string). */
export function isBDict(v: unknown): v is BDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The latin1 form of raw bytes: how dictionary keys are represented. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** Bytes of a latin1 string (every char must be below 256). */
export function latin1ToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new ProtocolError('bad-field', 'dictionary key has a char above U+00FF; use utf8Key()', 'key');
    out[i] = c;
  }
  return out;
}

/** The dictionary-key form of a Unicode string: its UTF-8 bytes read as latin1. */
export function utf8Key(s: string): string {
  return bytesToLatin1(utf8Encoder.encode(s));
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** A growable byte buffer. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Writes an ASCII string (digits, markers). */
  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const MAX_ENCODE_DEPTH = 1024;

function encodeInto(w: Writer, v: BInput, field: string, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) throw new ProtocolError('oversize', 'value nests too deeply (a cycle?)', field);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new ProtocolError('bad-field', `"${field}" must be a safe integer, got ${v}`, field);
    w.ascii(`i${v}e`);
  } else if (typeof v === 'string') {
    const b = utf8Encoder.encode(v);
    w.ascii(`${b.length}:`);
    w.bytes(b);
  } else if (v instanceof Uint8Array) {
    w.ascii(`${v.length}:`);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.ascii('l');
    for (const item of v) encodeInto(w, item, field, depth + 1);
    w.ascii('e');
  } else if (typeof v === 'object' && v !== null) {
    // Keys are latin1, so comparing UTF-16 code units compares the raw bytes.
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    w.ascii('d');
    for (const k of keys) {
      const kb = latin1ToBytes(k);
      w.ascii(`${kb.length}:`);
      w.bytes(kb);
      encodeInto(w, v[k] as BInput, k, depth + 1);
    }
    w.ascii('e');
  } else {
    throw new ProtocolError('bad-field', `"${field}" cannot be bencoded (${v === null ? 'null' : typeof v})`, field);
  }
}

/**
 * Bencodes a value. Dictionary keys are sorted by their raw bytes, as BEP 3 requires; integers
 * must be safe integers; JS strings are written as UTF-8; `undefined` dictionary values are
 * left out. Throws `ProtocolError('bad-field')` on anything else.
 */
export function encode(v: BInput): Uint8Array {
  const w = new Writer();
  encodeInto(w, v, 'value', 0);
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Raw byte spans of the values of a top-level dictionary, filled while decoding. */
type SpanSink = Record<string, Uint8Array>;

class Decoder {
  pos = 0;
  private readonly end: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    maxLength: number,
    private readonly spans?: SpanSink,
  ) {
    this.end = Math.min(bytes.length, maxLength);
  }

  /** Running out of input: malformed, unless the caller's maxLength cut it short. */
  private truncated(what: string): ProtocolError {
    if (this.end < this.bytes.length) {
      return new ProtocolError('oversize', `encoded value is longer than ${this.end} bytes`);
    }
    return new ProtocolError('bad-encoding', `input ends inside ${what}`);
  }

  private bad(message: string): ProtocolError {
    return new ProtocolError('bad-encoding', `${message} at byte ${this.pos}`);
  }

  private peek(what: string): number {
    if (this.pos >= this.end) throw this.truncated(what);
    return this.bytes[this.pos]!;
  }

  value(depth: number): BValue {
    const c = this.peek('a value');
    if (c === CH_I) return this.int();
    if (c >= CH_0 && c <= CH_9) return this.str();
    if (c === CH_L || c === CH_D) {
      if (depth >= this.maxDepth) throw new ProtocolError('oversize', `nesting deeper than ${this.maxDepth}`);
      return c === CH_L ? this.list(depth + 1) : this.dict(depth + 1);
    }
    throw this.bad(`unexpected byte 0x${c.toString(16).padStart(2, '0')}`);
  }

  /**
   * Reads a run of decimal digits ending at `stop` (consumed) and returns it as text. Leading
   * zeros are refused; more than 16 digits (beyond every safe integer) is `tooLong`.
   */
  private digits(stop: number, what: string, tooLong: 'oversize' | 'bad-encoding'): string {
    const start = this.pos;
    for (;;) {
      const c = this.peek(what);
      if (c === stop) break;
      if (c < CH_0 || c > CH_9) throw this.bad(`non-digit in ${what}`);
      if (this.pos > start && this.bytes[start] === CH_0) throw this.bad(`leading zero in ${what}`);
      this.pos++;
      if (this.pos - start > 16) throw new ProtocolError(tooLong, `${what} has too many digits`);
    }
    if (this.pos === start) throw this.bad(`empty ${what}`);
    const text = bytesToLatin1(this.bytes.subarray(start, this.pos));
    this.pos++; // the stop byte
    return text;
  }

  private int(): number {
    this.pos++; // 'i'
    let negative = false;
    if (this.peek('an integer') === CH_MINUS) {
      negative = true;
      this.pos++;
    }
    const text = this.digits(CH_E, 'an integer', 'oversize');
    if (negative && text === '0') throw this.bad('negative zero');
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new ProtocolError('oversize', `integer ${negative ? '-' : ''}${text} is not a safe integer`);
    return negative ? -n : n;
  }

  private strBytes(): Uint8Array {
    const text = this.digits(CH_COLON, 'a string length', 'bad-encoding');
    const len = Number(text);
    if (len > this.end - this.pos) {
      if (len > this.bytes.length - this.pos) throw new ProtocolError('bad-encoding', `string of ${len} bytes runs past the end of the input`);
      throw this.truncated('a string');
    }
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  private str(): Uint8Array {
    return this.strBytes().slice();
  }

  private list(depth: number): BValue[] {
    this.pos++; // 'l'
    const out: BValue[] = [];
    while (this.peek('a list') !== CH_E) out.push(this.value(depth));
    this.pos++;
    return out;
  }

  private dict(depth: number): BDict {
    this.pos++; // 'd'
    const out = Object.create(null) as BDict;
    const topLevel = depth === 1 && this.spans !== undefined;
    for (;;) {
      const c = this.peek('a dictionary');
      if (c === CH_E) break;
      if (c < CH_0 || c > CH_9) throw this.bad('dictionary key is not a string');
      const key = bytesToLatin1(this.strBytes());
      if (Object.prototype.hasOwnProperty.call(out, key)) throw this.bad(`duplicate dictionary key "${key}"`);
      const start = this.pos;
      out[key] = this.value(depth);
      if (topLevel) this.spans![key] = this.bytes.subarray(start, this.pos);
    }
    this.pos++;
    return out;
  }
}

function makeDecoder(bytes: Uint8Array, opts: DecodeOptions | undefined, spans?: SpanSink): Decoder {
  const maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxLength = opts?.maxLength ?? Infinity;
  return new Decoder(bytes, maxDepth, maxLength, spans);
}

/**
 * Decodes the first bencoded value of `bytes` and says how many bytes it used; whatever
 * follows is left alone (a BEP 9 data message is a dictionary followed by raw bytes).
 * Throws 'bad-encoding' on malformed input and 'oversize' past `maxDepth` / `maxLength`.
 */
export function decodePrefix(bytes: Uint8Array, opts?: DecodeOptions): { value: BValue; length: number } {
  const d = makeDecoder(bytes, opts);
  const value = d.value(0);
  return { value, length: d.pos };
}

/**
 * Decodes exactly one bencoded value; trailing bytes are 'bad-encoding'. Parsing is strict: no
 * leading zeros or "-0" in integers, no duplicate dictionary keys, integers must be safe
 * integers ('oversize' otherwise). Unsorted dictionary keys are accepted.
 */
export function decode(bytes: Uint8Array, opts?: DecodeOptions): BValue {
  if (opts?.maxLength !== undefined && bytes.length > opts.maxLength) {
    throw new ProtocolError('oversize', `input is longer than ${opts.maxLength} bytes`);
  }
  const { value, length } = decodePrefix(bytes, opts);
  if (length !== bytes.length) throw new ProtocolError('bad-encoding', `${bytes.length - length} trailing bytes after the value`);
  return value;
}

/**
 * Decodes a whole input that must be a dictionary, and also returns the exact original bytes of
 * each of its top-level values (views into `bytes`). A torrent's info hash is the SHA-1 of the
 * original bytes of `info`, which re-encoding would change if the sender's keys were unsorted.
 */
export function decodeDictWithRaw(bytes: Uint8Array, opts?: DecodeOptions): { value: BDict; raw: Record<string, Uint8Array> } {
  if (opts?.maxLength !== undefined && bytes.length > opts.maxLength) {
    throw new ProtocolError('oversize', `input is longer than ${opts.maxLength} bytes`);
  }
  const raw = Object.create(null) as Record<string, Uint8Array>;
  const d = makeDecoder(bytes, opts, raw);
  const value = d.value(0);
  if (d.pos !== bytes.length) throw new ProtocolError('bad-encoding', `${bytes.length - d.pos} trailing bytes after the value`);
  if (!isBDict(value)) throw new ProtocolError('bad-field', 'top-level value must be a dictionary', 'value');
  return { value, raw };
}

/**
 * The exact bytes of the top-level "info" value of a .torrent file (a view into `bytes`): what
 * the info hash is computed over. Throws 'bad-field' (field "info") when there is none.
 */
export function infoSpan(bytes: Uint8Array, opts?: DecodeOptions): Uint8Array {
  const { value, raw } = decodeDictWithRaw(bytes, opts);
  const span = raw['info'];
  if (span === undefined || !isBDict(value['info'])) throw new ProtocolError('bad-field', 'torrent has no "info" dictionary', 'info');
  return span;
}

// ---------------------------------------------------------------------------------------------
// Typed accessors: each throws ProtocolError('bad-field', ..., field).

/** A byte-string field decoded as UTF-8 (invalid UTF-8 is refused). */
export function bstr(v: BValue | undefined, field: string): string {
  if (!(v instanceof Uint8Array)) throw new ProtocolError('bad-field', `field "${field}" must be a string`, field);
  try {
    return utf8Decoder.decode(v);
  } catch {
    throw new ProtocolError('bad-field', `field "${field}" is not valid UTF-8`, field);
  }
}

/** An integer field, optionally within [min, max]. */
export function bint(v: BValue | undefined, field: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number') throw new ProtocolError('bad-field', `field "${field}" must be an integer`, field);
  if (v < min || v > max) throw new ProtocolError('bad-field', `field "${field}" must be in [${min}, ${max}]`, field);
  return v;
}

/** A byte-string field as raw bytes. */
export function bbytes(v: BValue | undefined, field: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new ProtocolError('bad-field', `field "${field}" must be a byte string`, field);
  return v;
}

/** A dictionary field. */
export function bdict(v: BValue | undefined, field: string): BDict {
  if (!isBDict(v)) throw new ProtocolError('bad-field', `field "${field}" must be a dictionary`, field);
  return v;
}

/** A list field. */
export function blist(v: BValue | undefined, field: string): BValue[] {
  if (!Array.isArray(v)) throw new ProtocolError('bad-field', `field "${field}" must be a list`, field);
  return v;
}

/** A dictionary's own value for `key` (never an inherited property of a plain object). */
export function bget(d: BDict, key: string): BValue | undefined {
  return Object.prototype.hasOwnProperty.call(d, key) ? d[key] : undefined;
}
