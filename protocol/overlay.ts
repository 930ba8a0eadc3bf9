/**
 * The overlay protocol (Gnutella and the super-peer tier) spoken on peer links. Every message is
 * one UTF-8 JSON object on a peer-link channel: `gnut` for the flat Gnutella overlay, `sp` for the
 * two-tier (leaf / super-peer) overlay. The same message set serves both.
 *
 * Handshake (Gnutella 0.6's CONNECT / OK): a peer that wants a peer as neighbour sends `connect`;
 * the other answers `ok` or `refuse` with a reason and other peers to try (X-Try).
 * Descriptors (Gnutella's ping / pong / query / queryhit) carry a guid, a ttl and a hop count:
 * the originator sends ttl = T (capped at MAX_TTL) and hops = 0; each receiver decrements ttl and
 * increments hops, so on arrival `hops` is the number of links travelled.
 * Pongs and query hits travel back along the reverse path of their ping or query (routed by guid).
 */
import { PEER_ID_RE } from './constants';
import { ProtocolError, describe, fieldInt, fieldString, isRecord, parseJsonObject } from './errors';
import { keywords } from './keywords';
import { parseFileRecord, parseInfoHash, type FileRecord } from './file-record';
import { keepValid, type DroppedEntry } from './entries';

/** Channel tags of the two overlays. */
export const OVERLAY_CHANNELS = { gnutella: 'gnut', superpeer: 'sp' } as const;
export type OverlayChannel = (typeof OVERLAY_CHANNELS)[keyof typeof OVERLAY_CHANNELS];

/** Largest overlay message, in bytes of UTF-8. */
export const MAX_OVERLAY_MESSAGE = 65_536;
/** TTL cap (Gnutella's 7). A larger ttl is clamped, never refused. */
export const MAX_TTL = 7;
/** A guid: 16 to 32 characters of [A-Za-z0-9_-] (the client uses nanoid's 21). */
export const GUID_RE = /^[A-Za-z0-9_-]{16,32}$/;

export const OVERLAY_LIMITS = {
  /** Peers listed in a refusal's `try`, a pong's `neighbours` or `leaves`. */
  peers: 50,
  /** Results in one query hit. */
  results: 50,
  /** Holders listed per result of a query hit. */
  holders: 20,
  /** Files added or removed by one `files` message (a leaf's upload is split over several). */
  files: 100,
  /** Words of a query (as protocol/keywords.ts makes them). */
  words: 8,
  /** Longest refusal or bye reason. */
  reason: 200,
} as const;

/** Role of a peer in the overlay it speaks: `peer` in the flat overlay, `leaf`/`super` in the two-tier one. */
export type OverlayRole = 'peer' | 'leaf' | 'super';

/** A file a query hit reports, with the peers that hold it (the responder, or a super-peer's leaves). */
export interface HitResult {
  infoHash: string;
  name: string;
  size: number;
  peers: string[];
}

/** A file a leaf uploads to its super-peer. */
/** A file in an overlay's lists and hits (protocol/file-record.ts). */
export type OverlayFile = FileRecord;

export interface PingMsg {
  type: 'ping';
  guid: string;
  ttl: number;
  hops: number;
}

export interface PongMsg {
  type: 'pong';
  /** The guid of the ping this pong answers. */
  guid: string;
  ttl: number;
  hops: number;
  /** The peer this pong describes. */
  peer: string;
  role: OverlayRole;
  /** How many files it shares (a super-peer: its own and its leaves'). */
  files: number;
  /** Its neighbours in this overlay (for discovery and the network view). */
  neighbours: string[];
  /** A super-peer's leaves. */
  leaves: string[];
}

export interface QueryMsg {
  type: 'query';
  guid: string;
  ttl: number;
  hops: number;
  /** Keywords, all of which a file's name must contain. */
  words: string[];
}

export interface QueryHitMsg {
  type: 'queryhit';
  /** The guid of the query this answers. */
  guid: string;
  ttl: number;
  hops: number;
  /** The peer that answered. */
  peer: string;
  /** How many links the query travelled to reach `peer`. */
  dist: number;
  results: HitResult[];
}

export type Descriptor = PingMsg | PongMsg | QueryMsg | QueryHitMsg;

export type OverlayMessage =
  | { type: 'connect'; role: OverlayRole }
  | { type: 'ok'; role: OverlayRole }
  | { type: 'refuse'; reason: string; try: string[] }
  | { type: 'bye'; reason: string }
  /** Leaf → super-peer: changes to the leaf's file list (`reset`: replace the whole list). */
  | { type: 'files'; reset: boolean; add: OverlayFile[]; remove: string[] }
  | Descriptor;

// ---------------------------------------------------------------- parsing and encoding

const ROLES: readonly OverlayRole[] = ['peer', 'leaf', 'super'];

function badField(field: string, message: string): ProtocolError {
  return new ProtocolError('bad-field', `field "${field}" ${message}`, field);
}

/** A list field of at most `max` entries. */
function listOf(obj: Record<string, unknown>, field: string, max: number): unknown[] {
  const v = obj[field];
  if (!Array.isArray(v)) throw badField(field, 'must be a list');
  if (v.length > max) throw badField(field, `has more than ${max} entries`);
  return v;
}

