/**
 * node --experimental-transform-types tests/bench/swarm-sim.main.ts — the swarm simulation
 * (tests/bench/swarm-sim.ts) for N = 2 to 1,000: distribution time against D_p2p, D_cs and the
 * fluid model, as a table and an SVG plot (tests/bench/out/swarm-sim.svg). Simulated, so no
 * server and no browser; seeded, so every run prints the same figures (but wall time).
 * Knobs: see tests/bench/swarm-sim-run.ts. The flag: the client's classes use parameter
 * properties, which Node's type stripping alone does not take.
 */
import { resolveExtensionlessTs } from './kit/extensionless.ts';

// protocol/ and client/ import each other without extensions: see ./kit/extensionless.ts.
resolveExtensionlessTs('swarm-sim');
const { printSimCurve } = await import('./swarm-sim-run.ts');
printSimCurve();
