/**
 * npm run bench:swarm — one seeder and N leechers (N = 4 and 8) in headless Chromium pages spread
 * over two browser processes, F = 32 MiB of random bytes, on our own tracker (wrangler dev):
 *
 *   swarm            every leecher `download(magnet)`: time until the last one is done
 *   client-server    the same leechers with `{ upload: false }`: everything comes from the seeder
 *   capped           every peer's upload capped at U = 2 MiB/s, swarm and client-server, against
 *                    the textbook bounds D_cs and D_p2p (Kurose & Ross 2.5.1)
 *   WebTorrent       the same uncapped swarm made of real WebTorrent clients on our tracker
 *
 * Every leecher's bytes are checked against the seed's SHA-256 (a mismatch makes the row FAILED).
 * Figures only: it never fails on speed. A scenario that stops progressing for BENCH_STALL_S
 * seconds (or runs past BENCH_TIMEOUT_S) is reported with what progress() and peers() showed.
 *
 * Environment: BENCH_PORT (8796), BENCH_MIB (32), BENCH_N ("4,8"), BENCH_UP_MIB (2),
 * BENCH_ONLY (comma list of swarm,cs,capped-swarm,capped-cs,webtorrent), BENCH_STALL_S (60),
 * BENCH_TIMEOUT_S (600), BENCH_VERBOSE=1 (progress every 5 s on stderr), BENCH_TRACE=1 (our pages
 * log their tracker messages, RTCPeerConnection states and torrent peer events; shown on a stall).
 *
 * After its table it prints the simulated curve (tests/bench/swarm-sim-run.ts: the same cores on
 * simulated peers, N = 2 to 1,000, same F and U, plot in tests/bench/out/swarm-sim.svg), once the
 * browsers are closed; BENCH_SIM=0 skips it.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { root } from '../../scripts/dev-server.ts';
import type { TorrentHandle } from '../../client/api.ts';
import { chromiumEngine, closeAll, launchBrowsers, newPage, openRoom } from './kit/browsers.ts';
import { resolveExtensionlessTs } from './kit/extensionless.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed, KiB, mib, MiB } from './kit/format.ts';
import { loadAverage, machineLine, problemLines } from './kit/report.ts';
import { startBenchServer } from './kit/server.ts';
import { sourceStamp } from './kit/source-stamp.ts';
import { max, min, sum } from './kit/stats.ts';
import { table } from './kit/table.ts';

const F = Math.round(envNumber('BENCH_MIB', 32) * MiB);
const NS = envList('BENCH_N', '4,8').map(Number).filter((n) => n > 0);
const U = Math.round(envNumber('BENCH_UP_MIB', 2) * MiB);
const STALL_MS = envNumber('BENCH_STALL_S', 60) * 1000;
const TIMEOUT_MS = envNumber('BENCH_TIMEOUT_S', 600) * 1000;
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const TRACE = process.env.BENCH_TRACE === '1';
const KINDS = ['swarm', 'cs', 'webtorrent', 'capped-swarm', 'capped-cs'] as const;
type Kind = (typeof KINDS)[number];
const ONLY = new Set(envList('BENCH_ONLY', KINDS.join(',')));
const PIECE = 262_144;
const BROWSERS = 2;

const engine = chromiumEngine('bench:swarm');

declare global {
  interface Window {
    benchT?: TorrentHandle;
    benchTrace?: string[];
    wtb?: { client: any; torrent: any };
  }
}

interface Timing {
  t0: number;
  t1: number;
}

interface Row {
  kind: Kind;
  n: number;
  /** null: the scenario did not complete (status says why). */
  seconds: number | null;
  status: string;
  seederUp: number;
  leechersUp: number;
  fetched: number;
  firstDone: number | null;
  /** The project's sources changed while it ran (wrangler dev reloaded the worker). */
  reloaded: boolean;
}

const rows: Row[] = [];

