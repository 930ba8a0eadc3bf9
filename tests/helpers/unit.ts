/** Small helpers shared by the unit tests: seeded randomness and protocol-error inspection. */
import { expect } from '@playwright/test';
import { ProtocolError } from '../../protocol/errors';

export { seeded } from './seeded';

/** `n` deterministic pseudo-random bytes. */
export function pseudoBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The code and field of the ProtocolError that `fn` throws (fails the test if it throws none). */
export function protocolErrorOf(fn: () => unknown): { code: string; field: string | undefined } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return { code: (err as ProtocolError).code, field: (err as ProtocolError).field };
  }
  throw new Error('expected a ProtocolError');
}
