/**
 * npm run bench:index — the Napster index on wrangler dev with INDEX_SHARDS = 1 and 4, one
 * server after the other (fresh state each), measured over real WebSockets from this process:
 *
 *   publish      P publisher sockets in one room, each publishing F files with multi-word names
 *                drawn (Zipf-like) from a word list of a few hundred words, all at once
 *   sequential   N searches of 1-3 words, one at a time, rotating over the searcher sockets:
 *                median and p95 of the client round trip and of the edge-reported `ms`
 *   sustained    S searcher sockets, each in a closed loop (next search when the previous answer
 *                arrives) for a fixed time, paced under the per-socket rate limit (a search costs
 *                5 tokens of 100 refilling at 50/s, so 10 searches/s a socket): searches/s, latency
 *                under load, rate-limited refusals counted apart from other errors
 *
 * Queries take their words from names that were published, so every query matches something.
 * Figures only: it never fails on speed.
 *
 * Environment: BENCH_PORT (8794: INDEX_SHARDS=1 on it, INDEX_SHARDS=4 on BENCH_PORT - 1),
 * BENCH_PUBLISHERS (20), BENCH_FILES (50 a publisher), BENCH_SEQ (300), BENCH_SEARCHERS (120: their
 * pacing ceiling, 120 x 9 searches/s, is above what wrangler dev serves here, so the server
 * saturates; with 40 or 60 an idle 2-core machine keeps up and only latency differs),
 * BENCH_SECONDS (10), BENCH_SHARDS ("1,4").
 */
import { resolveExtensionlessTs } from './kit/extensionless.ts';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { DevServer } from '../../scripts/dev-server.ts';
import type { PublishedFile, ServerMessage } from '../../protocol/signaling.ts';
import { seeded } from '../helpers/seeded.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed } from './kit/format.ts';
import { startBenchServer } from './kit/server.ts';
import { mean, percentile } from './kit/stats.ts';
import { table } from './kit/table.ts';
import { sleep } from './kit/wait.ts';

// protocol/ and client/ import each other without extensions: see ./kit/extensionless.ts.
resolveExtensionlessTs('bench:index');
const { parseServerMessage } = await import('../../protocol/signaling.ts');

const BASE_PORT = envNumber('BENCH_PORT', 8794);
const PUBLISHERS = envNumber('BENCH_PUBLISHERS', 20);
const FILES_EACH = Math.min(envNumber('BENCH_FILES', 50), 100); // one publish message carries at most 100
const SEQ = envNumber('BENCH_SEQ', 300);
const SEARCHERS = envNumber('BENCH_SEARCHERS', 120);
const SECONDS = envNumber('BENCH_SECONDS', 10);
const SHARDS = envList('BENCH_SHARDS', '1,4').map(Number).filter((n) => Number.isInteger(n) && n >= 1);
const WARMUP = 20;
/** The edge's limit (worker/objects/gateway.ts, worker/core/rate-limit.ts): 50 tokens/s, a search costs 5. */
const LIMIT_SEARCHES_PER_S = 50 / 5;
/** Each socket of the sustained phase searches at most this often: 90% of the limit. */
const PACE_MS = Math.ceil(1000 / (LIMIT_SEARCHES_PER_S * 0.9));
const REPLY_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 5_000;

// ---------------------------------------------------------------- file names and queries