/** A list of peer ids, duplicates removed (first listing kept). */
function peerIds(obj: Record<string, unknown>, field: string, max: number): string[] {
  const list = listOf(obj, field, max);
  if (!list.every((p) => typeof p === 'string' && PEER_ID_RE.test(p))) throw badField(field, 'must be a list of peer ids');
  return [...new Set(list as string[])];
}

function role(obj: Record<string, unknown>): OverlayRole {
  const v = obj.role;
  if (!ROLES.includes(v as OverlayRole)) throw badField('role', `must be one of ${ROLES.join(', ')}`);
  return v as OverlayRole;
}

function reason(obj: Record<string, unknown>): string {
  return fieldString(obj, 'reason', undefined, OVERLAY_LIMITS.reason);
}

/** An entry of a list must be an object; its parser's errors are named by keepValid. */
function entry<T>(parse: (obj: Record<string, unknown>) => T): (v: unknown) => T {
  return (v) => {
    if (!isRecord(v)) throw new ProtocolError('bad-field', 'must be an object');
    return parse(v);
  };
}

function overlayFile(obj: Record<string, unknown>): OverlayFile {
  return parseFileRecord(obj);
}

function hitResult(obj: Record<string, unknown>): HitResult {
  const file = overlayFile(obj);
  const peers = peerIds(obj, 'peers', OVERLAY_LIMITS.holders);
  if (peers.length === 0) throw badField('peers', 'must name at least one holder');
  return { ...file, peers };
}

/** Query words: 1-8 distinct words, each already a keyword as protocol/keywords.ts makes them. */
function words(obj: Record<string, unknown>): string[] {
  const list = listOf(obj, 'words', OVERLAY_LIMITS.words);
  if (list.length === 0) throw badField('words', 'must hold at least one word');
  for (const w of list) {
    if (typeof w !== 'string') throw badField('words', 'must be a list of strings');
    const k = keywords(w);
    if (k.length !== 1 || k[0] !== w) throw badField('words', `has ${JSON.stringify(w.slice(0, 40))}, which is not one normalised keyword`);
  }
  if (new Set(list).size !== list.length) throw badField('words', 'lists a word twice');
  return list as string[];
}

/** The guid, ttl and hops every descriptor carries (ttl and hops as sent: the router clamps). */
function header(obj: Record<string, unknown>): { guid: string; ttl: number; hops: number } {
  return { guid: fieldString(obj, 'guid', GUID_RE), ttl: fieldInt(obj, 'ttl', 0, 255), hops: fieldInt(obj, 'hops', 0, 255) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parse one overlay message as it arrived on a peer link. Throws ProtocolError naming the
 * problem. A bad entry of a list (a query hit's results, a leaf's files to add or remove) does
 * not refuse the message: it is left out and recorded in `dropped`, the other entries are kept.
 */
export function parseOverlayMessage(bytes: Uint8Array, dropped?: DroppedEntry[]): OverlayMessage {
  if (bytes.length > MAX_OVERLAY_MESSAGE) throw new ProtocolError('oversize', `message is larger than ${MAX_OVERLAY_MESSAGE} bytes`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ProtocolError('bad-encoding', 'message is not valid UTF-8');
  }
  const obj = parseJsonObject(text, MAX_OVERLAY_MESSAGE);
  switch (obj.type) {
    case 'connect':
    case 'ok':
      return { type: obj.type, role: role(obj) };
    case 'refuse':
      return { type: 'refuse', reason: reason(obj), try: peerIds(obj, 'try', OVERLAY_LIMITS.peers) };
    case 'bye':
      return { type: 'bye', reason: reason(obj) };
    case 'files': {
      const reset = obj.reset;
      if (typeof reset !== 'boolean') throw badField('reset', 'must be true or false');
      // A file listed twice counts once; its last listing wins.
      const add = new Map<string, OverlayFile>();
      for (const f of keepValid('add', listOf(obj, 'add', OVERLAY_LIMITS.files), entry(overlayFile), dropped)) {
        add.delete(f.infoHash);
        add.set(f.infoHash, f);
      }
      const remove = keepValid('remove', listOf(obj, 'remove', OVERLAY_LIMITS.files), (v) => parseInfoHash(v, 'remove'), dropped);
      return { type: 'files', reset, add: [...add.values()], remove: [...new Set(remove)] };
    }
    case 'ping':
      return { type: 'ping', ...header(obj) };
    case 'pong': {
      const files = fieldInt(obj, 'files', 0, Number.MAX_SAFE_INTEGER);
      return {
        type: 'pong',
        ...header(obj),
        peer: fieldString(obj, 'peer', PEER_ID_RE),
        role: role(obj),
        files,
        neighbours: peerIds(obj, 'neighbours', OVERLAY_LIMITS.peers),
        leaves: peerIds(obj, 'leaves', OVERLAY_LIMITS.peers),
      };
    }
    case 'query':
      return { type: 'query', ...header(obj), words: words(obj) };
    case 'queryhit':
      return {
        type: 'queryhit',
        ...header(obj),
        peer: fieldString(obj, 'peer', PEER_ID_RE),
        dist: fieldInt(obj, 'dist', 1, 255),
        results: keepValid('results', listOf(obj, 'results', OVERLAY_LIMITS.results), entry(hitResult), dropped),
      };
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${describe(obj.type)}`, 'type');
  }
}

/** One overlay message as the bytes sent on a peer link (UTF-8 JSON). */
export function encodeOverlayMessage(msg: OverlayMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(msg));
}
