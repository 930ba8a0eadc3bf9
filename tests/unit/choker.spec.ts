import { expect, test } from '@playwright/test';
import { isSnubbed, type PeerSnapshot, rechoke } from '../../client/core/choker';
import { seeded } from '../helpers/unit';

/** mulberry32: a small seeded PRNG, so every run draws the same numbers. */
const NOW = 1_000_000;

function peer(id: string, downloadRate: number, over: Partial<PeerSnapshot> = {}): PeerSnapshot {
  return { id, interested: true, downloadRate, uploadRate: 0, snubbed: false, connectedAt: NOW - 600_000, ...over };
}

/** Eight interested peers, p1 fastest ... p8 slowest. */
function eight(): PeerSnapshot[] {
  return [1, 2, 3, 4, 5, 6, 7, 8].map((k) => peer(`p${k}`, (9 - k) * 10_000));
}

function regularOf(r: { unchoke: string[]; optimistic: string | null }): string[] {
  return r.unchoke.filter((id) => id !== r.optimistic).sort();
}

const base = { seeding: false, slots: 4, optimistic: null, round: 0, now: NOW };

test('unchokes the 4 interested peers that upload to us fastest, plus one optimistic', () => {
  const rng = seeded(1);
  const peers = eight().reverse(); // order of input does not matter
  const r = rechoke({ ...base, peers }, rng);
  expect(regularOf(r)).toEqual(['p1', 'p2', 'p3', 'p4']);
  expect(r.unchoke).toHaveLength(5);
  expect(['p5', 'p6', 'p7', 'p8']).toContain(r.optimistic);
  expect(r.unchoke).toContain(r.optimistic);
});

test('uninterested peers are never regular-unchoked, nor optimistic', () => {
  const rng = seeded(2);
  const peers = eight();
  peers[0]!.interested = false; // the fastest
  peers[5]!.interested = false; // p6
  for (let round = 0; round < 60; round++) {
    const r = rechoke({ ...base, peers, round }, rng);
    expect(regularOf(r)).toEqual(['p2', 'p3', 'p4', 'p5']);
    expect(r.unchoke).not.toContain('p1');
    expect(r.unchoke).not.toContain('p6');
  }
});

test('snubbed peers lose their slot while we leech, but may still be the optimistic unchoke', () => {
  const rng = seeded(3);
  const peers = eight();
  peers[1]!.snubbed = true; // p2
  const seen = new Set<string | null>();
  for (let round = 0; round < 300; round += 3) {
    const r = rechoke({ ...base, peers, round }, rng);
    expect(regularOf(r)).toEqual(['p1', 'p3', 'p4', 'p5']);
    seen.add(r.optimistic);
  }
  expect([...seen].sort()).toEqual(['p2', 'p6', 'p7', 'p8']);
});

test('as a seeder, ranks by how fast we upload to them (and snubbing does not apply)', () => {
  const rng = seeded(4);
  const peers = eight().map((p, k) => ({ ...p, uploadRate: (k + 1) * 1_000, snubbed: k === 7 }));
  const r = rechoke({ ...base, peers, seeding: true }, rng);
  expect(regularOf(r)).toEqual(['p5', 'p6', 'p7', 'p8']);
  expect(['p1', 'p2', 'p3', 'p4']).toContain(r.optimistic);
  // The same peers as a leecher: download rates decide.
  expect(regularOf(rechoke({ ...base, peers: eight() }, rng))).toEqual(['p1', 'p2', 'p3', 'p4']);
});

test('ties keep a stable order: the longer-connected peer first, then the smaller id', () => {
  const rng = seeded(5);
  const peers = ['e', 'd', 'c', 'b', 'a', 'f'].map((id) => peer(id, 0));
  peers[0]!.connectedAt = NOW - 900_000; // e: oldest
  const r = rechoke({ ...base, peers, slots: 3, round: 1 }, rng);
  expect(regularOf(r)).toEqual(['a', 'b', 'e']);
});

test('the optimistic unchoke changes exactly every 3rd round, always to a choked interested peer', () => {
  const rng = seeded(6);
  const peers = eight();
  peers.push(peer('x', 1e9, { interested: false }));
  let optimistic: string | null = null;
  let changes = 0;
  for (let round = 0; round < 90; round++) {
    const r = rechoke({ ...base, peers, optimistic, round, now: NOW + round * 10_000 }, rng);
    const regular = regularOf(r);
    expect(regular).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(r.optimistic).not.toBeNull();
    expect(regular).not.toContain(r.optimistic);
    expect(peers.find((p) => p.id === r.optimistic)!.interested).toBe(true);
    if (round % 3 === 0) {
      expect(r.optimistic).not.toBe(optimistic);
      changes++;
    } else {
      expect(r.optimistic).toBe(optimistic);
    }
    optimistic = r.optimistic;
  }
  expect(changes).toBe(30);
});