const WORDS = `
love night blue moon river summer winter autumn spring rain fire water stone light dark heart
soul dream city road home world star sun sky ocean sea wind storm thunder shadow silver golden
black white red green morning evening midnight dawn sunset island mountain valley forest garden
desert highway train station bridge window door street avenue harbor north south east west
king queen prince angel ghost devil saint hero stranger lover friend brother sister mother father
child baby girl boy man woman people crowd voice song dance rhythm blues jazz rock soul funk
piano guitar violin cello drum trumpet saxophone organ harp flute bass symphony sonata concerto
prelude nocturne waltz ballad anthem lullaby overture requiem serenade suite etude fugue march
live acoustic remastered demo session concert tour edition deluxe remix extended radio version
original mono stereo unplugged bootleg collection anthology greatest hits best essential complete
volume chapter part episode season story tale legend myth secret lost found broken wild free
young old new last first little big long short slow fast high low deep sweet bitter cold warm
electric velvet crystal diamond paper glass iron steel rose lily violet orchid willow oak pine
cherry apple orange lemon honey sugar salt wine coffee tea whiskey bourbon champagne
tiger lion wolf fox bear eagle raven sparrow dove horse butterfly dragon serpent whale dolphin
paris london berlin tokyo vienna havana memphis chicago detroit texas california brooklyn harlem
monday tuesday friday saturday sunday january april june july september october december
time memory future past tomorrow yesterday forever always never again together alone away
running falling flying dancing dreaming waiting burning shining crying singing walking talking
kiss touch smile tears goodbye hello promise prayer miracle magic wonder mystery danger escape
war peace freedom glory honor pride revolution empire kingdom republic nation frontier border
machine engine rocket satellite planet galaxy universe comet orbit signal radio television
paradise heaven hell purgatory eden babylon jerusalem atlantis avalon utopia zion nirvana
carnival circus festival parade party wedding funeral holiday vacation journey voyage odyssey
`.split(/\s+/).filter((w, i, all) => w !== '' && all.indexOf(w) === i);
const TAGS = ['live', 'remastered', 'demo', 'acoustic', 'remix', 'extended', 'radio edit', 'bootleg', 'deluxe edition'];
const EXTS = ['mp3', 'mp3', 'mp3', 'flac', 'flac', 'ogg', 'm4a', 'mkv', 'mp4', 'avi', 'pdf', 'epub'];

/** The same names and queries in every run and for both shard counts. */
const rng = seeded;

/** Zipf-like word choice (weight 1/(rank+5)): some words are common, most are rare. */
function zipfPicker(rand: () => number): () => string {
  const weights = WORDS.map((_, i) => 1 / (i + 5));
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w));
  // Shuffle which word gets which rank, so that the common words are not all from the list's start.
  const order = [...WORDS];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return order[lo] as string;
  };
}

const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);

interface Catalog {
  /** Files of each publisher. */
  files: PublishedFile[][];
  /** The word-list words of each file's name, for queries. */
  words: string[][];
}

function catalog(): Catalog {
  const rand = rng(0x1dec5);
  const pick = zipfPicker(rand);
  const distinct = (n: number) => {
    const out: string[] = [];
    for (let tries = 0; out.length < n && tries < 50; tries++) {
      const w = pick();
      if (!out.includes(w)) out.push(w);
    }
    return out;
  };
  const salt = randomBytes(8).toString('hex');
  const files: PublishedFile[][] = [];
  const words: string[][] = [];
  for (let p = 0; p < PUBLISHERS; p++) {
    const mine: PublishedFile[] = [];
    for (let f = 0; f < FILES_EACH; f++) {
      const artist = distinct(1 + Math.floor(rand() * 2));
      const title = distinct(2 + Math.floor(rand() * 3)).filter((w) => !artist.includes(w));
      const tag = rand() < 0.3 ? ` (${TAGS[Math.floor(rand() * TAGS.length)]})` : '';
      const year = rand() < 0.5 ? ` ${1955 + Math.floor(rand() * 70)}` : '';
      const ext = EXTS[Math.floor(rand() * EXTS.length)];
      const name = `${artist.map(cap).join(' ')} - ${title.map(cap).join(' ')}${tag}${year}.${ext}`;
      const n = p * FILES_EACH + f;
      const infoHash = `${salt}${n.toString(16).padStart(8, '0')}${Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')}${'0'.repeat(8)}`;
      mine.push({ infoHash, name, size: 1_000_000 + Math.floor(rand() * 1_500_000_000) });
      words.push([...artist, ...title]);
    }
    files.push(mine);
  }
  return { files, words };
}