/** Fill a finished scenario's row: byte counts, first and last completion, and the SHA-256 check. */
function finishRow(
  row: Row,
  label: string,
  r: { timings: Timing[]; shas: string[]; sha: string; stats: { uploaded: number; fetched: number }[]; seederUp: number },
): void {
  const bad = r.shas.map((s, i) => (s === r.sha ? -1 : i)).filter((i) => i >= 0);
  row.seederUp = r.seederUp;
  row.leechersUp = sum(r.stats.map((s) => s.uploaded));
  row.fetched = sum(r.stats.map((s) => s.fetched));
  const start = min(r.timings.map((t) => t.t0));
  row.firstDone = (min(r.timings.map((t) => t.t1)) - start) / 1000;
  if (bad.length > 0) {
    row.status = `FAILED: SHA-256 mismatch at leecher(s) ${bad.join(', ')}`;
    problems.push(`${label}: ${row.status} (${bad.map((i) => r.shas[i]).join('; ')})`);
  } else {
    row.seconds = (max(r.timings.map((t) => t.t1)) - start) / 1000;
    row.status = 'ok';
  }
}

const problems: string[] = [];
const fmtMiB = (b: number) => mib(b, 1);
const fmtS = (s: number) => fixed(s, 1);

const t0Run = Date.now();
const loadStart = loadAverage();
const server = await startBenchServer('swarm', { port: envNumber('BENCH_PORT', 8796) });
const browsers = await launchBrowsers(engine, BROWSERS);
const announce = `${server.url.replace('http', 'ws')}/announce`;
const webtorrentCode = await readFile(join(root, 'node_modules/webtorrent/dist/webtorrent.min.js'), 'utf8');

/** A scenario's pages: the seeder in browser 0, leechers alternating over the browsers. */
interface Cast {
  contexts: BrowserContext[];
  seeder: Page;
  leechers: Page[];
  errors: string[];
}

async function openCast(n: number, open: (browser: Browser, errors: string[]) => Promise<{ context: BrowserContext; page: Page }>): Promise<Cast> {
  const errors: string[] = [];
  const opened = await Promise.all(Array.from({ length: n + 1 }, (_, i) => open(browsers[i % BROWSERS] as Browser, errors)));
  return {
    contexts: opened.map((o) => o.context),
    seeder: (opened[0] as { page: Page }).page,
    leechers: opened.slice(1).map((o) => o.page),
    errors,
  };
}

/** One of our peers: a fresh context (its own IndexedDB) on the room. */
async function openOurs(browser: Browser, errors: string[], room: string): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await newPage(browser, errors);
  if (TRACE) await page.addInitScript(traceScript);
  await openRoom(page, server.url, room);
  return { context, page };
}

/**
 * BENCH_TRACE=1: in our pages, log (window.benchTrace) the tracker socket's messages (who offered
 * to whom, who answered) and every RTCPeerConnection's state changes, with times since load.
 */
function traceScript(): void {
  const log: string[] = [];
  window.benchTrace = log;
  const at = () => new Date().toISOString().slice(14, 23); // mm:ss.mmm, comparable across pages
  const hex = (b: unknown) =>
    typeof b === 'string' ? [...b].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('').slice(-6) : '?';
  const describe = (m: Record<string, unknown>) =>
    m.offer
      ? `offer from ${hex(m.peer_id)}`
      : m.answer
        ? `answer ${m.to_peer_id ? `to ${hex(m.to_peer_id)}` : `from ${hex(m.peer_id)}`}`
        : m.event || m.numwant !== undefined
          ? `announce ${m.event ?? ''} offers=${Array.isArray(m.offers) ? m.offers.length : 0} left=${m.left}`
          : m.interval
            ? `interval complete=${m.complete} incomplete=${m.incomplete}`
            : m['failure reason']
              ? `FAILURE ${m['failure reason']}`
              : Object.keys(m).join(',');
  const NativeWS = window.WebSocket;
  class TracedWS extends NativeWS {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (!String(url).includes('/announce')) return;
      this.addEventListener('open', () => log.push(`${at()} tracker open`));
      this.addEventListener('close', (e) => log.push(`${at()} tracker close ${e.code}`));
      this.addEventListener('message', (e) => {
        try {
          log.push(`${at()} tracker <- ${describe(JSON.parse(String(e.data)))}`);
        } catch {
          log.push(`${at()} tracker <- (unparsed)`);
        }
      });
      const send = this.send.bind(this);
      this.send = (data) => {
        try {
          log.push(`${at()} tracker -> ${describe(JSON.parse(String(data)))}`);
        } catch {
          // not JSON
        }
        send(data);
      };
    }
  }
  window.WebSocket = TracedWS;
  const NativePC = window.RTCPeerConnection;
  let n = 0;
  class TracedPC extends NativePC {
    constructor(config?: RTCConfiguration) {
      super(config);
      const id = ++n;
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState !== 'connecting' && this.connectionState !== 'new') log.push(`${at()} pc#${id} ${this.connectionState}`);
      });
    }
  }
  window.RTCPeerConnection = TracedPC;
}

