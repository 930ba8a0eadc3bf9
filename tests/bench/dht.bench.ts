/**
 * npm run bench:dht — Chord DHT lookups: hops and latency against N.
 *
 *   real        N = 8 peers: headless Chromium pages (one context each, so each has its own
 *               IndexedDB share) spread over two browser processes, in one room on wrangler dev.
 *               Twice, each time in a fresh room: with fingers, then with `?fingers=0` on every
 *               page (no finger table: a lookup walks the successor lists of r = 3).
 *                 1. wait until the ring has settled: every page's predecessor and whole successor
 *                    list equal the true ones (sortIds of the pages' node ids, as tests/e2e/dht.spec.ts);
 *                 2. with fingers, wait for fix-fingers (one finger a second per node): until every
 *                    page's finger table holds exactly the true fingers — for every index i from the
 *                    first useful one (client/core/chord.ts firstUsefulFinger) up, successor(self + 2^i),
 *                    computed from the global view. If that is not reached in BENCH_FINGER_S, the
 *                    run goes on once the fingers have not changed for 3 s (and says so);
 *                 3. BENCH_KEYS keys are put from the pages (in batches of 10 per page);
 *                 4. BENCH_LOOKUPS `dht.lookup(key)` of random keys from random pages one at a time
 *                    (sequential), then the same (page, key) pairs again in parallel batches of
 *                    BENCH_BATCH in flight over all pages; each lookup's hops, latency (measured
 *                    in the page around the call) and owner (checked against the global view);
 *                 5. every key read back once with `dht.get` from a random page (value checked;
 *                    hops from the pages' stats()).
 *               Every real lookup is also replayed on the simulated Chord (tests/bench/dht-sim.ts)
 *               grown from the same 8 node ids, converged: the "= sim" column counts the lookups
 *               whose real hop count equals the one the core's routing gives on the ideal state.
 *   simulated   the pure core in a simulated network (tests/bench/dht-sim.ts, the table of
 *               tests/bench/dht-sim.main.ts) for N = 8 ... 10,000, with and without fingers.
 *   summary     real N=8 hops against simulated N=8 hops.
 *
 * hops = messages until the key's successor has the query (the final one included; 0 when the
 * asking node owns the key). Target: average hops <= ½·log2 N + 1. Figures only: it never fails
 * on speed (nor on the target).
 *
 * Environment: BENCH_PORT (8794), BENCH_KEYS (200), BENCH_LOOKUPS (400, sequential; as many again
 * in parallel), BENCH_BATCH (40), BENCH_SIM_SIZES ("8,64,512,1000,4096,10000"), BENCH_SIM_LOOKUPS
 * (2000 a cell), BENCH_SEED (1), BENCH_SETTLE_S (90), BENCH_FINGER_S (60), BENCH_ONLY ("real,sim").
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { seeded } from '../helpers/seeded.ts';
import { ChordNode, addPow2, sortIds, successorOf } from '../../client/core/chord.ts';
import { buildCheckedRing, emptyRing, join, lookupHops, measureLookups, runRound, runUntilConverged, type Ring } from './dht-sim.ts';
import type { DhtRingView } from '../../client/api.ts';
import { chromiumEngine, closeAll, launchBrowsers, newPage, openRoom } from './kit/browsers.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed, percentage } from './kit/format.ts';
import { loadAverage, machineLine, problemLines } from './kit/report.ts';
import { startBenchServer } from './kit/server.ts';
import { sourceStamp } from './kit/source-stamp.ts';
import { max, mean, percentile, sum } from './kit/stats.ts';
import { table } from './kit/table.ts';
import { retryingThrows, waitUntil, type Check } from './kit/wait.ts';

const PORT = envNumber('BENCH_PORT', 8794);
const KEYS = envNumber('BENCH_KEYS', 200);
const LOOKUPS = envNumber('BENCH_LOOKUPS', 400, { orZero: true });
const BATCH = envNumber('BENCH_BATCH', 40);
const SIM_SIZES = envList('BENCH_SIM_SIZES', '8,64,512,1000,4096,10000').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const SIM_LOOKUPS = envNumber('BENCH_SIM_LOOKUPS', 2000, { orZero: true });
const SEED = envNumber('BENCH_SEED', 1, { orZero: true });
const SETTLE_MS = envNumber('BENCH_SETTLE_S', 90, { orZero: true }) * 1000;
const FINGER_MS = envNumber('BENCH_FINGER_S', 60, { orZero: true }) * 1000;
const ONLY = new Set(envList('BENCH_ONLY', 'real,sim'));
const N = 8;
const R = 3;
const BROWSERS = 2;
const PUT_BATCH = 10;

const target = (n: number) => 0.5 * Math.log2(n) + 1;
const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');
/** protocol/dht.ts nodeId and keyId: SHA-1 of the UTF-8 text (checked against the pages' own ids). */
const nodeId = sha1;
const keyId = sha1;
const f1 = (x: number) => fixed(x, 1);
const f2 = (x: number) => fixed(x, 2);

