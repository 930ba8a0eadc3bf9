/**
 * The signaling socket protocol (`GET /ws`): one JSON object per WebSocket text message.
 * Peers send ClientMessage; the edge sends ServerMessage. Both sides parse what they receive.
 */
import { MAX_SIGNAL_MESSAGE, PEER_ID_RE, ROOM_RE } from './constants';
import { ProtocolError, MAX_JSON_DEPTH, describe, fieldInt, fieldString, isRecord, jsonDepth, parseJsonObject, type ProtocolErrorCode } from './errors';
import { keywords } from './keywords';
import { PUBLIC_KEY_RE, SIGNATURE_RE } from './dht-sign';
import { codePoints, MAX_FILE_NAME, parseFileName } from './file-name';
import { parseFileRecord, parseInfoHash, type FileRecord, type HeldFileRecord } from './file-record';
import { keepValid, type DroppedEntry } from './entries';

export { parseFileName };

export type SignalData = Record<string, unknown>;

/** Largest message the edge sends, in bytes of UTF-8 (a search result is the biggest). */
export const MAX_SERVER_MESSAGE = MAX_SIGNAL_MESSAGE * 2;

/** Napster index limits. */
export const INDEX_LIMITS = {
  /** Files in one `publish`, info hashes in one `unpublish`. */
  perMessage: 100,
  /** Files one peer (one connection) may hold in the index. */
  perPeer: 1_000,
  /** Longest file name, in characters (code points): protocol/file-name.ts holds the name rule. */
  name: MAX_FILE_NAME,
  /** Longest query, in characters (code points). */
  query: 200,
  /** Words of a query, after `keywords()` normalisation. */
  queryWords: 8,
  /** Results of one search. */
  results: 100,
  /** Peers listed per search result (ranking counts every live holder). */
  peersPerResult: 20,
  /** Largest `ref` of a search. */
  ref: 2 ** 31,
} as const;

/** Limits of the super-peer tier: what a peer may declare, and the longest `supers` list. */
export const SUPERPEER_LIMITS = {
  /** Declared upload bandwidth, in bytes per second (10 GB/s). */
  bandwidth: 10_000_000_000,
  /** Declared count of open peer links. */
  links: 1_000,
  /** Super-peers of one room (the length of a `supers` list). */
  supers: 100,
} as const;

/** An info hash as the index keeps it: 40 lowercase hex digits. */
export const INFO_HASH_RE = /^[0-9a-f]{40}$/;

/** A file a peer holds completely, as published to the Napster index. */
/** A file a peer publishes to the Napster index (protocol/file-record.ts). */
export type PublishedFile = FileRecord;

/** One search result: a file and the live peers that hold it. */
export type SearchResult = HeldFileRecord;

/** Peer → edge. */
export type ClientMessage =
  | { type: 'signal'; to: string; data: SignalData }
  | { type: 'bootstrap' }
  /** A fresh partial view of a large room (answered with `view`). */
  | { type: 'view' }
  | { type: 'ping' }
  /** Napster: add files this peer holds (at most 100 a message, 1,000 a peer). */
  | { type: 'publish'; files: PublishedFile[] }
  /** Napster: withdraw files. */
  | { type: 'unpublish'; infoHashes: string[] }
  /** Napster: files whose names contain every word of `query`. `ref` pairs the reply. */
  | { type: 'search'; ref: number; query: string }
  /**
   * Super-peer election: what this peer can offer as a super-peer, declared by the peer itself:
   * upload bandwidth in bytes per second, and how many peer links it holds open.
   */
  | { type: 'capacity'; bandwidth: number; links: number };