/** A WebTorrent client in a page of our origin (not our app: a plain page), its bundle served by Playwright. */
async function openWebTorrent(browser: Browser, errors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await newPage(browser, errors);
  await page.route('**/__test/webtorrent.min.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: webtorrentCode }));
  await page.goto(`${server.url}/api/health`);
  await page.evaluate(async () => {
    const mod = (await import(`${location.origin}/__test/webtorrent.min.js`)) as { default: new (opts: unknown) => any };
    const client = new mod.default({ tracker: { rtcConfig: { iceServers: [] } }, dht: false, lsd: false, utPex: false });
    window.wtb = { client, torrent: null };
  });
  return { context, page };
}

/** Random bytes made in the page; returns them (kept on window) with their SHA-256. */
const makeRandom = async (bytes: number) => {
  const data = new Uint8Array(bytes);
  for (let o = 0; o < bytes; o += 65_536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65_536)));
  const digest = await crypto.subtle.digest('SHA-256', data);
  (window as unknown as { benchData: Uint8Array }).benchData = data;
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
};

interface Sample {
  have: number;
  pieces: number;
  fetched: number;
  text: string;
  brief?: string;
}

/**
 * Wait for `work` (event-driven in the pages), watching progress every 5 s: a scenario whose
 * leechers gain nothing for STALL_MS, or that runs past TIMEOUT_MS, is abandoned with a report.
 */
async function watch<T>(label: string, work: Promise<T>, sample: () => Promise<Sample[]>): Promise<T> {
  const started = Date.now();
  let lastAdvance = started;
  let lastTotal = -1;
  let sampling = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setInterval(async () => {
      if (sampling) return;
      sampling = true;
      try {
        const s = await sample();
        const total = sum(s.map((x) => x.fetched + x.have));
        const now = Date.now();
        if (total !== lastTotal) {
          lastTotal = total;
          lastAdvance = now;
        }
        if (VERBOSE) {
          const leechers = s.filter((x) => !x.text.startsWith('SEEDER'));
          const extra = s.map((x) => x.brief).filter(Boolean).join(' ');
          console.error(`  [${label} +${fmtS((now - started) / 1000)} s] ${leechers.map((x) => `${x.have}/${x.pieces}`).join(' ')}  ${extra}`);
        }
        const stalled = now - lastAdvance > STALL_MS;
        if (stalled || now - started > TIMEOUT_MS) {
          const have = sum(s.map((x) => x.have));
          const pieces = sum(s.map((x) => x.pieces));
          const why = stalled ? `STALLED (no progress for ${STALL_MS / 1000} s)` : `TIMEOUT (${TIMEOUT_MS / 1000} s)`;
          reject(
            Object.assign(new Error(`${why} at +${fmtS((now - started) / 1000)} s, ${have}/${pieces} pieces`), {
              detail: s.map((x, i) => (x.text.startsWith('SEEDER') ? `    ${x.text}` : `    leecher ${i}: ${x.text}`)).join('\n'),
            }),
          );
        }
      } catch {
        // a page busy or closing: try again at the next tick
      } finally {
        sampling = false;
      }
    }, 5_000);
  });
  try {
    return await Promise.race([work, watchdog]);
  } finally {
    clearInterval(timer);
  }
}

/** What one of our peers shows: progress() and peers() (raw, labelled later). */
interface OurView {
  have: number;
  pieces: number;
  fetched: number;
  summary: string;
  peers: { id: string; desc: string }[];
}

const viewOurs = (): OurView | null => {
  const t = window.benchT;
  if (!t) return null;
  const pr = t.progress();
  const mib = (b: number) => (b / 1048576).toFixed(1);
  return {
    have: pr.have,
    pieces: pr.pieces,
    fetched: pr.fetched,
    summary:
      `have ${pr.have}/${pr.pieces} pieces, fetched ${mib(pr.fetched)} MiB, uploaded ${mib(pr.uploaded)} MiB, ` +
      `down ${mib(pr.downRate)} MiB/s, up ${mib(pr.upRate)} MiB/s, corrupt ${pr.corruptPieces}`,
    peers: t.peers().map((q) => ({
      id: q.id,
      desc:
        `pieces ${q.pieces}, ${q.peerChoking ? 'chokes us' : 'unchokes us'}${q.amInterested ? ', we interested' : ''}` +
        `${q.amChoking ? '' : ', we unchoke'}${q.peerInterested ? ', it interested' : ''}` +
        `, out ${q.outstanding}, down ${mib(q.downRate)}, up ${mib(q.upRate)}${q.snubbed ? ', SNUBBED' : ''}`,
    })),
  };
};