test('an optimistic peer that left, lost interest or won a regular slot is replaced at once', () => {
  const rng = seeded(7);
  const peers = eight();
  const first = rechoke({ ...base, peers, round: 0 }, rng);
  const cur = first.optimistic!;
  // Still there and interested: kept.
  expect(rechoke({ ...base, peers, optimistic: cur, round: 1 }, rng).optimistic).toBe(cur);
  // Gone.
  const gone = rechoke({ ...base, peers: peers.filter((p) => p.id !== cur), optimistic: cur, round: 1 }, rng);
  expect(gone.optimistic).not.toBeNull();
  expect(gone.optimistic).not.toBe(cur);
  expect(gone.unchoke).not.toContain(cur);
  // Not interested any more.
  const bored = rechoke({ ...base, peers: peers.map((p) => (p.id === cur ? { ...p, interested: false } : p)), optimistic: cur, round: 2 }, rng);
  expect(bored.optimistic).not.toBe(cur);
  expect(bored.unchoke).not.toContain(cur);
  // Now among the fastest: regular, and a new optimistic one takes the extra slot.
  const fast = rechoke({ ...base, peers: peers.map((p) => (p.id === cur ? { ...p, downloadRate: 1e9 } : p)), optimistic: cur, round: 1 }, rng);
  expect(regularOf(fast)).toContain(cur);
  expect(fast.optimistic).not.toBe(cur);
  expect(fast.unchoke).toHaveLength(5);
});

test('with no choked interested peer there is no optimistic unchoke', () => {
  const rng = seeded(8);
  const peers = [peer('a', 5), peer('b', 3), peer('c', 1, { interested: false })];
  const r = rechoke({ ...base, peers }, rng);
  expect(r).toEqual({ unchoke: ['a', 'b'], optimistic: null });
  expect(rechoke({ ...base, peers: [] }, rng)).toEqual({ unchoke: [], optimistic: null });
  // A lone choked interested peer is re-drawn even though it is the current one.
  const one = rechoke({ ...base, peers: [...eight().slice(0, 5)], optimistic: 'p5', round: 3 }, rng);
  expect(one.optimistic).toBe('p5');
});

test('newcomers (connected < 30 s) are three times as likely to be optimistically unchoked', () => {
  const rng = seeded(9);
  const peers = eight();
  peers[4]!.connectedAt = NOW - 5_000; // p5: newcomer
  peers[5]!.connectedAt = NOW - 29_999; // p6: newcomer
  peers[6]!.connectedAt = NOW - 30_000; // p7: not any more
  const hits = new Map<string, number>();
  const runs = 16_000;
  for (let k = 0; k < runs; k++) {
    const r = rechoke({ ...base, peers, round: 3 * k }, rng);
    hits.set(r.optimistic!, (hits.get(r.optimistic!) ?? 0) + 1);
  }
  // Weights 3, 3, 1, 1 of 8: 6000, 6000, 2000, 2000.
  expect([...hits.keys()].sort()).toEqual(['p5', 'p6', 'p7', 'p8']);
  for (const id of ['p5', 'p6']) {
    expect(hits.get(id)!).toBeGreaterThan(5700);
    expect(hits.get(id)!).toBeLessThan(6300);
  }
  for (const id of ['p7', 'p8']) {
    expect(hits.get(id)!).toBeGreaterThan(1800);
    expect(hits.get(id)!).toBeLessThan(2200);
  }
  const ratio = (hits.get('p5')! + hits.get('p6')!) / (hits.get('p7')! + hits.get('p8')!);
  expect(ratio).toBeGreaterThan(2.7);
  expect(ratio).toBeLessThan(3.3);
});

test('isSnubbed: nothing received for 60 s', () => {
  expect(isSnubbed(0, 59_999)).toBe(false);
  expect(isSnubbed(0, 60_000)).toBe(true);
  expect(isSnubbed(10_000, 40_000, 20_000)).toBe(true);
  expect(isSnubbed(10_000, 25_000, 20_000)).toBe(false);
});