/** 1-3 words (40/40/20%) of one published name, in random order. */
function queries(cat: Catalog, n: number, seed: number): string[] {
  const rand = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ws = [...(cat.words[Math.floor(rand() * cat.words.length)] as string[])];
    const r = rand();
    const k = Math.min(ws.length, r < 0.4 ? 1 : r < 0.8 ? 2 : 3);
    const q: string[] = [];
    while (q.length < k) q.push(ws.splice(Math.floor(rand() * ws.length), 1)[0] as string);
    out.push(q.join(' '));
  }
  return out;
}

// ---------------------------------------------------------------- a signaling socket

type Reply = { kind: 'result'; rtt: number; ms: number; results: number } | { kind: 'rate-limited' | 'error' | 'timeout'; rtt: number; detail: string };

let nextRef = 1;

class BenchSocket {
  readonly ws: WebSocket;
  id = '';
  bye = '';
  private readonly searches = new Map<number, (m: ServerMessage | null) => void>();
  private publishWaiter: ((m: ServerMessage | null) => void) | null = null;
  private welcomed: ((ok: boolean) => void) | null = null;
  private readonly pinger: ReturnType<typeof setInterval>;
  private closed = false;
  private readonly closedP: Promise<void>;
  private static opened = 0;

  private constructor(url: string, addr: string) {
    // Each socket poses as a client address of its own (the edge admits at most 64 sockets of
    // one address to a room).
    this.ws = new WebSocket(url, { headers: { 'CF-Connecting-IP': addr } });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let m: ServerMessage;
      try {
        m = parseServerMessage(data.toString());
      } catch (err) {
        console.error(`unparsable edge message: ${(err as Error).message}`);
        return;
      }
      this.onMessage(m);
    });
    this.closedP = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closed = true;
        this.bye ||= `close ${code} ${reason.toString()}`;
        this.failAll();
        resolve();
      });
    });
    this.ws.on('error', () => this.failAll());
    // The application heartbeat (auto-answered by the edge, outside the rate limit).
    this.pinger = setInterval(() => this.ws.readyState === WebSocket.OPEN && this.ws.send('{"type":"ping"}'), PING_EVERY_MS);
  }

  static async open(base: string, room: string): Promise<BenchSocket> {
    const n = ++BenchSocket.opened;
    const s = new BenchSocket(`${base.replace(/^http/, 'ws')}/ws?room=${encodeURIComponent(room)}`, `10.77.${(n >> 8) & 255}.${n & 255}`);
    const ok = await new Promise<boolean>((resolve) => {
      s.welcomed = resolve;
      setTimeout(() => resolve(false), 15_000);
    });
    if (!ok) {
      s.close();
      throw new Error(`no welcome on a socket of room ${room}${s.bye ? ` (${s.bye})` : ''}`);
    }
    return s;
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome':
        this.id = m.id;
        this.welcomed?.(true);
        this.welcomed = null;
        return;
      case 'search-result':
        this.take(m.ref, m);
        return;
      case 'error':
        if (m.ref !== undefined) this.take(m.ref, m);
        else if (this.publishWaiter) this.resolvePublish(m);
        else console.error(`edge error: ${m.code} ${m.message}`);
        return;
      case 'published':
        this.resolvePublish(m);
        return;
      case 'bye':
        this.bye = `bye ${m.code} ${m.reason}`;
        return;
      default:
        return; // roster, presence, pong
    }
  }

  private take(ref: number, m: ServerMessage): void {
    const w = this.searches.get(ref);
    if (w) {
      this.searches.delete(ref);
      w(m);
    }
  }

  private resolvePublish(m: ServerMessage | null): void {
    const w = this.publishWaiter;
    this.publishWaiter = null;
    w?.(m);
  }

  private failAll(): void {
    this.welcomed?.(false);
    this.welcomed = null;
    this.resolvePublish(null);
    for (const [ref, w] of [...this.searches]) {
      this.searches.delete(ref);
      w(null);
    }
  }

  async publish(files: PublishedFile[]): Promise<number> {
    if (this.publishWaiter) throw new Error('one publish at a time');
    const reply = new Promise<ServerMessage | null>((resolve) => {
      this.publishWaiter = resolve;
      setTimeout(() => this.resolvePublish(null), REPLY_TIMEOUT_MS * 3);
    });
    this.ws.send(JSON.stringify({ type: 'publish', files }));
    const m = await reply;
    if (m?.type === 'published') return m.files;
    if (m?.type === 'error') throw new Error(`publish refused: ${m.code} ${m.message}`);
    throw new Error(`publish not answered${this.bye ? ` (${this.bye})` : ''}`);
  }

  async search(query: string): Promise<Reply> {
    const ref = nextRef++;
    const t0 = performance.now();
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return { kind: 'error', rtt: 0, detail: `socket closed ${this.bye}` };
    const reply = new Promise<ServerMessage | null | 'timeout'>((resolve) => {
      const t = setTimeout(() => {
        this.searches.delete(ref);
        resolve('timeout');
      }, REPLY_TIMEOUT_MS);
      this.searches.set(ref, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
    this.ws.send(JSON.stringify({ type: 'search', ref, query }));
    const m = await reply;
    const rtt = performance.now() - t0;
    if (m === 'timeout') return { kind: 'timeout', rtt, detail: `no answer within ${REPLY_TIMEOUT_MS} ms` };
    if (m === null) return { kind: 'error', rtt, detail: `socket closed ${this.bye}` };
    if (m.type === 'search-result') return { kind: 'result', rtt, ms: m.ms, results: m.results.length };
    if (m.type === 'error') return { kind: m.code === 'rate-limited' ? 'rate-limited' : 'error', rtt, detail: `${m.code}: ${m.message}` };
    return { kind: 'error', rtt, detail: `unexpected ${m.type}` };
  }

  close(): Promise<void> {
    clearInterval(this.pinger);
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, 'bench done');
    // Bounded: a socket whose close handshake never finishes is dropped.
    return Promise.race([
      this.closedP,
      new Promise<void>((r) => setTimeout(() => {
        this.ws.terminate();
        r();
      }, 3_000)),
    ]);
  }
}

// ---------------------------------------------------------------- figures

interface Figures {
  shards: number;
  port: number;
  /** The machine's 1-minute load average when the server came up (other work on the box). */
  load1: number;
  files: number;
  publishS: number;
  entries: string;
  seq: { rtt: number[]; ms: number[]; results: number[]; failed: number; detail: string };
  load: {
    seconds: number;
    done: number;
    rtt: number[];
    ms: number[];
    limited: number;
    errors: number;
    timeouts: number;
    detail: string;
  };
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

/** Open sockets `n` at a time at most. */
async function openMany(base: string, room: string, count: number, out: BenchSocket[]): Promise<BenchSocket[]> {
  const mine: BenchSocket[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => BenchSocket.open(base, room)));
    mine.push(...batch);
    out.push(...batch);
  }
  return mine;
}

