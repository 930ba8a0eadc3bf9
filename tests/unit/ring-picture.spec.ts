/** The ring card's picture (the shapes the SVG writes out) and its put / get operations, apart from the DOM. */
import { expect, test } from '@playwright/test';
import type { DhtApi, DhtRingView, DhtStats } from '../../client/api';
import { keyId } from '../../protocol/dht';
import { DhtError } from '../../client/dht/dht-error';
import { ringPicture, type RingPicture } from '../../client/ui/ring-picture';
import { checkOp, runOp } from '../../client/ui/dht-ops';
import type { RingInputs } from '../../client/ui/ring-inputs';
import { ringInputs, ringRef, ringView } from '../helpers/ring-views';

const ref = ringRef;
const view = ringView;
const inputs = ringInputs;

/** Every number of the picture's shapes. */
function coordinates(p: RingPicture): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'number') out.push(v);
    else if (v && typeof v === 'object' && !(v instanceof Set)) Object.values(v).forEach(walk);
  };
  walk([p.ring, p.zero, p.zeroLabel, p.ticks, p.chords, p.leaders, p.nodes.map((n) => [n.halo, n.circle, n.heldText, n.label]), p.marker]);
  return out;
}

test('the picture of a small ring: arcs, chords, nodes in drawing order, with their classes and tooltips', () => {
  const p = ringPicture(inputs());
  expect(p.count).toBe(3);
  expect(p.ariaLabel).toBe('DHT ring: 3 nodes known to this tab');
  expect([p.width, p.height]).toEqual([420, 328]);
  // The others' ranges, then this tab's on top.
  expect(p.arcs.map((a) => [a.testId, a.peer])).toEqual([
    ['dht-arc', 'peerB'],
    ['dht-arc', 'peerC'],
    ['dht-own-range', 'peerA'],
  ]);
  expect(p.arcs[2]!.cls).toBe('dht-arc self');
  expect(p.arcs[2]!.title).toMatch(/^your key range \(predecessor, you\]: \d+\.\d %/);
  expect(p.wedge).not.toBeNull();
  expect(p.chords.map((c) => [c.peer, c.title])).toEqual([['peerB', 'finger: peerB']]);
  // This tab drawn last, its circle ringed; the held counts known are written in the circles.
  expect(p.nodes.map((n) => n.peer)).toEqual(['peerB', 'peerC', 'peerA']);
  const [b, c, a] = p.nodes;
  expect(a!.cls).toBe('dht-node role-self self');
  expect(a!.halo?.cls).toBe('dht-self-ring');
  expect(a!.label?.text).toBe('peerA (you)');
  expect(a!.heldText?.text).toBe('3');
  expect(b!.cls).toBe('dht-node role-successor first');
  expect(b!.circle.cls).toBe('dht-circle role-successor first');
  expect(b!.halo).toBeNull();
  expect(b!.heldText).toBeNull();
  expect(c!.role).toBe('predecessor');
  expect(c!.title).toContain('keys held: 1');
  expect(b!.title).toContain('keys held: not known');
  // Circles on the ring line, coordinates to 0.1.
  for (const n of p.nodes) expect(Math.hypot(n.circle.cx - p.ring.cx, n.circle.cy - p.ring.cy)).toBeCloseTo(p.ring.r, 0);
  for (const v of coordinates(p)) expect(Math.abs(v * 10 - Math.round(v * 10))).toBeLessThan(1e-6);
  expect(p.marker).toBeNull();
  expect([...p.legend].sort()).toEqual(['chord', 'held', 'own', 'predecessor', 'range', 'self', 'successor']);
  expect(p.note).toBe('');
});

test('the marked key: a diamond at its id with its tooltip, its owner ringed and in the legend', () => {
  const marker = { key: 'greeting', id: keyId('greeting'), owner: 'peerC' };
  const p = ringPicture(inputs({ marker }));
  expect(p.marker?.id).toBe(marker.id);
  expect(p.marker?.title).toBe(`key “greeting”\nring id ${marker.id.slice(0, 12)}…\nstored at peerC`);
  expect(p.marker?.d).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+ Z$/);
  expect(p.marker?.label?.text).toBe('“greeting”');
  const c = p.nodes.find((n) => n.peer === 'peerC')!;
  expect(c.cls).toContain(' owner');
  expect(c.halo?.cls).toBe('dht-owner-ring');
  expect(p.legend.has('marker') && p.legend.has('owner')).toBe(true);
  // A long key is clipped next to its marker, whole in its tooltip.
  const long = ringPicture(inputs({ marker: { key: 'a rather long key name', id: keyId('x') } }));
  expect(long.marker?.label?.text).toBe('“a rather long…”');
  expect(long.marker?.title).toContain('key “a rather long key name”');
});

