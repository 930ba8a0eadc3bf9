/**
 * The signaling socket protocol (`GET /ws`): one JSON object per WebSocket text message.
 * Peers send ClientMessage; the edge sends ServerMessage. Both sides parse what they receive.
 */
import { MAX_SIGNAL_MESSAGE, PEER_ID_RE, ROOM_RE } from './constants';
import { ProtocolError, fieldInt, fieldString, isRecord, parseJsonObject, type ProtocolErrorCode } from './errors';

export type SignalData = Record<string, unknown>;

/** Peer → edge. */
export type ClientMessage =
  | { type: 'signal'; to: string; data: SignalData }
  | { type: 'bootstrap' }
  | { type: 'ping' };

/** Edge → peer. */
export type ServerMessage =
  | { type: 'welcome'; id: string; token: string; room: string; shard: number; shards: number }
  | { type: 'roster'; peers: string[] }
  | { type: 'peer-join'; id: string }
  | { type: 'peer-leave'; id: string }
  | { type: 'signal'; from: string; data: SignalData }
  | { type: 'bootstrap'; peers: string[] }
  | { type: 'error'; code: ProtocolErrorCode; message: string; field?: string }
  | { type: 'pong' }
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

/** Parse what a peer sent to the edge. Throws ProtocolError naming the problem. */
export function parseClientMessage(text: string): ClientMessage {
  const obj = parseJsonObject(text, MAX_SIGNAL_MESSAGE);
  switch (obj.type) {
    case 'signal':
      return { type: 'signal', to: fieldString(obj, 'to', PEER_ID_RE), data: signalData(obj) };
    case 'bootstrap':
      return { type: 'bootstrap' };
    case 'ping':
      return { type: 'ping' };
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${JSON.stringify(String(obj.type)).slice(0, 40)}`, 'type');
  }
}

const ERROR_CODES = new Set<ProtocolErrorCode>([
  'bad-json', 'unknown-type', 'bad-field', 'oversize', 'unknown-peer', 'rate-limited', 'bad-frame', 'bad-encoding',
]);

/** Parse what the edge sent to a peer. Throws ProtocolError naming the problem. */
export function parseServerMessage(text: string): ServerMessage {
  const obj = parseJsonObject(text, MAX_SIGNAL_MESSAGE * 2);
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
    case 'bootstrap':
      return { type: obj.type, peers: peerList(obj, 'peers') };
    case 'peer-join':
    case 'peer-leave':
      return { type: obj.type, id: fieldString(obj, 'id', PEER_ID_RE) };
    case 'signal':
      return { type: 'signal', from: fieldString(obj, 'from', PEER_ID_RE), data: signalData(obj) };
    case 'error': {
      const code = fieldString(obj, 'code') as ProtocolErrorCode;
      if (!ERROR_CODES.has(code)) throw new ProtocolError('bad-field', 'field "code" is not a known error code', 'code');
      const out: ServerMessage = { type: 'error', code, message: fieldString(obj, 'message', undefined, 2048) };
      if (obj.field !== undefined) out.field = fieldString(obj, 'field', undefined, 64);
      return out;
    }
    case 'pong':
      return { type: 'pong' };
    case 'bye':
      return { type: 'bye', code: fieldInt(obj, 'code', 1000, 4999), reason: fieldString(obj, 'reason', undefined, 123) };
    default:
      throw new ProtocolError('unknown-type', 'unknown message type', 'type');
  }
}

/** An error reply for a refused message. */
export function errorReply(err: ProtocolError): ServerMessage {
  const out: ServerMessage = { type: 'error', code: err.code, message: err.message };
  if (err.field !== undefined) out.field = err.field;
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

/** True when a simple-peer signal object starts a new connection (an SDP offer). */
export function isOffer(sig: Record<string, unknown>): boolean {
  return sig.type === 'offer';
}
