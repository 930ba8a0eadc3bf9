/**
 * The DHT protocol (Chord) spoken on peer links, channel `dht`: one UTF-8 JSON object per
 * message. Nodes are named by peer id in messages; a node's ring position is SHA-1(peer id)
 * and a key's is SHA-1(key) (40 lowercase hex digits), which every receiver recomputes.
 *
 * Lookups are recursive: a `route` travels from node to node (each picks its next hop from its
 * fingers and successors) until it reaches the key's successor, which carries out the operation
 * and answers with a `reply` that travels back along the reverse path (routed by `ref`).
 * Ring maintenance: `state?`/`state` (stabilize: a node's predecessor, successor list and
 * predecessor list), `notify`. Data: `store` carries records to replicas, to a new owner
 * (handover on join) or to the successor of a node that leaves; `leave` tells neighbours.
 */
import { PEER_ID_RE } from './constants';
import { PUBLIC_KEY_RE, SIGNATURE_RE } from './dht-sign';
import { ProtocolError, describe, fieldInt, fieldString, isRecord, parseJsonObject } from './errors';
import { sha1Sync, toHex } from './sha1';

export const DHT_CHANNEL = 'dht';

/**
 * Why a `reply` says ok false: the failures a node reports for a route it was given. 'unknown' is
 * what a reply whose code this node does not know parses to (a peer of an older version sends
 * none, a newer one may send codes added since): it is never refused for that.
 */
export const DHT_REPLY_CODES = ['refused', 'no-route', 'too-many-hops', 'unreachable', 'timeout', 'internal', 'unknown'] as const;
export type DhtReplyCode = (typeof DHT_REPLY_CODES)[number];

export const DHT_LIMITS = {
  /** Largest overlay message, bytes of UTF-8. */
  message: 256 * 1024,
  /** Longest key, in characters. */
  key: 256,
  /** Largest value, in bytes of UTF-8. */
  value: 16 * 1024,
  /** Longest set member, in characters. */
  member: 512,
  /** Members one set keeps (the ones expiring last win). */
  members: 256,
  /** Records in one `store` message (larger sets go in several). */
  records: 64,
  /** Peers in a successor or predecessor list. */
  peers: 8,
  /** Longest error text. */
  error: 300,
  /** Hops after which a route is dropped (a ring in repair must not loop forever). */
  maxHops: 64,
  /** Longest lifetime of a set member, ms (members are published again well before). */
  memberTtl: 10 * 60_000,
  /** Entries one signer may hold in one set (a publisher's files that share a keyword). */
  perSigner: 16,
  /** How far a version may be ahead of the receiver's clock, ms. */
  skew: 60_000,
  /** A value not written again for this long expires, and its key is free for any writer. */
  valueTtl: 24 * 3600_000,
} as const;

/** A peer's key as the room certified it: what every signed record carries about its signer. */
export interface SignerProof {
  /** The signer's public key (raw P-256, base64url). */
  pk: string;
  /** The room Lobby's signature over certText(room, signer, pk). */
  cert: string;
  /** The signer's signature over the record's text (see protocol/dht-sign.ts). */
  sig: string;
}

/** What a route asks of the key's owner. */
export type DhtOp =
  /** Only: who is the key's successor (joins, fingers). `id` names the point; there is no key. */
  | { op: 'find' }
  | { op: 'get' }
  /** A value signed by its writer; the key's first writer owns it (see client/core/dht-records.ts). */
  | ({ op: 'put'; value: string; ts: number; writer: string } & SignerProof)
  /** Add (or refresh) a member of a set, signed by the peer it names. */
  | { op: 'add'; member: SetMember }
  /** The live members of a set. */
  | { op: 'members' };

/** One member of a set, signed by `s`, the peer that added it (a holder, a file's publisher). */
export interface SetMember extends SignerProof {
  m: string;
  /** The signer's peer id. */
  s: string;
  /** When the signer added it (its clock, ms since the epoch) and for how long (ms). */
  t: number;
  ttl: number;
  /** t + ttl: when it expires (derived: a receiver recomputes it). */
  expires: number;
}