const problems: string[] = [];
const notes: string[] = [];


// ------------------------------------------------------------------ the real part

interface Peer {
  page: Page;
  context: BrowserContext;
  peer: string;
  node: string;
}

interface One {
  from: number;
  key: number;
  hops: number;
  ms: number;
  ok: boolean;
  error?: string;
}

interface RealRow {
  fingers: boolean;
  settleS: number | null;
  fingerS: number | null;
  fingerHow: string;
  fingersPerNode: number;
  putHops: number[];
  putOk: number;
  seq: One[];
  par: One[];
  seqWallS: number;
  parWallS: number;
  getOk: number;
  getHops: number;
  /** Hops of the same lookups on the simulated converged ring of the same ids. */
  simHops: number[];
  /** Real lookups whose hops equal the simulated ones. */
  sameAsSim: number;
  /** stats().failures summed over the pages once the ring had settled, and at the end (no node dies in this bench). */
  failuresAtSettle: number;
  failuresAtEnd: number;
  /** wrangler dev reloaded during the row (the project's sources changed). */
  reloaded: boolean;
  errors: string[];
}

/** The ring view of every page. */
const views = (peers: Peer[]) => Promise.all(peers.map((p) => p.page.evaluate(() => window.p2p.dht.ring())));

/** Why the ring is not settled yet (null: settled): every predecessor and successor list right. */
function ringWrong(vs: (DhtRingView | null)[], sorted: string[]): string | null {
  const n = sorted.length;
  for (const v of vs) {
    if (!v) return 'a node has not started';
    const k = sorted.indexOf(v.self.id);
    if (k < 0) return `${v.self.peer}: its node id is not the SHA-1 of its peer id`;
    const pred = sorted[(k - 1 + n) % n];
    if (v.predecessor?.id !== pred) return `${v.self.peer}: predecessor ${v.predecessor?.peer ?? 'none'} is wrong`;
    const want = Array.from({ length: Math.min(R, n - 1) }, (_, j) => sorted[(k + 1 + j) % n]);
    if (v.successors.map((s) => s.id).join() !== want.join()) return `${v.self.peer}: successor list ${v.successors.map((s) => s.peer.slice(-4)).join(',')} is wrong`;
  }
  return null;
}

/** The distinct true fingers of `self` (index firstUsefulFinger() and up), sorted. */
function trueFingers(self: string, sorted: string[]): string[] {
  const k = sorted.indexOf(self);
  const c = new ChordNode(self, R);
  c.successors = [sorted[(k + 1) % sorted.length]!];
  const out = new Set<string>();
  for (let i = c.firstUsefulFinger(); i < 160; i++) {
    const f = successorOf(sorted, addPow2(self, i));
    if (f !== self) out.add(f);
  }
  return [...out].sort();
}

/** Poll `check` every 500 ms until it returns null (a throw counts as not yet), for at most `ms`. */
const until = (check: Check, ms: number) => waitUntil(retryingThrows(check), ms);

/** A ring of the same node ids grown and converged by the simulation (dht-sim.ts). */
function simRingOf(ids: string[], fingers: boolean): Ring {
  const ring = emptyRing({ fingers, r: R });
  const boot = join(ring, ids[0]!, null).self;
  for (const id of ids.slice(1)) {
    join(ring, id, boot);
    runRound(ring);
  }
  ring.buildRounds = runUntilConverged(ring, fingers);
  return ring;
}

