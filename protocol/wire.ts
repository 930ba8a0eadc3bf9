/**
 * The BitTorrent peer wire protocol (BEP 3), with the extension protocol (BEP 10) and metadata
 * exchange (BEP 9, ut_metadata), byte for byte as WebTorrent speaks it over data channels.
 *
 * A stream starts with a 68-byte handshake:
 *
 *   19, "BitTorrent protocol", 8 reserved bytes, 20-byte info hash, 20-byte peer id
 *
 * then carries messages: a 4-byte big-endian length, a 1-byte id and the payload (length 0 is a
 * keep-alive without an id). Integers are big-endian u32 (port: u16).
 *
 *   0 choke  1 unchoke  2 interested  3 not-interested        (no payload)
 *   4 have <index>  5 bitfield <bytes>  6 request <index><begin><length>
 *   7 piece <index><begin><block>  8 cancel <index><begin><length>  9 port <u16>
 *   20 extended <extended id: u8><payload>   (extended id 0 = the BEP 10 handshake)
 *
 * Decisions:
 * - A message id we do not know is not an error: the parser returns `{type: 'unknown', id,
 *   payload}` and the caller ignores it (as WebTorrent does). A peer that never saw our
 *   handshake's reserved bits for BEP 6 should not send those ids, but ignoring beats closing.
 * - Known ids with a wrong length, requests/cancels of 0 bytes or of more than
 *   MAX_REQUEST_LENGTH, and a handshake whose protocol string is not BEP 3's are `bad-frame`;
 *   a length prefix over MAX_MESSAGE_LENGTH is `oversize`. After an error a parser is dead.
 * - The parser copies each message body out of the received chunks once; payloads it returns
 *   (bitfield bytes, piece blocks, extended payloads) are views of that private copy, never of
 *   the caller's chunks. It keeps references to pushed chunks until they are consumed, so
 *   callers must not reuse a chunk's memory after pushing it.
 */
import { decode, decodePrefix, encode } from './bencode';
import type { BDict, BValue } from './bencode';
import { BLOCK_LENGTH } from './constants';
import { ProtocolError } from './errors';

export { BLOCK_LENGTH };

export const PROTOCOL_NAME = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 68;
/** Largest request/cancel length we accept (and WebTorrent's own MAX_BLOCK_LENGTH). */
export const MAX_REQUEST_LENGTH = 131_072;
/** Largest message body (after the length prefix): a 1 MiB payload plus headers. */
export const MAX_MESSAGE_LENGTH = 1_048_576 + 13;
/** BEP 9 metadata piece size. */
export const METADATA_PIECE_LENGTH = 16_384;
/** Largest info dictionary we fetch or serve with ut_metadata. */
export const MAX_METADATA_SIZE = 16 * 1024 * 1024;
/** The BEP 10 extension name of BEP 9. */
export const UT_METADATA = 'ut_metadata';

export const MESSAGE_ID = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  'not-interested': 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  extended: 20,
} as const;

// ---------------------------------------------------------------------------------------------
// Handshake

export interface Handshake {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** The peer speaks BEP 10 (reserved[5] & 0x10). */
  extensions: boolean;
}

export interface HandshakeOptions {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** Announce BEP 10 (reserved[5] |= 0x10). Default true. */
  extensions?: boolean;
  /**
   * Announce DHT (reserved[7] |= 0x01). Default true, as the Node build of WebTorrent does;
   * its browser build has no DHT and leaves the bit clear (pass false to look like that).
   */
  dht?: boolean;
}

const PROTOCOL_BYTES = new TextEncoder().encode(PROTOCOL_NAME);

export function encodeHandshake(opts: HandshakeOptions): Uint8Array {
  checkId20(opts.infoHash, 'infoHash');
  checkId20(opts.peerId, 'peerId');
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out[0] = PROTOCOL_BYTES.length;
  out.set(PROTOCOL_BYTES, 1);
  if (opts.extensions ?? true) out[25]! |= 0x10;
  if (opts.dht ?? true) out[27]! |= 0x01;
  out.set(opts.infoHash, 28);
  out.set(opts.peerId, 48);
  return out;
}