/** One key as nodes store and replicate it. */
export interface DhtRecord {
  /** The application's key (text). */
  key: string;
  /** SHA-1(key), 40 lowercase hex digits: the key's point on the ring. */
  id: string;
  kind: 'value' | 'set';
  /** kind 'value': the value and its version. */
  value?: string;
  /** Version of a value (the writer's clock), or of a set's last change. */
  ts: number;
  /** Peer id of the writer (a set: the signer of its latest member). */
  writer: string;
  /** kind 'value': the writer's certified key and signature. */
  pk?: string;
  cert?: string;
  sig?: string;
  /** kind 'set': its members. */
  members?: SetMember[];
}

export type DhtMessage =
  | { type: 'route'; ref: string; origin: string; id: string; key?: string; hops: number; op: DhtOp }
  | {
      type: 'reply';
      ref: string;
      hops: number;
      /** The node that answered (the key's successor). */
      owner: string;
      ok: boolean;
      /** ok false: why, in words… */
      error?: string;
      /** …and as a code, which is what the asking node decides on (never the words); always set by the parser when ok is false. */
      code?: DhtReplyCode;
      /** get: the value, or null when the key is unknown. */
      value?: string | null;
      /** members: the live members. */
      members?: string[];
      /** find: the owner's successor list (the key's replica set is [owner, ...successors]). */
      successors?: string[];
    }
  | { type: 'state?'; ref: string }
  /** A node's ring state (`held`: how many keys it stores, for the ring view). */
  | { type: 'state'; ref: string; pred: string | null; succs: string[]; preds: string[]; held: number }
  | { type: 'notify' }
  | { type: 'store'; records: DhtRecord[]; reason: 'replicate' | 'handover' | 'leave' }
  | { type: 'leave'; pred: string | null; succs: string[] };

// ---------------------------------------------------------------- ids

/** A ring id: 40 lowercase hex digits. */
export const DHT_ID_RE = /^[0-9a-f]{40}$/;
/** A route's or state request's `ref`: 8 to 32 characters of [A-Za-z0-9_-]. */
export const DHT_REF_RE = /^[A-Za-z0-9_-]{8,32}$/;

const utf8Encoder = new TextEncoder();

/** A key's point on the ring: SHA-1 of its UTF-8, 40 lowercase hex digits. */
export function keyId(key: string): string {
  return toHex(sha1Sync(utf8Encoder.encode(key)));
}

/** A node's point on the ring: SHA-1 of its peer id, 40 lowercase hex digits. */
export function nodeId(peerId: string): string {
  return toHex(sha1Sync(utf8Encoder.encode(peerId)));
}

/** Bytes of `s` in UTF-8 (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// ---------------------------------------------------------------- parsing and encoding

const OPS: readonly DhtOp['op'][] = ['find', 'get', 'put', 'add', 'members'];
const STORE_REASONS: readonly ('replicate' | 'handover' | 'leave')[] = ['replicate', 'handover', 'leave'];
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function badField(field: string, message: string): ProtocolError {
  return new ProtocolError('bad-field', `field "${field}" ${message}`, field);
}

/** Length in code points, counting no further than `max + 1`. */
function codePoints(s: string, max: number): number {
  if (s.length <= max) return s.length;
  let n = 0;
  for (const _ of s) if (++n > max) break;
  return n;
}

function listOf(obj: Record<string, unknown>, field: string, max: number): unknown[] {
  const v = obj[field];
  if (!Array.isArray(v)) throw badField(field, 'must be a list');
  if (v.length > max) throw badField(field, `has more than ${max} entries`);
  return v;
}

function peerId(obj: Record<string, unknown>, field: string): string {
  const v = obj[field];
  if (typeof v !== 'string' || !PEER_ID_RE.test(v)) throw badField(field, 'must be a peer id');
  return v;
}

/** A peer id or null (a node without a predecessor). */
function peerOrNull(obj: Record<string, unknown>, field: string): string | null {
  return obj[field] === null ? null : peerId(obj, field);
}

