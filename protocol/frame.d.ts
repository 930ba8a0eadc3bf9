export declare const FLAG_FIN = 1;
export declare const MAX_TAG = 64;
/** Largest message a receiver reassembles (bigger ones are refused as bad frames). */
export declare const MAX_REASSEMBLED: number;
export declare function isValidTag(tag: string): boolean;
/** Split one message into frames of at most `maxFrame` bytes. */
export declare function encodeFrames(tag: string, payload: Uint8Array, maxFrame?: number): Uint8Array[];
export interface Frame {
    fin: boolean;
    tag: string;
    payload: Uint8Array;
}
export declare function decodeFrame(bytes: Uint8Array): Frame;
/** Joins fragments back into messages, per channel tag. */
export declare class Reassembler {
    private readonly partial;
    /** Feed one frame; returns the completed message, if this frame completed one. */
    push(bytes: Uint8Array): {
        tag: string;
        payload: Uint8Array;
    } | null;
    /** Bytes held in unfinished messages. */
    pending(): number;
}
