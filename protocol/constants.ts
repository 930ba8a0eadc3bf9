/** Limits and sizes shared by the edge and the browser peers. */

/** Chromium's SCTP maxMessageSize, measured: no data-channel message may exceed it. */
export const MAX_CHANNEL_MESSAGE = 262_144;
/** BitTorrent piece length (BEP 3 metainfo). */
export const PIECE_LENGTH = 262_144;
/** BitTorrent request/piece block size. */
export const BLOCK_LENGTH = 16_384;

/** Largest signaling-socket message the edge accepts, in bytes of UTF-8. */
export const MAX_SIGNAL_MESSAGE = 65_536;
/** Largest bootstrap sample the Lobby hands out. */
export const BOOTSTRAP_SAMPLE = 20;
/** Largest roster sent to a joining peer (presence events keep it current). */
export const MAX_ROSTER = 500;

/**
 * Presence in a room. Up to `fullUpTo` peers everyone sees everyone (a class room); beyond it
 * a peer sees the room's count and a partial view of at most `view` live peers, which the edge
 * keeps filled as peers leave and replaces when the peer asks (every `refreshMs` or so).
 * `supersPerLeaf`: how many super-peers a leaf of a large room is told (its rendezvous choices).
 * `refreshesPerSecond`: what a whole room asks of its Lobby at most: a member of a room of n
 * refreshes every max(refreshMs, n / refreshesPerSecond seconds), so 100,000 peers ask 200 a
 * second (every 500 s each), well under an object's 1,000 requests a second.
 */
export const PRESENCE = {
  fullUpTo: 32,
  view: 30,
  refreshMs: 60_000,
  refreshesPerSecond: 200,
  supersPerLeaf: 3,
} as const;

/** Close codes of the signaling socket (4000-4999 are application codes). */
export const CLOSE_CODES = {
  /** The same peer id connected again from a newer socket. */
  replaced: 4001,
  /** The socket missed its heartbeats. */
  stale: 4002,
  /** Too many messages: the socket exceeded its rate limit far beyond the burst. */
  rateLimited: 4029,
  /** Refused at the door: this address holds too many sockets in the room, or joined it too fast. */
  tooMany: 4008,
} as const;

/** Peer ids are nanoids assigned by the edge. */
export const PEER_ID_RE = /^[A-Za-z0-9_-]{21}$/;
/** Room names, from the page URL (?room=...). */
export const ROOM_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_ROOM = 'main';

/** Application-level heartbeat of the signaling socket. */
export const HEARTBEAT_MS = 10_000;
export const PING_TEXT = '{"type":"ping"}';
export const PONG_TEXT = '{"type":"pong"}';
