/** The pure decisions of DHT ring upkeep: whom to join and check through, predecessor lists, ring checks, a leaver's gap. */
import { expect, test } from '@playwright/test';
import { checkContact, closeGap, joinContact, predecessorList, ringCheckVerdict } from '../../client/dht/dht-upkeep';
import { seeded } from '../helpers/unit';

test('a node joins through the oldest peer online, then the next after each failure', () => {
  const others = ['old', 'mid', 'new'];
  expect([0, 1, 2, 3, 4].map((f) => joinContact(others, f))).toEqual(['old', 'mid', 'new', 'old', 'mid']);
  expect(joinContact([], 0)).toBeUndefined();
  expect(joinContact([], 5)).toBeUndefined();
});

test('a ring check asks a peer at random (the rng decides)', () => {
  const others = ['a', 'b', 'c', 'd'];
  expect(checkContact(others, () => 0)).toBe('a');
  expect(checkContact(others, () => 0.999)).toBe('d');
  expect(checkContact(others, () => 0.5)).toBe('c');
  expect(checkContact([], () => 0.5)).toBeUndefined();
  const rng = seeded(7);
  const seen = new Set(Array.from({ length: 200 }, () => checkContact(others, rng)));
  expect([...seen].sort()).toEqual(others);
});

test('the predecessor list: the predecessor and its own list, without self or repeats, at most r', () => {
  expect(predecessorList('S', 'P1', ['P2', 'P3', 'P4'], 3)).toEqual(['P1', 'P2', 'P3']);
  // A ring of three: the predecessor's list comes round to self.
  expect(predecessorList('S', 'P1', ['P2', 'S', 'P1'], 3)).toEqual(['P1', 'P2']);
  expect(predecessorList('S', 'P1', ['P1', 'P1'], 3)).toEqual(['P1']);
  expect(predecessorList('S', 'P1', [], 1)).toEqual(['P1']);
});

test('a ring check rejoins after two wrong answers in a row, and a right one resets the count', () => {
  expect(ringCheckVerdict(false, 0)).toEqual({ wrong: 1, rejoin: false });
  expect(ringCheckVerdict(false, 1)).toEqual({ wrong: 0, rejoin: true });
  expect(ringCheckVerdict(true, 1)).toEqual({ wrong: 0, rejoin: false });
  const run = (answers: boolean[]) => {
    let wrong = 0;
    return answers.map((right) => {
      const v = ringCheckVerdict(right, wrong);
      wrong = v.wrong;
      return v.rejoin;
    });
  };
  expect(run([false, true, false, false, true])).toEqual([false, false, false, true, false]);
  expect(run([false, false, false, false])).toEqual([false, true, false, true]);
  expect(run([true, true, false, true, false])).toEqual([false, false, false, false, false]);
});

test('a leaving neighbour: its successors replace it as successor, its predecessor as predecessor', () => {
  const both = { succ: true, pred: true };
  expect(closeGap('S', 'L', both, 'P', ['L', 'S', 'N1', 'N2', 'N3', 'N4'], 3)).toEqual({ successors: ['N1', 'N2', 'N3'], predecessor: 'P' });
  // It was neither: nothing changes beyond dropping it.
  expect(closeGap('S', 'L', { succ: false, pred: false }, 'P', ['N1'], 3)).toEqual({ successors: null, predecessor: null });
  // A ring of two: its predecessor is self, its successors only self.
  expect(closeGap('S', 'L', both, 'S', ['S'], 3)).toEqual({ successors: null, predecessor: null });
  expect(closeGap('S', 'L', both, null, [], 3)).toEqual({ successors: null, predecessor: null });
});
