import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import { Availability } from '../../client/core/picker';
import { DECLINE_MS, MAX_OFFERS, MIN_OFFERS, offerDepth, STARVED_MS, SuperSeed } from '../../client/core/super-seed';
import { askable } from '../../client/bittorrent/request-rules';
import { seeded } from '../helpers/unit';

const PL = 256 * 1024;

test('offer depth: one piece while choked, a second of pieces plus one while unchoked, clamped', () => {
  expect(offerDepth(10 * PL, PL, false)).toBe(1);
  expect(offerDepth(0, PL, true)).toBe(MIN_OFFERS);
  expect(offerDepth(Number.NaN, PL, true)).toBe(MIN_OFFERS);
  expect(offerDepth(3 * PL, PL, true)).toBe(4);
  expect(offerDepth(1e12, PL, true)).toBe(MAX_OFFERS);
});

test('each unchoked peer is offered pieces no one has or fetches, so the seeder sends each piece once', () => {
  const n = 40;
  const ss = new SuperSeed(n);
  const avail = new Availability(n);
  const rng = seeded(3);
  const has = new Map<string, Bitfield>();
  const offered = new Map<string, number[]>();
  for (const p of ['a', 'b', 'c', 'd']) {
    ss.join(p);
    ss.setUnchoked(p, true);
    has.set(p, new Bitfield(n));
    offered.set(p, ss.offer(p, has.get(p) as Bitfield, avail, 5, rng, 0));
  }
  const all = [...offered.values()].flat();
  expect(all).toHaveLength(20);
  expect(new Set(all).size).toBe(20); // no piece offered twice
  // a gets its first offer: its offer closes, and it is offered a piece nobody has yet.
  const first = (offered.get('a') as number[])[0] as number;
  (has.get('a') as Bitfield).set(first);
  avail.addHave(first);
  ss.had('a', first);
  expect(ss.openOffers('a')).toBe(4);
  const next = ss.offer('a', has.get('a') as Bitfield, avail, 5, rng, 0);
  expect(next).toHaveLength(1);
  expect(all).not.toContain(next[0]);
  // Its five offers are open again: nothing more until one closes.
  expect(ss.offer('a', has.get('a') as Bitfield, avail, 5, rng, 0)).toEqual([]);
});

test('an offer to a choked peer does not hold its piece back from an unchoked one; nothing someone has is offered until our upload starves', () => {
  const ss = new SuperSeed(2);
  const avail = new Availability(2);
  const rng = seeded(1);
  ss.join('choked');
  const held = ss.offer('choked', new Bitfield(2), avail, offerDepth(0, PL, false), rng, 0);
  expect(held).toHaveLength(1);
  ss.join('fast');
  ss.setUnchoked('fast', true);
  // Both pieces are fresh for the unchoked peer: the choked peer's offer does not count.
  expect(ss.offer('fast', new Bitfield(2), avail, 2, rng, 0).sort()).toEqual([0, 1]);
  // Every piece is being fetched from us: a third peer is offered nothing yet.
  ss.join('third');
  ss.setUnchoked('third', true);
  expect(ss.offer('third', new Bitfield(2), avail, 2, rng, 0)).toEqual([]);
  expect(ss.starved(100)).toBe(false); // fast still fetches
  // fast has both and passes them on; our upload idles, and after STARVED_MS the rarest are offered.
  const fastHas = new Bitfield(2);
  for (const i of [0, 1]) {
    fastHas.set(i);
    avail.addHave(i);
    ss.had('fast', i);
  }
  expect(ss.starved(1_000)).toBe(false);
  expect(ss.offer('third', new Bitfield(2), avail, 2, rng, 1_000)).toEqual([]);
  expect(ss.starved(1_000 + STARVED_MS)).toBe(true);
  expect(ss.offer('third', new Bitfield(2), avail, 2, rng, 1_000 + STARVED_MS).sort()).toEqual([0, 1]);
});

test('a peer that got an offered piece elsewhere is offered another; untold lists what ending announces; leave withdraws', () => {
  const ss = new SuperSeed(4);
  const avail = new Availability(4);
  const rng = seeded(2);
  ss.join('p');
  ss.setUnchoked('p', true);
  const has = new Bitfield(4);
  const [x] = ss.offer('p', has, avail, 1, rng, 0) as [number];
  has.set(x); // from another peer: its bitfield says so before any have is taken
  const [y] = ss.offer('p', has, avail, 1, rng, 0) as [number];
  expect(y).not.toBe(x);
  expect(ss.openOffers('p')).toBe(1);
  expect(ss.untold('p', has).sort()).toEqual([0, 1, 2, 3].filter((i) => i !== x && i !== y));
  ss.leave('p');
  expect(ss.openOffers('p')).toBe(0);
  expect(ss.offer('p', has, avail, 1, rng, 0)).toEqual([]); // unknown peer: nothing
});

test('askable: an upload-only peer is asked for the pieces a player reads, others only for what they announced', () => {
  const theirs = new Bitfield(8);
  theirs.set(2);
  expect(askable(theirs, false, [0, 1])).toBe(theirs);
  expect(askable(theirs, true, [])).toBe(theirs);
  const a = askable(theirs, true, [0, 2, 9]);
  expect([0, 1, 2, 3].map((i) => a.get(i))).toEqual([true, false, true, false]);
  expect(theirs.get(0)).toBe(false); // the peer's own bitfield is left as it is
});

test('a peer still not interested DECLINE_MS after its offer declined it: it is told every piece it lacks, once', () => {
  const ss = new SuperSeed(5);
  const avail = new Availability(5);
  const rng = seeded(4);
  const has = new Bitfield(5);
  has.set(4);
  ss.join('partial');
  const [x] = ss.offer('partial', has, avail, 1, rng, 1_000) as [number];
  expect(ss.declined('partial', has, 1_000 + DECLINE_MS - 1)).toEqual([]); // its answer may still be on the way
  const rest = ss.declined('partial', has, 1_000 + DECLINE_MS);
  expect(rest.sort()).toEqual([0, 1, 2, 3].filter((i) => i !== x));
  expect(ss.declined('partial', has, 10_000)).toEqual([]);
  expect(ss.offer('partial', has, avail, 3, rng, 10_000)).toEqual([]); // no more offers: it knows every piece
  expect(ss.untold('partial', has)).toEqual([]);
});