/** Parse exactly 68 handshake bytes. The returned ids are copies. */
export function parseHandshake(bytes: Uint8Array): Handshake {
  if (bytes.length !== HANDSHAKE_LENGTH) {
    throw new ProtocolError('bad-frame', `handshake must be ${HANDSHAKE_LENGTH} bytes, got ${bytes.length}`);
  }
  if (bytes[0] !== PROTOCOL_BYTES.length) throw new ProtocolError('bad-frame', 'handshake protocol string length is not 19');
  for (let i = 0; i < PROTOCOL_BYTES.length; i++) {
    if (bytes[1 + i] !== PROTOCOL_BYTES[i]) throw new ProtocolError('bad-frame', 'handshake protocol is not "BitTorrent protocol"');
  }
  return {
    infoHash: bytes.slice(28, 48),
    peerId: bytes.slice(48, 68),
    extensions: (bytes[25]! & 0x10) !== 0,
  };
}

function checkId20(v: Uint8Array, field: string): void {
  if (!(v instanceof Uint8Array) || v.length !== 20) throw new ProtocolError('bad-field', `${field} must be 20 bytes`, field);
}

// ---------------------------------------------------------------------------------------------
// Messages

export type WireMessage =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; index: number }
  /** Raw bytes: turn them into a Bitfield with `Bitfield.fromBytes(bytes, pieceCount)`. */
  | { type: 'bitfield'; bytes: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | { type: 'cancel'; index: number; begin: number; length: number }
  /** DHT port (BEP 5): parsed so that it can be ignored. */
  | { type: 'port'; port: number }
  /** BEP 10: `ext` is the extended message id (0 = extended handshake). */
  | { type: 'extended'; ext: number; payload: Uint8Array }
  /** A message id this module does not know; ignore it. */
  | { type: 'unknown'; id: number; payload: Uint8Array };

export type WireMessageType = WireMessage['type'];
export type HandshakeEvent = { type: 'handshake' } & Handshake;
export type WireEvent = HandshakeEvent | WireMessage;

const KNOWN_IDS = new Set<number>(Object.values(MESSAGE_ID));

/** Encode one message with its length prefix. Throws `bad-field` on values out of range. */
export function encodeMessage(msg: WireMessage): Uint8Array {
  switch (msg.type) {
    case 'keep-alive':
      return new Uint8Array(4);
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'not-interested':
      return header(1, MESSAGE_ID[msg.type]).out;
    case 'have': {
      const { out, view } = header(5, MESSAGE_ID.have);
      view.setUint32(5, u32(msg.index, 'index'));
      return out;
    }
    case 'bitfield':
      return withPayload(MESSAGE_ID.bitfield, [], msg.bytes);
    case 'request':
    case 'cancel': {
      const { out, view } = header(13, MESSAGE_ID[msg.type]);
      view.setUint32(5, u32(msg.index, 'index'));
      view.setUint32(9, u32(msg.begin, 'begin'));
      view.setUint32(13, requestLength(msg.length));
      return out;
    }
    case 'piece': {
      const head = new Uint8Array(8);
      const view = new DataView(head.buffer);
      view.setUint32(0, u32(msg.index, 'index'));
      view.setUint32(4, u32(msg.begin, 'begin'));
      return withPayload(MESSAGE_ID.piece, head, msg.block);
    }
    case 'port': {
      const { out, view } = header(3, MESSAGE_ID.port);
      if (!Number.isInteger(msg.port) || msg.port < 0 || msg.port > 0xffff) {
        throw new ProtocolError('bad-field', 'port must be an integer in [0, 65535]', 'port');
      }
      view.setUint16(5, msg.port);
      return out;
    }
    case 'extended':
      return withPayload(MESSAGE_ID.extended, [u8(msg.ext, 'ext')], msg.payload);
    case 'unknown': {
      const id = u8(msg.id, 'id');
      if (KNOWN_IDS.has(id)) throw new ProtocolError('bad-field', `message id ${id} is not unknown`, 'id');
      return withPayload(id, [], msg.payload);
    }
    default: {
      const never: never = msg;
      throw new ProtocolError('unknown-type', `unknown message type ${JSON.stringify((never as { type: unknown }).type)}`);
    }
  }
}

function header(length: number, id: number): { out: Uint8Array; view: DataView } {
  const out = new Uint8Array(4 + length);
  const view = new DataView(out.buffer);
  view.setUint32(0, length);
  out[4] = id;
  return { out, view };
}

function withPayload(id: number, head: ArrayLike<number>, payload: Uint8Array): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new ProtocolError('bad-field', 'payload must be a Uint8Array', 'payload');
  const length = 1 + head.length + payload.length;
  if (length > MAX_MESSAGE_LENGTH) throw new ProtocolError('oversize', `message is larger than ${MAX_MESSAGE_LENGTH} bytes`);
  const { out } = header(length, id);
  out.set(head, 5);
  out.set(payload, 5 + head.length);
  return out;
}

