/**
 * npm run bench:edge — a crowd in one room, on wrangler dev, without browsers: for each N
 * (BENCH_CROWD, default "250,1000,2000,4000,5000"; on this machine 5,000 sockets run workerd
 * out of file descriptors, whose hard limit of 20,000 a process cannot be raised here), N plain WebSocket peers join one new room, a few
 * at a time (BENCH_CONCURRENCY, 25 joins in flight), each from a loopback address of its own
 * group (127.0.x.y, BENCH_PER_ADDRESS = 4 sockets an address, bound as the socket's source and
 * sent as CF-Connecting-IP, which is what the edge reads); then every peer relays one signal to
 * a random other peer, SIGNAL_RATE signals a second in all (BENCH_SIGNAL_RATE, 200). Printed per N: join p50/p95 (socket open to roster), the presence
 * messages (roster, peer-join, peer-leave, supers, view) per join and per peer (mean and max),
 * bytes received per peer, relay p50/p95, signals delivered, error replies, and the room
 * Lobby's requests per join, and the seconds until all N sockets are closed again (a leave storm), from which Cloudflare's limit of about 1,000 requests a second per
 * object is turned into the join rate one room sustains and the Lobby shards 100,000 peers
 * joining at 500 a second would need. Figures only: it never fails on speed.
 *
 * Targets (issue 12): presence messages per join constant in N (<= 2 x view = 60), 100 %
 * delivered, 0 errors, relay p95 <= 250 ms at N = 2,000.
 * Environment: BENCH_PORT (8796), BENCH_CROWD, BENCH_CONCURRENCY, BENCH_PER_ADDRESS, BENCH_SIGNAL_RATE.
 */
import { resolveExtensionlessTs } from './kit/extensionless.ts';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ServerMessage } from '../../protocol/signaling.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed } from './kit/format.ts';
import { loadAverage, machineLine } from './kit/report.ts';
import { startBenchServer } from './kit/server.ts';
import { max, percentile, sum } from './kit/stats.ts';
import { table } from './kit/table.ts';
import { sleep, waitUntil } from './kit/wait.ts';

resolveExtensionlessTs('bench:edge');
const { parseServerMessage } = await import('../../protocol/signaling.ts');
const { PING_TEXT, PRESENCE } = await import('../../protocol/constants.ts');
const { EDGE_BATCHING } = await import('../../worker/core/batcher.ts');

const PORT = envNumber('BENCH_PORT', 8796);
const CROWDS = envList('BENCH_CROWD', '250,1000,2000,4000,5000').map(Number).filter((n) => Number.isInteger(n) && n >= 2);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 25);
const PER_ADDRESS = envNumber('BENCH_PER_ADDRESS', 4);
const SIGNAL_RATE = envNumber('BENCH_SIGNAL_RATE', 200);
const PRESENCE_TYPES = new Set(['roster', 'peer-join', 'peer-leave', 'supers', 'view']);
/** Cloudflare's guidance: about 1,000 requests a second per Durable Object. */
const OBJECT_RPS = 1_000;

interface Peer {
  ws: WebSocket;
  id: string;
  presence: number;
  bytes: number;
  errors: string[];
  onSignal: ((from: string, data: unknown) => void) | null;
}

function addressOf(i: number): string {
  const a = Math.floor(i / PER_ADDRESS) + 1;
  return `127.0.${(a >> 8) & 255}.${a & 255}`;
}

