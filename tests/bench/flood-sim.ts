/**
 * A simulated overlay driven by the real FloodRouter (client/core/flood-router.ts): one router
 * per node, wired by a FIFO message queue, with a simulated clock (no real time passes). Two
 * shapes of network:
 *
 *  - flat: a random graph where each node keeps `degree - 1` to `degree + 1` neighbours (a
 *    Gnutella peer's target degree: 3-5 in the client), every node answering for its own files;
 *  - super-peer: ~1 in leavesPerSuper + 1 nodes are super-peers, linked among themselves in a
 *    random graph of `superDegree - 1` to `superDegree + 1` neighbours; every other node is a leaf
 *    linked to one super-peer, which indexes its files. A leaf's query goes to its super-peer, which floods it
 *    among super-peers only; leaves never receive queries.
 *
 * Each searched file is held by `holders` random nodes (never the one searching).
 */
import { FloodRouter, type RouterAction, type RouterContext } from '../../client/core/flood-router.ts';
import type { Descriptor, HitResult } from '../../protocol/overlay.ts';

export type Rng = () => number;

export interface SimResult {
  /** Links of the overlay (leaf-super links included). */
  links: number;
  /** Query and query-hit messages sent per query. */
  messagesPerQuery: number;
  /** Query messages sent per query. */
  queryMessagesPerQuery: number;
  /** Share of queries that found at least one holder. */
  successRate: number;
  /** Hops to the nearest answer, averaged over the queries that found one. */
  avgHitHops: number;
  /** Share of the other nodes whose files the query searched (for a leaf: its super-peer reached it). */
  reached: number;
}

export interface RunParams {
  ttl: number;
  queries: number;
  holders: number;
  rng: Rng;
}

export interface FlatParams extends RunParams {
  n: number;
  degree: number;
}

export interface SuperPeerParams extends RunParams {
  n: number;
  leavesPerSuper: number;
  superDegree: number;
}

/** A built network: run queries on it at any ttl (the routers keep their state between runs). */
export interface SimNetwork {
  links: number;
  run(p: RunParams): SimResult;
}

/** Simulated time between two queries: longer than routeMs, so no query sees another's state. */
const QUERY_GAP_MS = 61_000;
const NO_RESULTS: HitResult[] = [];

/**
 * A random graph on `n` nodes of mean degree about `degree`: nodes, in random order, link to
 * random nodes until they have `degree - 1` neighbours; a node with `degree + 1` takes no more.
 */
export function randomGraph(n: number, degree: number, rng: Rng): number[][] {
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set());
  const min = Math.max(1, degree - 1);
  const max = degree + 1;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const a of order) {
    const mine = adj[a]!;
    for (let tries = 0; mine.size < Math.min(min, n - 1) && tries < 50; tries++) {
      const b = Math.floor(rng() * n);
      const theirs = adj[b]!;
      if (b === a || mine.has(b) || theirs.size >= max) continue;
      mine.add(b);
      theirs.add(a);
    }
  }
  return adj.map((s) => [...s]);
}

function edges(adj: number[][]): number {
  return adj.reduce((sum, a) => sum + a.length, 0) / 2;
}

/** `k` distinct random indices of [0, n), none equal to `except`. */
function sample(n: number, k: number, except: number, rng: Rng): number[] {
  const out = new Set<number>();
  const want = Math.min(k, n - 1);
  while (out.size < want) {
    const i = Math.floor(rng() * n);
    if (i !== except) out.add(i);
  }
  return [...out];
}

interface Shape {
  n: number;
  /** Where each node forwards pings and queries. */
  targets: number[][];
  links: number;
  /** Who answers for node `i`'s files (itself, or a leaf's super-peer). */
  indexedBy: (i: number) => number;
  /** Who may start a query. */
  origin: (rng: Rng) => number;
  /** Nodes whose files are searched when node `i` handles a query (itself, and a super-peer's leaves). */
  covers: (i: number) => number;
}

let guidCount = 0;