/**
 * Our leechers' progress; the text names every connected peer by role: the seeder's peer list
 * holds the leechers' BitTorrent ids, and a leecher's own id is the one of those it lacks.
 */
function sampleOurs(cast: Cast): () => Promise<Sample[]> {
  return async () => {
    const [seeder, ...leechers] = await Promise.all([cast.seeder, ...cast.leechers].map((p) => p.evaluate(viewOurs)));
    // Each page's own BitTorrent id, by elimination: it is an id the others see but it does not.
    const views = [seeder, ...leechers];
    const universe = new Set(views.flatMap((v) => v?.peers.map((q) => q.id) ?? []));
    const own: (string | undefined)[] = views.map(() => undefined);
    for (let changed = true; changed; ) {
      changed = false;
      views.forEach((v, i) => {
        if (own[i] || !v) return;
        const seen = new Set(v.peers.map((q) => q.id));
        const missing = [...universe].filter((id) => !seen.has(id) && !own.includes(id));
        if (missing.length === 1) {
          own[i] = missing[0];
          changed = true;
        }
      });
    }
    const role = (id: string) => {
      const i = own.indexOf(id);
      return i === 0 ? 'SEEDER' : i > 0 ? `leecher ${i - 1}` : `?${id.slice(-6)}`;
    };
    const describe = (v: OurView | null) => (v ? `${v.summary}; ${v.peers.length} peers: ${v.peers.map((q) => `[${role(q.id)}: ${q.desc}]`).join(' ')}` : 'no torrent yet');
    const idNote = (i: number) => (own[i] ? ` (id …${own[i]!.slice(-6)})` : '');
    const out: Sample[] = leechers.map((v, i) => ({
      have: v?.have ?? 0,
      pieces: v?.pieces ?? 0,
      fetched: v?.fetched ?? 0,
      text: `${idNote(i + 1).trim()} ${describe(v ?? null)}`.trim(),
    }));
    // The seeder's own view comes last in the report (not counted as progress).
    if (seeder) {
      const unchoked = seeder.peers.filter((q) => q.desc.includes('we unchoke')).length;
      const interested = seeder.peers.filter((q) => q.desc.includes('it interested')).length;
      out.push({ have: 0, pieces: 0, fetched: 0, text: `SEEDER${idNote(0)}: ${describe(seeder)}`, brief: `seeder unchokes ${unchoked} of ${interested} interested, ${seeder.summary.replace(/^.*uploaded/, 'uploaded')}` });
    }
    return out;
  };
}

function sampleWebTorrent(pages: Page[]): () => Promise<Sample[]> {
  return () =>
    Promise.all(
      pages.map((p) =>
        p.evaluate(() => {
          const t = window.wtb?.torrent;
          if (!t) return { have: 0, pieces: 0, fetched: 0, text: 'no torrent yet' };
          const pieces: number = t.pieces?.length ?? 0;
          let have = 0;
          for (let i = 0; i < pieces; i++) if (t.bitfield?.get(i)) have++;
          const mib = (b: number) => (b / 1048576).toFixed(1);
          const text = `have ${have}/${pieces} pieces, downloaded ${mib(t.downloaded)} MiB, uploaded ${mib(t.uploaded)} MiB, ${t.numPeers} peers, progress ${(t.progress * 100).toFixed(1)}%`;
          return { have, pieces, fetched: t.downloaded as number, text };
        }),
      ),
    );
}

