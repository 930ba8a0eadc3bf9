/**
 * node tests/bench/dht-sim.main.ts — Chord lookups in a simulated network (tests/bench/dht-sim.ts),
 * no browsers, no sockets: for N = 8 ... 10,000 nodes with random ids, the hops of random lookups
 * with fingers against the target ½·log2 N + 1 (Chord's ½·log2 N forwarding hops plus the final
 * message to the owner), and with the successor list alone (about N / 2r + 1 hops). Then nodes
 * fail at random and rounds of stabilization repair the ring; lookups are checked again.
 *
 * Rings of up to 1000 nodes are grown by the protocol (joins through a bootstrap node, then
 * stabilize/notify/fix-fingers rounds until every node's state matches the global view); larger
 * ones are set up directly in that converged state, checked to be a fixed point of one round.
 * Every lookup's owner is checked against the global view (`correct`).
 *
 * Environment: DHT_LOOKUPS (2000 per row), DHT_SEED (1).
 */
import { resolveExtensionlessTs } from './kit/extensionless.ts';
import { performance } from 'node:perf_hooks';
import { seeded } from '../helpers/seeded.ts';
import { fixed, percentage } from './kit/format.ts';

// protocol/ and client/ import each other without extensions: see ./kit/extensionless.ts.
resolveExtensionlessTs('dht-sim');
const { buildCheckedRing, failAndRepair, measureLookups } = await import('./dht-sim.ts');

const LOOKUPS = Number(process.env.DHT_LOOKUPS ?? 2000);
const SEED = Number(process.env.DHT_SEED ?? 1);
const R = 3;
const SIZES = [8, 64, 512, 1000, 4096, 10_000];

const pad = (s: string | number, w: number) => String(s).padStart(w);
const f2 = (x: number) => fixed(x, 2);
const share = (x: number) => percentage(x, 1);
const started = performance.now();

const buildChecked = (n: number, rng: () => number, fingers: boolean, r = R) => buildCheckedRing(n, rng, { fingers, r });

console.log(`Chord lookup hops: ${LOOKUPS} lookups of random keys from random nodes per cell; r = ${R} successors; seed ${SEED}`);
console.log('build: "rounds k" = grown by joins through a bootstrap node, k rounds after the last join to converge; "direct" = converged state set up');
console.log('hops = messages until the owner has the query (the final one to the owner included; 0 when the first node owns the key)');
console.log('');
console.log(
  `${pad('N', 6)}  ${'build'.padEnd(10)} | ${pad('fingers: avg', 12)} ${pad('p95', 4)} ${pad('max', 4)} ${pad('correct', 7)} | ${pad('½·log2N+1', 9)} ${'met'.padEnd(3)} | ${pad('successors only: avg', 20)} ${pad('p95', 5)} ${pad('max', 5)} ${pad('correct', 7)} | ${pad('≈N/2r+1', 7)} | ${pad('time', 6)}`,
);
for (const n of SIZES) {
  const t0 = performance.now();
  const withF = buildChecked(n, seeded(SEED * 1_000_003 + n), true);
  const a = measureLookups(withF, LOOKUPS, seeded(SEED + n));
  const noF = buildChecked(n, seeded(SEED * 1_000_003 + n), false);
  const b = measureLookups(noF, LOOKUPS, seeded(SEED + n));
  const target = 0.5 * Math.log2(n) + 1;
  const build = withF.build === 'rounds' ? `rounds ${withF.buildRounds}` : 'direct';
  console.log(
    `${pad(n, 6)}  ${build.padEnd(10)} | ${pad(f2(a.avgHops), 12)} ${pad(a.p95Hops, 4)} ${pad(a.maxHops, 4)} ${pad(share(a.correct), 7)} | ${pad(f2(target), 9)} ${(a.avgHops <= target ? 'yes' : 'NO').padEnd(3)} | ${pad(f2(b.avgHops), 20)} ${pad(b.p95Hops, 5)} ${pad(b.maxHops, 5)} ${pad(share(b.correct), 7)} | ${pad(f2(n / (2 * R) + 1), 7)} | ${pad(`${((performance.now() - t0) / 1000).toFixed(1)}s`, 6)}`,
  );
}

console.log('');
console.log('Failures: kill a fraction of the nodes at once, run stabilize/notify/fix-fingers rounds, then 1000 lookups from survivors');
console.log('(lost all = survivors whose r successors all died; "split" = the ring broke in two and never re-formed)');
console.log('');
console.log(
  `${pad('N', 6)}  ${'routing'.padEnd(15)} ${pad('killed', 7)} ${pad('lost all', 8)} | ${pad('ring rounds', 11)} ${pad('+fingers', 8)} | ${pad('correct', 7)} ${pad('avg hops', 8)} ${pad('timeouts/lookup', 15)} | ${pad('time', 6)}`,
);
const failures: { n: number; fingers: boolean; r: number; fraction: number }[] = [
  { n: 200, fingers: true, r: R, fraction: 0.2 },
  { n: 1000, fingers: true, r: R, fraction: 0.2 },
  { n: 10_000, fingers: true, r: R, fraction: 0.1 },
  { n: 10_000, fingers: true, r: R, fraction: 0.2 },
  { n: 1000, fingers: false, r: R, fraction: 0.2 },
  { n: 1000, fingers: false, r: 10, fraction: 0.2 },
];
for (const { n, fingers, r, fraction } of failures) {
  const t0 = performance.now();
  const rng = seeded(SEED * 7919 + n + r);
  const ring = buildChecked(n, rng, fingers, r);
  const f = failAndRepair(ring, fraction, rng, { lookups: 1000 });
  const routing = `${fingers ? 'fingers' : 'succ. only'}, r=${r}`;
  console.log(
    `${pad(n, 6)}  ${routing.padEnd(15)} ${pad(`${Math.round(fraction * 100)}%`, 7)} ${pad(f.lostAllSuccessors, 8)} | ${pad(f.ringRounds ?? 'split', 11)} ${pad(f.fingerRounds ?? '-', 8)} | ${pad(share(f.correct), 7)} ${pad(f2(f.avgHops), 8)} ${pad(f.avgTimeouts.toFixed(3), 15)} | ${pad(`${((performance.now() - t0) / 1000).toFixed(1)}s`, 6)}`,
  );
}
console.log('');
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)}s`);