async function runReal(browsers: Browser[], url: string, fingers: boolean, rng: () => number): Promise<RealRow> {
  const label = fingers ? 'fingers' : 'no fingers';
  const room = `bench-dht-${fingers ? 'f1' : 'f0'}-${Date.now().toString(36)}`;
  const errors: string[] = [];
  const row: RealRow = {
    fingers,
    settleS: null,
    fingerS: null,
    fingerHow: '',
    fingersPerNode: 0,
    putHops: [],
    putOk: 0,
    seq: [],
    par: [],
    seqWallS: 0,
    parWallS: 0,
    getOk: 0,
    getHops: NaN,
    simHops: [],
    sameAsSim: 0,
    failuresAtSettle: 0,
    failuresAtEnd: 0,
    reloaded: false,
    errors,
  };
  const stamp = sourceStamp();
  console.error(`  ${label}: opening ${N} pages in room ${room} ...`);
  const peers: Peer[] = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const { context, page } = await newPage(browsers[i % BROWSERS]!, errors);
      await openRoom(page, url, room, { params: fingers ? '' : '&fingers=0', timeoutMs: 60_000 });
      const peer = await page.evaluate(() => window.p2p.id);
      return { page, context, peer, node: nodeId(peer) };
    }),
  );
  try {
    const sorted = sortIds(peers.map((p) => p.node));
    if (sorted.length !== N) throw new Error(`two pages got the same node id`);

    // 1. The ring settles.
    const t0 = performance.now();
    const settle = await until(async () => ringWrong(await views(peers), sorted), SETTLE_MS);
    row.settleS = settle.seconds;
    if (settle.seconds === null) problems.push(`${label}: the ring did not settle in ${SETTLE_MS / 1000} s (last: ${settle.last}); measuring anyway`);
    console.error(`  ${label}: ring ${settle.seconds === null ? 'NOT settled' : `settled in ${f1(settle.seconds)} s`}`);

    // 2. Fix-fingers.
    const want = new Map(sorted.map((id) => [id, trueFingers(id, sorted)]));
    if (fingers) {
      const exact = await until(async () => {
        const vs = await views(peers);
        const ring = ringWrong(vs, sorted);
        if (ring) return ring;
        for (const v of vs) {
          const have = [...new Set(v!.fingers.map((f) => f.id))].sort();
          if (have.join() !== want.get(v!.self.id)!.join()) return `${v!.self.peer}: ${have.length} fingers, ${want.get(v!.self.id)!.length} true ones, not equal`;
        }
        return null;
      }, FINGER_MS);
      if (exact.seconds !== null) {
        row.fingerS = (performance.now() - t0) / 1000;
        row.fingerHow = 'exact';
      } else {
        problems.push(`${label}: the finger tables were not all exact after ${FINGER_MS / 1000} s (last: ${exact.last}); went on once they were unchanged for 3 s`);
        let prev = '';
        let since = performance.now();
        await until(async () => {
          const now = JSON.stringify((await views(peers)).map((v) => v?.fingers.map((f) => f.id).sort()));
          if (now !== prev) {
            prev = now;
            since = performance.now();
          }
          return performance.now() - since >= 3_000 ? null : 'changing';
        }, 30_000);
        row.fingerS = (performance.now() - t0) / 1000;
        row.fingerHow = 'stable 3 s';
      }
      console.error(`  ${label}: fingers ${row.fingerHow} at +${f1(row.fingerS)} s`);
    }
    row.failuresAtSettle = sum(await Promise.all(peers.map((p) => p.page.evaluate(() => window.p2p.dht.stats().failures))));
    const vs = await views(peers);
    row.fingersPerNode = mean(vs.map((v) => v?.fingers.length ?? 0));
    if (!fingers && vs.some((v) => (v?.fingers.length ?? 0) > 0)) problems.push(`${label}: a page with ?fingers=0 has fingers: ?fingers=0 did not take effect`);

    // 3. Puts.
    const tag = Math.floor(rng() * 2 ** 32).toString(36);
    const keys = Array.from({ length: KEYS }, (_, i) => `bench-${tag}-${i}`);
    const value = (i: number) => `value ${i} of ${tag}`;
    const byPage: number[][] = peers.map(() => []);
    keys.forEach((_, i) => byPage[Math.floor(rng() * N)]!.push(i));
    const puts = await Promise.all(
      peers.map((p, pi) =>
        p.page.evaluate(
          async ({ items, batch }) => {
            const out: { i: number; owner: string; hops: number; error?: string }[] = [];
            for (let j = 0; j < items.length; j += batch) {
              const rs = await Promise.all(
                items.slice(j, j + batch).map(([i, k, v]) =>
                  window.p2p.dht.put(k, v).then(
                    (r) => ({ i, owner: r.owner, hops: r.hops }),
                    (e: Error) => ({ i, owner: '', hops: -1, error: e.message }),
                  ),
                ),
              );
              out.push(...rs);
            }
            return out;
          },
          { items: byPage[pi]!.map((i) => [i, keys[i]!, value(i)] as [number, string, string]), batch: PUT_BATCH },
        ),
      ),
    );
    for (const r of puts.flat()) {
      if (r.error) {
        errors.push(`put: ${r.error}`);
        continue;
      }
      row.putHops.push(r.hops);
      if (nodeId(r.owner) === successorOf(sorted, keyId(keys[r.i]!))) row.putOk++;
    }

    // 4. Lookups: the same (page, key) pairs sequentially, then in parallel batches.
    const pairs = Array.from({ length: LOOKUPS }, () => ({ from: Math.floor(rng() * N), key: Math.floor(rng() * KEYS) }));
    const lookupIn = (page: Page, ks: string[]) =>
      page.evaluate(
        (ks) =>
          Promise.all(
            ks.map(async (k) => {
              const t = performance.now();
              try {
                const r = await window.p2p.dht.lookup(k);
                return { owner: r.owner, hops: r.hops, ms: performance.now() - t };
              } catch (e) {
                return { owner: '', hops: -1, ms: performance.now() - t, error: (e as Error).message };
              }
            }),
          ),
        ks,
      );
    const record = (q: { from: number; key: number }, r: { owner: string; hops: number; ms: number; error?: string }): One => {
      const one: One = { from: q.from, key: q.key, hops: r.hops, ms: r.ms, ok: !r.error && nodeId(r.owner) === successorOf(sorted, keyId(keys[q.key]!)) };
      if (r.error) {
        one.error = r.error;
        errors.push(`lookup: ${r.error}`);
      }
      return one;
    };
    let w0 = performance.now();
    for (const q of pairs) row.seq.push(record(q, (await lookupIn(peers[q.from]!.page, [keys[q.key]!]))[0]!));
    row.seqWallS = (performance.now() - w0) / 1000;
    w0 = performance.now();
    for (let b = 0; b < pairs.length; b += BATCH) {
      const batch = pairs.slice(b, b + BATCH);
      const results = await Promise.all(
        peers.map(async (p, pi) => {
          const mine = batch.filter((q) => q.from === pi);
          const rs = mine.length ? await lookupIn(p.page, mine.map((q) => keys[q.key]!)) : [];
          return mine.map((q, j) => record(q, rs[j]!));
        }),
      );
      row.par.push(...results.flat());
    }
    row.parWallS = (performance.now() - w0) / 1000;

    // The same lookups on the simulated, converged ring of these very ids.
    const sim = simRingOf(peers.map((p) => p.node), fingers);
    for (const q of [...row.seq, ...row.par]) {
      const s = lookupHops(sim, peers[q.from]!.node, keyId(keys[q.key]!));
      row.simHops.push(s.hops);
      if (s.hops === q.hops) row.sameAsSim++;
    }

    // 5. Every key read back once.
    const before = await Promise.all(peers.map((p) => p.page.evaluate(() => window.p2p.dht.stats())));
    const reads: number[][] = peers.map(() => []);
    keys.forEach((_, i) => reads[Math.floor(rng() * N)]!.push(i));
    const got = await Promise.all(
      peers.map((p, pi) =>
        p.page.evaluate(
          async ({ items, batch }) => {
            const out: [number, string | null][] = [];
            for (let j = 0; j < items.length; j += batch) {
              const rs = await Promise.all(items.slice(j, j + batch).map(([i, k]) => window.p2p.dht.get(k).then((v) => [i, v] as [number, string | null], (e: Error) => [i, `error: ${e.message}`] as [number, string | null])));
              out.push(...rs);
            }
            return out;
          },
          { items: reads[pi]!.map((i) => [i, keys[i]!] as [number, string]), batch: PUT_BATCH },
        ),
      ),
    );
    const after = await Promise.all(peers.map((p) => p.page.evaluate(() => window.p2p.dht.stats())));
    for (const [i, v] of got.flat()) if (v === value(i)) row.getOk++;
    let hopSum = 0;
    let n = 0;
    before.forEach((b, i) => {
      const a = after[i]!;
      hopSum += a.avgHops * a.lookups - b.avgHops * b.lookups;
      n += a.lookups - b.lookups;
    });
    row.getHops = n > 0 ? hopSum / n : NaN;
    const badMessages = sum(after.map((x) => x.badMessages));
    const failures = sum(after.map((x) => x.failures));
    row.failuresAtEnd = failures;
    if (badMessages > 0) problems.push(`${label}: ${badMessages} DHT messages were counted as malformed (stats().badMessages)`);
    notes.push(`${label}: stats() summed over the pages: failures (nodes found dead; none dies here) ${row.failuresAtSettle} once settled, ${failures} at the end; replicas sent ${sum(after.map((x) => x.replicasSent))}, keys held ${after.map((x) => x.keysHeld).join('/')} (${KEYS} keys × r = ${R} → ${KEYS * R} expected in all: ${sum(after.map((x) => x.keysHeld))})`);
  } catch (err) {
    problems.push(`${label}: ${(err as Error).stack ?? (err as Error).message}`);
  } finally {
    await closeAll(peers.map((p) => p.context));
  }
  if (sourceStamp() !== stamp) {
    row.reloaded = true;
    problems.push(`${label}: the project's sources changed during this row (someone edited client/, protocol/ or worker/): wrangler dev rebuilt and reloaded, dropping the signaling sockets; its figures may be off (marked *)`);
  }
  if (errors.length) problems.push(`${label}: errors: ${[...new Set(errors)].slice(0, 8).join(' | ')}${errors.length > 8 ? ` (${errors.length} in all)` : ''}`);
  return row;
}