/** Our client: swarm or client-server, capped or not. */
async function runOurs(kind: Kind, n: number): Promise<void> {
  const upload = kind === 'swarm' || kind === 'capped-swarm';
  const capped = kind === 'capped-swarm' || kind === 'capped-cs';
  const room = `bench-swarm-${kind}-${n}-${Date.now().toString(36)}`;
  const label = `${kind} N=${n}`;
  const cast = await openCast(n, (b, errors) => openOurs(b, errors, room));
  const row: Row = { kind, n, seconds: null, status: '', seederUp: 0, leechersUp: 0, fetched: 0, firstDone: null, reloaded: false };
  try {
    if (capped) await Promise.all([cast.seeder, ...cast.leechers].map((p) => p.evaluate((up) => window.p2p.setRateLimits({ up }), U)));
    const sha = await cast.seeder.evaluate(makeRandom, F);
    // A new share super-seeds, except for pure clients (client-server rows: nobody passes pieces on).
    const superSeed = upload;
    const { magnet } = await cast.seeder.evaluate(async ({ name, superSeed }) => {
      const w = window as unknown as { benchData: Uint8Array };
      const res = await window.p2p.share(w.benchData, name, { superSeed });
      window.benchT = window.p2p.torrents().find((t) => t.infoHash === res.infoHash);
      return res;
    }, { name: `bench-${F}.bin`, superSeed });
    const timings = await watch(
      label,
      Promise.all(
        cast.leechers.map((p) =>
          p.evaluate(
            async ({ magnet, upload }) => {
              const t0 = Date.now();
              const t = await window.p2p.download(magnet, upload ? undefined : { upload: false });
              window.benchT = t;
              if (window.benchTrace) {
                const log = window.benchTrace;
                const on = t.on as unknown as (e: string, fn: (x: { id: string; reason?: string; message?: string }) => void) => void;
                const at = () => new Date().toISOString().slice(14, 23);
                log.push(`${at()} download() called`);
                on('peer-add', (x) => log.push(`${at()} torrent peer-add ${x.id.slice(-6)}`));
                on('peer-remove', (x) => log.push(`${at()} torrent peer-remove ${x.id.slice(-6)}: ${x.reason}`));
                on('metadata', () => log.push(`${at()} torrent metadata installed`));
                on('warning', (x) => log.push(`${at()} torrent warning: ${x.message}`));
              }
              await t.done;
              return { t0, t1: Date.now() } as Timing;
            },
            { magnet, upload },
          ),
        ),
      ),
      sampleOurs(cast),
    );
    const shas = await Promise.all(
      cast.leechers.map((p) =>
        p
          .evaluate(async () => {
            const digest = await crypto.subtle.digest('SHA-256', (await window.benchT!.bytes()) as Uint8Array<ArrayBuffer>);
            return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
          })
          .catch((e: Error) => `error: ${e.message}`),
      ),
    );
    const stats = await Promise.all(cast.leechers.map((p) => p.evaluate(() => window.benchT!.progress())));
    const seederUp = await cast.seeder.evaluate(() => window.benchT!.progress().uploaded);
    finishRow(row, label, { timings, shas, sha, stats, seederUp });
  } catch (err) {
    row.status = (err as Error).message.split('\n')[0] as string;
    const detail = (err as { detail?: string }).detail;
    problems.push(`${label}: ${(err as Error).message}${detail ? `\n${detail}` : ''}`);
    if (TRACE) {
      const traces = await Promise.all([cast.seeder, ...cast.leechers].map((p) => p.evaluate(() => window.benchTrace ?? []).catch(() => [] as string[])));
      traces.forEach((t, i) => console.error(`  trace of ${i === 0 ? 'the seeder' : `leecher ${i - 1}`} (${label}):\n    ${t.join('\n    ')}`));
    }
  } finally {
    if (cast.errors.length) problems.push(`${label}: page errors: ${[...new Set(cast.errors)].join(' | ')}`);
    await closeAll(cast.contexts);
  }
  rows.push(row);
  console.error(`  done: ${label}: ${row.seconds !== null ? `${fmtS(row.seconds)} s` : row.status}`);
}