function network(shape: Shape): SimNetwork {
  const { n } = shape;
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  const clock = { now: 0 };
  /** Per query: the hit results each node would answer with. */
  let answers = new Map<number, HitResult[]>();
  const routers = ids.map((id) => new FloodRouter(id));
  const ctxs: RouterContext[] = ids.map((id, i) => ({
    get now() {
      return clock.now;
    },
    targets: shape.targets[i]!.map((t) => ids[t]!),
    match: () => answers.get(i) ?? NO_RESULTS,
    pong: () => ({ peer: id, role: 'peer', files: 0, neighbours: [], leaves: [] }),
  }));

  function run(p: RunParams): SimResult {
    let messages = 0;
    let queryMessages = 0;
    let found = 0;
    let hopsSum = 0;
    let reachedSum = 0;
    for (let q = 0; q < p.queries; q++) {
      clock.now += QUERY_GAP_MS;
      const origin = shape.origin(p.rng);
      const holders = sample(n, p.holders, origin, p.rng);
      answers = new Map();
      for (const h of holders) {
        const at = shape.indexedBy(h);
        const list = answers.get(at) ?? [{ infoHash: '0'.repeat(40), name: 'wanted', size: 1, peers: [] }];
        list[0]!.peers.push(ids[h]!);
        answers.set(at, list);
      }
      const guid = `sim-${String(++guidCount).padStart(16, '0')}`;
      // FIFO queue of [from, action]: a message is delivered when its turn comes.
      const queue: [number, RouterAction][] = routers[origin]!.originate({ type: 'query', guid, ttl: p.ttl, hops: 0, words: ['wanted'] }, ctxs[origin]!).map((a) => [origin, a]);
      let nearest = Infinity;
      for (let k = 0; k < queue.length; k++) {
        const [from, a] = queue[k]!;
        if (a.do === 'hit') nearest = Math.min(nearest, a.msg.dist);
        if (a.do !== 'send') continue;
        const msg: Descriptor = a.msg;
        if (msg.type === 'query') queryMessages++;
        if (msg.type === 'query' || msg.type === 'queryhit') messages++;
        const to = index.get(a.to)!;
        for (const b of routers[to]!.receive(ids[from]!, msg, ctxs[to]!)) queue.push([to, b]);
      }
      if (nearest < Infinity) {
        found++;
        hopsSum += nearest;
      }
      let covered = 0;
      for (let i = 0; i < n; i++) {
        const t = routers[i]!.trace(guid);
        if (t && t.received > t.duplicates) covered += shape.covers(i);
      }
      // The origin's own super-peer covers the origin too: it does not search itself.
      if (covered > 0 && shape.indexedBy(origin) !== origin) covered--;
      reachedSum += n > 1 ? covered / (n - 1) : 0;
    }
    const per = (x: number) => x / Math.max(1, p.queries);
    return {
      links: shape.links,
      messagesPerQuery: per(messages),
      queryMessagesPerQuery: per(queryMessages),
      successRate: per(found),
      avgHitHops: found > 0 ? hopsSum / found : NaN,
      reached: per(reachedSum),
    };
  }

  return { links: shape.links, run };
}

/** The flat Gnutella overlay on `n` nodes. */
export function flatNetwork(n: number, degree: number, rng: Rng): SimNetwork {
  const adj = randomGraph(n, degree, rng);
  return network({
    n,
    targets: adj,
    links: edges(adj),
    indexedBy: (i) => i,
    origin: (r) => Math.floor(r() * n),
    covers: () => 1,
  });
}

/** The two-tier overlay on `n` nodes: super-peers 0..S-1, leaves S..n-1 spread evenly over them. */
export function superPeerNetwork(n: number, leavesPerSuper: number, superDegree: number, rng: Rng): SimNetwork {
  const supers = Math.max(1, Math.ceil(n / (leavesPerSuper + 1)));
  const superOf = (leaf: number) => (leaf - supers) % supers;
  const tier = randomGraph(supers, superDegree, rng);
  const leavesOf = Array.from({ length: supers }, (_, s) => Math.floor((n - supers) / supers) + (s < (n - supers) % supers ? 1 : 0));
  const targets = Array.from({ length: n }, (_, i) => (i < supers ? tier[i]! : [superOf(i)]));
  return network({
    n,
    targets,
    links: edges(tier) + (n - supers),
    indexedBy: (i) => (i < supers ? i : superOf(i)),
    origin: (r) => (n > supers ? supers + Math.floor(r() * (n - supers)) : Math.floor(r() * n)),
    covers: (i) => (i < supers ? 1 + leavesOf[i]! : 0),
  });
}

export function simulateFlat(p: FlatParams): SimResult {
  return flatNetwork(p.n, p.degree, p.rng).run(p);
}

export function simulateSuperPeer(p: SuperPeerParams): SimResult {
  return superPeerNetwork(p.n, p.leavesPerSuper, p.superDegree, p.rng).run(p);
}