// ------------------------------------------------------------------ tables

function printReal(rows: RealRow[], engineName: string, loadStart: string): void {
  console.log(
    `bench:dht — real: N = ${N} pages (one context each) over ${BROWSERS} ${engineName} processes, a fresh room per row, r = ${R}; ` +
      `${KEYS} keys put, ${LOOKUPS} dht.lookup() of random keys from random pages sequentially + the same ${LOOKUPS} in parallel batches of ${BATCH}; seed ${SEED}`,
  );
  console.log(machineLine(loadStart, 'now'));
  console.log('');
  const header = ['routing', 'ring s', 'fingers s', 'fingers/node', 'put hops', 'hops avg', 'p95', 'max', 'owner ok', '= sim', '½·log2N+1', 'met', 'seq ms med', 'p95', 'par ms med', 'p95', 'seq /s', 'par /s', 'get ok', 'get hops'];
  const lines = rows.map((r) => {
    const all = [...r.seq, ...r.par].filter((q) => !q.error);
    const hops = all.map((q) => q.hops);
    const seqMs = r.seq.filter((q) => !q.error).map((q) => q.ms);
    const parMs = r.par.filter((q) => !q.error).map((q) => q.ms);
    const avg = mean(hops);
    const t = target(N);
    return [
      `${r.fingers ? 'fingers' : 'successors only'}${r.reloaded ? '*' : ''}`,
      r.settleS === null ? 'timeout' : f1(r.settleS),
      r.fingers ? (r.fingerS === null ? '-' : `${f1(r.fingerS)}${r.fingerHow === 'exact' ? '' : '*'}`) : '-',
      f1(r.fingersPerNode),
      r.putHops.length ? f2(mean(r.putHops)) : '-',
      hops.length ? f2(avg) : '-',
      hops.length ? String(percentile(hops, 95)) : '-',
      hops.length ? String(max(hops)) : '-',
      `${[...r.seq, ...r.par].filter((q) => q.ok).length}/${r.seq.length + r.par.length}`,
      `${r.sameAsSim}/${r.simHops.length}`,
      f2(t),
      hops.length ? (avg <= t ? 'met' : 'MISSED') : '-',
      f1(percentile(seqMs, 50)),
      f1(percentile(seqMs, 95)),
      f1(percentile(parMs, 50)),
      f1(percentile(parMs, 95)),
      r.seqWallS > 0 ? f1(r.seq.length / r.seqWallS) : '-',
      r.parWallS > 0 ? f1(r.par.length / r.parWallS) : '-',
      `${r.getOk}/${KEYS}`,
      Number.isNaN(r.getHops) ? '-' : f2(r.getHops),
    ];
  });
  console.log(table(header, lines, { left: [0] }));
  console.log(
    [
      `ring s: until every page's predecessor and successor list (r = ${R}) were the true ones; fingers s: from the same start until every finger table held`,
      `  exactly the true fingers (successor(self + 2^i) for every useful i; fix-fingers refreshes one finger a second; * = not exact, went on once unchanged for 3 s).`,
      `hops: of all ${2 * LOOKUPS} lookups (sequential + parallel); owner ok: the owner named is the true successor of the key;`,
      `  = sim: lookups whose hops equal those of the core's routing (dht-sim.ts lookupHops) on the converged ring of the same 8 ids.`,
      `seq/par ms: latency of one dht.lookup() measured in the page; seq /s, par /s: lookups per second (wall time in the bench, page.evaluate included).`,
      `get ok: every key read back once with dht.get() from a random page; get hops: their average (stats()).`,
      ...(rows.some((r) => r.reloaded) ? ['* wrangler dev reloaded during that row (see problems): its figures may be off.'] : []),
    ].join('\n'),
  );
}