let current: DevServer | null = null;
const sockets: BenchSocket[] = [];

async function runOne(shards: number, port: number, cat: Catalog): Promise<Figures> {
  process.stderr.write(`bench:index  INDEX_SHARDS=${shards}: starting wrangler dev on port ${port}...\n`);
  const server = await startBenchServer(`index-${port}`, { port, vars: { INDEX_SHARDS: String(shards) }, fresh: true });
  current = server;
  try {
    const health = (await getJson(`${server.url}/api/health`)) as { indexShards: number; shards: number };
    if (health.indexShards !== shards) throw new Error(`the server reports ${health.indexShards} index shards, not ${shards}`);
    const load1 = loadavg()[0] as number;
    const room = `bench-index-${shards}-${Date.now().toString(36)}`;
    const publishers = await openMany(server.url, room, PUBLISHERS, sockets);
    const searchers = await openMany(server.url, room, SEARCHERS, sockets);

    // Publish: every publisher at once, one message each.
    const t0 = performance.now();
    const held = await Promise.all(publishers.map((s, i) => s.publish(cat.files[i] as PublishedFile[])));
    const publishS = (performance.now() - t0) / 1000;
    const files = held.reduce((a, b) => a + b, 0);
    const stats = (await getJson(`${server.url}/api/stats?room=${room}`)) as { index?: { entries: number }[] };
    const entries = (stats.index ?? []).map((x) => x.entries).join('/');
    process.stderr.write(`  ${files} files published in ${publishS.toFixed(2)} s; index entries per shard ${entries}\n`);

    // Warm-up, then sequential searches, rotating over the searchers (each far below its limit).
    const seqQ = queries(cat, WARMUP + SEQ, 0x5e9 + 1);
    const seq = { rtt: [] as number[], ms: [] as number[], results: [] as number[], failed: 0, detail: '' };
    for (let i = 0; i < seqQ.length; i++) {
      const r = await (searchers[i % searchers.length] as BenchSocket).search(seqQ[i] as string);
      if (i < WARMUP) continue;
      if (r.kind === 'result') {
        seq.rtt.push(r.rtt);
        seq.ms.push(r.ms);
        seq.results.push(r.results);
      } else {
        seq.failed++;
        seq.detail ||= `${r.kind}: ${r.detail}`;
      }
    }
    process.stderr.write(`  sequential: ${seq.rtt.length} answered, median ${percentile(seq.rtt, 50).toFixed(1)} ms\n`);
    // Let every bucket refill before the sustained phase.
    await sleep(2_000);

    // Sustained: each searcher in a closed loop, paced under the rate limit, for SECONDS.
    const loadQ = queries(cat, 4096, 0x10ad);
    const load = { seconds: SECONDS, done: 0, rtt: [] as number[], ms: [] as number[], limited: 0, errors: 0, timeouts: 0, detail: '' };
    const start = performance.now();
    const end = start + SECONDS * 1000;
    let qi = 0;
    await Promise.all(
      searchers.map(async (s, k) => {
        // Spread the first searches over one pacing interval.
        await sleep((k * PACE_MS) / searchers.length);
        while (performance.now() < end) {
          const sent = performance.now();
          const r = await s.search(loadQ[qi++ % loadQ.length] as string);
          const now = performance.now();
          if (r.kind === 'result') {
            if (now <= end) load.done++;
            load.rtt.push(r.rtt);
            load.ms.push(r.ms);
          } else {
            if (r.kind === 'rate-limited') load.limited++;
            else if (r.kind === 'timeout') load.timeouts++;
            else load.errors++;
            if (r.kind !== 'rate-limited') load.detail ||= `${r.kind}: ${r.detail}`;
            if (s.bye || r.detail.startsWith('socket closed')) break;
          }
          const wait = sent + PACE_MS - performance.now();
          if (wait > 0) await sleep(Math.min(wait, Math.max(0, end - performance.now())));
        }
      }),
    );
    process.stderr.write(`  sustained: ${(load.done / SECONDS).toFixed(1)} searches/s\n`);
    const reloaded = load.errors + load.timeouts + seq.failed > 0 && /reload|restart/i.test(server.output());
    if (reloaded) load.detail = `${load.detail} [wrangler dev reloaded the worker during the run: ${server.output().match(/.*(reload|restart).*/i)?.[0]?.trim().slice(0, 120)}]`;
    return { shards, port, load1, files, publishS, entries, seq, load };
  } finally {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await server.stop();
    current = null;
  }
}

