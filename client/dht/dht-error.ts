/**
 * The errors of the DHT node. Every failure carries a code, and what to do about one (try a
 * lookup again, give up) is decided on the code alone, never on the text.
 *
 * A `reply` on the wire carries a text only (protocol/dht.ts has no code field). Of the failures
 * another node reports, the two a lookup must tell apart are sent with fixed texts (WIRE_TEXT) and
 * recognised by exact match, here and nowhere else; any other refusal is 'refused'.
 */
import { DHT_LIMITS } from '../../protocol/dht';

export type DhtErrorCode =
  /** No answer in time (a lookup, a join, a state request). */
  | 'timeout'
  /** A node on the way had no live next hop (the ring is being repaired). */
  | 'no-route'
  /** The link to a next hop could not be opened, or the message not handed to it. */
  | 'unreachable'
  /** The route passed DHT_LIMITS.maxHops and was dropped (a ring in repair can loop). */
  | 'too-many-hops'
  /** The key's owner refused the operation (the other kind, a bad signature, a record rule). */
  | 'refused'
  /** This node left: what it waited for will not come. */
  | 'closed'
  /** Something unexpected failed at this node (storage, a verifier): not a DhtError. */
  | 'internal';

export class DhtError extends Error {
  override name = 'DhtError';

  constructor(
    readonly code: DhtErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The texts another node's `reply` carries for the failures a lookup must recognise. */
const WIRE_TEXT = {
  'no-route': 'no route: the ring has no live next hop',
  'too-many-hops': 'too many hops: the ring is being repaired, try again',
} as const satisfies Partial<Record<DhtErrorCode, string>>;

type WireCode = keyof typeof WIRE_TEXT;

/** Lookups that failed with these are tried again (see DhtRouting.lookup); the rest fail at once. */
const RETRY: ReadonlySet<DhtErrorCode> = new Set<DhtErrorCode>(['timeout', 'no-route', 'unreachable', 'internal']);

export function retryable(code: DhtErrorCode): boolean {
  return RETRY.has(code);
}

/** The code of anything thrown: a DhtError's own, 'internal' for any other error. */
export function codeOf(err: unknown): DhtErrorCode {
  return err instanceof DhtError ? err.code : 'internal';
}

/** One of the failures whose text goes on the wire. */
export function wireError(code: WireCode): DhtError {
  return new DhtError(code, WIRE_TEXT[code]);
}

/** The `error` text of a `reply` for what was thrown while carrying out a route. */
export function replyText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, DHT_LIMITS.error);
}

/** The error of a `reply` with ok false, as its text names it. */
export function replyError(text: string | undefined): DhtError {
  for (const code of Object.keys(WIRE_TEXT) as WireCode[]) if (text === WIRE_TEXT[code]) return wireError(code);
  return new DhtError('refused', text ?? 'refused');
}