test('alone on the ring: the whole ring is this tab’s, and the note says so', () => {
  const a = ref('peerA', 'a'.repeat(40), 0);
  const alone: DhtRingView = { self: a, predecessor: null, successors: [], predecessors: [], fingers: [], nodes: [a], held: 0, owned: 0 };
  const p = ringPicture(inputs({ view: alone, aloneInRoom: true }));
  expect(p.count).toBe(1);
  expect(p.arcs.map((x) => x.testId)).toEqual(['dht-own-range']);
  expect(p.arcs[0]!.title).toContain('100.0 %');
  expect(p.chords).toEqual([]);
  expect(p.note).toBe('Alone on the ring: this tab owns every key.');
  expect(ringPicture(inputs({ view: alone })).note).toBe('');
});

test('a crowded ring: circles moved aside keep a tick at their true place, labels left out are counted in the note', () => {
  // Forty nodes within a hundredth of the ring.
  const ids = Array.from({ length: 40 }, (_, i) => `4${i.toString(16).padStart(2, '0')}`.padEnd(40, '0'));
  const refs = ids.map((id, i) => ref(`peer${String(i).padStart(2, '0')}`, id));
  const v: DhtRingView = { self: refs[0]!, predecessor: refs[39]!, successors: refs.slice(1, 4), predecessors: refs.slice(36).reverse(), fingers: [], nodes: refs, held: 0, owned: 0 };
  const p = ringPicture(inputs({ view: v, w: 300, h: 240 }));
  expect(p.ticks.length).toBeGreaterThan(0);
  expect(new Set(p.ticks.map((t) => t.peer)).size).toBe(p.ticks.length);
  const labelled = p.nodes.filter((n) => n.label).length;
  expect(labelled).toBeLessThan(40);
  expect(p.note).toBe(`${40 - labelled} labels left out for room: point at a node for its id.`);
});

test('the form’s own checks name the field to fix', () => {
  expect(checkOp('get', '', '')).toEqual({ state: 'error', text: 'Type a key first.', field: 'key' });
  expect(checkOp('put', 'k', 'x'.repeat(16 * 1024 + 1))).toMatchObject({ state: 'error', field: 'value' });
  expect(checkOp('get', 'k'.repeat(300), '')).toMatchObject({ state: 'error', field: 'key', text: expect.stringContaining('at most 256') });
  // A get does not look at the value.
  expect(checkOp('get', 'k', 'x'.repeat(16 * 1024 + 1))).toBeNull();
  expect(checkOp('put', 'k', 'v')).toBeNull();
});

function fakeDht(over: Partial<DhtApi> = {}): DhtApi {
  let lookups = 0;
  const store = new Map<string, string>();
  const stats = (): DhtStats =>
    ({ nodeId: '', keysHeld: 0, keysOwned: 0, lookups, avgHops: lookups ? 2 : 0, routed: 0, replicasSent: 0, handedOver: 0, badMessages: 0, failures: 0, loaded: 0 }) as DhtStats;
  return {
    nodeId: '',
    ready: Promise.resolve(),
    put: async (key, value) => (store.set(key, value), lookups++, { owner: 'peerB', hops: 3, ms: 9 }),
    get: async (key) => (lookups++, store.get(key) ?? null),
    members: async () => [],
    lookup: async () => ({ owner: 'peerB', hops: 1, ms: 1, replicas: [] }),
    localKeys: () => [],
    ring: () => null,
    stats,
    ...over,
  };
}

test('put and get through the DHT: the result to show and the key to mark', async () => {
  const dht = fakeDht();
  expect(await runOp(dht, 'put', 'greeting', 'héllo', 'peerA')).toEqual({
    result: { state: 'ok', op: 'put', key: 'greeting', owner: 'peerB', you: false, hops: 3, ms: 9 },
    marker: { key: 'greeting', id: keyId('greeting'), owner: 'peerB' },
  });
  expect((await runOp(dht, 'put', 'mine', 'v', 'peerB')).result).toMatchObject({ you: true });
  // A get's hops read off the lookup counters (2 on average here).
  expect(await runOp(dht, 'get', 'greeting', '', 'peerA')).toEqual({
    result: { state: 'ok', op: 'get', key: 'greeting', value: 'héllo', bytes: 6, hops: 2 },
    marker: { key: 'greeting', id: keyId('greeting') },
  });
  expect((await runOp(dht, 'get', 'nothing', '', 'peerA')).result).toEqual({ state: 'missing', key: 'nothing', hops: 2 });
});

test('a failed put or get: a readable error by its code, and nothing marked', async () => {
  const dht = fakeDht({
    put: async () => {
      throw new DhtError('timeout', 'lookup of 1234 timed out');
    },
    get: async () => {
      throw new DhtError('refused', 'key "k" holds a set, not a value');
    },
  });
  expect(await runOp(dht, 'put', 'k', 'v', 'peerA')).toEqual({
    result: { state: 'error', text: 'Lookup of 1234 timed out: the ring may be repairing itself; try again in a moment.' },
    marker: null,
  });
  expect(await runOp(dht, 'get', 'k', '', 'peerA')).toEqual({ result: { state: 'error', text: 'Key "k" holds a set, not a value.' }, marker: null });
  expect(await runOp(null, 'get', 'k', '', 'peerA')).toEqual({ result: { state: 'error', text: 'The DHT is not running in this tab.' }, marker: null });
});
