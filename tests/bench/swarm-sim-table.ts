/**
 * The simulated curve: for each N, the swarm simulation (tests/bench/swarm-sim.ts) and, for
 * small N, its client-server run, set against D_p2p, D_cs and the Qiu–Srikant fluid model
 * (tests/bench/swarm-sim-fluid.ts); as a text table and as an SVG plot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dCs, dP2p, fluidTime } from './swarm-sim-fluid.ts';
import { linePlot } from './swarm-sim-svg.ts';
import { simulateSwarm, type Rng, type SwarmSimParams, type SwarmSimResult } from './swarm-sim.ts';
import { fixed, KiB, mib } from './kit/format.ts';
import { sum } from './kit/stats.ts';
import { table } from './kit/table.ts';

export const SIM_SIZES = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];
/** Target of issue 15: the simulated swarm within 1.2 × D_p2p. */
export const SIM_TARGET = 1.2;

export interface CurveOptions {
  sizes?: readonly number[];
  fileBytes: number;
  uplink: number;
  /** Client-server is simulated for N up to this (its simulated time grows as N·F/u). */
  csUpTo?: number;
  /** A fresh generator per run (the same seed gives the same table). */
  rngFor: (n: number, mode: 'swarm' | 'client-server') => Rng;
  /** Passed to every run (latency, neighbours, block size, what-if switches). */
  sim?: Partial<Omit<SwarmSimParams, 'n' | 'fileBytes' | 'uplink' | 'mode' | 'rng'>>;
  /** Called after each row (progress on stderr). */
  onRow?: (row: CurveRow) => void;
}

export interface CurveRow {
  n: number;
  swarm: SwarmSimResult;
  swarmWallS: number;
  cs: SwarmSimResult | null;
  csWallS: number;
  dP2p: number;
  dCs: number;
  fluid: number;
}

export function simCurve(o: CurveOptions): CurveRow[] {
  const { fileBytes: F, uplink: u } = o;
  const rows: CurveRow[] = [];
  for (const n of o.sizes ?? SIM_SIZES) {
    const run = (mode: 'swarm' | 'client-server') => {
      const t0 = performance.now();
      // A server of pure clients does not super-seed (nobody passes pieces on): the client-server baseline.
      const res = simulateSwarm({ ...o.sim, n, fileBytes: F, uplink: u, mode, rng: o.rngFor(n, mode), superSeed: mode === 'swarm' && (o.sim?.superSeed ?? true) });
      return { res, wall: (performance.now() - t0) / 1000 };
    };
    const swarm = run('swarm');
    const cs = n <= (o.csUpTo ?? 64) ? run('client-server') : null;
    const row: CurveRow = {
      n,
      swarm: swarm.res,
      swarmWallS: swarm.wall,
      cs: cs?.res ?? null,
      csWallS: cs?.wall ?? 0,
      dP2p: dP2p(n, F, u, u),
      dCs: dCs(n, F, u),
      fluid: fluidTime({ n, mu: u / F }),
    };
    rows.push(row);
    o.onRow?.(row);
  }
  return rows;
}

export function formatCurve(rows: readonly CurveRow[], fileBytes: number): string {
  const s1 = (x: number | null) => fixed(x, 1);
  const head = ['N', 'sim swarm s', 'D_p2p s', 'sim/D_p2p', 'target', 'fluid s', 'sim c-s s', 'D_cs s', 'c-s/D_cs', 'first s', 'seeder copies', 'seeder all out s', 'fetched/N·F', 'wall s'];
  const out = rows.map((r) => {
    const t = r.swarm.seconds;
    const ratio = t === null ? null : t / r.dP2p;
    const cs = r.cs?.seconds ?? null;
    return [
      String(r.n),
      t === null ? 'gave up' : s1(t),
      s1(r.dP2p),
      fixed(ratio, 2),
      ratio === null ? 'MISSED' : ratio <= SIM_TARGET ? 'met' : 'MISSED',
      s1(r.fluid),
      r.cs ? (cs === null ? 'gave up' : s1(cs)) : '',
      s1(r.dCs),
      r.cs ? fixed(cs === null ? null : cs / r.dCs, 3) : '',
      s1(r.swarm.firstSeconds),
      fixed(r.swarm.seederUploaded / fileBytes, 2),
      s1(r.swarm.seederAllSentSeconds),
      fixed(sum(r.swarm.fetched) / (r.n * fileBytes), 3),
      fixed(r.swarmWallS + r.csWallS, 1),
    ];
  });
  return table(head, out);
}

/** What the columns mean, for the lines under the table. */
export function curveNotes(o: { fileBytes: number; uplink: number; latencyMs: number; neighbours: number; blockLength: number; pieceLength: number }): string {
  return [
    `F = ${mib(o.fileBytes, 0)} MiB in ${o.pieceLength / KiB} KiB pieces, requests of ${o.blockLength / KiB} KiB blocks; every uplink (seeder's too) u = ${mib(o.uplink, 1)} MiB/s, downlinks`,
    `unlimited, ${o.latencyMs} ms one way on every link; each peer gets ${o.neighbours} random peers from the tracker (at most 50 links).`,
    `sim swarm: the last leecher done (everyone uploads); sim c-s: leechers never unchoke anyone (run for small N).`,
    `D_p2p = max(F/u_s, N·F/(u_s + Σu_i)), D_cs = N·F/u_s (no download cap, so no F/d_min term); target: sim ≤ ${SIM_TARGET} × D_p2p.`,
    `fluid: Qiu–Srikant with x(0) = N, y(0) = 1, μ = u/F, η = 1, c = ∞ (no download cap), λ = θ = γ = 0, time to x ≤ 1/2;`,
    `       it has no F/u_s term, so it sits below D_p2p once N > 1 (a fluid leecher downloads from the whole swarm at once).`,
    `first: the first leecher done; seeder copies: bytes the seeder uploaded / F (1.00: each block once);`,
    `seeder all out: when every block had left the seeder at least once (ideal F/u_s = ${fixed(o.fileBytes / o.uplink, 1)} s);`,
    `fetched/N·F: payload the leechers received (above 1: blocks fetched twice, endgame); wall: this machine's time for the row.`,
  ].join('\n');
}

/** The plot of the curve, written to `path` (its directory made). */
export function writeCurveSvg(rows: readonly CurveRow[], path: string, title: string): void {
  const pts = (f: (r: CurveRow) => number | null) => rows.map((r) => [r.n, f(r)] as const);
  const svg = linePlot(
    [
      { name: 'sim swarm', color: '#1f77b4', points: pts((r) => r.swarm.seconds) },
      { name: 'sim client-server', color: '#d62728', points: pts((r) => (r.cs ? r.cs.seconds : null)) },
      { name: 'D_p2p', color: '#2ca02c', points: pts((r) => r.dP2p), dashed: true },
      { name: `${SIM_TARGET} × D_p2p`, color: '#98df8a', points: pts((r) => SIM_TARGET * r.dP2p), dashed: true },
      { name: 'D_cs', color: '#ff9896', points: pts((r) => r.dCs), dashed: true },
      { name: 'fluid (Qiu–Srikant)', color: '#9467bd', points: pts((r) => r.fluid), dashed: true },
    ],
    { title, xLabel: 'N (leechers, log scale)', yLabel: 'distribution time, s (log scale)' },
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
}
