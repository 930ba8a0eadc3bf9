import { expect, test } from '@playwright/test';
import { backoffDelay } from '../../client/core/backoff';
import { Emitter } from '../../client/core/emitter';
import { decideOffer, idleLinks, keepsNewer } from '../../client/core/links';

test('backoff grows exponentially, is capped, and is jittered', () => {
  expect(backoffDelay(0, () => 0)).toBe(250);
  expect(backoffDelay(0, () => 1)).toBe(500);
  expect(backoffDelay(3, () => 0)).toBe(2000);
  expect(backoffDelay(3, () => 1)).toBe(4000);
  expect(backoffDelay(50, () => 1)).toBe(30_000);
  expect(backoffDelay(50, () => 0)).toBe(15_000);
  const spread = new Set(Array.from({ length: 50 }, (_, i) => backoffDelay(4, () => i / 50)));
  expect(spread.size).toBeGreaterThan(40);
});

test.describe('glare resolution', () => {
  const small = 'aaaaaaaaaaaaaaaaaaaaa';
  const big = 'zzzzzzzzzzzzzzzzzzzzz';

  test('no link yet: accept, unless at the cap', () => {
    expect(decideOffer(small, big, 'n1', undefined, 0, 5)).toBe('accept');
    expect(decideOffer(small, big, 'n1', undefined, 5, 5)).toBe('refuse');
  });

  test('both sides offered at once: the smaller id wins on both sides', () => {
    // small holds its own pending offer "s", big's offer "b" arrives: small ignores it.
    expect(decideOffer(small, big, 'b', { nonce: 's', initiator: true, open: false }, 1, 5)).toBe('ignore');
    // big holds its pending offer "b", small's offer "s" arrives: big gives way.
    expect(decideOffer(big, small, 's', { nonce: 'b', initiator: true, open: false }, 1, 5)).toBe('replace');
  });

  test('renegotiation of the same attempt is forwarded; a restarted peer replaces the old link', () => {
    expect(decideOffer(small, big, 'n1', { nonce: 'n1', initiator: false, open: true }, 1, 5)).toBe('forward');
    expect(decideOffer(small, big, 'n2', { nonce: 'n1', initiator: true, open: true }, 5, 5)).toBe('replace');
    expect(decideOffer(small, big, 'n2', { nonce: 'n1', initiator: false, open: false }, 1, 5)).toBe('replace');
  });
});

test('idle links: those quiet for idleMs, most idle first', () => {
  const links = [
    { id: 'a', lastActivity: 1000 },
    { id: 'b', lastActivity: 100 },
    { id: 'c', lastActivity: 9000 },
  ];
  expect(idleLinks(links, 10_000, 5000)).toEqual(['b', 'a']);
  expect(idleLinks(links, 10_000, 60_000)).toEqual([]);
});

test('emitter: handlers run, unsubscribe works, a throwing handler does not stop the others', () => {
  const e = new Emitter<{ x: number }>();
  const seen: number[] = [];
  const off = e.on('x', (v) => seen.push(v));
  e.on('x', () => {
    throw new Error('boom');
  });
  e.on('x', (v) => seen.push(v * 10));
  const orig = console.error;
  console.error = () => {};
  e.emit('x', 1);
  off();
  e.emit('x', 2);
  console.error = orig;
  expect(seen).toEqual([1, 10, 20]);
});

test('two connections to one peer: both sides keep the one the smaller peer id opened', () => {
  const [small, large] = ['aa'.repeat(20), 'bb'.repeat(20)];
  // Connection X opened by `small`, Y by `large`; each side saw them in either order.
  for (const xFirst of [true, false]) {
    // small's view: X is ours.
    const smallKeepsY = xFirst ? keepsNewer(small, large, true, false) : !keepsNewer(small, large, false, true);
    // large's view: Y is ours.
    const largeKeepsY = xFirst ? keepsNewer(large, small, false, true) : !keepsNewer(large, small, true, false);
    expect(smallKeepsY).toBe(false);
    expect(largeKeepsY).toBe(false);
  }
  // Two opened by the same side: the older stays.
  expect(keepsNewer(small, large, true, true)).toBe(false);
  expect(keepsNewer(small, large, false, false)).toBe(false);
});
