/** Every reason an inbound message can be refused, named so that a reply can say which. */
export type ProtocolErrorCode =
  | 'bad-json'
  | 'unknown-type'
  | 'bad-field'
  | 'oversize'
  | 'unknown-peer'
  | 'rate-limited'
  | 'bad-frame'
  | 'bad-encoding'
  /** A service the edge needs for this request (the Napster index) cannot be reached. */
  | 'unavailable';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly field: string | undefined;
  constructor(code: ProtocolErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.field = field;
  }
}

/** Field checks used by every parser: each throws a `bad-field` error naming the field. */
export function fieldString(obj: Record<string, unknown>, field: string, re?: RegExp, maxLength = 1024): string {
  const v = obj[field];
  if (typeof v !== 'string') throw new ProtocolError('bad-field', `field "${field}" must be a string`, field);
  if (v.length > maxLength) throw new ProtocolError('bad-field', `field "${field}" is longer than ${maxLength}`, field);
  if (re && !re.test(v)) throw new ProtocolError('bad-field', `field "${field}" is malformed`, field);
  return v;
}

export function fieldInt(obj: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProtocolError('bad-field', `field "${field}" must be an integer in [${min}, ${max}]`, field);
  }
  return v;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * How deep JSON may nest in any message (objects and arrays). Every message of ours nests a
 * handful of levels; a limit checked before parsing keeps recursive code downstream (structured
 * clone of a relayed signal, JSON.stringify, field walkers) from overflowing the stack.
 */
export const MAX_JSON_DEPTH = 16;

/**
 * The deepest nesting of `[`/`{` in JSON text, counting no further than `max + 1`: one pass,
 * no recursion, brackets inside strings ignored.
 */
export function jsonDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * A short, safe description of any value for an error message: never calls the value's own
 * methods (`{"toString": 1}` must not throw), at most 40 characters.
 */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 32));
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * JSON text to an object, refusing oversize text, nesting deeper than `maxDepth` and non-objects
 * with named errors. Never throws anything but ProtocolError.
 */
export function parseJsonObject(text: string, maxBytes: number, maxDepth = MAX_JSON_DEPTH): Record<string, unknown> {
  // UTF-8 length is at most 3 bytes per UTF-16 unit: skip the exact count when clearly small.
  if (text.length * 3 > maxBytes && new TextEncoder().encode(text).length > maxBytes) {
    throw new ProtocolError('oversize', `message is larger than ${maxBytes} bytes`);
  }
  if (jsonDepth(text, maxDepth) > maxDepth) throw new ProtocolError('bad-json', `message nests deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('bad-json', 'message is not valid JSON');
  }
  if (!isRecord(value)) throw new ProtocolError('bad-json', 'message must be a JSON object');
  return value;
}