/** WebTorrent: one seeder and N leechers, uncapped, on our tracker. */
async function runWebTorrent(n: number): Promise<void> {
  const label = `webtorrent N=${n}`;
  const cast = await openCast(n, openWebTorrent);
  const row: Row = { kind: 'webtorrent', n, seconds: null, status: '', seederUp: 0, leechersUp: 0, fetched: 0, firstDone: null, reloaded: false };
  try {
    const sha = await cast.seeder.evaluate(makeRandom, F);
    const magnet = await cast.seeder.evaluate(
      ({ name, announce, pieceLength }) =>
        new Promise<string>((resolve, reject) => {
          const w = window as unknown as { benchData: Uint8Array };
          const { client } = window.wtb!;
          client.on('error', reject);
          client.seed(new File([w.benchData as Uint8Array<ArrayBuffer>], name), { announce: [announce], pieceLength }, (t: any) => {
            window.wtb!.torrent = t;
            resolve(t.magnetURI as string);
          });
        }),
      { name: `bench-wt-${F}.bin`, announce, pieceLength: PIECE },
    );
    const timings = await watch(
      label,
      Promise.all(
        cast.leechers.map((p) =>
          p.evaluate(
            ({ magnet, announce }) =>
              new Promise<Timing>((resolve, reject) => {
                const { client } = window.wtb!;
                client.on('error', reject);
                const t0 = Date.now();
                const t = client.add(magnet, { announce: [announce] });
                window.wtb!.torrent = t;
                t.on('error', reject);
                t.on('done', () => resolve({ t0, t1: Date.now() }));
              }),
            { magnet, announce },
          ),
        ),
      ),
      sampleWebTorrent(cast.leechers),
    );
    const shas = await Promise.all(
      cast.leechers.map((p) =>
        p.evaluate(async () => {
            const digest = await crypto.subtle.digest('SHA-256', (await window.wtb!.torrent.files[0].arrayBuffer()) as ArrayBuffer);
            return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
          }).catch((e: Error) => `error: ${e.message}`),
      ),
    );
    const stats = await Promise.all(cast.leechers.map((p) => p.evaluate(() => ({ uploaded: window.wtb!.torrent.uploaded as number, fetched: window.wtb!.torrent.received as number }))));
    const seederUp = await cast.seeder.evaluate(() => window.wtb!.torrent.uploaded as number);
    finishRow(row, label, { timings, shas, sha, stats, seederUp });
  } catch (err) {
    row.status = (err as Error).message.split('\n')[0] as string;
    const detail = (err as { detail?: string }).detail;
    problems.push(`${label}: ${(err as Error).message}${detail ? `\n${detail}` : ''}`);
  } finally {
    if (cast.errors.length) problems.push(`${label}: page errors: ${[...new Set(cast.errors)].join(' | ')}`);
    await cast.seeder.evaluate(() => window.wtb?.client.destroy()).catch(() => {});
    await closeAll(cast.contexts);
  }
  rows.push(row);
  console.error(`  done: ${label}: ${row.seconds !== null ? `${fmtS(row.seconds)} s` : row.status}`);
}

/** Textbook bounds (K&R 2.5.1), u_s = u_i = U, d_min = ∞ (no download cap). */
const dCs = (n: number) => (n * F) / U;
const dP2p = (n: number) => Math.max(F / U, (n * F) / (U + n * U));

