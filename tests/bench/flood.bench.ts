/**
 * npm run bench:flood — Gnutella query flooding against the super-peer overlay: messages per
 * query and success rate against ttl.
 *
 *   real        N = 8 peers (headless Chromium pages spread over two browser processes) in one room
 *               on wrangler dev. Once the flat overlay has degree >= 3 everywhere and the two-tier
 *               overlay has settled, the flat topology is frozen (setDegree({ min: 0 })) and read.
 *               FILES small random files with distinct names are shared, each by one peer; then,
 *               one search at a time, the same QUERIES (searcher, file) pairs (searcher != holder)
 *               run for each ttl: flat ttl 1..4, super-peer ttl 1, 2 and the default (7).
 *   simulated   the real FloodRouter on simulated overlays (tests/bench/flood-sim.ts, the table of
 *               tests/bench/flood-sim-table.ts) for N = 8 .. 10,000.
 *   summary     real N=8 against the simulation of the same shape (N=8, degree 3-5, one holder a
 *               file), and flat against super-peer at N=10,000: the messages a query costs for
 *               >= 90% success.
 *
 * What a real query costs is counted twice, independently: on the wire (every page logs the
 * query and query-hit messages that arrive on its overlay channels, by guid) and from the flood
 * routers' traces (sum over the pages of trace(guid): `received` = query messages that arrived,
 * `answered` + `routed` = query-hit messages sent by a holder or passed on by a relay). The
 * "traces = wire" column says in how many searches the two agree.
 *
 * Every search checks that both overlays are as frozen before and after it. If not (typically:
 * someone edited client/ or worker/, wrangler dev reloaded the worker, every signaling socket
 * dropped and the peers dropped overlay neighbours they saw leave), the search is discarded, the
 * overlays are formed again, and it runs again; the report says what changed and when.
 *
 * Figures only: it never fails on speed.
 *
 * Environment: BENCH_PORT (8795), BENCH_QUERIES (16 a row), BENCH_SIM_SIZES ("8,100,1000,10000"),
 * BENCH_SEED (1: the simulation, and the choice of holders and searchers), BENCH_SEARCH_MS (1500:
 * each search's timeoutMs).
 */
import { resolveExtensionlessTs } from './kit/extensionless.ts';
import type { Browser, BrowserContext } from '@playwright/test';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { shareRandom } from '../e2e/torrents.ts';
import { seeded } from '../helpers/seeded.ts';
import type { SearchHit } from '../../client/api.ts';
import type { GuidTrace } from '../../client/core/flood-router.ts';
import { chromiumEngine, closeAll, launchBrowsers, newPage, openRoom } from './kit/browsers.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed, percentage } from './kit/format.ts';
import { loadAverage, problemLines } from './kit/report.ts';
import { startBenchServer } from './kit/server.ts';
import { sourceStamp } from './kit/source-stamp.ts';
import { max, mean, median, sum } from './kit/stats.ts';
import { table } from './kit/table.ts';
import { waitFor, waitUntil } from './kit/wait.ts';

// protocol/ and client/ import each other without extensions: see ./kit/extensionless.ts.
resolveExtensionlessTs('bench:flood');
const { SIM_DEFAULTS, formatTable, simTable } = await import('./flood-sim-table.ts');
const { flatNetwork, superPeerNetwork } = await import('./flood-sim.ts');

const PORT = envNumber('BENCH_PORT', 8795);
const QUERIES = Math.round(envNumber('BENCH_QUERIES', 16));
const SEED = envNumber('BENCH_SEED', 1);
const SEARCH_MS = Math.round(envNumber('BENCH_SEARCH_MS', 1500));
const SIM_SIZES = envList('BENCH_SIM_SIZES', '8,100,1000,10000').map(Number).filter((n) => Number.isInteger(n) && n >= 2);
const PEERS = 8;
const BROWSERS = 2;
const FILES = 4;
const FILE_BYTES = 16 * 1024;
const FLAT_TTLS = [1, 2, 3, 4];
/** The super-peer search's default ttl (client/overlay/overlay-api.ts DEFAULT_SUPERPEER_TTL = MAX_TTL). */
const SUPER_DEFAULT_TTL = 7;
const FORM_TIMEOUT_MS = 90_000;

const engine = chromiumEngine('bench:flood');

/** An overlay message that arrived at a page, as its logger saw it on the link. */
interface WireMsg {
  guid: string;
  type: 'query' | 'queryhit';
  channel: string;
  from: string;
}

declare global {
  interface Window {
    floodLog?: WireMsg[];
  }
}

type Via = 'gnutella' | 'superpeer';
type Graph = Map<string, string[]>;

interface TierView {
  id: string;
  role: string;
  supers: string[];
  superPeer: string | null;
  /** Neighbours in the two-tier overlay. */
  neighbours: string[];
}

interface PageState extends TierView {
  /** Neighbours in the flat overlay, sorted. */
  flat: string[];
}

interface SharedFile {
  query: string;
  name: string;
  infoHash: string;
  holder: string;
}

