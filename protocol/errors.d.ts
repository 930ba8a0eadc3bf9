/** Every reason an inbound message can be refused, named so that a reply can say which. */
export type ProtocolErrorCode = 'bad-json' | 'unknown-type' | 'bad-field' | 'oversize' | 'unknown-peer' | 'rate-limited' | 'bad-frame';
export declare class ProtocolError extends Error {
    readonly code: ProtocolErrorCode;
    readonly field: string | undefined;
    constructor(code: ProtocolErrorCode, message: string, field?: string);
}
/** Field checks used by every parser: each throws a `bad-field` error naming the field. */
export declare function fieldString(obj: Record<string, unknown>, field: string, re?: RegExp, maxLength?: number): string;
export declare function fieldInt(obj: Record<string, unknown>, field: string, min: number, max: number): number;
export declare function isRecord(v: unknown): v is Record<string, unknown>;
/** JSON text to an object, refusing oversize text and non-objects with named errors. */
export declare function parseJsonObject(text: string, maxBytes: number): Record<string, unknown>;
