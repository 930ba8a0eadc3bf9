/** The DHT ring card's pure parts: its errors in words (by code), the form's checks, when the drawing is redrawn, the legend. */
import { expect, test } from '@playwright/test';
import { clip, dhtCodeOf, heldText, hopsBetween, pct, precheck, readableDhtError } from '../../client/ui/dht-text';
import { sameRingInputs, type RingInputs } from '../../client/ui/ring-inputs';
import { legendKinds } from '../../client/ui/ring-captions';
import { DhtError, wireError } from '../../client/dht/dht-error';
import { ProtocolError } from '../../protocol/errors';
import type { DhtRingView } from '../../client/api';
import type { LaidNode } from '../../client/ui/ring-layout';
import { ringInputs, ringRef, ringView } from '../helpers/ring-views';

const HINT = ': the ring may be repairing itself; try again in a moment.';

test('a DHT error in words: the hint to try again is decided by the code', () => {
  expect(readableDhtError(new DhtError('timeout', 'lookup of 12345678 timed out'))).toBe(`Lookup of 12345678 timed out${HINT}`);
  expect(readableDhtError(wireError('no-route'))).toBe(`No route: the ring has no live next hop${HINT}`);
  // A refusal that names "timed out" in its text is still a refusal: no hint.
  expect(readableDhtError(new DhtError('refused', 'key "timed out" holds a set, not a value'))).toBe('Key "timed out" holds a set, not a value.');
  expect(readableDhtError(wireError('too-many-hops'))).toBe('Too many hops: the ring is being repaired, try again.');
  expect(readableDhtError(new DhtError('closed', 'the DHT node left'))).toBe('The DHT node left.');
  // A failure another node reported with a code this one does not know: its words, no hint.
  expect(readableDhtError(new DhtError('unknown', 'no route: the ring has no live next hop'))).toBe('No route: the ring has no live next hop.');
});

test('a DHT error without a code: never a hint, whatever its words; a bad field reads as a sentence', () => {
  expect(readableDhtError(new Error('lookup timed out'))).toBe('Lookup timed out.');
  expect(readableDhtError({ message: 'no route to it' })).toBe('No route to it.');
  expect(readableDhtError(new Error('this tab runs no DHT node (opened with ?overlays=0)'))).toBe('This tab runs no DHT node (opened with ?overlays=0).');
  expect(readableDhtError(new ProtocolError('bad-field', 'field "value" is larger than 16384 bytes', 'value'))).toBe('The value is larger than 16 KiB (16384 bytes).');
  expect(readableDhtError(new ProtocolError('bad-field', 'field "key" is longer than 256 characters', 'key'))).toBe('The key is longer than 256 characters.');
  expect(readableDhtError(null)).toBe('Null.');
  expect(readableDhtError(new Error('  '))).toBe('Unknown error.');
  expect(readableDhtError('Done!')).toBe('Done!');
});

test('the code of a DHT error: only a DhtError’s codes count', () => {
  expect(dhtCodeOf(new DhtError('unreachable', 'peer x cannot be reached'))).toBe('unreachable');
  expect(dhtCodeOf({ code: 'timeout', message: 'm' })).toBe('timeout');
  expect(dhtCodeOf(new DhtError('unknown', 'm'))).toBe('unknown');
  expect(dhtCodeOf(new ProtocolError('bad-field', 'field "key" must be a non-empty string', 'key'))).toBeNull();
  expect(dhtCodeOf(new Error('x'))).toBeNull();
  expect(dhtCodeOf(undefined)).toBeNull();
  expect(dhtCodeOf({ code: 7 })).toBeNull();
});

test('the form’s own checks: a key, not too long, a value of at most 16 KiB', () => {
  expect(precheck('', 'v')).toBe('Type a key first.');
  expect(precheck('k'.repeat(257), null)).toBe('The key is 257 characters long; a key has at most 256.');
  expect(precheck('😀'.repeat(256), null)).toBeNull();
  expect(precheck('k', 'x'.repeat(16 * 1024))).toBeNull();
  expect(precheck('k', 'x'.repeat(16 * 1024 + 1))).toBe('The value is too large: 16.0 KiB (16385 bytes); the DHT stores values of at most 16 KiB (16384 bytes).');
  // A get has no value to check.
  expect(precheck('k', null)).toBeNull();
});