function printSim(): { n8: { fingers: number; succ: number } | null } {
  console.log('');
  console.log(`simulated (tests/bench/dht-sim.ts): ${SIM_LOOKUPS} lookups of random keys from random nodes per cell; r = ${R}; seed ${SEED}`);
  console.log('build: "rounds k" = grown by joins through a bootstrap node, k rounds after the last join to converge; "direct" = converged state set up');
  console.log('');
  const header = ['N', 'build', 'fingers: avg', 'p95', 'max', 'correct', '½·log2N+1', 'met', 'successors only: avg', 'p95', 'max', 'correct', '≈N/2r+1', 'time'];
  let n8: { fingers: number; succ: number } | null = null;
  const lines: string[][] = [];
  for (const n of SIM_SIZES) {
    const t0 = performance.now();
    // The seeds of dht-sim.main.ts: the same rings and lookups as its table.
    const withF = buildCheckedRing(n, seeded(SEED * 1_000_003 + n), { fingers: true, r: R });
    const a = measureLookups(withF, SIM_LOOKUPS, seeded(SEED + n));
    const noF = buildCheckedRing(n, seeded(SEED * 1_000_003 + n), { fingers: false, r: R });
    const b = measureLookups(noF, SIM_LOOKUPS, seeded(SEED + n));
    if (n === N) n8 = { fingers: a.avgHops, succ: b.avgHops };
    lines.push([
      String(n),
      withF.build === 'rounds' ? `rounds ${withF.buildRounds}` : 'direct',
      f2(a.avgHops),
      String(a.p95Hops),
      String(a.maxHops),
      percentage(a.correct, 1),
      f2(target(n)),
      a.avgHops <= target(n) ? 'met' : 'MISSED',
      f2(b.avgHops),
      String(b.p95Hops),
      String(b.maxHops),
      percentage(b.correct, 1),
      f2(n / (2 * R) + 1),
      `${((performance.now() - t0) / 1000).toFixed(1)}s`,
    ]);
    console.error(`  simulated N=${n} done`);
  }
  console.log(table(header, lines, { left: [1] }));
  return { n8 };
}