/** A list of at most DHT_LIMITS.peers peer ids, duplicates removed (first listing kept). */
function peerList(obj: Record<string, unknown>, field: string): string[] {
  const list = listOf(obj, field, DHT_LIMITS.peers);
  if (!list.every((p) => typeof p === 'string' && PEER_ID_RE.test(p))) throw badField(field, 'must be a list of peer ids');
  return [...new Set(list as string[])];
}

function ref(obj: Record<string, unknown>): string {
  return fieldString(obj, 'ref', DHT_REF_RE, 32);
}

function ringId(obj: Record<string, unknown>, field: string): string {
  const v = obj[field];
  if (typeof v !== 'string' || !DHT_ID_RE.test(v)) throw badField(field, 'must be 40 lowercase hex digits');
  return v;
}

function safeInt(obj: Record<string, unknown>, field: string): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badField(field, 'must be a non-negative safe integer');
  return v;
}

/** A key: 1 to DHT_LIMITS.key characters of well-formed text without control characters. */
export function checkKey(v: unknown, field = 'key'): string {
  const max = DHT_LIMITS.key;
  if (typeof v !== 'string' || v.length === 0) throw badField(field, 'must be a non-empty string');
  if (codePoints(v, max) > max) throw badField(field, `is longer than ${max} characters`);
  if (CONTROL_RE.test(v) || LONE_SURROGATE_RE.test(v)) throw badField(field, 'contains control characters or malformed text');
  return v;
}

/** A value: well-formed text of at most DHT_LIMITS.value bytes of UTF-8. */
export function checkValue(v: unknown, field = 'value'): string {
  if (typeof v !== 'string') throw badField(field, 'must be a string');
  if (v.length > DHT_LIMITS.value || utf8Length(v) > DHT_LIMITS.value) throw badField(field, `is larger than ${DHT_LIMITS.value} bytes`);
  if (LONE_SURROGATE_RE.test(v)) throw badField(field, 'is malformed text');
  return v;
}

/** A set member: well-formed text of 1 to DHT_LIMITS.member characters. */
export function checkMember(v: unknown, field = 'member'): string {
  const max = DHT_LIMITS.member;
  if (typeof v !== 'string' || v.length === 0) throw badField(field, 'must be a non-empty string');
  if (codePoints(v, max) > max) throw badField(field, `is longer than ${max} characters`);
  if (LONE_SURROGATE_RE.test(v)) throw badField(field, 'is malformed text');
  return v;
}

function parseOp(v: unknown): DhtOp {
  if (!isRecord(v)) throw badField('op', 'must be an object');
  switch (v.op) {
    case 'find':
    case 'get':
    case 'members':
      return { op: v.op };
    case 'put':
      return { op: 'put', value: checkValue(v.value), ts: safeInt(v, 'ts'), writer: peerId(v, 'writer'), ...proof(v) };
    case 'add':
      return { op: 'add', member: parseMember(v.member) };
    default:
      throw badField('op', `must be one of ${OPS.join(', ')}`);
  }
}

/** Errors inside the `i`th entry of list `list` keep their field and say where they were. */
function entry<T>(list: string, i: number, v: unknown, parse: (v: unknown) => T): T {
  try {
    return parse(v);
  } catch (err) {
    if (err instanceof ProtocolError) throw new ProtocolError(err.code, `${list}[${i}]: ${err.message}`, err.field);
    throw err;
  }
}

/** A signer's proof: its certified public key and its signature (checked for form only here). */
function proof(obj: Record<string, unknown>): SignerProof {
  return { pk: fieldString(obj, 'pk', PUBLIC_KEY_RE, 87), cert: fieldString(obj, 'cert', SIGNATURE_RE, 86), sig: fieldString(obj, 'sig', SIGNATURE_RE, 86) };
}

/** One signed set member; `expires` is recomputed as t + ttl whatever the sender said. */
export function parseMember(v: unknown): SetMember {
  if (!isRecord(v)) throw badField('member', 'must be an object');
  const t = safeInt(v, 't');
  const ttl = fieldInt(v, 'ttl', 1, DHT_LIMITS.memberTtl);
  return { m: checkMember(v.m, 'm'), s: peerId(v, 's'), t, ttl, expires: t + ttl, ...proof(v) };
}

