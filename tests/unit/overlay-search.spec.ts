import { expect, test } from '@playwright/test';
import { hitResults, matchFiles, mergeHit, rankHits, type MergedHit } from '../../client/core/overlay-search';
import { rendezvousOrder } from '../../protocol/rendezvous';
import type { QueryHitMsg } from '../../protocol/overlay';

const h = (c: string) => c.repeat(40);
const file = (c: string, name: string) => ({ infoHash: h(c), name, size: 100 });

test('matchFiles: every word must be a whole keyword of the name, accents and case folded', () => {
  const files = [file('a', 'Café del Mar.mp3'), file('b', 'Cafeteria.mp3'), file('c', 'del mar live.ogg')];
  expect(matchFiles(files, ['cafe', 'mar']).map((f) => f.infoHash)).toEqual([h('a')]);
  expect(matchFiles(files, ['mar']).map((f) => f.infoHash)).toEqual([h('a'), h('c')]);
  expect(matchFiles(files, ['caf'])).toEqual([]);
});

test('hitResults: one result per file, listing every holder', () => {
  const r = hitResults(
    [
      ['p1', [file('a', 'song one.mp3'), file('b', 'other.txt')]],
      ['p2', [file('a', 'song one.mp3')]],
    ],
    ['song'],
  );
  expect(r).toEqual([{ infoHash: h('a'), name: 'song one.mp3', size: 100, peers: ['p1', 'p2'] }]);
});

function hit(peer: string, dist: number, peers: string[], c = 'a'): QueryHitMsg {
  return { type: 'queryhit', guid: 'g'.repeat(22), ttl: 0, hops: dist, peer, dist, results: [{ ...file(c, `file ${c}`), peers }] };
}

test('mergeHit: holders merged, fewest hops kept, time of the first answer kept, self removed', () => {
  const m = new Map<string, MergedHit>();
  mergeHit(m, hit('p3', 3, ['p3']), 120, 'me');
  mergeHit(m, hit('p1', 1, ['p1', 'me']), 300, 'me');
  mergeHit(m, hit('me', 0, ['me'], 'b'), 310, 'me');
  expect([...m.values()]).toEqual([{ infoHash: h('a'), name: 'file a', size: 100, peers: ['p3', 'p1'], hops: 1, ms: 120 }]);
});

test('rankHits: most holders first, then fewest hops', () => {
  const m = new Map<string, MergedHit>();
  mergeHit(m, hit('x', 1, ['x'], 'a'), 1, 'me');
  mergeHit(m, hit('y', 2, ['y', 'z'], 'b'), 1, 'me');
  mergeHit(m, hit('y', 3, ['y'], 'c'), 1, 'me');
  mergeHit(m, hit('y', 1, ['y'], 'd'), 1, 'me');
  expect(rankHits(m.values()).map((r) => r.name)).toEqual(['file b', 'file a', 'file d', 'file c']);
});

test('rendezvous: deterministic, excludes the leaf, spreads leaves, and only the departed super-peer\'s leaves move', () => {
  const supers = ['s1', 's2', 's3', 's4'];
  expect(rendezvousOrder('leaf', supers)).toEqual(rendezvousOrder('leaf', [...supers].reverse()));
  expect(rendezvousOrder('s2', supers)).not.toContain('s2');
  const leaves = Array.from({ length: 400 }, (_, i) => `leaf-${i}`);
  const first = new Map(leaves.map((l) => [l, rendezvousOrder(l, supers)[0]!]));
  const counts = supers.map((s) => [...first.values()].filter((x) => x === s).length);
  for (const c of counts) expect(c).toBeGreaterThan(60); // ~100 each
  const after = new Map(leaves.map((l) => [l, rendezvousOrder(l, ['s1', 's3', 's4'])[0]!]));
  for (const l of leaves) if (first.get(l) !== 's2') expect(after.get(l)).toBe(first.get(l));
});
