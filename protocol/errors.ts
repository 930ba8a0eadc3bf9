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

/** JSON text to an object, refusing oversize text and non-objects with named errors. */
export function parseJsonObject(text: string, maxBytes: number): Record<string, unknown> {
  // UTF-8 length is at most 3 bytes per UTF-16 unit: skip the exact count when clearly small.
  if (text.length * 3 > maxBytes && new TextEncoder().encode(text).length > maxBytes) {
    throw new ProtocolError('oversize', `message is larger than ${maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('bad-json', 'message is not valid JSON');
  }
  if (!isRecord(value)) throw new ProtocolError('bad-json', 'message must be a JSON object');
  return value;
}
