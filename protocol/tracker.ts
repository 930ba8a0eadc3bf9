/**
 * The WebTorrent WebSocket tracker protocol (`GET /announce`), as bittorrent-tracker's client and
 * server speak it: JSON text messages; info hashes and peer ids are 20-character "binary"
 * strings (one character per byte, code points 0-255).
 */
import { ProtocolError, describe, fieldInt, isRecord, parseJsonObject } from './errors';

/** Largest tracker message accepted (several SDP offers fit easily). */
export const MAX_TRACKER_MESSAGE = 65_536;
/** Largest SDP accepted in one offer or answer. */
export const MAX_SDP = 16_384;
/** At most this many peers (offers relayed) per announce. */
export const MAX_ANNOUNCE_PEERS = 50;
/** Seconds between announces that the tracker asks for. */
export const ANNOUNCE_INTERVAL = 120;

export type TrackerEvent = 'started' | 'stopped' | 'completed' | 'update';

export interface Sdp {
  type: 'offer' | 'answer';
  sdp: string;
}

export type TrackerRequest =
  | {
      action: 'announce';
      infoHash: string;
      peerId: string;
      event: TrackerEvent;
      numwant: number;
      /** Bytes left to download; Infinity when unknown (a magnet without metadata yet). */
      left: number;
      uploaded: number;
      downloaded: number;
      offers: { offer: Sdp; offerId: string }[];
    }
  | { action: 'answer'; infoHash: string; peerId: string; toPeerId: string; answer: Sdp; offerId: string }
  | { action: 'scrape'; infoHashes: string[] };

/** Binary string (20 chars, each 0-255) to lowercase hex. */
export function binaryToHex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(2, '0');
  return out;
}

export function hexToBinary(hex: string): string {
  let out = '';
  for (let i = 0; i < hex.length; i += 2) out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function binary20(obj: Record<string, unknown>, field: string): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.length !== 20) {
    throw new ProtocolError('bad-field', `invalid ${field}: must be a 20-byte binary string`, field);
  }
  for (let i = 0; i < 20; i++) {
    if (v.charCodeAt(i) > 255) throw new ProtocolError('bad-field', `invalid ${field}: not a binary string`, field);
  }
  return binaryToHex(v);
}

function sdp(v: unknown, type: 'offer' | 'answer', field: string): Sdp {
  if (!isRecord(v) || v.type !== type || typeof v.sdp !== 'string') {
    throw new ProtocolError('bad-field', `invalid ${field}: must be {type: "${type}", sdp}`, field);
  }
  if (v.sdp.length > MAX_SDP) throw new ProtocolError('oversize', `${field} SDP longer than ${MAX_SDP}`, field);
  return { type, sdp: v.sdp };
}

/** A byte count or peer count: a non-negative number (JSON null or absent: 0). Strings, lists and objects are refused. */
function count(obj: Record<string, unknown>, field: string): number {
  const v = obj[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw new ProtocolError('bad-field', `invalid ${field}: must be a non-negative number`, field);
  }
  return Math.floor(v);
}

/** `left`: bytes still to download; JSON null or absent means unknown (a magnet without metadata yet: JSON has no Infinity). */
function leftBytes(obj: Record<string, unknown>): number {
  return obj.left === undefined || obj.left === null ? Infinity : count(obj, 'left');
}

const EVENTS = new Set<string>(['started', 'stopped', 'completed', 'update']);

