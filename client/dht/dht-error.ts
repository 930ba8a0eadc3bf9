/**
 * The errors of the DHT node. Every failure carries a code, and what to do about one (try a
 * lookup again, give up) is decided on the code alone, never on the text.
 *
 * A failed `reply` on the wire carries both (protocol/dht.ts `error` and `code`): the node that
 * asked takes the code as the parser gave it ('unknown' for one it does not know), and the words
 * only to show.
 */
import { DHT_LIMITS, type DhtReplyCode } from '../../protocol/dht';

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
  | 'internal'
  /**
   * Another node's reply failed with a code this node does not know, or none (a peer of an
   * older or newer version): its words are shown as they came. Not tried again, as a refusal
   * was before replies had codes.
   */
  | 'unknown';

export class DhtError extends Error {
  override name = 'DhtError';

  constructor(
    readonly code: DhtErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Fixed texts of the failures a node reports for routes it cannot carry out. */
const WIRE_TEXT = {
  'no-route': 'no route: the ring has no live next hop',
  'too-many-hops': 'too many hops: the ring is being repaired, try again',
} as const satisfies Partial<Record<DhtErrorCode, string>>;

/** Lookups that failed with these are tried again (see DhtRouting.lookup); the rest fail at once. */
const RETRY: ReadonlySet<DhtErrorCode> = new Set<DhtErrorCode>(['timeout', 'no-route', 'unreachable', 'internal']);

export function retryable(code: DhtErrorCode): boolean {
  return RETRY.has(code);
}

/** The code of anything thrown: a DhtError's own, 'internal' for any other error. */
export function codeOf(err: unknown): DhtErrorCode {
  return err instanceof DhtError ? err.code : 'internal';
}

/** A failure with its fixed text. */
export function wireError(code: keyof typeof WIRE_TEXT): DhtError {
  return new DhtError(code, WIRE_TEXT[code]);
}

/** The `error` and `code` of a `reply` for what was thrown while carrying out a route. */
export function replyFailure(err: unknown): { error: string; code: DhtReplyCode } {
  const code = codeOf(err);
  return { error: (err instanceof Error ? err.message : String(err)).slice(0, DHT_LIMITS.error), code: code === 'closed' ? 'internal' : code };
}

/** The error of a `reply` with ok false: its code as it came ('unknown' when it has none), and its text as the message. */
export function replyError(reply: { error?: string; code?: DhtReplyCode }): DhtError {
  return new DhtError(reply.code ?? 'unknown', reply.error ?? 'refused');
}