function figuresTable(figs: Figures[]): string {
  const f1 = (x: number) => fixed(x, 1);
  const p = (xs: number[], ...ps: number[]) => `${ps.map((q) => f1(percentile(xs, q))).join(' / ')} ms`;
  const rows: [string, (f: Figures) => string][] = [
    ['machine load average at start', (f) => f.load1.toFixed(2)],
    [`files published (${PUBLISHERS} sockets x ${FILES_EACH})`, (f) => String(f.files)],
    ['publish, all at once', (f) => `${(f.publishS * 1000).toFixed(0)} ms`],
    ['index entries per shard', (f) => f.entries],
    [`sequential: ${SEQ} searches, 1-3 words`, () => ''],
    ['  round trip median / p95', (f) => p(f.seq.rtt, 50, 95)],
    ['  edge ms median / p95', (f) => p(f.seq.ms, 50, 95)],
    ['  results per search (mean)', (f) => f1(mean(f.seq.results))],
    ['  failed', (f) => String(f.seq.failed)],
    [`sustained: ${SEARCHERS} sockets, closed loop, ${SECONDS} s`, () => ''],
    ['  searches/s', (f) => f1(f.load.done / f.load.seconds)],
    ['  round trip median / p95 / p99', (f) => p(f.load.rtt, 50, 95, 99)],
    ['  edge ms median / p95', (f) => p(f.load.ms, 50, 95)],
    ['  rate-limited refusals', (f) => String(f.load.limited)],
    ['  other errors / timeouts', (f) => `${f.load.errors} / ${f.load.timeouts}`],
  ];
  const head = ['', ...figs.map((f) => `INDEX_SHARDS=${f.shards}`)];
  return table(
    head,
    rows.map(([label, get]) => [label, ...figs.map(get)]),
    { left: [0], rule: false, gap: '   ' },
  );
}

