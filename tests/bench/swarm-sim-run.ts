/**
 * The simulated curve as a benchmark prints it: knobs from the environment, progress on
 * stderr, the table and its notes on stdout, the plot in tests/bench/out/swarm-sim.svg.
 * Shared by `npm run bench:swarm-sim` and `npm run bench:swarm` (after its browser table).
 *
 * Environment: BENCH_MIB (32), BENCH_UP_MIB (2), BENCH_SIM_N ("2,4,...,1000"), BENCH_SIM_CS_MAX
 * (64: client-server runs up to this N), BENCH_SEED (1), BENCH_SIM_LATENCY_MS (20),
 * BENCH_SIM_NEIGHBOURS (30), BENCH_SIM_BLOCK_KIB (16), BENCH_SIM_SUPERSEED (1: the seeder super-seeds, as a
 * new share does; 0: it announces every piece).
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { seeded } from '../helpers/seeded.ts';
import { BLOCK_LENGTH, PIECE_LENGTH } from '../../protocol/constants.ts';
import { curveNotes, formatCurve, SIM_SIZES, simCurve, writeCurveSvg } from './swarm-sim-table.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed, KiB, mib, MiB } from './kit/format.ts';
import { machineLine, loadAverage } from './kit/report.ts';

export const SVG_PATH = fileURLToPath(new URL('./out/swarm-sim.svg', import.meta.url));

export function printSimCurve(): void {
  const F = Math.round(envNumber('BENCH_MIB', 32) * MiB);
  const u = Math.round(envNumber('BENCH_UP_MIB', 2) * MiB);
  const sizes = envList('BENCH_SIM_N', SIM_SIZES.join(',')).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const seed = envNumber('BENCH_SEED', 1);
  const latencyMs = envNumber('BENCH_SIM_LATENCY_MS', 20, { orZero: true });
  const neighbours = envNumber('BENCH_SIM_NEIGHBOURS', 30);
  const blockLength = Math.round(envNumber('BENCH_SIM_BLOCK_KIB', BLOCK_LENGTH / KiB) * KiB);
  const superSeed = process.env.BENCH_SIM_SUPERSEED !== '0';
  const load = loadAverage();
  const t0 = performance.now();
  const rows = simCurve({
    sizes,
    fileBytes: F,
    uplink: u,
    csUpTo: envNumber('BENCH_SIM_CS_MAX', 64, { orZero: true }),
    // One stream per run, from the seed and the run's N and mode: a row does not depend on which others ran.
    rngFor: (n, mode) => seeded(seed * 1_000_003 + n * 2 + (mode === 'swarm' ? 0 : 1)),
    sim: { latencyMs, neighbours, blockLength, superSeed },
    onRow: (r) => console.error(`  sim N=${r.n}: swarm ${fixed(r.swarm.seconds, 1)} s${r.cs ? `, client-server ${fixed(r.cs.seconds, 1)} s` : ''} (${fixed(r.swarmWallS + r.csWallS, 1)} s wall)`),
  });
  const wall = (performance.now() - t0) / 1000;
  writeCurveSvg(rows, SVG_PATH, `Distribution time of ${mib(F, 0)} MiB, every uplink ${mib(u, 1)} MiB/s: simulated swarm (our cores) vs bounds`);
  console.log(`\nswarm simulation: the client's picker, request book and choker on simulated peers and links, seed ${seed}`);
  console.log(machineLine(load));
  console.log(formatCurve(rows, F));
  console.log(curveNotes({ fileBytes: F, uplink: u, latencyMs, neighbours, blockLength, pieceLength: PIECE_LENGTH }));
  console.log(`plot: ${SVG_PATH}\nsimulation wall time ${fixed(wall, 1)} s`);
}