// ------------------------------------------------------------------ main

const started = performance.now();
const loadStart = loadAverage();
const realRows: RealRow[] = [];
const engine = ONLY.has('real') ? chromiumEngine('bench:dht') : null;
if (engine) {
  const server = await startBenchServer('dht', { port: PORT });
  const browsers: Browser[] = [];
  try {
    browsers.push(...(await launchBrowsers(engine, BROWSERS)));
    const rng = seeded(SEED * 7_777 + 8);
    for (const fingers of [true, false]) realRows.push(await runReal(browsers, server.url, fingers, rng));
  } finally {
    await closeAll(browsers);
    await server.stop();
  }
}

if (realRows.length) printReal(realRows, engine?.name ?? 'chromium', loadStart);
const sim = ONLY.has('sim') ? printSim() : { n8: null };

console.log('');
const realAvg = (fingers: boolean) => {
  const r = realRows.find((x) => x.fingers === fingers);
  const hops = r ? [...r.seq, ...r.par].filter((q) => !q.error).map((q) => q.hops) : [];
  return hops.length ? { real: mean(hops), simSame: mean(r!.simHops) } : null;
};
const rf = realAvg(true);
const rn = realAvg(false);
if (rf || rn) {
  const part = (name: string, r: { real: number; simSame: number } | null, s: number | undefined) =>
    r
      ? `${name}: real ${f2(r.real)}, simulated on the same 8 ids and lookups ${f2(r.simSame)}${s !== undefined ? `, simulated N=8 (random ids, ${SIM_LOOKUPS} lookups) ${f2(s)}` : ''}`
      : `${name}: no real figures`;
  console.log(`real N=8 against simulated N=8, average hops — ${part('fingers', rf, sim.n8?.fingers)}; ${part('successors only', rn, sim.n8?.succ)}; target ${f2(target(N))}`);
}
if (notes.length) {
  console.log('');
  for (const n of notes) console.log(`note: ${n}`);
}
for (const l of problemLines(problems)) console.log(l);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