process.once('SIGINT', () => {
  for (const s of sockets) s.ws.terminate();
  void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
});

const cat = catalog();
const figs: Figures[] = [];
const began = performance.now();
for (const [i, shards] of SHARDS.entries()) figs.push(await runOne(shards, BASE_PORT - i, cat));

const ceiling = SEARCHERS * (1000 / PACE_MS);
console.log(`\nbench:index  Napster index search, wrangler dev, ${WORDS.length}-word list, ${((performance.now() - began) / 1000).toFixed(0)} s in all\n`);
console.log(figuresTable(figs));
for (const f of figs) {
  const at = f.load.done / f.load.seconds >= 0.95 * SEARCHERS * (1000 / PACE_MS) ? ' (at the client pacing ceiling: the server kept up)' : '';
  if (at) console.log(`note: INDEX_SHARDS=${f.shards}: searches/s${at}`);
  if (f.seq.detail) console.log(`note: INDEX_SHARDS=${f.shards}, sequential: ${f.seq.failed} failed, first: ${f.seq.detail}`);
  if (f.load.detail) console.log(`note: INDEX_SHARDS=${f.shards}, sustained: first failure: ${f.load.detail}`);
}
console.log(`
Setup: one room per server; ${PUBLISHERS} publisher sockets each publish ${FILES_EACH} files named from a
${WORDS.length}-word list with Zipf-like word frequencies ("Artist - Title (tag) year.ext"); queries are
1-3 words of a published name (40/40/20%), so every query matches. Sequential: one search at a time,
rotating over ${SEARCHERS} sockets, after ${WARMUP} warm-up searches. Sustained: ${SEARCHERS} sockets, each sends its
next search when the previous answer arrives but at most every ${PACE_MS} ms (the edge allows 10
searches/s a socket), so the offered load tops out at ${ceiling.toFixed(0)} searches/s. Round trip is measured by the
client; edge ms is what the gateway reports (index shards + live check). One gateway shard; the servers
ran one after the other, fresh state each, on loopback. ${cpus().length}-core machine, wrangler dev with local
Durable Objects (all in one workerd process, client on the same machine): absolute numbers are for
comparing shard counts only, not what Cloudflare's edge would do.`);
