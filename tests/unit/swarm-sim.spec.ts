import { expect, test } from '@playwright/test';
import { EventQueue } from '../bench/kit/event-queue.ts';
import { dCs, dP2p, fluidRates, fluidTime } from '../bench/swarm-sim-fluid.ts';
import { linePlot, logTicks } from '../bench/swarm-sim-svg.ts';
import { simulateSwarm, type SwarmSimParams } from '../bench/swarm-sim.ts';
import { seeded } from '../helpers/unit';

const MiB = 1024 * 1024;
const U = 2 * MiB;
const sim = (o: Partial<SwarmSimParams> & Pick<SwarmSimParams, 'n' | 'fileBytes' | 'mode'>, seed = 1) =>
  simulateSwarm({ uplink: U, rng: seeded(seed), ...o });

test('event queue: earliest first, equal times in the order scheduled, never before now', () => {
  const q = new EventQueue(100);
  const seen: string[] = [];
  q.at(130, () => seen.push('c'));
  q.at(110, () => seen.push('a1'));
  q.at(110, () => seen.push('a2'));
  q.at(120, () => {
    seen.push('b');
    q.at(50, () => seen.push(`past@${q.now}`));
    q.after(0, () => seen.push('b-next'));
  });
  while (q.step());
  expect(seen).toEqual(['a1', 'a2', 'b', 'past@120', 'b-next', 'c']);
  expect(q.now).toBe(130);
  const big = new EventQueue();
  const rng = seeded(4);
  const times = Array.from({ length: 2000 }, () => Math.floor(rng() * 100));
  const out: number[] = [];
  for (const t of times) big.at(t, () => out.push(t));
  while (big.step());
  expect(out).toEqual([...times].sort((a, b) => a - b));
});

test('client-server, one leecher: the seeder uplink alone, F/u within 3%', () => {
  const F = 32 * MiB;
  const r = sim({ n: 1, fileBytes: F, mode: 'client-server', superSeed: false });
  expect(r.seconds).not.toBeNull();
  expect(r.seconds! / (F / U)).toBeGreaterThanOrEqual(1);
  expect(r.seconds! / (F / U)).toBeLessThan(1.03);
  expect(r.seederUploaded).toBe(F);
  expect(r.leechersUploaded).toBe(0);
});

test('client-server, N leechers: N·F/u (the leechers never upload)', () => {
  const F = 16 * MiB;
  for (const n of [2, 4]) {
    const r = sim({ n, fileBytes: F, mode: 'client-server', superSeed: false });
    expect(r.leechersUploaded).toBe(0);
    expect(r.seederUploaded).toBe(n * F);
    expect(r.seconds! / dCs(n, F, U)).toBeGreaterThanOrEqual(1);
    expect(r.seconds! / dCs(n, F, U)).toBeLessThan(1.03);
  }
});

test('swarm: never below D_p2p, and within 2.5 x D_p2p for small N (what the cores give: 1.1-2.2 measured)', () => {
  const F = 8 * MiB;
  for (const n of [1, 2, 4, 8, 16]) {
    const r = sim({ n, fileBytes: F, mode: 'swarm' }, n);
    expect(r.seconds).not.toBeNull();
    const bound = dP2p(n, F, U, U);
    expect(r.seconds!).toBeGreaterThanOrEqual(bound);
    expect(r.seconds! / bound).toBeLessThan(2.5);
    // Every block leaves the seeder at least once, and no sooner than F/u_s.
    expect(r.seederAllSentSeconds!).toBeGreaterThanOrEqual(F / U);
    if (n > 1) expect(r.leechersUploaded).toBeGreaterThan(0);
  }
});

