/**
 * The put / get form's operations apart from the form: the form's own checks, the call to the
 * DHT, and what came of it as a result to show (`state` pending/ok/missing/error) and the key to
 * mark on the ring. No DOM: dht-form.tsx shows the result.
 */
import type { DhtApi } from '../api';
import { keyId, utf8Length } from '../../protocol/dht';
import { safe } from './svg';
import { hopsBetween, precheck, readableDhtError } from './dht-text';
import type { MarkedKey } from './ring-inputs';

export type DhtOpKind = 'put' | 'get';

export type DhtResult =
  | { state: 'pending'; op: DhtOpKind; key: string }
  /** `field`: the field to fix (the form's own checks only). */
  | { state: 'error'; text: string; field?: 'key' | 'value' }
  | { state: 'ok'; op: 'put'; key: string; owner: string; you: boolean; hops: number; ms: number }
  | { state: 'ok'; op: 'get'; key: string; value: string; bytes: number; hops: number | null }
  | { state: 'missing'; key: string; hops: number | null };

/** The form's own checks before anything leaves: an error result naming the field to fix, or null. */
export function checkOp(op: DhtOpKind, key: string, value: string): DhtResult | null {
  const problem = precheck(key, op === 'put' ? value : null);
  if (problem) return { state: 'error', text: problem, field: key.length === 0 || op === 'get' ? 'key' : 'value' };
  return null;
}

/**
 * Put or get `key` (a checked one) through `dht` (null: not running here): the result, and the
 * key to mark on the ring (with its owner after a put; none after a failure).
 */
export async function runOp(dht: DhtApi | null, op: DhtOpKind, key: string, value: string, selfPeer: string): Promise<{ result: DhtResult; marker: MarkedKey | null }> {
  if (!dht) return { result: { state: 'error', text: 'The DHT is not running in this tab.' }, marker: null };
  try {
    if (op === 'put') {
      const r = await dht.put(key, value);
      return {
        result: { state: 'ok', op: 'put', key, owner: r.owner, you: r.owner === selfPeer, hops: r.hops, ms: r.ms },
        marker: { key, id: keyId(key), owner: r.owner },
      };
    }
    // get() tells no hops: read them off this tab's lookup counters around the call.
    const before = safe(() => dht.stats());
    const v = await dht.get(key);
    const hops = hopsBetween(before, safe(() => dht.stats()));
    const result: DhtResult = v === null ? { state: 'missing', key, hops } : { state: 'ok', op: 'get', key, value: v, bytes: utf8Length(v), hops };
    return { result, marker: { key, id: keyId(key) } };
  } catch (err) {
    return { result: { state: 'error', text: readableDhtError(err) }, marker: null };
  }
}
