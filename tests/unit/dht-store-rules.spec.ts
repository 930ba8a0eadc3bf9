/** Who may `store` what at a node (by its ring view), and the per-link budget of stored records. */
import { expect, test } from '@playwright/test';
import { RateLimit } from '../../client/core/rate';
import { storeAllowed, type RingView } from '../../client/core/replicas';

const id = (n: number) => n.toString(16).padStart(2, '0').padEnd(40, '0');
// A ring of ten nodes at 10, 20, ..., 100 (hex); this node is 50, r = 3.
const N = (k: number) => id(k * 16);
const view: RingView = { self: N(5), pred: N(4), preds: [N(4), N(3), N(2)], succs: [N(6), N(7), N(8)], r: 3 };
const owned = id(5 * 16 - 1); // in (40, 50]
const replica = id(3 * 16 - 1); // in (20, 30]: a replica this node holds for its second predecessor
const outside = id(1 * 16 + 1); // in (10, 20]: not this node's

test('replicas: from a predecessor, for keys in the range this node holds', () => {
  expect(storeAllowed(view, N(4), 'replicate', owned)).toBe(true);
  expect(storeAllowed(view, N(3), 'replicate', replica)).toBe(true);
  expect(storeAllowed(view, N(2), 'replicate', replica)).toBe(true);
  expect(storeAllowed(view, N(4), 'replicate', outside)).toBe(false);
  // Not from a successor, nor from a node outside the neighbourhood.
  expect(storeAllowed(view, N(6), 'replicate', owned)).toBe(false);
  expect(storeAllowed(view, N(9), 'replicate', owned)).toBe(false);
});

test('handover from a successor, in range; leave from a predecessor, anything it held', () => {
  expect(storeAllowed(view, N(6), 'handover', owned)).toBe(true);
  expect(storeAllowed(view, N(6), 'handover', outside)).toBe(false);
  expect(storeAllowed(view, N(4), 'handover', owned)).toBe(false);
  expect(storeAllowed(view, N(4), 'leave', outside)).toBe(true);
  expect(storeAllowed(view, N(6), 'leave', owned)).toBe(false);
  expect(storeAllowed(view, N(9), 'leave', owned)).toBe(false);
});

test('a ring too small for a range: its predecessors may replicate anything; a successor it does not yet know as one may not', () => {
  const small: RingView = { self: N(5), pred: N(4), preds: [N(4), N(6)], succs: [N(6), N(4)], r: 3 };
  expect(storeAllowed(small, N(6), 'replicate', outside)).toBe(true);
  expect(storeAllowed(small, N(4), 'replicate', outside)).toBe(true);
  expect(storeAllowed(small, N(9), 'replicate', outside)).toBe(false);
  // Predecessors not known yet (a node that just joined): only its predecessor.
  const young: RingView = { self: N(5), pred: N(4), preds: [], succs: [N(6), N(7), N(8)], r: 3 };
  expect(storeAllowed(young, N(4), 'replicate', outside)).toBe(true);
  expect(storeAllowed(young, N(6), 'replicate', owned)).toBe(false);
  expect(storeAllowed(young, N(6), 'handover', outside)).toBe(true);
});

test('a budget gives its burst, then its rate, and refuses without going into debt', () => {
  const b = new RateLimit(100, 8);
  expect(b.take(800, 1_000)).toBe(true);
  expect(b.take(1, 1_000)).toBe(false);
  // A refusal spends nothing: half a second later, 50 are there.
  expect(b.take(51, 1_500)).toBe(false);
  expect(b.take(50, 1_500)).toBe(true);
  // Never more than the burst, however long it rests.
  expect(b.take(801, 100_000)).toBe(false);
  expect(b.take(800, 100_000)).toBe(true);
  expect(new RateLimit().take(1e9, 0)).toBe(true);
});
