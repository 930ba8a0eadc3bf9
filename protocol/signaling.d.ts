import { ProtocolError, type ProtocolErrorCode } from './errors';
export type SignalData = Record<string, unknown>;
/** Peer → edge. */
export type ClientMessage = {
    type: 'signal';
    to: string;
    data: SignalData;
} | {
    type: 'bootstrap';
} | {
    type: 'ping';
};
/** Edge → peer. */
export type ServerMessage = {
    type: 'welcome';
    id: string;
    token: string;
    room: string;
    shard: number;
    shards: number;
} | {
    type: 'roster';
    peers: string[];
} | {
    type: 'peer-join';
    id: string;
} | {
    type: 'peer-leave';
    id: string;
} | {
    type: 'signal';
    from: string;
    data: SignalData;
} | {
    type: 'bootstrap';
    peers: string[];
} | {
    type: 'error';
    code: ProtocolErrorCode;
    message: string;
    field?: string;
} | {
    type: 'pong';
};
/** Parse what a peer sent to the edge. Throws ProtocolError naming the problem. */
export declare function parseClientMessage(text: string): ClientMessage;
/** Parse what the edge sent to a peer. Throws ProtocolError naming the problem. */
export declare function parseServerMessage(text: string): ServerMessage;
/** An error reply for a refused message. */
export declare function errorReply(err: ProtocolError): ServerMessage;
/**
 * What peers put inside `signal.data` to open a peer link: WebRTC session descriptions and
 * candidates from simple-peer, tagged with the link attempt they belong to, or a refusal.
 */
export type LinkSignal = {
    kind: 'rtc';
    link: string;
    sig: Record<string, unknown>;
} | {
    kind: 'refuse';
    link: string;
    reason: string;
};
export declare function parseLinkSignal(data: SignalData): LinkSignal;
/** True when a simple-peer signal object starts a new connection (an SDP offer). */
export declare function isOffer(sig: Record<string, unknown>): boolean;