function printTable(): void {
  const name: Record<Kind, string> = {
    swarm: 'swarm (ours)',
    cs: 'client-server (upload:false)',
    webtorrent: 'swarm (WebTorrent)',
    'capped-swarm': 'capped swarm',
    'capped-cs': 'capped client-server',
  };
  const header = ['scenario', 'N', 'time s', 'first s', 'seeder up MiB', '/ N·F', 'leechers up MiB', 'fetched / N·F', 'bound s', 'meas/bound', 'target'];
  const lines: string[][] = [];
  for (const n of [...new Set(NS)]) {
    for (const r of KINDS.flatMap((kind) => rows.filter((x) => x.kind === kind && x.n === n))) {
      const kind = r.kind;
      const ok = r.seconds !== null;
      let bound = '';
      let ratio = '';
      let target = '';
      if (kind === 'capped-swarm' || kind === 'capped-cs') {
        const b = kind === 'capped-swarm' ? dP2p(n) : dCs(n);
        bound = `${kind === 'capped-swarm' ? 'D_p2p' : 'D_cs'} ${fmtS(b)}`;
        ratio = ok ? (r.seconds! / b).toFixed(2) : '';
        if (kind === 'capped-swarm') target = `≤ 1.3${ok ? (r.seconds! / b <= 1.3 ? ' met' : ' MISSED') : ''}`;
      }
      lines.push([
        name[kind],
        String(n),
        (ok ? fmtS(r.seconds!) : r.status.startsWith('FAILED') ? 'FAILED' : r.status.split(' ')[0]!) + (r.reloaded ? '*' : ''),
        r.firstDone !== null && ok ? fmtS(r.firstDone) : '',
        ok || r.seederUp ? fmtMiB(r.seederUp) : '',
        ok || r.seederUp ? (r.seederUp / (n * F)).toFixed(2) : '',
        ok || r.leechersUp ? fmtMiB(r.leechersUp) : '',
        ok || r.fetched ? (r.fetched / (n * F)).toFixed(3) : '',
        bound,
        ratio,
        target,
      ]);
    }
    const ours = rows.find((x) => x.kind === 'swarm' && x.n === n);
    const wt = rows.find((x) => x.kind === 'webtorrent' && x.n === n);
    if (ours?.seconds != null && wt?.seconds != null) {
      const q = ours.seconds / wt.seconds;
      lines.push(['ratio ours / WebTorrent', String(n), q.toFixed(2), '', '', '', '', '', '', '', `≤ 1.0${q <= 1 ? ' met' : ' MISSED'}`]);
    }
    const capped = rows.find((x) => x.kind === 'capped-swarm' && x.n === n);
    if (ours?.seconds != null && capped?.seconds != null) {
      // If the uncapped swarm is already slower than D_p2p, the machine (CPU), not the cap, is the limit.
      lines.push(['ratio capped / uncapped swarm', String(n), (capped.seconds / ours.seconds).toFixed(2), '', '', '', '', '', `uncapped ${fmtS(ours.seconds)}`, (ours.seconds / dP2p(n)).toFixed(2), '']);
    }
    const cs = rows.find((x) => x.kind === 'cs' && x.n === n);
    if (ours?.seconds != null && cs?.seconds != null) {
      lines.push(['ratio client-server / swarm', String(n), (cs.seconds / ours.seconds).toFixed(2), '', '', '', '', '', '', '', '']);
    }
    lines.push([]);
  }
  console.log(
    `bench:swarm  F = ${fmtMiB(F)} MiB random, 1 seeder + N leechers, ${PIECE / KiB} KiB pieces, ${BROWSERS} ${engine.name} processes, ` +
      `fresh contexts and room per scenario, tracker ${announce}`,
  );
  console.log(machineLine(loadStart));
  console.log(table(header, lines, { left: [0] }));
  console.log(
    `time: from all leechers calling download() until the last is done (first: the first one done); every leecher's SHA-256 checked.\n` +
      `seeder up / N·F: bytes the seeder uploaded over N·F = what a server would send; leechers up: bytes leechers uploaded to each other;\n` +
      `fetched / N·F: payload bytes the leechers received over N·F (above 1: blocks fetched twice, e.g. endgame duplicates).\n` +
      `capped: every peer (seeder and leechers) setRateLimits({ up: ${fmtMiB(U)} MiB/s }), no download cap.\n` +
      `ratio capped / uncapped swarm: capped time over uncapped time; its meas/bound column is uncapped time / D_p2p (>= 1: the machine, not the cap, is the limit).\n` +
      `bounds: D_cs = max(N·F/u_s, F/d_min), D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i)), u_s = u_i = ${fmtMiB(U)} MiB/s;\n` +
      `        no download cap is set, so d_min = ∞ and the F/d_min terms are dropped.\n` +
      `WebTorrent: webtorrent ${'2.x'} browser bundle, seeded with ${PIECE / KiB} KiB pieces (as ours), same tracker, no DHT/LSD/PEX.\n` +
      `total run ${fmtS((Date.now() - t0Run) / 1000)} s`,
  );
  for (const l of problemLines(problems)) console.log(l);
}

try {
  for (const n of NS) {
    if (n + 1 > 9) console.error(`  note: N=${n} opens ${n + 1} pages at once (more than ~9 on this machine)`);
    for (const kind of KINDS) {
      if (!ONLY.has(kind)) continue;
      console.error(`  running: ${kind} N=${n} ...`);
      const before = sourceStamp();
      if (kind === 'webtorrent') await runWebTorrent(n);
      else await runOurs(kind, n);
      if (sourceStamp() !== before) {
        const row = rows[rows.length - 1] as Row;
        row.reloaded = true;
        problems.push(`${kind} N=${n}: the project's sources changed during this scenario (someone edited client/, protocol/ or worker/): wrangler dev rebuilt and reloaded the worker, dropping the tracker and signaling sockets; its figures may be off (marked *)`);
      }
    }
  }
  printTable();
} finally {
  await closeAll(browsers);
  await server.stop();
}

if (process.env.BENCH_SIM !== '0') {
  // The simulation loads client/ modules, which import each other without extensions.
  resolveExtensionlessTs('bench:swarm');
  const { printSimCurve } = await import('./swarm-sim-run.ts');
  printSimCurve();
}