/** Edge → peer. */
export type ServerMessage =
  | { type: 'welcome'; id: string; token: string; room: string; shard: number; shards: number }
  /**
   * The peers a joiner sees: every other member of a small room, a random sample (a partial
   * view) of a large one. `count`: members online, this peer included.
   */
  | { type: 'roster'; peers: string[]; count?: number }
  /** A peer to add to this peer's view (it joined, or it replaces one that left); `count` as in roster. */
  | { type: 'peer-join'; id: string; count?: number }
  /** A peer of this peer's view left the room. */
  | { type: 'peer-leave'; id: string; count?: number }
  /**
   * The room's count, sent to every member when the room grows past PRESENCE.fullUpTo (from then
   * on a member hears of the count with its view's changes and refreshes, not with every join).
   */
  | { type: 'count'; count: number }
  /** The answer to `view`: a new sample replacing the peer's view, the count, its super-peers. */
  | { type: 'view'; peers: string[]; count: number; supers: string[] }
  | { type: 'signal'; from: string; data: SignalData }
  | { type: 'bootstrap'; peers: string[] }
  | { type: 'error'; code: ProtocolErrorCode; message: string; field?: string; ref?: number }
  /** Napster: the answer to a search (`ms`: time the edge took). */
  | { type: 'search-result'; ref: number; results: SearchResult[]; ms: number }
  /**
   * Napster: a publish or unpublish was applied; `files` is how many this peer now holds.
   * `dropped`: entries of the publish that were refused (and left out), with the first reason.
   */
  | { type: 'published'; files: number; dropped?: number; reason?: string }
  | { type: 'pong' }
  /**
   * The room's current super-peers (peer ids, in promotion order): sent to a joiner after its
   * roster, and to every member whenever the list changes.
   */
  | { type: 'supers'; supers: string[] }
  /**
   * The room's certificate of the key this peer connected with (`pk` in the /ws URL): the room's
   * signature over certText(room, id, pk) and the room's public key, both base64url (see
   * protocol/dht-sign.ts). Sent right after the welcome, before the roster.
   */
  | { type: 'cert'; cert: string; roomKey: string }
  /**
   * Sent just before the edge closes a socket, with the close code (CLOSE_CODES) and reason:
   * a client must not wait for the TCP close to act on it.
   */
  | { type: 'bye'; code: number; reason: string };

function signalData(obj: Record<string, unknown>): SignalData {
  const data = obj.data;
  if (!isRecord(data)) throw new ProtocolError('bad-field', 'field "data" must be an object', 'data');
  return data;
}

function peerList(obj: Record<string, unknown>, field: string): string[] {
  const v = obj[field];
  if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && PEER_ID_RE.test(p))) {
    throw new ProtocolError('bad-field', `field "${field}" must be a list of peer ids`, field);
  }
  return v as string[];
}

/** A `supers` field: at most SUPERPEER_LIMITS.supers distinct peer ids. */
function superList(obj: Record<string, unknown>): string[] {
  const supers = peerList(obj, 'supers');
  if (supers.length > SUPERPEER_LIMITS.supers || new Set(supers).size !== supers.length) {
    throw new ProtocolError('bad-field', `field "supers" must list at most ${SUPERPEER_LIMITS.supers} distinct peer ids`, 'supers');
  }
  return supers;
}

/** A room's count of members online (at least 1: the peer told). */
function roomCount(obj: Record<string, unknown>): number {
  return fieldInt(obj, 'count', 1, 10_000_000);
}

/**
 * A refused search: the error carries the search's `ref`, so that the peer can pair the
 * refusal with its request (`errorReply` copies it into the reply).
 */
export class SearchRefusedError extends ProtocolError {
  readonly ref: number;
  constructor(err: ProtocolError, ref: number) {
    super(err.code, err.message, err.field);
    this.ref = ref;
  }
}

function publishedFile(v: unknown): PublishedFile {
  if (!isRecord(v)) throw new ProtocolError('bad-field', 'must be an object', 'files');
  return parseFileRecord(v);
}

function listField(obj: Record<string, unknown>, field: string): unknown[] {
  const v = obj[field];
  if (!Array.isArray(v)) throw new ProtocolError('bad-field', `field "${field}" must be a list`, field);
  if (v.length > INDEX_LIMITS.perMessage) {
    throw new ProtocolError('bad-field', `field "${field}" has more than ${INDEX_LIMITS.perMessage} entries: split it over several messages`, field);
  }
  return v;
}

/** The words of a search query: 1-200 characters giving 1-8 keywords. */
export function queryWords(query: unknown): string[] {
  const max = INDEX_LIMITS.query;
  if (typeof query !== 'string' || query.length === 0 || codePoints(query, max) > max) {
    throw new ProtocolError('bad-field', `field "query" must be a string of 1 to ${max} characters`, 'query');
  }
  const words = keywords(query);
  if (words.length === 0) throw new ProtocolError('bad-field', 'field "query" has no letters or digits to search for', 'query');
  if (words.length > INDEX_LIMITS.queryWords) {
    throw new ProtocolError('bad-field', `field "query" has more than ${INDEX_LIMITS.queryWords} words`, 'query');
  }
  return words;
}