function u32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new ProtocolError('bad-field', `${field} must be an integer in [0, 2^32)`, field);
  }
  return v;
}

function u8(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ProtocolError('bad-field', `${field} must be an integer in [0, 255]`, field);
  return v;
}

function requestLength(v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > MAX_REQUEST_LENGTH) {
    throw new ProtocolError('bad-field', `length must be an integer in [1, ${MAX_REQUEST_LENGTH}]`, 'length');
  }
  return v;
}

/** The body length (id included) a known message id requires, or the minimum for variable ones. */
function checkBodyLength(id: number, length: number): void {
  let ok: boolean;
  switch (id) {
    case MESSAGE_ID.choke:
    case MESSAGE_ID.unchoke:
    case MESSAGE_ID.interested:
    case MESSAGE_ID['not-interested']:
      ok = length === 1;
      break;
    case MESSAGE_ID.have:
      ok = length === 5;
      break;
    case MESSAGE_ID.request:
    case MESSAGE_ID.cancel:
      ok = length === 13;
      break;
    case MESSAGE_ID.piece:
      ok = length >= 9;
      break;
    case MESSAGE_ID.port:
      ok = length === 3;
      break;
    case MESSAGE_ID.extended:
      ok = length >= 2;
      break;
    default:
      ok = true; // bitfield (any length; its owner checks it) and unknown ids
  }
  if (!ok) throw new ProtocolError('bad-frame', `message id ${id} cannot be ${length} bytes long`);
}

/** Decode one message body (id byte and payload, without the length prefix). */
function decodeBody(body: Uint8Array): WireMessage {
  const id = body[0]!;
  checkBodyLength(id, body.length);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (id) {
    case MESSAGE_ID.choke:
      return { type: 'choke' };
    case MESSAGE_ID.unchoke:
      return { type: 'unchoke' };
    case MESSAGE_ID.interested:
      return { type: 'interested' };
    case MESSAGE_ID['not-interested']:
      return { type: 'not-interested' };
    case MESSAGE_ID.have:
      return { type: 'have', index: view.getUint32(1) };
    case MESSAGE_ID.bitfield:
      return { type: 'bitfield', bytes: body.subarray(1) };
    case MESSAGE_ID.request:
    case MESSAGE_ID.cancel: {
      const length = view.getUint32(9);
      if (length === 0 || length > MAX_REQUEST_LENGTH) {
        throw new ProtocolError('bad-frame', `request length ${length} is outside [1, ${MAX_REQUEST_LENGTH}]`);
      }
      return { type: id === MESSAGE_ID.request ? 'request' : 'cancel', index: view.getUint32(1), begin: view.getUint32(5), length };
    }
    case MESSAGE_ID.piece:
      return { type: 'piece', index: view.getUint32(1), begin: view.getUint32(5), block: body.subarray(9) };
    case MESSAGE_ID.port:
      return { type: 'port', port: view.getUint16(1) };
    case MESSAGE_ID.extended:
      return { type: 'extended', ext: body[1]!, payload: body.subarray(2) };
    default:
      return { type: 'unknown', id, payload: body.subarray(1) };
  }
}

/** Decode one complete message, length prefix included (a convenience for tests and tools). */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  if (bytes.length < 4) throw new ProtocolError('bad-frame', 'message is shorter than its length prefix');
  const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  if (length > MAX_MESSAGE_LENGTH) throw new ProtocolError('oversize', `message is larger than ${MAX_MESSAGE_LENGTH} bytes`);
  if (bytes.length !== 4 + length) throw new ProtocolError('bad-frame', `message length prefix ${length} does not match ${bytes.length - 4} bytes`);
  if (length === 0) return { type: 'keep-alive' };
  return decodeBody(bytes.slice(4));
}

