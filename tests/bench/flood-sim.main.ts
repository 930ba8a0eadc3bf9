/**
 * node tests/bench/flood-sim.main.ts — print the flood simulation table (flat Gnutella overlay
 * against the super-peer tier, N = 8 to 10,000, ttl 1 to 7). Simulated, so no server and no
 * browser; seeded, so every run prints the same table. BENCH_SEED changes the seed.
 */
import { resolveExtensionlessTs } from './kit/extensionless.ts';
import { performance } from 'node:perf_hooks';
import { seeded } from '../helpers/seeded.ts';

// protocol/ and client/ import each other without extensions: see ./kit/extensionless.ts.
resolveExtensionlessTs('flood-sim');
const { SIM_DEFAULTS, formatTable, simTable } = await import('./flood-sim-table.ts');

const seed = Number(process.env.BENCH_SEED ?? 1);
const t0 = performance.now();
const rows = simTable(seeded(seed));
const s = ((performance.now() - t0) / 1000).toFixed(1);
const d = SIM_DEFAULTS;
console.log(`flood simulation: the real FloodRouter on simulated overlays, seed ${seed}, ${s} s\n`);
console.log(formatTable(rows));
console.log(`
flat: each node keeps ${d.degree - 1}-${d.degree + 1} neighbours. super-peer: one super-peer per ${d.leavesPerSuper} leaves, super-peers
keep ${d.superDegree - 1}-${d.superDegree + 1} super-peer neighbours, leaves search through their super-peer (which indexes
their files). Each searched file is held by ${d.holders} random nodes. msgs/query: query + query-hit messages
sent; found: queries with at least one answer; hops to 1st: hops to the nearest answer; reached:
share of the other nodes whose files were searched. ${d.queries} queries a row, from random nodes (leaves in
the super-peer overlay), each for a file of its own.`);