test('the card’s small texts: held keys, shares of the ring, clipped keys, a get’s hops', () => {
  expect(heldText({})).toBe('');
  expect(heldText({ held: 999 })).toBe('999');
  expect(heldText({ held: 1234 })).toBe('1.2k');
  expect(heldText({ held: 12_345 })).toBe('12k');
  expect(pct(90)).toBe('25.0 %');
  expect(pct(0.18)).toBe('0.050 %');
  expect(clip('greeting', 14)).toBe('greeting');
  expect(clip('a very long key indeed', 8)).toBe('a very …');
  expect(clip('😀😀😀', 2)).toBe('😀…');
  expect(hopsBetween({ lookups: 2, avgHops: 1.5 }, { lookups: 3, avgHops: 2 })).toBe(3);
  expect(hopsBetween({ lookups: 2, avgHops: 1 }, { lookups: 4, avgHops: 1 })).toBeNull();
  expect(hopsBetween(undefined, { lookups: 1, avgHops: 1 })).toBeNull();
});

const ref = ringRef;
const view = ringView;
const inputs = ringInputs;

test('the ring is redrawn only when what it is drawn from changed', () => {
  expect(sameRingInputs(null, inputs())).toBe(false);
  // Equal, though other objects (each ring() call makes new ones).
  expect(sameRingInputs(inputs(), inputs())).toBe(true);
  expect(sameRingInputs(inputs(), inputs({ w: 421 }))).toBe(false);
  expect(sameRingInputs(inputs(), inputs({ h: 300 }))).toBe(false);
  expect(sameRingInputs(inputs(), inputs({ aloneInRoom: true }))).toBe(false);
  const marker = { key: 'greeting', id: 'd'.repeat(40) };
  expect(sameRingInputs(inputs({ marker }), inputs({ marker: { ...marker } }))).toBe(true);
  expect(sameRingInputs(inputs({ marker }), inputs())).toBe(false);
  expect(sameRingInputs(inputs({ marker }), inputs({ marker: { ...marker, owner: 'peerB' } }))).toBe(false);
  const changed: ((v: DhtRingView) => void)[] = [
    (v) => (v.held = 4),
    (v) => (v.owned = 3),
    (v) => (v.self = ref('peerA', 'a'.repeat(40), 4)),
    (v) => (v.predecessor = null),
    (v) => (v.successors = [...v.successors, ref('peerC', 'c'.repeat(40), 1)]),
    (v) => (v.predecessors = []),
    (v) => (v.fingers = [ref('peerC', 'c'.repeat(40), 1)]),
    (v) => (v.nodes = [v.nodes[0]!, ref('peerB', 'b'.repeat(40), 0), v.nodes[2]!]),
    (v) => (v.nodes = [v.nodes[0]!, ref('peerX', 'b'.repeat(40)), v.nodes[2]!]),
  ];
  for (const change of changed) {
    const next = inputs();
    change(next.view);
    expect(sameRingInputs(inputs(), next)).toBe(false);
  }
});

test('the legend shows what the drawing shows', () => {
  const node = (peer: string, role: LaidNode['role'], finger = false) => ({ peer, role, finger, self: role === 'self' }) as LaidNode;
  const alone = legendKinds({ nodes: [node('A', 'self')], marker: null }, null);
  expect([...alone].sort()).toEqual(['held', 'own', 'self']);
  const ring = legendKinds(
    { nodes: [node('A', 'self'), node('B', 'successor', true), node('C', 'predecessor')], marker: { id: 'd'.repeat(40), text: '“k”', angle: 0, x: 0, y: 0 } },
    { key: 'k', id: 'd'.repeat(40), owner: 'C' },
  );
  expect([...ring].sort()).toEqual(['chord', 'held', 'marker', 'own', 'owner', 'predecessor', 'range', 'self', 'successor']);
  // An owner the drawing does not show is not in the legend.
  expect(legendKinds({ nodes: [node('A', 'self'), node('B', 'other')], marker: null }, { key: 'k', id: 'x', owner: 'Z' }).has('owner')).toBe(false);
});