/** Open a peer socket; resolves with the join time (open to roster) once the roster is here. */
function openPeer(base: string, room: string, i: number): Promise<{ peer: Peer; ms: number }> {
  const addr = addressOf(i);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/ws?room=${room}`, { headers: { 'CF-Connecting-IP': addr }, localAddress: addr });
    const peer: Peer = { ws, id: '', presence: 0, bytes: 0, errors: [], onSignal: null };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`peer ${i} (${addr}): no roster within 60 s (${peer.id ? 'welcomed' : 'not welcomed'}${peer.errors.length ? `; ${peer.errors.join('; ')}` : ''})`));
    }, 60_000);
    ws.on('message', (data) => {
      const text = data.toString();
      peer.bytes += text.length;
      if (text === '{"type":"pong"}') return;
      let msg: ServerMessage;
      try {
        msg = parseServerMessage(text);
      } catch (err) {
        peer.errors.push(`unparsable: ${(err as Error).message}`);
        return;
      }
      if (PRESENCE_TYPES.has(msg.type)) peer.presence++;
      if (msg.type === 'welcome') peer.id = msg.id;
      else if (msg.type === 'roster') {
        clearTimeout(timer);
        resolve({ peer, ms: performance.now() - t0 });
      } else if (msg.type === 'error') peer.errors.push(`${msg.code}: ${msg.message}`);
      else if (msg.type === 'bye') peer.errors.push(`bye ${msg.code}: ${msg.reason}`);
      else if (msg.type === 'signal') peer.onSignal?.(msg.from, msg.data);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      peer.errors.push(`socket error: ${(err as Error & { code?: string }).code ?? err.message}`);
      reject(err);
    });
    ws.on('close', (code) => {
      if (!peer.id || code === 1000) return;
      peer.errors.push(`closed ${code}`);
    });
  });
}

interface Row {
  n: number;
  joinP50: number;
  joinP95: number;
  joinSeconds: number;
  perJoin: number;
  perPeerMax: number;
  bytesPerPeer: number;
  relayP50: number;
  relayP95: number;
  delivered: number;
  errors: number;
  firstError: string;
  /** The Lobby's joins, and the gateways' batched calls that carried them (and the views, bootstraps ... of the join phase). */
  joins: number;
  joinCalls: number;
  deliveriesPerJoin: number;
}

type LobbyStats = { calls: number; joins: number; leaves: number; views: number; bootstraps: number; capacity: number; deliveries: number };
type Stats = { gateways: { sockets: number; lobbyCalls: number }[]; lobby?: LobbyStats };
async function edgeStats(base: string, room: string): Promise<Stats> {
  const stats = (await (await fetch(`${base.replace('ws', 'http')}/api/stats?room=${room}`)).json()) as Stats;
  if (process.env.BENCH_DEBUG) console.error(JSON.stringify(stats).slice(0, 2000));
  return stats;
}

async function crowd(base: string, n: number): Promise<Row> {
  const room = `bench-edge-${n}-${Date.now().toString(36)}`;
  const peers: Peer[] = [];
  const joinMs: number[] = [];
  const t0 = performance.now();
  let next = 0;
  let atJoin: LobbyStats | undefined;
  // Heartbeats as a crowd sends them: each peer every 10 s, spread over the 10 s (a tenth of a
  // second's share at a time), not all at once.
  let tick = 0;
  const pinger = setInterval(() => {
    const slot = tick++ % 100;
    for (let i = slot; i < peers.length; i += 100) {
      const p = peers[i] as Peer;
      if (p.ws.readyState === WebSocket.OPEN) p.ws.send(PING_TEXT);
    }
  }, 100);
  try {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
        while (next < n) {
          const i = next++;
          const { peer, ms } = await openPeer(base, room, i).catch((err: Error & { code?: string }) => {
            throw new Error(`peer ${i} could not join after ${peers.length} had (${((performance.now() - t0) / 1000).toFixed(1)} s): ${err.code ?? ''} ${err.message}`);
          });
          peers.push(peer);
          joinMs.push(ms);
        }
      }),
    );
    const joinSeconds = (performance.now() - t0) / 1000;
    // Let the last deliveries land: quiet for a second.
    let last = -1;
    await waitUntil(
      () => {
        const now = sum(peers.map((p) => p.presence));
        if (now === last) return null;
        last = now;
        return 'presence still arriving';
      },
      Infinity,
      1_000,
    );
    // Read now: an idle Lobby may be evicted from memory during the relay (its counters with it).
    const joined = await edgeStats(base, room);
    const l = joined.lobby;
    atJoin = l;
    const presence = peers.map((p) => p.presence);
    const bytes = sum(peers.map((p) => p.bytes)) / n;

    // Every peer relays one signal to a random other peer.
    const relayMs: number[] = [];
    let delivered = 0;
    const sentAt = new Map<string, number>();
    for (const p of peers) {
      p.onSignal = (_from, data) => {
        const k = (data as { k?: string }).k;
        const at = k === undefined ? undefined : sentAt.get(k);
        if (at === undefined) return;
        sentAt.delete(k as string);
        relayMs.push(performance.now() - at);
        delivered++;
      };
    }
    const tRelay = performance.now();
    for (const [i, p] of peers.entries()) {
      let j = Math.floor(Math.random() * (n - 1));
      if (j >= i) j++;
      const k = `${i}`;
      sentAt.set(k, performance.now());
      p.ws.send(JSON.stringify({ type: 'signal', to: (peers[j] as Peer).id, data: { k } }));
      // Paced at SIGNAL_RATE a second: each signal's latency through an edge holding the crowd,
      // not the queue of a burst of N sent at once.
      const due = tRelay + ((i + 1) * 1000) / SIGNAL_RATE;
      const wait = due - performance.now();
      if (wait > 4) await sleep(wait);
    }
    await waitUntil(() => (sentAt.size === 0 ? null : 'signals in flight'), 30_000, 100);

    const errors = peers.flatMap((p) => p.errors);
    return {
      n,
      joinP50: percentile(joinMs, 50),
      joinP95: percentile(joinMs, 95),
      joinSeconds,
      perJoin: sum(presence) / n,
      perPeerMax: max(presence),
      bytesPerPeer: bytes,
      relayP50: percentile(relayMs, 50),
      relayP95: percentile(relayMs, 95),
      delivered: (100 * delivered) / n,
      errors: errors.length,
      firstError: errors[0] ?? '',
      joins: l?.joins ?? NaN,
      joinCalls: l?.calls ?? NaN,
      deliveriesPerJoin: l ? l.deliveries / Math.max(1, l.joins) : NaN,
    };
  } finally {
    clearInterval(pinger);
    // One more peer stays through the leave storm, so that the room (and its Lobby's counters)
    // can still be read once everyone else is gone.
    const observer = await openPeer(base, room, n).then((o) => o.peer).catch(() => null);
    // Leave: every socket closed, and the close seen on our side (the next crowd starts on a quiet edge).
    const tLeave = performance.now();
    await Promise.all(
      peers.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.ws.readyState === WebSocket.CLOSED) return resolve();
            const t = setTimeout(resolve, 180_000);
            p.ws.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            p.ws.close(1000, 'bench done');
          }),
      ),
    );
    leaveSeconds.set(n, (performance.now() - tLeave) / 1000);
    // The leave storm's calls into the Lobby, by its own count once only the observer is left.
    // If the Lobby was evicted during the relay, its counters restarted with the observer's join.
    if (observer && atJoin) {
      const before = atJoin;
      await waitUntil(async () => {
        const l = (await edgeStats(base, room).catch(() => undefined))?.lobby;
        if (!l || l.leaves < n) return 'leaves still arriving';
        const evicted = l.joins < n;
        leaveCalls.set(n, l.calls - (evicted ? 0 : before.calls) - 1);
        return null;
      }, 180_000); // wrangler dev finishes a close in ~15 ms here: thousands of leaves take minutes
      observer.ws.close(1000, 'bench done');
    }
  }
}
const leaveSeconds = new Map<number, number>();
/** The gateways' calls into the Lobby that carried the leave storm (of N leaves), by the Lobby's count. */
const leaveCalls = new Map<number, number>();

const loadStart = loadAverage();
const rows: Row[] = [];
const failures: string[] = [];
// A fresh wrangler dev for each N: a crowd's leave storm (thousands of closes, which wrangler
// dev's proxy and workerd take 15 ms or more each to finish here) does not delay the next.
for (const n of CROWDS) {
  const server = await startBenchServer('edge', { port: PORT, fresh: true });
  try {
    console.error(`  ${n} peers joining…`);
    rows.push(await crowd(server.url.replace('http', 'ws'), n));
  } catch (err) {
    const e = err as Error & { code?: string };
    failures.push(`N = ${n}: the run failed: ${e.code ?? ''} ${e.message.split('\n')[0]}`);
    console.error(`  ${n}: failed: ${e.message.split('\n')[0]}`);
  } finally {
    // What wrangler dev said of trouble (errors, restarts), for the record.
    const trouble = server.output().split('\n').filter((l) => /error|exception|reset|exceeded|restart/i.test(l));
    if (trouble.length > 0) failures.push(`N = ${n}: wrangler dev reported ${trouble.length} line(s) of trouble, the first: ${trouble[0]!.slice(0, 300)}`);
    await server.stop();
  }
}

const f0 = (x: number) => fixed(x, 0, '—');
const f1 = (x: number) => fixed(x, 1, '—');
const f2 = (x: number) => fixed(x, 2, '—');
/** The Lobby's calls (batched by the gateways) per member: the join phase's and the leave storm's. */
const lobbyPerJoin = (r: Row) => (r.joinCalls + (leaveCalls.get(r.n) ?? NaN)) / r.joins;
console.log(`bench:edge  one room on wrangler dev (one workerd, GATEWAY_SHARDS=1), plain WebSocket peers, ${PER_ADDRESS} an address, ${CONCURRENCY} joins in flight, signals at ${SIGNAL_RATE}/s; presence: everyone up to ${PRESENCE.fullUpTo}, views of ${PRESENCE.view} beyond`);
console.log(machineLine(loadStart));
console.log(
  table(
    ['N', 'join p50 ms', 'join p95 ms', 'all joined s', 'all left s', 'presence msgs/join', 'max/peer', 'KiB/peer', 'relay p50 ms', 'relay p95 ms', 'delivered %', 'errors', 'Lobby calls/join', 'joins/call', 'leaves/call', 'deliveries/join'],
    rows.map((r) => [
      String(r.n),
      f0(r.joinP50),
      f0(r.joinP95),
      f1(r.joinSeconds),
      f1(leaveSeconds.get(r.n) ?? NaN),
      `${f1(r.perJoin)} ${r.perJoin <= 2 * PRESENCE.view ? 'met' : 'MISSED'}`,
      String(r.perPeerMax),
      f1(r.bytesPerPeer / 1024),
      f0(r.relayP50),
      `${f0(r.relayP95)}${r.n === 2000 ? (r.relayP95 <= 250 ? ' met' : ' MISSED') : ''}`,
      `${f1(r.delivered)}${r.delivered === 100 ? ' met' : ' MISSED'}`,
      String(r.errors),
      f2(lobbyPerJoin(r)),
      f1(r.joins / r.joinCalls),
      f1(r.n / (leaveCalls.get(r.n) ?? NaN)),
      f1(r.deliveriesPerJoin),
    ]),
  ),
);
for (const r of rows) if (r.firstError) console.log(`N = ${r.n}: first error: ${r.firstError}`);
for (const f of failures) console.log(f);
// The largest crowd whose leave storm was counted too.
const big = [...rows].reverse().find((r) => Number.isFinite(lobbyPerJoin(r)));
if (big && Number.isFinite(lobbyPerJoin(big))) {
  // The gateways batch what their sockets ask of a room's Lobby, one call at most every
  // EDGE_BATCHING.gapMs from each gateway shard: the Lobby's request rate is bounded by the
  // gateway count, not by the join rate; at a low rate each request is a call of its own.
  const perGateway = 1000 / EDGE_BATCHING.gapMs;
  const fullPace = Math.floor(OBJECT_RPS / perGateway);
  const at500 = Math.min(500 * lobbyPerJoin(big), 500 * 2) + PRESENCE.refreshesPerSecond;
  console.log(
    `Cloudflare (about ${OBJECT_RPS} requests/s per object), from N = ${big.n}: the gateways batched the Lobby's joins and leaves into ${f2(lobbyPerJoin(big))} calls a member ` +
      `(${f1(big.joins / big.joinCalls)} joins a call at ${CONCURRENCY} joins in flight). A gateway shard calls a room's Lobby at most ${perGateway} times a second however fast its sockets join, ` +
      `so up to ${fullPace} gateway shards at full pace stay within one object's limit; unbatched (a join and a leave each a call, as at a low rate) one Lobby takes ~${f0(OBJECT_RPS / 2)} joins/s. ` +
      `100,000 peers joining at 500/s with their view refreshes (at most ${PRESENCE.refreshesPerSecond}/s a room) ask at most ${f0(at500)} calls/s of one Lobby (fewer as batches fill): ` +
      `${Math.ceil(at500 / OBJECT_RPS)} Lobby per room, and ${Math.ceil((500 * (1 + big.deliveriesPerJoin)) / OBJECT_RPS)} gateway shard(s) for the sockets' joins and the Lobby's ${f1(big.deliveriesPerJoin)} deliveries a join.`,
  );
}
