import { expect, test } from '@playwright/test';
import { Presence } from '../../worker/core/presence';
import { seeded } from '../helpers/unit';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `p${String(i + from).padStart(5, '0')}`);

/** A room of `n` joined in order, with every member's view as the edge told it (roster + notifies). */
function room(n: number, tuning = { fullUpTo: 8, view: 5 }, seed = 1) {
  const presence = new Presence(tuning, seeded(seed));
  const told = new Map<string, Set<string>>();
  const perJoin: number[] = [];
  for (const id of ids(n)) {
    const out = presence.join(id);
    told.set(id, new Set(out.roster));
    for (const h of out.notify) told.get(h)?.add(id);
    perJoin.push(out.notify.length);
    expect(out.count).toBe(told.size);
  }
  return { presence, told, perJoin };
}

test('a small room: everyone is told of everyone, oldest first in the roster', () => {
  const { presence, told, perJoin } = room(8);
  for (const [id, view] of told) expect([...view].sort()).toEqual(ids(8).filter((x) => x !== id));
  expect(perJoin).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(presence.partial).toBe(false);
});

test('a large room: a joiner sees at most `view` others, and at most `view` members are told of it', () => {
  const { presence, told, perJoin } = room(2_000, { fullUpTo: 8, view: 5 });
  expect(presence.partial).toBe(true);
  for (let i = 8; i < perJoin.length; i++) expect(perJoin[i]).toBeLessThanOrEqual(5);
  for (const id of ids(2_000).slice(8)) {
    expect(told.get(id)!.size).toBeGreaterThanOrEqual(1);
    expect(presence.viewOf(id).size).toBeLessThanOrEqual(5 + 5); // its sample plus joiners it was told of while hungry
  }
  // The edge's record of each view is what the member was told.
  for (const [id, view] of told) expect([...presence.viewOf(id)].sort()).toEqual([...view].sort());
});

test('views are random samples: late joiners of a large room do not all see the same peers', () => {
  const { presence, told } = room(200, { fullUpTo: 8, view: 5 });
  const views = ids(200).slice(100).map((id) => [...told.get(id)!].sort().join());
  expect(new Set(views).size).toBeGreaterThan(90);
  // Late joiners are in nobody's view until views refresh (full views are not told of joiners);
  // once every member has refreshed, nearly every member is in someone's (about `view` each).
  for (const id of ids(200)) told.set(id, new Set(presence.refresh(id)));
  const seen = new Set([...told.values()].flatMap((v) => [...v]));
  expect(seen.size).toBeGreaterThan(190);
});

test('a leave is told to exactly the members that held the leaver, and each gets a replacement', () => {
  const { presence, told } = room(300, { fullUpTo: 8, view: 5 });
  for (const leaver of ids(30, 100)) {
    const holders = [...told].filter(([, v]) => v.has(leaver)).map(([h]) => h).sort();
    const out = presence.leave(leaver);
    told.delete(leaver);
    expect([...out.notify].sort()).toEqual(holders);
    for (const h of holders) told.get(h)!.delete(leaver);
    for (const r of out.refills) {
      expect(r.peer).not.toBe(r.holder);
      expect(told.get(r.holder)!.has(r.peer)).toBe(false);
      expect(presence.has(r.peer)).toBe(true);
      told.get(r.holder)!.add(r.peer);
    }
    expect(out.refills.map((r) => r.holder).sort()).toEqual(holders);
    expect(out.count).toBe(told.size);
  }
  for (const [id, view] of told) expect([...presence.viewOf(id)].sort()).toEqual([...view].sort());
  expect(presence.leave('nobody').notify).toEqual([]);
});

test('refresh gives a new random sample and replaces the view; a rejoin forgets the old view only', () => {
  const { presence } = room(100, { fullUpTo: 8, view: 5 });
  const a = presence.refresh('p00050');
  const b = presence.refresh('p00050');
  expect(a.length).toBe(5);
  expect(b.length).toBe(5);
  expect(a.sort().join()).not.toBe(b.sort().join());
  expect([...presence.viewOf('p00050')].sort()).toEqual(b.sort());
  expect(b).not.toContain('p00050');
  const holders = ids(100).filter((id) => presence.viewOf(id).has('p00050'));
  const again = presence.join('p00050');
  expect(again.count).toBe(100);
  expect(again.notify.every((h) => !holders.includes(h))).toBe(true);
  for (const h of holders) expect(presence.viewOf(h).has('p00050')).toBe(true);
  expect(presence.refresh('nobody')).toEqual([]);
});

test('a sample never holds the asker, nor the same peer twice; restore rebuilds views and who is hungry', () => {
  const { presence } = room(50, { fullUpTo: 8, view: 5 });
  for (let i = 0; i < 50; i++) {
    const s = presence.sample(20, 'p00007');
    expect(new Set(s).size).toBe(s.length);
    expect(s).not.toContain('p00007');
  }
  const pairs = ids(50).flatMap((h) => [...presence.viewOf(h)].map((p) => [h, p] as const));
  const copy = new Presence({ fullUpTo: 8, view: 5 }, seeded(9));
  copy.restore(ids(50), [...pairs, ['p00001', 'gone'], ['p00002', 'p00002']]);
  for (const h of ids(50)) expect([...copy.viewOf(h)].sort()).toEqual([...presence.viewOf(h)].sort());
  expect(copy.viewOf('p00001').has('gone')).toBe(false);
  const next = copy.join('p09999');
  for (const h of next.notify) expect(presence.viewOf(h).size).toBeLessThan(5);
});

test('work per event stays O(view) as the room grows (figures printed)', () => {
  const presence = new Presence({ fullUpTo: 32, view: 30 }, seeded(3));
  const t0 = performance.now();
  let told = 0;
  for (const id of ids(10_000)) told += presence.join(id).notify.length;
  const ms = performance.now() - t0;
  console.log(`10,000 joins: ${ms.toFixed(0)} ms, ${(told / 10_000).toFixed(1)} members told per join`);
  expect(told / 10_000).toBeLessThanOrEqual(30);
  const t1 = performance.now();
  for (const id of ids(2_000)) presence.leave(id);
  for (const id of ids(2_000, 2_000)) presence.refresh(id);
  console.log(`2,000 leaves and 2,000 refreshes in a room of 10,000: ${(performance.now() - t1).toFixed(0)} ms`);
});