/** Parse one message from a tracker client. Throws ProtocolError naming the problem. */
export function parseTrackerRequest(text: string): TrackerRequest {
  const obj = parseJsonObject(text, MAX_TRACKER_MESSAGE);
  if (obj.action === 'scrape') {
    const raw = obj.info_hash;
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list) || list.length === 0 || list.length > 100) {
      throw new ProtocolError('bad-field', 'invalid info_hash: a binary string or a list of 1-100', 'info_hash');
    }
    return { action: 'scrape', infoHashes: list.map((h) => binary20({ info_hash: h }, 'info_hash')) };
  }
  if (obj.action !== 'announce') {
    throw new ProtocolError('unknown-type', `invalid action in WS request: ${describe(obj.action)}`, 'action');
  }
  const infoHash = binary20(obj, 'info_hash');
  const peerId = binary20(obj, 'peer_id');
  if (obj.answer !== undefined) {
    if (obj.to_peer_id === undefined) {
      throw new ProtocolError('bad-field', 'invalid `to_peer_id` (required with `answer`)', 'to_peer_id');
    }
    return {
      action: 'answer',
      infoHash,
      peerId,
      toPeerId: binary20(obj, 'to_peer_id'),
      answer: sdp(obj.answer, 'answer', 'answer'),
      offerId: binary20(obj, 'offer_id'),
    };
  }
  const event = obj.event === undefined || obj.event === null || obj.event === '' ? 'update' : obj.event;
  if (typeof event !== 'string' || !EVENTS.has(event)) throw new ProtocolError('bad-field', 'invalid event', 'event');
  const offersRaw = obj.offers ?? [];
  if (!Array.isArray(offersRaw) || offersRaw.length > MAX_ANNOUNCE_PEERS) {
    throw new ProtocolError('bad-field', `invalid offers: a list of at most ${MAX_ANNOUNCE_PEERS}`, 'offers');
  }
  const offers = offersRaw.map((o) => {
    if (!isRecord(o)) throw new ProtocolError('bad-field', 'invalid offers: each must be {offer, offer_id}', 'offers');
    return { offer: sdp(o.offer, 'offer', 'offer'), offerId: binary20(o, 'offer_id') };
  });
  const left = leftBytes(obj);
  return {
    action: 'announce',
    infoHash,
    peerId,
    event: event as TrackerEvent,
    numwant: Math.min(count(obj, 'numwant'), MAX_ANNOUNCE_PEERS),
    left,
    uploaded: count(obj, 'uploaded'),
    downloaded: count(obj, 'downloaded'),
    offers,
  };
}

/** What the tracker sends. Binary-string fields are produced by hexToBinary. */
export type TrackerResponse =
  | { action: 'announce'; info_hash: string; interval: number; complete: number; incomplete: number }
  | { action: 'announce'; info_hash: string; peer_id: string; offer: Sdp; offer_id: string }
  | { action: 'announce'; info_hash: string; peer_id: string; answer: Sdp; offer_id: string }
  | { action: 'scrape'; files: Record<string, { complete: number; incomplete: number; downloaded: number }>; flags: { min_request_interval: number } }
  | { action?: 'announce' | 'scrape'; 'failure reason': string; info_hash?: string };

export function failure(reason: string, action?: 'announce' | 'scrape', infoHash?: string): TrackerResponse {
  const out: TrackerResponse = { 'failure reason': reason };
  if (action) out.action = action;
  if (infoHash) out.info_hash = hexToBinary(infoHash);
  return out;
}

/** Parse a tracker response (our client's side). Throws ProtocolError naming the problem. */
export function parseTrackerResponse(text: string): TrackerResponse {
  const obj = parseJsonObject(text, MAX_TRACKER_MESSAGE * 2);
  if (typeof obj['failure reason'] === 'string') {
    const out: TrackerResponse = { 'failure reason': obj['failure reason'].slice(0, 500) };
    if (obj.action === 'announce' || obj.action === 'scrape') out.action = obj.action;
    if (typeof obj.info_hash === 'string') out.info_hash = hexToBinary(binary20(obj, 'info_hash'));
    return out;
  }
  if (obj.action === 'scrape') {
    if (!isRecord(obj.files)) throw new ProtocolError('bad-field', 'invalid files', 'files');
    const files: Record<string, { complete: number; incomplete: number; downloaded: number }> = {};
    for (const [k, v] of Object.entries(obj.files)) {
      if (!isRecord(v)) throw new ProtocolError('bad-field', 'invalid files', 'files');
      files[k] = { complete: count(v, 'complete'), incomplete: count(v, 'incomplete'), downloaded: count(v, 'downloaded') };
    }
    return { action: 'scrape', files, flags: { min_request_interval: ANNOUNCE_INTERVAL } };
  }
  if (obj.action !== 'announce') throw new ProtocolError('unknown-type', 'invalid action in tracker response', 'action');
  const info_hash = hexToBinary(binary20(obj, 'info_hash'));
  if (obj.offer !== undefined) {
    return { action: 'announce', info_hash, peer_id: hexToBinary(binary20(obj, 'peer_id')), offer: sdp(obj.offer, 'offer', 'offer'), offer_id: hexToBinary(binary20(obj, 'offer_id')) };
  }
  if (obj.answer !== undefined) {
    return { action: 'announce', info_hash, peer_id: hexToBinary(binary20(obj, 'peer_id')), answer: sdp(obj.answer, 'answer', 'answer'), offer_id: hexToBinary(binary20(obj, 'offer_id')) };
  }
  return {
    action: 'announce',
    info_hash,
    interval: fieldInt(obj, 'interval', 1, 86_400),
    complete: count(obj, 'complete'),
    incomplete: count(obj, 'incomplete'),
  };
}