/** Set members: at most DHT_LIMITS.members signed entries (the record core orders and caps them). */
function parseMembers(obj: Record<string, unknown>): SetMember[] {
  return listOf(obj, 'members', DHT_LIMITS.members).map((v, i) => entry('members', i, v, parseMember));
}

/**
 * One record as a `store` message or a node's storage holds it, checked as strictly as any
 * message field: its id must be keyId(key); a 'value' has a value and no members, a 'set' has
 * members and no value. Extra fields are dropped. Throws ProtocolError naming the field.
 */
export function parseDhtRecord(v: unknown): DhtRecord {
  if (!isRecord(v)) throw badField('records', 'entries must be objects');
  const key = checkKey(v.key);
  const id = ringId(v, 'id');
  if (id !== keyId(key)) throw badField('id', 'is not the SHA-1 of the key');
  const ts = safeInt(v, 'ts');
  const writer = peerId(v, 'writer');
  if (v.kind === 'value') {
    if (v.members !== undefined) throw badField('members', 'must be absent from a value');
    return { key, id, kind: 'value', value: checkValue(v.value), ts, writer, ...proof(v) };
  }
  if (v.kind === 'set') {
    if (v.value !== undefined || v.sig !== undefined) throw badField('value', 'must be absent from a set (its members are signed)');
    return { key, id, kind: 'set', ts, writer, members: parseMembers(v) };
  }
  throw badField('kind', 'must be value or set');
}

function parseRoute(obj: Record<string, unknown>): DhtMessage {
  const base = { type: 'route' as const, ref: ref(obj), origin: peerId(obj, 'origin'), id: ringId(obj, 'id') };
  const hops = fieldInt(obj, 'hops', 0, DHT_LIMITS.maxHops);
  const op = parseOp(obj.op);
  if (op.op === 'find') {
    if (obj.key !== undefined) throw badField('key', 'must be absent from a find');
    return { ...base, hops, op };
  }
  const key = checkKey(obj.key);
  // The id must be the key's point: a peer cannot aim an operation on a key at another key's slot.
  if (base.id !== keyId(key)) throw badField('id', 'is not the SHA-1 of the key');
  return { ...base, key, hops, op };
}

/** The code of a failed reply: a known one as it is, 'unknown' for any other text or none; not a string is refused. */
function replyCode(obj: Record<string, unknown>): DhtReplyCode {
  const v = obj.code;
  if (v === undefined) return 'unknown';
  if (typeof v !== 'string') throw badField('code', `must be a string (one of ${DHT_REPLY_CODES.join(', ')})`);
  return (DHT_REPLY_CODES as readonly string[]).includes(v) ? (v as DhtReplyCode) : 'unknown';
}

function parseReply(obj: Record<string, unknown>): Extract<DhtMessage, { type: 'reply' }> {
  const ok = obj.ok;
  if (typeof ok !== 'boolean') throw badField('ok', 'must be true or false');
  const msg: Extract<DhtMessage, { type: 'reply' }> = { type: 'reply', ref: ref(obj), hops: fieldInt(obj, 'hops', 0, DHT_LIMITS.maxHops), owner: peerId(obj, 'owner'), ok };
  if (ok && obj.error !== undefined) throw badField('error', 'must be absent when ok is true');
  if (ok && obj.code !== undefined) throw badField('code', 'must be absent when ok is true');
  if (!ok) {
    msg.error = fieldString(obj, 'error', undefined, DHT_LIMITS.error);
    msg.code = replyCode(obj);
  }
  if (obj.value !== undefined) msg.value = obj.value === null ? null : checkValue(obj.value);
  if (obj.members !== undefined) {
    msg.members = listOf(obj, 'members', DHT_LIMITS.members).map((m, i) => entry('members', i, m, (x) => checkMember(x, 'members')));
  }
  if (obj.successors !== undefined) msg.successors = peerList(obj, 'successors');
  return msg;
}

