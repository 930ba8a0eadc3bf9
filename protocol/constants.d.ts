/** Limits and sizes shared by the edge and the browser peers. */
/** Chromium's SCTP maxMessageSize, measured: no data-channel message may exceed it. */
export declare const MAX_CHANNEL_MESSAGE = 262144;
/** BitTorrent piece length (BEP 3 metainfo). */
export declare const PIECE_LENGTH = 262144;
/** BitTorrent request/piece block size. */
export declare const BLOCK_LENGTH = 16384;
/** Largest signaling-socket message the edge accepts, in bytes of UTF-8. */
export declare const MAX_SIGNAL_MESSAGE = 65536;
/** Largest bootstrap sample the Lobby hands out. */
export declare const BOOTSTRAP_SAMPLE = 20;
/** Largest roster sent to a joining peer (presence events keep it current). */
export declare const MAX_ROSTER = 500;
/** Close codes of the signaling socket (4000-4999 are application codes). */
export declare const CLOSE_CODES: {
    /** The same peer id connected again from a newer socket. */
    readonly replaced: 4001;
    /** The socket missed its heartbeats. */
    readonly stale: 4002;
    /** Too many messages: the socket exceeded its rate limit far beyond the burst. */
    readonly rateLimited: 4029;
};
/** Peer ids are nanoids assigned by the edge. */
export declare const PEER_ID_RE: RegExp;
/** Room names, from the page URL (?room=...). */
export declare const ROOM_RE: RegExp;
export declare const DEFAULT_ROOM = "main";
/** Application-level heartbeat of the signaling socket. */
export declare const HEARTBEAT_MS = 10000;
export declare const PING_TEXT = "{\"type\":\"ping\"}";
export declare const PONG_TEXT = "{\"type\":\"pong\"}";