test('every leecher ends with every piece, the request book taking exactly F bytes of each; duplicates only on top', () => {
  const F = 8 * MiB + 5 * 16384 + 100; // a short last piece, and a short last block
  const pieces = Math.ceil(F / 262_144);
  for (const mode of ['swarm', 'client-server'] as const) {
    const r = sim({ n: 6, fileBytes: F, mode }, 9);
    expect(r.piecesDone).toEqual(Array(6).fill(pieces));
    expect(r.accepted).toEqual(Array(6).fill(F));
    for (const f of r.fetched) expect(f).toBeGreaterThanOrEqual(F);
    // What the leechers received is what the peers uploaded.
    expect(r.fetched.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(r.seederUploaded + r.leechersUploaded);
  }
});

test('the same seed gives the same run; another seed another run', () => {
  const F = 4 * MiB;
  const a = sim({ n: 12, fileBytes: F, mode: 'swarm' }, 5);
  const b = sim({ n: 12, fileBytes: F, mode: 'swarm' }, 5);
  const c = sim({ n: 12, fileBytes: F, mode: 'swarm' }, 6);
  expect(b).toEqual(a);
  expect(c.events).not.toBe(a.events);
});

test('a bounded neighbour set: at most 50 links a peer, and the run still completes', () => {
  const r = sim({ n: 120, fileBytes: 2 * MiB, mode: 'swarm', neighbours: 30 });
  expect(r.links).toBeLessThanOrEqual((121 * 50) / 2);
  expect(r.links).toBeGreaterThanOrEqual((121 * 30) / 2);
  expect(r.seconds).not.toBeNull();
});

test('textbook bounds: D_cs and D_p2p', () => {
  const F = 32 * MiB;
  expect(dCs(10, F, U)).toBe(160);
  expect(dCs(1, F, U, MiB)).toBe(32); // the download cap binds
  expect(dP2p(1, F, U, U)).toBe(16); // F/u_s
  expect(dP2p(1000, F, U, U)).toBe(16);
  expect(dP2p(1000, F, U, U / 100)).toBeCloseTo((1000 * F) / (U + 10 * U), 9); // the total upload binds
});

test('fluid model: RK4 against the closed forms', () => {
  // c = ∞: x + y stays N + 1, dx/dt = −μ(M − (1−η)x), so x(t) = K + (N − K)e^{at}, a = μ(1−η), K = μM/a.
  const n = 100;
  const mu = 1 / 16;
  for (const eta of [1, 0.8, 0.3]) {
    const M = n + 1;
    const xEnd = 0.5;
    const a = mu * (1 - eta);
    const exact = a === 0 ? (n - xEnd) / (mu * M) : Math.log((mu * M / a - xEnd) / (mu * M / a - n)) / a;
    expect(fluidTime({ n, mu, eta })).toBeCloseTo(exact, 6);
  }
  // The download side binds (c small): dx/dt = −c·x, x(t) = N e^{−ct}, to x = 1/2 at ln(2N)/c.
  const c = 0.01;
  expect(fluidTime({ n, mu: 10, c })).toBeCloseTo(Math.log(2 * n) / c, 4);
  // Seeds stay (γ = 0): what leaves x arrives in y.
  const [dx, dy] = fluidRates(40, 3, { n: 40, mu: 0.5, eta: 0.9 });
  expect(dx).toBeCloseTo(-0.5 * (0.9 * 40 + 3), 12);
  expect(dy).toBeCloseTo(-dx, 12);
});

test('plot: an SVG with a line and a legend entry per series, log ticks', () => {
  expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  const svg = linePlot(
    [
      { name: 'a <b>', color: 'red', points: [[2, 10], [20, 12], [200, null]] },
      { name: 'c', color: 'blue', points: [[2, 5], [20, 50], [200, 500]], dashed: true },
    ],
    { title: 't', xLabel: 'N', yLabel: 's' },
  );
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  expect(svg.match(/<polyline/g)).toHaveLength(2);
  expect(svg.match(/<circle/g)).toHaveLength(5);
  expect(svg).toContain('a &lt;b&gt;');
  expect(svg).toContain('stroke-dasharray');
});