/** Parse one DHT message as it arrived on a peer link. Throws ProtocolError naming the problem. */
export function parseDhtMessage(bytes: Uint8Array): DhtMessage {
  if (bytes.length > DHT_LIMITS.message) throw new ProtocolError('oversize', `message is larger than ${DHT_LIMITS.message} bytes`);
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    throw new ProtocolError('bad-encoding', 'message is not valid UTF-8');
  }
  const obj = parseJsonObject(text, DHT_LIMITS.message);
  switch (obj.type) {
    case 'route':
      return parseRoute(obj);
    case 'reply':
      return parseReply(obj);
    case 'state?':
      return { type: 'state?', ref: ref(obj) };
    case 'state':
      return {
        type: 'state',
        ref: ref(obj),
        pred: peerOrNull(obj, 'pred'),
        succs: peerList(obj, 'succs'),
        preds: peerList(obj, 'preds'),
        held: fieldInt(obj, 'held', 0, 1_000_000_000),
      };
    case 'notify':
      return { type: 'notify' };
    case 'store': {
      const records = listOf(obj, 'records', DHT_LIMITS.records).map((v, i) => entry('records', i, v, parseDhtRecord));
      const reason = obj.reason;
      if (!STORE_REASONS.includes(reason as never)) throw badField('reason', `must be one of ${STORE_REASONS.join(', ')}`);
      return { type: 'store', records, reason: reason as (typeof STORE_REASONS)[number] };
    }
    case 'leave':
      return { type: 'leave', pred: peerOrNull(obj, 'pred'), succs: peerList(obj, 'succs') };
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${describe(obj.type)}`, 'type');
  }
}

/**
 * One DHT message as the bytes sent on a peer link (UTF-8 JSON). Throws ProtocolError 'oversize'
 * past DHT_LIMITS.message bytes, which the receiver would refuse (see `storeMessages`).
 */
export function encodeDhtMessage(msg: DhtMessage): Uint8Array {
  const bytes = utf8Encoder.encode(JSON.stringify(msg));
  if (bytes.length > DHT_LIMITS.message) throw new ProtocolError('oversize', `message is larger than ${DHT_LIMITS.message} bytes`);
  return bytes;
}

export type DhtStoreMessage = Extract<DhtMessage, { type: 'store' }>;

const byteSize = (v: unknown): number => utf8Length(JSON.stringify(v));

/**
 * `records` packed into as few `store` messages as fit: at most DHT_LIMITS.records records and
 * `maxBytes` bytes each. A set too large for one message (256 long members can pass 256 KiB) is
 * sent as several partial sets with the same key and version, which the receiver merges back
 * (mergeRecords takes the union of members). Throws RangeError if one member or value cannot fit.
 */
export function storeMessages(records: readonly DhtRecord[], reason: DhtStoreMessage['reason'], maxBytes: number = DHT_LIMITS.message): DhtStoreMessage[] {
  const budget = maxBytes - byteSize({ type: 'store', records: [], reason });
  const out: DhtStoreMessage[] = [];
  let batch: DhtRecord[] = [];
  let used = 0;
  const push = (rec: DhtRecord, size: number): void => {
    if (size > budget) throw new RangeError(`record ${rec.id} does not fit in a ${maxBytes}-byte message`);
    if (batch.length === DHT_LIMITS.records || used + size > budget) {
      out.push({ type: 'store', records: batch, reason });
      batch = [];
      used = 0;
    }
    batch.push(rec);
    used += size;
  };
  for (const rec of records) {
    const size = byteSize(rec) + 1; // + a comma
    if (size <= budget || rec.kind !== 'set' || !rec.members) {
      push(rec, size);
      continue;
    }
    let part: SetMember[] = [];
    const empty = byteSize({ ...rec, members: [] }) + 1;
    let partSize = empty;
    for (const m of rec.members) {
      const s = byteSize(m) + 1;
      if (part.length > 0 && partSize + s > budget) {
        push({ ...rec, members: part }, partSize);
        part = [];
        partSize = empty;
      }
      part.push(m);
      partSize += s;
    }
    push({ ...rec, members: part }, partSize);
  }
  if (batch.length > 0) out.push({ type: 'store', records: batch, reason });
  return out;
}