/** A declared capacity figure: an integer from 0 to `max`, refused with a message naming its unit. */
function capacityField(obj: Record<string, unknown>, field: 'bandwidth' | 'links', unit: string): number {
  const max = SUPERPEER_LIMITS[field];
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new ProtocolError('bad-field', `field "${field}" must be an integer from 0 to ${max} (${unit})`, field);
  }
  return v;
}

function searchRef(obj: Record<string, unknown>): number {
  return fieldInt(obj, 'ref', 0, INDEX_LIMITS.ref);
}

/**
 * Parse what a peer sent to the edge. Throws ProtocolError naming the problem. A bad entry of a
 * publish batch does not refuse the batch: it is left out and recorded in `dropped`.
 */
export function parseClientMessage(text: string, dropped?: DroppedEntry[]): ClientMessage {
  const obj = parseJsonObject(text, MAX_SIGNAL_MESSAGE);
  switch (obj.type) {
    case 'signal':
      return { type: 'signal', to: fieldString(obj, 'to', PEER_ID_RE), data: signalData(obj) };
    case 'bootstrap':
      return { type: 'bootstrap' };
    case 'view':
      return { type: 'view' };
    case 'ping':
      return { type: 'ping' };
    case 'publish': {
      // A file listed twice counts once; its last listing wins.
      const byHash = new Map<string, PublishedFile>();
      for (const f of keepValid('files', listField(obj, 'files'), publishedFile, dropped)) {
        byHash.delete(f.infoHash);
        byHash.set(f.infoHash, f);
      }
      return { type: 'publish', files: [...byHash.values()] };
    }
    case 'unpublish':
      return { type: 'unpublish', infoHashes: [...new Set(listField(obj, 'infoHashes').map((v) => parseInfoHash(v, 'infoHashes')))] };
    case 'search': {
      const ref = searchRef(obj);
      try {
        queryWords(obj.query);
      } catch (err) {
        throw err instanceof ProtocolError ? new SearchRefusedError(err, ref) : err;
      }
      return { type: 'search', ref, query: obj.query as string };
    }
    case 'capacity':
      return {
        type: 'capacity',
        bandwidth: capacityField(obj, 'bandwidth', 'upload bytes per second'),
        links: capacityField(obj, 'links', 'open peer links'),
      };
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${describe(obj.type)}`, 'type');
  }
}

/**
 * The `ref` of a search message, read without the full parser (for refusals that happen
 * before parsing, such as the rate limit); undefined for anything else.
 */
export function peekSearchRef(text: string): number | undefined {
  if (text.length > 1024 || !text.includes('"search"') || jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return undefined;
  try {
    const obj: unknown = JSON.parse(text);
    if (!isRecord(obj) || obj.type !== 'search') return undefined;
    return searchRef(obj);
  } catch {
    return undefined;
  }
}

const ERROR_CODES = new Set<ProtocolErrorCode>([
  'bad-json', 'unknown-type', 'bad-field', 'oversize', 'unknown-peer', 'rate-limited', 'bad-frame', 'bad-encoding', 'unavailable',
]);

function searchResult(v: unknown): SearchResult {
  if (!isRecord(v)) throw new ProtocolError('bad-field', 'each search result must be an object', 'results');
  const peers = peerList(v, 'peers');
  if (peers.length > INDEX_LIMITS.peersPerResult) throw new ProtocolError('bad-field', 'too many peers in a search result', 'peers');
  return { ...parseFileRecord(v, true), peers };
}

/** Parse what the edge sent to a peer. Throws ProtocolError naming the problem. */
export function parseServerMessage(text: string): ServerMessage {
  const obj = parseJsonObject(text, MAX_SERVER_MESSAGE);
  switch (obj.type) {
    case 'welcome':
      return {
        type: 'welcome',
        id: fieldString(obj, 'id', PEER_ID_RE),
        token: fieldString(obj, 'token', /^[A-Za-z0-9_-]{20,100}$/),
        room: fieldString(obj, 'room', ROOM_RE),
        shard: fieldInt(obj, 'shard', 0, 1023),
        shards: fieldInt(obj, 'shards', 1, 1024),
      };
    case 'roster':
      return obj.count === undefined ? { type: 'roster', peers: peerList(obj, 'peers') } : { type: 'roster', peers: peerList(obj, 'peers'), count: roomCount(obj) };
    case 'bootstrap':
      return { type: 'bootstrap', peers: peerList(obj, 'peers') };
    case 'peer-join':
    case 'peer-leave': {
      const id = fieldString(obj, 'id', PEER_ID_RE);
      return obj.count === undefined ? { type: obj.type, id } : { type: obj.type, id, count: roomCount(obj) };
    }
    case 'view':
      return { type: 'view', peers: peerList(obj, 'peers'), count: roomCount(obj), supers: superList(obj) };
    case 'count':
      return { type: 'count', count: roomCount(obj) };
    case 'signal':
      return { type: 'signal', from: fieldString(obj, 'from', PEER_ID_RE), data: signalData(obj) };
    case 'error': {
      const code = fieldString(obj, 'code') as ProtocolErrorCode;
      if (!ERROR_CODES.has(code)) throw new ProtocolError('bad-field', 'field "code" is not a known error code', 'code');
      const out: ServerMessage = { type: 'error', code, message: fieldString(obj, 'message', undefined, 2048) };
      if (obj.field !== undefined) out.field = fieldString(obj, 'field', undefined, 64);
      if (obj.ref !== undefined) out.ref = searchRef(obj);
      return out;
    }
    case 'search-result': {
      const results = obj.results;
      if (!Array.isArray(results) || results.length > INDEX_LIMITS.results) {
        throw new ProtocolError('bad-field', `field "results" must be a list of at most ${INDEX_LIMITS.results} results`, 'results');
      }
      const ms = obj.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new ProtocolError('bad-field', 'field "ms" must be a non-negative number', 'ms');
      return { type: 'search-result', ref: searchRef(obj), results: results.map(searchResult), ms };
    }
    case 'published': {
      const out: ServerMessage = { type: 'published', files: fieldInt(obj, 'files', 0, INDEX_LIMITS.perPeer) };
      if (obj.dropped !== undefined) out.dropped = fieldInt(obj, 'dropped', 1, INDEX_LIMITS.perMessage);
      if (obj.reason !== undefined) out.reason = fieldString(obj, 'reason', undefined, 300);
      return out;
    }
    case 'pong':
      return { type: 'pong' };
    case 'supers':
      return { type: 'supers', supers: superList(obj) };
    case 'cert':
      return { type: 'cert', cert: fieldString(obj, 'cert', SIGNATURE_RE, 86), roomKey: fieldString(obj, 'roomKey', PUBLIC_KEY_RE, 87) };
    case 'bye':
      return { type: 'bye', code: fieldInt(obj, 'code', 1000, 4999), reason: fieldString(obj, 'reason', undefined, 123) };
    default:
      throw new ProtocolError('unknown-type', 'unknown message type', 'type');
  }
}

/** An error reply for a refused message; a refused search's reply carries its `ref`. */
export function errorReply(err: ProtocolError, ref?: number): ServerMessage {
  const out: ServerMessage = { type: 'error', code: err.code, message: err.message };
  if (err.field !== undefined) out.field = err.field;
  const r = ref ?? (err instanceof SearchRefusedError ? err.ref : undefined);
  if (r !== undefined) out.ref = r;
  return out;
}

/**
 * What peers put inside `signal.data` to open a peer link: WebRTC session descriptions and
 * candidates from simple-peer, tagged with the link attempt they belong to, or a refusal.
 */
export type LinkSignal =
  | { kind: 'rtc'; link: string; sig: Record<string, unknown> }
  | { kind: 'refuse'; link: string; reason: string };

const LINK_ID_RE = /^[A-Za-z0-9_-]{8,32}$/;

export function parseLinkSignal(data: SignalData): LinkSignal {
  const link = fieldString(data, 'link', LINK_ID_RE);
  if (data.kind === 'rtc') {
    const sig = data.sig;
    if (!isRecord(sig)) throw new ProtocolError('bad-field', 'field "sig" must be an object', 'sig');
    return { kind: 'rtc', link, sig };
  }
  if (data.kind === 'refuse') return { kind: 'refuse', link, reason: fieldString(data, 'reason', undefined, 200) };
  throw new ProtocolError('unknown-type', 'unknown link signal kind', 'kind');
}

/** True when a signal's data carries a WebRTC offer (a link's or a torrent link's `sig`): what the edge budgets. */
export function carriesOffer(data: SignalData): boolean {
  return isRecord(data.sig) && data.sig.type === 'offer';
}

/** True when a simple-peer signal object starts a new connection (an SDP offer). */
export function isOffer(sig: Record<string, unknown>): boolean {
  return sig.type === 'offer';
}