/** One measured search. */
interface Measure {
  found: boolean;
  hops: number | null;
  ms: number | null;
  /** Query and query-hit messages that arrived anywhere (the page loggers). */
  wireQuery: number;
  wireHit: number;
  /** The same from the routers' traces: sum of received; sum of answered + routed. */
  traceQuery: number;
  traceHit: number;
  /** Sum of the traces' forwarded (query messages sent, the origin's included). */
  traceSent: number;
  ideal: Ideal;
  searcherRole: string;
  /** Links of the frozen flat graph it ran on. */
  links: number;
}

interface Ideal {
  found: boolean;
  queryMsgs: number;
  hitMsgs: number;
  hops: number | null;
}

const problems: string[] = [];
const notes: string[] = [];

// ---------------------------------------------------------------- small helpers

function shuffle<T>(xs: T[], rng: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function distances(g: Graph, from: string): Map<string, number> {
  const d = new Map([[from, 0]]);
  const queue = [from];
  for (let k = 0; k < queue.length; k++) {
    const x = queue[k]!;
    for (const y of g.get(x) ?? []) {
      if (d.has(y)) continue;
      d.set(y, d.get(x)! + 1);
      queue.push(y);
    }
  }
  return d;
}

const edgeCount = (g: Graph) => sum([...g.values()].map((ns) => ns.length)) / 2;
const short = (id: string) => id.slice(-4);
const fix = (x: number, d = 1) => fixed(x, d);
/** Right-aligned columns but the first, no rule. */
const plainTable = (head: string[], rows: string[][]) => table(head, rows, { left: [0], rule: false });


// ---------------------------------------------------------------- ideal floods on the real graphs

/**
 * A flood in breadth-first order on the frozen flat graph (what the simulation's FIFO queue does):
 * a peer at distance d < ttl forwards to all its neighbours but the sender; the holder answers
 * if d <= ttl, its hit travelling d links back.
 */
function idealFlat(g: Graph, origin: string, holder: string, ttl: number): Ideal {
  const d = distances(g, origin);
  let queryMsgs = 0;
  for (const [v, dv] of d) if (dv < ttl) queryMsgs += (g.get(v)?.length ?? 0) - (v === origin ? 0 : 1);
  const dh = d.get(holder);
  const found = dh !== undefined && dh <= ttl;
  return { found, queryMsgs, hitMsgs: found ? dh : 0, hops: found ? dh : null };
}

/**
 * The same on the two-tier overlay: a leaf sends its query to its super-peer; super-peers flood
 * it among super-peers only; the super-peer that indexes the holder (or the holder, if it is a
 * super-peer) answers. A super-peer searching answers its own leaves' files locally (hops 1, no
 * message).
 */
function idealTier(views: TierView[], origin: string, holder: string, ttl: number): Ideal {
  const supers = views[0]!.supers;
  const view = new Map(views.map((v) => [v.id, v]));
  const superNbrs = (s: string) => (view.get(s)?.neighbours ?? []).filter((p) => supers.includes(p) && p !== s);
  const answerer = supers.includes(holder) ? holder : (view.get(holder)?.superPeer ?? '');
  const d = new Map<string, number>();
  let queryMsgs = 0;
  let frontier: { v: string; from: string | null }[];
  if (supers.includes(origin)) {
    d.set(origin, 0);
    frontier = [{ v: origin, from: null }];
  } else {
    const sp = view.get(origin)?.superPeer;
    if (!sp) return { found: false, queryMsgs: 0, hitMsgs: 0, hops: null };
    queryMsgs = 1;
    d.set(sp, 1);
    frontier = [{ v: sp, from: origin }];
  }
  while (frontier.length) {
    const next: typeof frontier = [];
    for (const { v, from } of frontier) {
      if (d.get(v)! >= ttl) continue;
      for (const w of superNbrs(v)) {
        if (w === from) continue;
        queryMsgs++;
        if (!d.has(w)) {
          d.set(w, d.get(v)! + 1);
          next.push({ v: w, from: v });
        }
      }
    }
    frontier = next;
  }
  if (answerer === origin) return { found: true, queryMsgs, hitMsgs: 0, hops: 1 };
  const da = d.get(answerer);
  const found = da !== undefined && da <= ttl;
  return { found, queryMsgs, hitMsgs: found ? da : 0, hops: found ? da : null };
}

// ---------------------------------------------------------------- the real network

const t0Run = Date.now();
const loadStart = loadAverage();
console.error(`  bench:flood: starting wrangler dev on port ${PORT} ...`);
const server = await startBenchServer('flood', { port: PORT });
/** After wrangler dev's own first build of the client (it writes dist/). */
const stampStart = sourceStamp();
const browsers: Browser[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** Install in a page: log every query and query hit that arrives on an overlay channel. */
function installLogger(): void {
  const log: WireMsg[] = [];
  window.floodLog = log;
  const dec = new TextDecoder();
  window.p2p.on('data', (e) => {
    if (e.channel !== 'gnut' && e.channel !== 'sp') return;
    try {
      const m = JSON.parse(dec.decode(e.bytes)) as { type?: unknown; guid?: unknown };
      if ((m.type === 'query' || m.type === 'queryhit') && typeof m.guid === 'string') log.push({ guid: m.guid, type: m.type, channel: e.channel, from: e.from });
    } catch {
      // not an overlay descriptor
    }
  });
}

/** What a page shows of both overlays, and (taken) the messages its logger saw since the last call. */
function pageSnap(): { state: PageState; log: WireMsg[] } {
  const t = window.p2p.overlay.superpeer;
  const state = {
    id: window.p2p.id,
    flat: [...window.p2p.overlay.gnutella.neighbours()].sort(),
    role: t.role(),
    supers: t.supers(),
    superPeer: t.superPeer(),
    neighbours: [...t.neighbours()].sort(),
  };
  return { state, log: window.floodLog ? window.floodLog.splice(0) : [] };
}

const flatKey = (st: PageState[]) => st.map((s) => `${s.id}:${s.flat.join(',')}`).join(';');
const tierKey = (st: PageState[]) => st.map((s) => `${s.id}:${s.role}:${s.superPeer ?? ''}:${s.neighbours.join(',')}:${s.supers.join(',')}`).join(';');
const graphOf = (st: PageState[]): Graph => new Map(st.map((s) => [s.id, s.flat]));

/** Which pages' views differ between two states (for the report). */
function diff(a: PageState[], b: PageState[], via: Via): string {
  const out: string[] = [];
  const list = (xs: string[]) => `[${xs.map(short).join(' ')}]`;
  b.forEach((y, i) => {
    const x = a[i]!;
    if (x.id !== y.id) out.push(`page ${i} id ${short(x.id)} -> ${short(y.id)}`);
    else if (via === 'gnutella' && x.flat.join() !== y.flat.join()) out.push(`${short(y.id)} flat ${list(x.flat)} -> ${list(y.flat)}`);
    else if (via === 'superpeer' && tierKey([x]) !== tierKey([y]))
      out.push(`${short(y.id)} ${x.role}->${y.role}, super-peer ${x.superPeer ? short(x.superPeer) : '-'}->${y.superPeer ? short(y.superPeer) : '-'}, tier ${list(x.neighbours)} -> ${list(y.neighbours)}`);
  });
  return out.join('; ');
}

/** The two-tier overlay settled: super-peers everyone agrees on, linked to each other, every leaf attached. */
function tierSettled(v: TierView[]): string {
  const supers = v[0]!.supers;
  if (supers.length === 0) return 'no super-peers yet';
  for (const x of v) {
    if (x.supers.join() !== supers.join()) return `${short(x.id)} sees other super-peers`;
    if (supers.includes(x.id)) {
      if (x.role !== 'super') return `${short(x.id)} not yet super`;
      if (supers.some((s) => s !== x.id && !x.neighbours.includes(s))) return `${short(x.id)} not linked to every super-peer`;
    } else if (x.role !== 'leaf' || !x.superPeer || !supers.includes(x.superPeer)) return `${short(x.id)} not attached`;
    else if (x.neighbours.length !== 1) return `${short(x.id)} has ${x.neighbours.length} links in the tier`;
    else if (!v.find((y) => y.id === x.superPeer)?.neighbours.includes(x.id)) return `${short(x.id)} attached to ${short(x.superPeer)}, which does not list it`;
  }
  return 'ok';
}

/** Links listed by one end only: [page index, the peer it lists], in the flat overlay or the tier. */
function oneSided(st: PageState[], overlay: 'flat' | 'tier'): [number, string][] {
  const lists = new Map(st.map((s) => [s.id, overlay === 'flat' ? s.flat : s.neighbours]));
  const out: [number, string][] = [];
  st.forEach((s, i) => {
    for (const n of lists.get(s.id)!) if (!lists.get(n)?.includes(s.id)) out.push([i, n]);
  });
  return out;
}

/** One row of the real table: an overlay, a ttl, its searches. */
interface RealRow {
  via: Via;
  ttl: number;
  ms: Measure[];
}

/** What the real run measured (filled as it goes: a run cut short still prints its rows). */
const real = {
  rows: [] as RealRow[],
  /** The overlays each time they were formed (the first, and after every re-forming). */
  shapes: [] as { at: number; text: string }[],
  files: [] as SharedFile[],
  formSeconds: NaN,
  reforms: [] as string[],
  /** One-sided links found when forming again. */
  oneSided: [] as string[],
  /** When the sources watched by wrangler dev were written (s since the start). */
  sourceChanges: [] as number[],
  drops: [] as string[],
};
const since = () => `+${((Date.now() - t0Run) / 1000).toFixed(0)} s`;

function describeOverlays(st: PageState[], files: SharedFile[]): string {
  const graph = graphOf(st);
  const degrees = [...graph.values()].map((ns) => ns.length);
  const ids = [...graph.keys()];
  const diameter = Math.max(...ids.map((id) => Math.max(...distances(graph, id).values())));
  const supers = st[0]!.supers;
  const superLinks = supers.reduce((a, s) => a + (st.find((v) => v.id === s)?.neighbours.filter((p) => supers.includes(p)).length ?? 0), 0) / 2;
  const leavesOf = (s: string) => st.filter((v) => v.superPeer === s).map((v) => short(v.id));
  return [
    `flat overlay (frozen): ${ids.length} peers, ${edgeCount(graph)} links, degrees ${degrees.join(' ')} (mean ${fix(mean(degrees), 2)}), diameter ${diameter}`,
    `  ${ids.map((id) => `${short(id)}: ${graph.get(id)!.map(short).join(' ')}`).join(' | ')}`,
    `super-peer overlay: ${supers.length} super-peers, ${superLinks} super-super link(s), ${st.filter((v) => v.superPeer).length} leaf links; ` +
      supers.map((s) => `${short(s)} has leaves ${leavesOf(s).join(' ') || '(none)'}`).join('; '),
    `files: ${files.map((f) => `"${f.name}" on ${short(f.holder)} (${supers.includes(f.holder) ? 'super' : 'leaf'})`).join(', ')}`,
  ].join('\n');
}

async function runReal(): Promise<void> {
  browsers.push(...(await launchBrowsers(engine, BROWSERS)));
  const room = `bench-flood-${Date.now().toString(36)}`;
  const t0 = Date.now();
  const pages = await Promise.all(
    Array.from({ length: PEERS }, async (_, i) => {
      const { context, page } = await newPage(browsers[i % BROWSERS]!, pageErrors);
      contexts.push(context);
      await openRoom(page, server.url, room);
      await page.evaluate(installLogger);
      return page;
    }),
  );
  const snaps = () => Promise.all(pages.map((p) => p.evaluate(pageSnap)));
  const states = async () => (await snaps()).map((x) => x.state);
  console.error(`  ${PEERS} peers in room ${room}; waiting for the overlays to form ...`);

  // FILES files with distinct names, each shared by a different random peer (by page: ids could change).
  const rng = seeded(SEED);
  const holderPages = shuffle([...pages.keys()], rng).slice(0, FILES);
  const pairs: { searcher: number; file: number }[] = Array.from({ length: QUERIES }, () => {
    const file = Math.floor(rng() * FILES);
    const others = [...pages.keys()].filter((i) => i !== holderPages[file]);
    return { searcher: others[Math.floor(rng() * others.length)]!, file };
  });

  let ref: PageState[] = [];
  let graph: Graph = new Map();
  let files: SharedFile[] = [];

  /**
   * Form both overlays (or form them again): flat degree >= 3 everywhere and the tier settled;
   * then freeze the flat topology, read it, and make sure the tier indexes every file.
   */
  async function form(again: string | null): Promise<void> {
    for (let round = 1; ; round++) {
      const why = await formOnce(again);
      if (why === null) return;
      if (round >= 4) throw new Error(`the overlays would not hold still while being formed: ${why}`);
      again = `while forming them: ${why}`;
    }
  }

  /** One attempt of form(): null once done, else what moved meanwhile. */
  async function formOnce(again: string | null): Promise<string | null> {
    const t = Date.now();
    if (again) {
      real.reforms.push(`${since()}: ${again}`);
      console.error(`  ${since()} the overlay changed (${again}); forming it again ...`);
      await Promise.all(pages.map((p) => p.evaluate(() => window.p2p.overlay.gnutella.setDegree({ min: 3 }))));
      // One-sided neighbours (the other end dropped us, we still list it) get a bye from us, so
      // that both ends can meet again; the engine does not notice them by itself.
      const st = await states();
      const flat = oneSided(st, 'flat');
      const tier = oneSided(st, 'tier');
      const say = (xs: [number, string][]) => xs.map(([i, n]) => `${short(st[i]!.id)}->${short(n)}`).join(' ');
      if (flat.length || tier.length) {
        real.oneSided.push(`${since()}: ${flat.length ? `flat ${say(flat)}` : ''}${flat.length && tier.length ? ', ' : ''}${tier.length ? `tier ${say(tier)}` : ''}`);
      }
      for (const [i, n] of flat) await pages[i]!.evaluate((id) => window.p2p.overlay.gnutella.disconnect(id), n);
      for (const [i, n] of tier) await pages[i]!.evaluate((id) => window.p2p.overlay.superpeer.disconnect(id), n);
    }
    await waitFor(
      'flat overlay degree >= 3 everywhere and the two-tier overlay settled',
      async () => {
        const st = await states();
        if (st.some((s) => s.flat.length < 3)) return `flat degrees ${st.map((s) => s.flat.length).join(',')}`;
        const tier = tierSettled(st);
        return tier === 'ok' ? null : `tier: ${tier}`;
      },
      FORM_TIMEOUT_MS,
    );
    if (!again) real.formSeconds = (Date.now() - t0) / 1000;
    await Promise.all(pages.map((p) => p.evaluate(() => window.p2p.overlay.gnutella.setDegree({ min: 0 }))));
    // Both ends of every link agree (a handshake may be finishing), and the graph is connected.
    const whole = async () => {
      const st = await states();
      const g = graphOf(st);
      for (const [a, ns] of g) for (const b of ns) if (!g.get(b)?.includes(a)) return `${short(a)} lists ${short(b)}, not the other way`;
      ref = st;
      return null;
    };
    await waitFor('flat neighbour lists agree on both ends', whole, 20_000);
    graph = graphOf(ref);
    const ids = ref.map((s) => s.id);
    for (let tries = 0; distances(graph, ids[0]!).size < ids.length && tries < 10; tries++) {
      const reach = distances(graph, ids[0]!);
      const inside = ids.filter((id) => reach.has(id) && graph.get(id)!.length < 5);
      const outside = ids.filter((id) => !reach.has(id) && graph.get(id)!.length < 5);
      if (!inside[0] || !outside[0]) break;
      notes.push(`the flat overlay formed in two parts; joined ${short(inside[0])}-${short(outside[0])} by hand`);
      await pages[ids.indexOf(inside[0])]!.evaluate((id) => window.p2p.overlay.gnutella.connect(id), outside[0]);
      await waitFor('flat neighbour lists agree on both ends', whole, 20_000);
      graph = graphOf(ref);
    }
    if (distances(graph, ids[0]!).size < ids.length) problems.push('the flat overlay is not connected: some files cannot be found at any ttl');

    if (files.length === 0) {
      const tag = Date.now().toString(36);
      const words = ['amber', 'birch', 'cobalt', 'dune', 'ember', 'fjord', 'garnet', 'heron'];
      for (const [i, hp] of holderPages.entries()) {
        const word = words[i % words.length]!;
        const name = `Flood Bench ${word} ${tag}${i}.bin`;
        const { infoHash } = await shareRandom(pages[hp]!, FILE_BYTES, name);
        files.push({ query: `${word} ${tag}${i}`, name, infoHash, holder: '' });
      }
    }
    files = files.map((f, i) => ({ ...f, holder: ids[holderPages[i]!]! }));
    // A super-peer indexes a leaf's files once its list arrives: wait until a super-peer (never
    // the holder) finds each file with the default ttl. Not counted.
    const supers = ref[0]!.supers;
    try {
      for (const f of files) {
        const asker = supers.find((s) => s !== f.holder) ?? ids.find((id) => id !== f.holder)!;
        await waitFor(
          `the super-peer tier indexes ${f.name}`,
          async () => {
            const hits = await pages[ids.indexOf(asker)]!.evaluate(({ q }) => window.p2p.search(q, { via: 'superpeer', timeoutMs: 500 }), { q: f.query });
            return hits.some((h) => h.infoHash === f.infoHash) ? null : 'not found yet';
          },
          15_000,
        );
      }
    } catch (err) {
      return (err as Error).message;
    }
    // The overlays may have moved while the files were checked: the flat one must be as frozen,
    // and the tier settled; that is the reference every search is checked against.
    const frozen = ref;
    let moved = '';
    const settled = await waitUntil(async () => {
      const st = await states();
      if (flatKey(st) !== flatKey(frozen)) {
        moved = `the frozen flat overlay changed: ${diff(frozen, st, 'gnutella')}`;
        return null;
      }
      const tier = tierSettled(st);
      if (tier !== 'ok') return tier;
      ref = st;
      return null;
    }, 30_000);
    if (moved) return moved;
    if (settled.seconds === null) return `the tier did not settle again: ${settled.last}`;
    graph = graphOf(ref);
    real.files = files;
    real.shapes.push({ at: (t - t0Run) / 1000, text: describeOverlays(ref, files) });
    return null;
  }

  async function measure(via: Via, ttl: number, pair: { searcher: number; file: number }): Promise<Measure | string> {
    const key = via === 'gnutella' ? flatKey : tierKey;
    const before = await snaps();
    if (key(before.map((x) => x.state)) !== key(ref)) return `before a ${via} ttl ${ttl} search: ${diff(ref, before.map((x) => x.state), via)}`;
    const f = files[pair.file]!;
    const searcher = ref[pair.searcher]!.id;
    const res = await pages[pair.searcher]!.evaluate(
      async ({ q, via, ttl, timeoutMs }): Promise<{ hits: SearchHit[]; error: string | null }> => {
        try {
          return { hits: await window.p2p.search(q, { via, ttl, timeoutMs }), error: null };
        } catch (err) {
          return { hits: [], error: (err as Error).message };
        }
      },
      { q: f.query, via, ttl, timeoutMs: SEARCH_MS },
    );
    const after = await snaps();
    if (key(after.map((x) => x.state)) !== key(ref)) return `during a ${via} ttl ${ttl} search: ${diff(ref, after.map((x) => x.state), via)}`;
    const logs = after.flatMap((x) => x.log);
    if (res.error !== null) problems.push(`${via} ttl ${ttl} search from ${short(searcher)}: ${res.error}`);
    const hits = res.hits;
    const hit = hits.find((h) => h.infoHash === f.infoHash && h.peers.includes(f.holder));
    const queryGuids = [...new Set(logs.filter((m) => m.type === 'query').map((m) => m.guid))];
    const guid = hits[0]?.guid ?? (queryGuids.length === 1 ? queryGuids[0]! : null);
    if (queryGuids.some((g) => g !== guid)) problems.push(`${via} ttl ${ttl}: queries of other guids on the wire during a search (${queryGuids.join(', ')})`);
    const traces: (GuidTrace | null)[] = guid
      ? await Promise.all(
          pages.map((p) =>
            p.evaluate(({ g, via }) => (via === 'gnutella' ? window.p2p.overlay.gnutella : window.p2p.overlay.superpeer).trace(g) ?? null, { g: guid, via }),
          ),
        )
      : [];
    const sum = (k: keyof GuidTrace) => traces.reduce((a, t) => a + (t?.[k] ?? 0), 0);
    return {
      found: !!hit,
      hops: hit?.hops ?? null,
      ms: hit ? hit.ms : null,
      wireQuery: logs.filter((m) => m.guid === guid && m.type === 'query').length,
      wireHit: logs.filter((m) => m.guid === guid && m.type === 'queryhit').length,
      traceQuery: sum('received'),
      traceHit: sum('answered') + sum('routed'),
      traceSent: sum('forwarded'),
      ideal: via === 'gnutella' ? idealFlat(graph, searcher, f.holder, ttl) : idealTier(ref, searcher, f.holder, ttl),
      searcherRole: ref[0]!.supers.includes(searcher) ? 'super' : 'leaf',
      links: edgeCount(graph),
    };
  }

  await form(null);
  const superTtls = [1, 2, ...(ref[0]!.supers.length > 2 ? [3] : []), SUPER_DEFAULT_TTL];
  const plan: { via: Via; ttl: number }[] = [...FLAT_TTLS.map((ttl) => ({ via: 'gnutella' as Via, ttl })), ...superTtls.map((ttl) => ({ via: 'superpeer' as Via, ttl }))];
  let stamp = stampStart;
  for (const { via, ttl } of plan) {
    const t = performance.now();
    const row: RealRow = { via, ttl, ms: [] };
    real.rows.push(row);
    for (const pair of pairs) {
      for (let attempt = 1; ; attempt++) {
        const now = sourceStamp();
        if (now !== stamp) {
          stamp = now;
          real.sourceChanges.push((now - t0Run) / 1000);
        }
        const m = await measure(via, ttl, pair);
        if (typeof m !== 'string') {
          row.ms.push(m);
          break;
        }
        if (attempt >= 4) throw new Error(`the overlay keeps changing under the searches: ${m}`);
        await form(m);
      }
    }
    console.error(`  ${via} ttl ${ttl}: ${row.ms.filter((m) => m.found).length}/${row.ms.length} found, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }

  // Drops the routers counted over the whole run (pings included), network-wide.
  const stats = await Promise.all(
    pages.map((p) => p.evaluate(() => ({ g: window.p2p.overlay.gnutella.stats(), s: window.p2p.overlay.superpeer.stats() }))),
  );
  for (const [name, k] of [['flat', 'g'], ['super-peer', 's']] as const) {
    const total: Record<string, number> = {};
    let bad = 0;
    for (const st of stats) {
      for (const [r, n] of Object.entries(st[k].dropped)) total[r] = (total[r] ?? 0) + n;
      bad += st[k].badMessages;
    }
    real.drops.push(`${name}: ${Object.entries(total).map(([r, n]) => `${r} ${n}`).join(', ')}, bad messages ${bad}`);
  }
}

// ---------------------------------------------------------------- printing

function realTable(rows: RealRow[]): string {
  const head = ['overlay', 'ttl', 'queries', 'found', 'ideal found', 'msgs/query', 'query msgs', 'hit msgs', 'ideal msgs', 'max query', '2·links', 'hops to 1st', 'ms to 1st med/max', 'traces = wire'];
  const out: string[][] = [];
  let prev: Via | null = null;
  for (const row of rows) {
    const m = row.ms;
    if (m.length === 0) continue;
    if (prev && prev !== row.via) out.push([]);
    prev = row.via;
    const found = m.filter((x) => x.found);
    const agree = m.filter((x) => x.traceQuery === x.wireQuery && x.traceHit === x.wireHit).length;
    const msTimes = found.map((x) => x.ms!);
    const links = [...new Set(m.map((x) => x.links))];
    out.push([
      row.via === 'gnutella' ? 'flat' : 'super-peer',
      String(row.ttl),
      String(m.length) + (m.length < QUERIES ? ' (cut short)' : ''),
      percentage(found.length / m.length),
      percentage(m.filter((x) => x.ideal.found).length / m.length),
      fix(mean(m.map((x) => x.wireQuery + x.wireHit))),
      fix(mean(m.map((x) => x.wireQuery))),
      fix(mean(m.map((x) => x.wireHit))),
      fix(mean(m.map((x) => x.ideal.queryMsgs + x.ideal.hitMsgs))),
      String(max(m.map((x) => x.wireQuery))),
      row.via === 'gnutella' ? links.map((l) => 2 * l).join(',') : '',
      fix(mean(found.map((x) => x.hops!)), 2),
      msTimes.length ? `${fix(median(msTimes), 0)} / ${max(msTimes)}` : '-',
      `${agree}/${m.length}`,
    ]);
  }
  return plainTable(head, out);
}

// ---------------------------------------------------------------- run

try {
  await runReal();
} catch (err) {
  problems.push(`real network: ${(err as Error).message}`);
} finally {
  await closeAll(contexts);
  await closeAll(browsers);
  await server.stop();
}
const realSeconds = (Date.now() - t0Run) / 1000;
if (sourceStamp() !== stampStart) {
  problems.push(
    "the project's sources changed during the real run (someone edited client/, protocol/ or worker/): wrangler dev rebuilt and reloaded the worker, " +
      'dropping every signaling socket; searches that ran while an overlay was not as frozen were discarded and run again (see re-formed)',
  );
}
const measured = real.rows.some((r) => r.ms.length > 0);

// The simulation (the browsers are closed: it has both cores).
console.error(`  simulating N = ${SIM_SIZES.join(', ')} ...`);
const tSim = performance.now();
const simRows = simTable(seeded(SEED), SIM_SIZES);
const simSeconds = (performance.now() - tSim) / 1000;

/** The real shape simulated: N=8, flat degree 3-5 or 2 super-peers with 3 leaves each, one holder a file. */
const SIM8_GRAPHS = 50;
const SIM8_QUERIES = 40;
function sim8(kind: 'flat' | 'super-peer', ttls: number[]): { links: number; byTtl: Map<number, { found: number; msgs: number; hops: number }> } {
  const rng = seeded(SEED + 1);
  const acc = new Map(ttls.map((t) => [t, { found: 0, msgs: 0, hops: 0, hopsW: 0 }]));
  let links = 0;
  for (let g = 0; g < SIM8_GRAPHS; g++) {
    const net = kind === 'flat' ? flatNetwork(8, SIM_DEFAULTS.degree, rng) : superPeerNetwork(8, 3, 1, rng);
    links += net.links / SIM8_GRAPHS;
    for (const ttl of ttls) {
      const r = net.run({ ttl, queries: SIM8_QUERIES, holders: 1, rng });
      const a = acc.get(ttl)!;
      a.found += r.successRate / SIM8_GRAPHS;
      a.msgs += r.messagesPerQuery / SIM8_GRAPHS;
      if (Number.isFinite(r.avgHitHops)) {
        a.hops += r.avgHitHops * r.successRate;
        a.hopsW += r.successRate;
      }
    }
  }
  return { links, byTtl: new Map([...acc].map(([t, a]) => [t, { found: a.found, msgs: a.msgs, hops: a.hopsW > 0 ? a.hops / a.hopsW : NaN }])) };
}

const out: string[] = [];
out.push(
  `bench:flood  Gnutella query flooding vs the super-peer overlay; ${engine.name}, ${cpus().length} cores, load ${loadStart} at start, ` +
    `${loadAverage()} at the end; seed ${SEED}`,
);
out.push('');
if (measured) {
  out.push(
    `REAL  N = ${PEERS} peers (pages in ${BROWSERS} ${engine.name} processes), overlays formed in ${real.formSeconds.toFixed(1)} s; ` +
      `${QUERIES} searches a row, one at a time, timeoutMs ${SEARCH_MS}, the same (searcher, file) pairs in every row`,
  );
  real.shapes.forEach((sh, i) => {
    if (real.shapes.length > 1) out.push(i === 0 ? `first formed:` : `formed again at +${sh.at.toFixed(0)} s:`);
    out.push(sh.text);
  });
  out.push('');
  out.push(realTable(real.rows));
  out.push(`
msgs/query: query + query-hit messages that arrived at any peer for the search's guid, counted on
  the wire by a logger in every page (window.p2p.on('data') on the overlay channels 'gnut'/'sp'); a
  super-peer searching answers its own leaves' files locally, which is no message.
query msgs / hit msgs: the two parts. traces = wire: searches where the routers' traces, summed over
  the 8 pages, say the same (sum of received = query msgs, sum of answered + routed = hit msgs).
found: a hit for the file naming its holder arrived within timeoutMs. hops to 1st: the hit's hops
  (fewest links to an answer), over the searches that found it. ms to 1st: the hit's ms (search
  start to the first hit of the file, as the searcher saw it), median / max.
ideal found / ideal msgs: a breadth-first flood on the same frozen overlay (the simulation's
  model): peers at distance d < ttl forward to all their targets but the sender, the answer comes
  back d links. max query: most query messages in one search; a flood with duplicate suppression
  sends at most 2·links of them (one each way on every link).
Every search checks that both overlays are as frozen before and after it; if not, it is discarded
  and run again once the overlays are formed again.`);
  if (real.drops.length) out.push(`router drops over the whole run (pings included): ${real.drops.join('; ')}`);
  if (real.sourceChanges.length) {
    out.push(`sources watched by wrangler dev written at ${real.sourceChanges.map((x) => `+${x.toFixed(0)} s`).join(', ')} (a rebuild can reload the worker, which drops every signaling socket)`);
  }
  if (real.reforms.length) out.push(`re-formed ${real.reforms.length} time(s):\n  ${real.reforms.join('\n  ')}`);
  if (real.oneSided.length) out.push(`one-sided links found when forming again (A->B: A lists B as a neighbour, B does not list A):\n  ${real.oneSided.join('\n  ')}`);
} else {
  out.push('REAL  not measured (see problems)');
}
out.push('');
out.push(`SIMULATED  the real FloodRouter on simulated overlays, seed ${SEED}, ${simSeconds.toFixed(1)} s`);
out.push('');
out.push(formatTable(simRows));
const d = SIM_DEFAULTS;
out.push(`
flat: each node keeps ${d.degree - 1}-${d.degree + 1} neighbours. super-peer: one super-peer per ${d.leavesPerSuper} leaves, super-peers keep
${d.superDegree - 1}-${d.superDegree + 1} super-peer neighbours, leaves search through their super-peer (which indexes their files).
Each searched file is held by ${d.holders} random nodes. msgs/query: query + query-hit messages sent; found: queries
with at least one answer; hops to 1st: hops to the nearest answer; reached: share of the other
nodes whose files were searched. ${d.queries} queries a row, from random nodes (leaves in the super-peer overlay).`);

// ---------------------------------------------------------------- summary
out.push('');
out.push('SUMMARY');
if (measured) {
  const flatSim = sim8('flat', FLAT_TTLS);
  const superTtls = real.rows.filter((r) => r.via === 'superpeer').map((r) => r.ttl);
  const superSim = sim8('super-peer', superTtls);
  const lines: string[][] = [];
  for (const row of real.rows) {
    const leavesOnly = row.via === 'superpeer';
    const m = leavesOnly ? row.ms.filter((x) => x.searcherRole === 'leaf') : row.ms;
    const sim = row.via === 'gnutella' ? flatSim : superSim;
    const s = sim.byTtl.get(row.ttl)!;
    const found = m.filter((x) => x.found);
    lines.push([
      `${row.via === 'gnutella' ? 'flat' : 'super-peer'}${leavesOnly ? ` (${m.length} leaf searches)` : ''}`,
      String(row.ttl),
      row.via === 'gnutella' ? `${fix(mean(m.map((x) => x.links)))} / ${fix(sim.links)}` : '',
      `${percentage(found.length / m.length)} / ${percentage(s.found)}`,
      `${fix(mean(m.map((x) => x.wireQuery + x.wireHit)))} / ${fix(s.msgs)}`,
      `${fix(mean(found.map((x) => x.hops!)), 2)} / ${fix(s.hops, 2)}`,
    ]);
  }
  out.push(
    `real N=8 against sim N=8 of the same shape (${SIM8_GRAPHS} random overlays x ${SIM8_QUERIES} queries a ttl, one holder a file;\n` +
      `flat: degree ${d.degree - 1}-${d.degree + 1}; super-peer: 2 linked super-peers with 3 leaves each; the real super-peer rows count\n` +
      `the searches from leaves only, as the sim searches from leaves):`,
  );
  out.push(plainTable(['overlay', 'ttl', 'links real / sim', 'found real / sim', 'msgs/query real / sim', 'hops real / sim'], lines));
  out.push(
    `(flat msgs/query grows with the links: real peers connect until they have 3 neighbours and accept up to 5, the sim's\n` +
      ` random graphs keep 3-5; the real leaves are split over the super-peers by rendezvous hashing, not 3 + 3: see above)`,
  );
}
const big = Math.max(...SIM_SIZES);
const cheapest = (overlay: 'flat' | 'super-peer') => {
  const rows = simRows.filter((r) => r.overlay === overlay && r.n === big);
  const ok = rows.filter((r) => r.successRate >= 0.9).sort((a, b) => a.messagesPerQuery - b.messagesPerQuery)[0];
  const best = [...rows].sort((a, b) => b.successRate - a.successRate || a.messagesPerQuery - b.messagesPerQuery)[0];
  return { ok, best };
};
const flatBig = cheapest('flat');
const superBig = cheapest('super-peer');
const say = (name: string, c: ReturnType<typeof cheapest>) =>
  c.ok
    ? `${name}: ttl ${c.ok.ttl}, ${fix(c.ok.messagesPerQuery, 0)} messages a query for ${percentage(c.ok.successRate)} found`
    : `${name}: never reaches 90% within ttl 7 (best ${percentage(c.best?.successRate ?? NaN)} at ttl ${c.best?.ttl}, ${fix(c.best?.messagesPerQuery ?? NaN, 0)} messages a query)`;
out.push('');
out.push(`N=${big} (sim, ${d.holders} holders a file), the cheapest ttl with >= 90% found:`);
out.push(`  ${say('flat      ', flatBig)}`);
out.push(`  ${say('super-peer', superBig)}`);
if (flatBig.ok && superBig.ok) out.push(`  flat / super-peer = ${(flatBig.ok.messagesPerQuery / superBig.ok.messagesPerQuery).toFixed(1)}x the messages`);
else if (superBig.ok && flatBig.best) {
  out.push(`  flat at ttl 7 spends ${(flatBig.best.messagesPerQuery / superBig.ok.messagesPerQuery).toFixed(1)}x the super-peer's messages and still finds less`);
}
out.push('');
out.push(`total ${((Date.now() - t0Run) / 1000).toFixed(1)} s (real network ${realSeconds.toFixed(1)} s, simulation ${simSeconds.toFixed(1)} s)`);
if (notes.length) out.push(`notes: ${notes.join('; ')}`);
if (pageErrors.length) problems.push(`page errors: ${[...new Set(pageErrors)].join(' | ')}`);
out.push(...problemLines(problems));
console.log(out.join('\n'));