// ---------------------------------------------------------------------------------------------
// Incremental parser

export interface WireParserOptions {
  /** Expect a 68-byte handshake first (default true). */
  handshake?: boolean;
  /** Largest accepted body length (default MAX_MESSAGE_LENGTH). */
  maxMessageLength?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Turns a byte stream, in chunks of any size, into events: first the handshake, then messages.
 * Chunks are queued, never concatenated; each message body is copied out once.
 * A push that meets bad input throws (events earlier in that chunk are dropped with it: the
 * link is to be closed) and every later push throws the same error.
 */
export class WireParser {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private offset = 0;
  private queued = 0;
  private awaitingHandshake: boolean;
  /** Body length of the message being received, or -1 while its length prefix is pending. */
  private need = -1;
  private idChecked = false;
  private failure: ProtocolError | undefined;
  private readonly maxLength: number;

  constructor(opts: WireParserOptions = {}) {
    this.awaitingHandshake = opts.handshake ?? true;
    this.maxLength = opts.maxMessageLength ?? MAX_MESSAGE_LENGTH;
  }

  /** Bytes received but not yet returned as events. */
  get buffered(): number {
    return this.queued;
  }

  /** True once a push has thrown: the parser accepts nothing more. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  push(chunk: Uint8Array): WireEvent[] {
    if (this.failure) throw this.failure;
    const events: WireEvent[] = [];
    if (chunk.length === 0) return events;
    this.chunks.push(chunk);
    this.queued += chunk.length;
    try {
      this.drain(events);
    } catch (e) {
      this.failure = e instanceof ProtocolError ? e : new ProtocolError('bad-frame', String(e));
      this.chunks = [];
      this.head = 0;
      this.offset = 0;
      this.queued = 0;
      throw this.failure;
    }
    return events;
  }

  private drain(events: WireEvent[]): void {
    for (;;) {
      if (this.awaitingHandshake) {
        if (this.queued >= 1 && this.peekByte() !== PROTOCOL_BYTES.length) {
          throw new ProtocolError('bad-frame', 'handshake protocol string length is not 19');
        }
        if (this.queued < HANDSHAKE_LENGTH) return;
        const hs = parseHandshake(this.take(HANDSHAKE_LENGTH));
        this.awaitingHandshake = false;
        events.push({ type: 'handshake', ...hs });
        continue;
      }
      if (this.need < 0) {
        if (this.queued < 4) return;
        const prefix = this.take(4);
        const length = ((prefix[0]! << 24) | (prefix[1]! << 16) | (prefix[2]! << 8) | prefix[3]!) >>> 0;
        if (length > this.maxLength) throw new ProtocolError('oversize', `message of ${length} bytes is larger than ${this.maxLength}`);
        if (length === 0) {
          events.push({ type: 'keep-alive' });
          continue;
        }
        this.need = length;
        this.idChecked = false;
      }
      if (!this.idChecked && this.queued >= 1) {
        // Refuse a wrong length as soon as the id arrives, before buffering the body.
        checkBodyLength(this.peekByte(), this.need);
        this.idChecked = true;
      }
      if (this.queued < this.need) return;
      const body = this.take(this.need);
      this.need = -1;
      events.push(decodeBody(body));
    }
  }

  private peekByte(): number {
    return this.chunks[this.head]![this.offset]!;
  }

  /** Remove and return the next `n` bytes (n <= queued) as a fresh array. */
  private take(n: number): Uint8Array {
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= n) {
      const out = first.slice(this.offset, this.offset + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[this.head]!;
      const k = Math.min(c.length - this.offset, n - filled);
      out.set(c.subarray(this.offset, this.offset + k), filled);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  private advance(k: number): void {
    this.offset += k;
    this.queued -= k;
    if (this.offset === this.chunks[this.head]!.length) {
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.offset = 0;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// BEP 10: the extended handshake (extended message id 0)

export interface ExtendedHandshake {
  /** Extension name to the extended message id the sender wants to receive it on (0 = disabled). */
  m: Record<string, number>;
  metadataSize?: number;
  client?: string;
  reqq?: number;
  /** BEP 21 `upload_only`: the sender only uploads (a seed; ours says it while super-seeding). */
  uploadOnly?: boolean;
}

export interface ExtendedHandshakeOptions {
  /** Our extended id for ut_metadata (1..255); omit to not offer it. */
  utMetadata?: number;
  /** Size of the info dictionary, when we have it. */
  metadataSize?: number;
  /** Client name and version (`v`). */
  client?: string;
  /** How many outstanding requests we queue. */
  reqq?: number;
  /** Say `upload_only` (BEP 21). */
  uploadOnly?: boolean;
}

/** The bencoded payload of an extended handshake (send it as `{type:'extended', ext: 0, payload}`). */
export function encodeExtendedHandshake(opts: ExtendedHandshakeOptions = {}): Uint8Array {
  const m: BDict = {};
  if (opts.utMetadata !== undefined) m[UT_METADATA] = u8(opts.utMetadata, 'utMetadata');
  const dict: BDict = { m };
  if (opts.metadataSize !== undefined) dict.metadata_size = metadataSize(opts.metadataSize, 'metadataSize', 'bad-field');
  if (opts.client !== undefined) dict.v = new TextEncoder().encode(opts.client);
  if (opts.reqq !== undefined) dict.reqq = positiveInt(opts.reqq, 'reqq', 'bad-field');
  if (opts.uploadOnly) dict.upload_only = 1;
  return encode(dict);
}

export function parseExtendedHandshake(payload: Uint8Array): ExtendedHandshake {
  const dict = asDict(bdecode(() => decode(payload)), 'extended handshake');
  const out: ExtendedHandshake = { m: {} };
  const m = dict.m;
  if (m !== undefined) {
    const md = asDict(m, 'm');
    for (const [name, id] of Object.entries(md)) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255) {
        throw new ProtocolError('bad-frame', `extension ${JSON.stringify(name)} has a bad id`, 'm');
      }
      out.m[name] = id;
    }
  }
  if (dict.metadata_size !== undefined) out.metadataSize = metadataSize(dict.metadata_size, 'metadata_size', 'bad-frame');
  if (dict.v !== undefined) {
    if (!(dict.v instanceof Uint8Array)) throw new ProtocolError('bad-frame', 'v must be a string', 'v');
    out.client = new TextDecoder().decode(dict.v);
  }
  if (dict.reqq !== undefined) out.reqq = positiveInt(dict.reqq, 'reqq', 'bad-frame');
  if (dict.upload_only !== undefined) {
    if (typeof dict.upload_only !== 'number' || !Number.isInteger(dict.upload_only)) throw new ProtocolError('bad-frame', 'upload_only must be an integer', 'upload_only');
    out.uploadOnly = dict.upload_only !== 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BEP 9: ut_metadata

export type MetadataKind = 'request' | 'data' | 'reject';

export interface MetadataMessage {
  kind: MetadataKind;
  piece: number;
  /** Required for data; optional (and ignored by us) otherwise. */
  totalSize?: number;
  /** The piece bytes of a data message. */
  data?: Uint8Array;
}

const KIND_TO_TYPE: Record<MetadataKind, number> = { request: 0, data: 1, reject: 2 };
const TYPE_TO_KIND: readonly MetadataKind[] = ['request', 'data', 'reject'];
const MAX_METADATA_PIECES = Math.ceil(MAX_METADATA_SIZE / METADATA_PIECE_LENGTH);

/** Number of 16 KiB pieces of an info dictionary of `totalSize` bytes. */
export function metadataPieceCount(totalSize: number): number {
  return Math.ceil(totalSize / METADATA_PIECE_LENGTH);
}

/** Length of metadata piece `piece` of an info dictionary of `totalSize` bytes. */
export function metadataPieceLength(totalSize: number, piece: number): number {
  return Math.max(0, Math.min(METADATA_PIECE_LENGTH, totalSize - piece * METADATA_PIECE_LENGTH));
}

/** The payload of a ut_metadata message (send it on the peer's ut_metadata extended id). */
export function encodeMetadataMessage(msg: MetadataMessage): Uint8Array {
  const type = KIND_TO_TYPE[msg.kind];
  if (type === undefined) throw new ProtocolError('bad-field', 'kind must be request, data or reject', 'kind');
  const piece = pieceIndex(msg.piece, 'bad-field');
  const dict: BDict = { msg_type: type, piece };
  if (msg.kind === 'data') {
    if (msg.totalSize === undefined || msg.data === undefined) {
      throw new ProtocolError('bad-field', 'a data message needs totalSize and data', 'data');
    }
    dict.total_size = metadataSize(msg.totalSize, 'totalSize', 'bad-field');
    checkDataPiece(msg.totalSize, piece, msg.data.length, 'bad-field');
  } else if (msg.totalSize !== undefined) {
    dict.total_size = metadataSize(msg.totalSize, 'totalSize', 'bad-field');
  }
  const head = encode(dict);
  if (msg.kind !== 'data') return head;
  const out = new Uint8Array(head.length + msg.data!.length);
  out.set(head, 0);
  out.set(msg.data!, head.length);
  return out;
}

/**
 * Parse a ut_metadata payload. For data messages `data` is a view of `payload` after the
 * bencoded dict, checked to be exactly the piece's length.
 */
export function parseMetadataMessage(payload: Uint8Array): MetadataMessage {
  const { value, length } = bdecode(() => decodePrefix(payload));
  const dict = asDict(value, 'ut_metadata message');
  const type = dict.msg_type;
  if (typeof type !== 'number' || !Number.isInteger(type)) throw new ProtocolError('bad-frame', 'msg_type must be an integer', 'msg_type');
  const kind = TYPE_TO_KIND[type];
  if (kind === undefined) throw new ProtocolError('bad-frame', `msg_type ${type} is not 0, 1 or 2`, 'msg_type');
  const piece = pieceIndex(dict.piece, 'bad-frame');
  const out: MetadataMessage = { kind, piece };
  if (dict.total_size !== undefined) out.totalSize = metadataSize(dict.total_size, 'total_size', 'bad-frame');
  const rest = payload.length - length;
  if (kind === 'data') {
    if (out.totalSize === undefined) throw new ProtocolError('bad-frame', 'a data message needs total_size', 'total_size');
    checkDataPiece(out.totalSize, piece, rest, 'bad-frame');
    out.data = payload.subarray(length);
  } else if (rest !== 0) {
    throw new ProtocolError('bad-frame', `a ${kind} message has ${rest} trailing bytes`);
  }
  return out;
}

function checkDataPiece(totalSize: number, piece: number, dataLength: number, code: 'bad-field' | 'bad-frame'): void {
  if (piece >= metadataPieceCount(totalSize)) {
    throw new ProtocolError(code, `piece ${piece} is beyond metadata of ${totalSize} bytes`, 'piece');
  }
  const want = metadataPieceLength(totalSize, piece);
  if (dataLength !== want) throw new ProtocolError(code, `metadata piece ${piece} must be ${want} bytes, got ${dataLength}`, 'data');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function bdecode<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtocolError && (e.code === 'bad-frame' || e.code === 'oversize')) throw e;
    throw new ProtocolError('bad-frame', `bad bencode: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function asDict(v: BValue | undefined, what: string): BDict {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array || Array.isArray(v)) {
    throw new ProtocolError('bad-frame', `${what} must be a dictionary`);
  }
  return v;
}

function positiveInt(v: BValue | number | undefined, field: string, code: 'bad-field' | 'bad-frame'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new ProtocolError(code, `${field} must be a positive integer`, field);
  }
  return v;
}

function metadataSize(v: BValue | number | undefined, field: string, code: 'bad-field' | 'bad-frame'): number {
  const n = positiveInt(v, field, code);
  if (n > MAX_METADATA_SIZE) throw new ProtocolError('oversize', `${field} ${n} is larger than ${MAX_METADATA_SIZE}`, field);
  return n;
}

function pieceIndex(v: BValue | number | undefined, code: 'bad-field' | 'bad-frame'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= MAX_METADATA_PIECES) {
    throw new ProtocolError(code, `piece must be an integer in [0, ${MAX_METADATA_PIECES})`, 'piece');
  }
  return v;
}
