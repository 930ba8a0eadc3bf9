/**
 * The DHT card's words: a put/get error as a sentence, the form's own checks, held-key counts,
 * shares of the ring, clipped keys, the hops of a get. Pure.
 */
import { DHT_LIMITS, utf8Length } from '../../protocol/dht';
import type { DhtErrorCode } from '../api';
import { formatBytes } from './dom';

/** Every code of a DhtError (a code added there and not here fails the typecheck). */
const DHT_CODES: ReadonlySet<string> = new Set(
  Object.keys({ timeout: 1, 'no-route': 1, unreachable: 1, 'too-many-hops': 1, refused: 1, closed: 1, internal: 1, unknown: 1 } satisfies Record<DhtErrorCode, 1>),
);
/** Failures of a ring in repair: worth a try again in a moment. */
const REPAIRING: ReadonlySet<DhtErrorCode> = new Set<DhtErrorCode>(['timeout', 'no-route']);
const REPAIR_HINT = ': the ring may be repairing itself; try again in a moment';

export const short6 = (id: string): string => id.slice(0, 6);

/** A share of the ring in degrees as a percentage (more digits for a sliver). */
export const pct = (deg: number): string => `${((deg / 360) * 100).toFixed(deg / 360 < 0.001 ? 3 : 1)} %`;

/** The code of a DHT error (DhtError.code), or null for anything else (a bad field, a plain Error). */
export function dhtCodeOf(err: unknown): DhtErrorCode | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DHT_CODES.has(code) ? (code as DhtErrorCode) : null;
}

/** Whether the failure is one of a ring in repair: by its code alone (one without a code is not a ring's). */
function repairing(err: unknown): boolean {
  const code = dhtCodeOf(err);
  return code !== null && REPAIRING.has(code);
}

/** A sentence for an error of put/get: the API's own reason, without the parser's jargon. */
export function readableDhtError(err: unknown): string {
  const message = ((err as { message?: string } | null)?.message ?? String(err)).trim() || 'Unknown error';
  const field = /^field "([^"]+)" ([\s\S]*)$/.exec(message);
  let text = field ? `The ${field[1]} ${field[2]}` : message;
  text = text.replace(/larger than (\d+) bytes/, (all, n: string) => (Number(n) === DHT_LIMITS.value ? `larger than 16 KiB (${n} bytes)` : all));
  if (repairing(err)) text += REPAIR_HINT;
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The form's own checks, with the sizes a person reads (the API checks again); null when fine. */
export function precheck(key: string, value: string | null): string | null {
  if (key.length === 0) return 'Type a key first.';
  if ([...key].length > DHT_LIMITS.key) return `The key is ${[...key].length} characters long; a key has at most ${DHT_LIMITS.key}.`;
  if (value !== null) {
    const bytes = utf8Length(value);
    if (bytes > DHT_LIMITS.value) {
      return `The value is too large: ${formatBytes(bytes)} (${bytes} bytes); the DHT stores values of at most 16 KiB (${DHT_LIMITS.value} bytes).`;
    }
  }
  return null;
}

/** Keys held, short enough for a node's circle: 999, 1.2k, 12k; '' when not known. */
export function heldText(n: { held?: number }): string {
  if (n.held === undefined) return '';
  return n.held >= 10_000 ? `${Math.floor(n.held / 1000)}k` : n.held >= 1000 ? `${(n.held / 1000).toFixed(1)}k` : String(n.held);
}

/** At most `max` characters (code points), the last one an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/**
 * The hops of one get, read off the lookup counters before and after it (get() tells no hops):
 * null unless exactly one lookup happened in between.
 */
export function hopsBetween(before: { lookups: number; avgHops: number } | undefined, after: { lookups: number; avgHops: number } | undefined): number | null {
  if (!before || !after || after.lookups - before.lookups !== 1) return null;
  return Math.round(after.avgHops * after.lookups - before.avgHops * before.lookups);
}
