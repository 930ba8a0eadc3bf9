import { expect, test } from '@playwright/test';
import { FloodRouter, PONG_CACHE_ANSWER, type RouterAction, type RouterContext, type RouterOptions } from '../../client/core/flood-router';
import type { Descriptor, HitResult, PongMsg, QueryHitMsg, QueryMsg } from '../../protocol/overlay';
import { simulateFlat, simulateSuperPeer } from '../bench/flood-sim.ts';
import { seeded } from '../helpers/unit';

const NOW = 1_000_000;
const HASH = '0123456789abcdef0123456789abcdef01234567';
let guids = 0;
const guid = () => `guid-${String(++guids).padStart(16, '0')}`;
const query = (words = ['blue'], ttl = 7, hops = 0, id = guid()): QueryMsg => ({ type: 'query', guid: id, ttl, hops, words });

/** Routers wired by a FIFO queue: every send is delivered in order, all at `now`. */
class Net {
  readonly routers = new Map<string, FloodRouter>();
  readonly adj = new Map<string, Set<string>>();
  /** Words each node's files hold. */
  readonly holds = new Map<string, Set<string>>();
  readonly log: { from: string; to: string; msg: Descriptor }[] = [];
  readonly hits: { at: string; msg: QueryHitMsg }[] = [];
  readonly pongs: { at: string; msg: PongMsg }[] = [];
  readonly drops: { at: string; action: Extract<RouterAction, { do: 'drop' }> }[] = [];
  now = NOW;

  constructor(ids: string[], opts?: RouterOptions) {
    for (const id of ids) {
      this.routers.set(id, new FloodRouter(id, opts));
      this.adj.set(id, new Set());
    }
  }

  static line(n: number, opts?: RouterOptions): Net {
    const net = new Net(Array.from({ length: n }, (_, i) => `n${i}`), opts);
    for (let i = 1; i < n; i++) net.link(`n${i - 1}`, `n${i}`);
    return net;
  }

  link(a: string, b: string): void {
    this.adj.get(a)!.add(b);
    this.adj.get(b)!.add(a);
  }

  router(id: string): FloodRouter {
    return this.routers.get(id)!;
  }

  ctx(id: string): RouterContext {
    const words = this.holds.get(id);
    return {
      now: this.now,
      targets: [...this.adj.get(id)!],
      match: (w): HitResult[] => (words && w.every((x) => words.has(x)) ? [{ infoHash: HASH, name: w.join(' '), size: 1, peers: [id] }] : []),
      pong: () => ({ peer: id, role: 'peer', files: words?.size ?? 0, neighbours: [...this.adj.get(id)!], leaves: [] }),
    };
  }

  originate(id: string, msg: Parameters<FloodRouter['originate']>[0]): void {
    this.run(id, this.router(id).originate(msg, this.ctx(id)));
  }

  /** Carry out `actions` of node `at`, and everything they lead to. */
  run(at: string, actions: RouterAction[]): void {
    const queue: [string, RouterAction][] = actions.map((a) => [at, a]);
    for (let i = 0; i < queue.length; i++) {
      const [node, a] = queue[i]!;
      if (a.do === 'send') {
        this.log.push({ from: node, to: a.to, msg: a.msg });
        if (this.routers.has(a.to)) for (const b of this.router(a.to).receive(node, a.msg, this.ctx(a.to))) queue.push([a.to, b]);
      } else if (a.do === 'hit') this.hits.push({ at: node, msg: a.msg });
      else if (a.do === 'pong') this.pongs.push({ at: node, msg: a.msg });
      else this.drops.push({ at: node, action: a });
    }
  }

  sends(type: Descriptor['type']): { from: string; to: string; msg: Descriptor }[] {
    return this.log.filter((s) => s.msg.type === type);
  }
}

/** A bare context for one router tested by hand. */
function ctx(now: number, targets: string[], match: (w: readonly string[]) => HitResult[] = () => []): RouterContext {
  return { now, targets, match, pong: () => ({ peer: 'me', role: 'peer', files: 0, neighbours: targets, leaves: [] }) };
}

const kinds = (actions: RouterAction[]) => actions.map((a) => (a.do === 'send' ? `send ${a.msg.type} ${a.to}` : a.do === 'drop' ? `drop ${a.reason}` : a.do));

test('a query is handled once: copies that arrive later, or our own coming back, are duplicates', () => {
  const r = new FloodRouter('me');
  const q = query();
  expect(kinds(r.receive('a', q, ctx(NOW, ['a', 'b', 'c'])))).toEqual(['send query b', 'send query c']);
  expect(kinds(r.receive('b', { ...q, hops: 1, ttl: 6 }, ctx(NOW, ['a', 'b', 'c'])))).toEqual(['drop duplicate']);
  expect(kinds(r.receive('a', q, ctx(NOW + 1000, ['a', 'b', 'c'])))).toEqual(['drop duplicate']);
  expect(r.trace(q.guid)).toEqual({ received: 3, duplicates: 2, forwarded: 2, answered: 0, hits: 0, routed: 0 });
  // Our own query, coming back round a cycle.
  const mine = query();
  expect(kinds(r.originate(mine, ctx(NOW, ['a', 'b'])))).toEqual(['send query a', 'send query b']);
  expect(kinds(r.receive('b', { ...mine, ttl: 5, hops: 2 }, ctx(NOW, ['a', 'b'])))).toEqual(['drop duplicate']);
  expect(r.trace(mine.guid)).toEqual({ received: 1, duplicates: 1, forwarded: 2, answered: 0, hits: 0, routed: 0 });
  expect(r.stats.dropped.duplicate).toBe(3);
  // Forgotten after seenMs (120 s): the guid is new again.
  expect(kinds(r.receive('c', q, ctx(NOW + 120_000, ['a', 'b', 'c'])))).toEqual(['send query a', 'send query b']);
});

test('ttl scope on a line: ttl 2 reaches 2 hops, not 3', () => {
  const net = Net.line(5);
  for (const id of ['n1', 'n2', 'n3', 'n4']) net.holds.set(id, new Set(['blue']));
  const q = query(['blue'], 2);
  net.originate('n0', q);
  expect(net.router('n1').trace(q.guid)).toMatchObject({ received: 1, forwarded: 1, answered: 1 });
  expect(net.router('n2').trace(q.guid)).toMatchObject({ received: 1, forwarded: 0, answered: 1 });
  expect(net.router('n3').trace(q.guid)).toBeUndefined();
  expect(net.sends('query').map((s) => [s.to, s.msg.ttl, s.msg.hops])).toEqual([['n1', 2, 0], ['n2', 1, 1]]);
  expect(net.hits.map((h) => [h.at, h.msg.peer, h.msg.dist])).toEqual([['n0', 'n1', 1], ['n0', 'n2', 2]]);
  expect(net.drops).toEqual([]);
});

test('ttl is clamped at 7: by the originator, and for whatever arrives (ttl + hops <= 7)', () => {
  const net = Net.line(10);
  const q = query(['x'], 200);
  net.originate('n0', q);
  expect(net.sends('query')[0]!.msg.ttl).toBe(7);
  expect(net.router('n7').trace(q.guid)).toMatchObject({ received: 1, forwarded: 0 });
  expect(net.router('n8').trace(q.guid)).toBeUndefined();

  const r = new FloodRouter('me');
  const fwd = (m: QueryMsg) => r.receive('a', m, ctx(NOW, ['a', 'b'])).map((a) => (a.do === 'send' ? [a.msg.ttl, a.msg.hops] : a.do === 'drop' ? a.reason : a.do));
  expect(fwd(query(['x'], 255, 0))).toEqual([[6, 1]]);
  expect(fwd(query(['x'], 7, 5))).toEqual([[1, 6]]);
  expect(fwd(query(['x'], 1, 0))).toEqual([]); // ttl spent: answered here only
  expect(fwd(query(['x'], 3, 7))).toEqual(['ttl']);
  expect(fwd(query(['x'], 0, 0))).toEqual(['ttl']);
  expect(r.stats.dropped.ttl).toBe(2);
  // A smaller cap set by option.
  const small = new FloodRouter('me', { maxTtl: 3 });
  expect(kinds(small.originate(query(['x'], 7), ctx(NOW, ['a'])))).toEqual(['send query a']);
  expect(small.receive('a', query(['x'], 7, 0), ctx(NOW, ['a', 'b']))).toMatchObject([{ do: 'send', msg: { ttl: 2, hops: 1 } }]);
});

test('a hit travels back along the reverse path over 3 hops and arrives with hops = dist', () => {
  const net = Net.line(4);
  net.link('n0', 'n2'); // a shortcut: the query reaches n2 first from n0, so hits avoid n1
  net.holds.set('n3', new Set(['blue', 'moon']));
  net.holds.set('n2', new Set(['blue']));
  const q = query(['blue', 'moon'], 4);
  net.originate('n0', q);
  expect(net.hits).toHaveLength(1);
  const hit = net.hits[0]!.msg;
  expect(hit).toMatchObject({ guid: q.guid, peer: 'n3', dist: 2, hops: 2, ttl: 0 });

  const line = Net.line(4);
  line.holds.set('n3', new Set(['blue']));
  const q3 = query(['blue'], 7);
  line.originate('n0', q3);
  expect(line.sends('queryhit').map((s) => `${s.from}>${s.to} ttl ${s.msg.ttl} hops ${s.msg.hops}`)).toEqual([
    'n3>n2 ttl 3 hops 0',
    'n2>n1 ttl 2 hops 1',
    'n1>n0 ttl 1 hops 2',
  ]);
  expect(line.hits.map((h) => h.msg)).toEqual([
    { type: 'queryhit', guid: q3.guid, ttl: 0, hops: 3, peer: 'n3', dist: 3, results: [{ infoHash: HASH, name: 'blue', size: 1, peers: ['n3'] }] },
  ]);
  expect(line.router('n0').trace(q3.guid)!.hits).toBe(1);
  expect(line.router('n1').stats.hitsRouted).toBe(1);
  expect(line.router('n2').stats.hitsRouted).toBe(1);
  // A hit whose ttl is one short dies one hop early.
  const n1 = line.router('n1');
  const short = n1.receive('n2', { ...line.sends('queryhit')[1]!.msg, ttl: 1 } as QueryHitMsg, line.ctx('n1'));
  expect(kinds(short)).toEqual(['drop ttl']);
});

test('pings are answered with our pong and flood like queries; pongs come back by the reverse path', () => {
  const net = Net.line(4);
  const p = { type: 'ping' as const, guid: guid(), ttl: 3, hops: 0 };
  net.originate('n0', p);
  expect(net.pongs.map((x) => [x.msg.peer, x.msg.hops, x.msg.ttl])).toEqual([['n1', 1, 0], ['n2', 2, 0], ['n3', 3, 0]]);
  expect(net.pongs[0]!.msg).toEqual({ type: 'pong', guid: p.guid, ttl: 0, hops: 1, peer: 'n1', role: 'peer', files: 0, neighbours: ['n0', 'n2'], leaves: [] });
  // Every router on the way cached the pongs that passed it (never its own).
  expect(net.router('n0').cachedPongs(net.now).map((x) => x.peer)).toEqual(['n1', 'n2', 'n3']);
  expect(net.router('n1').cachedPongs(net.now).map((x) => x.peer)).toEqual(['n2', 'n3']);
  expect(net.router('n0').cachedPongs(net.now + 30_000)).toEqual([]);
});

test('the pong cache answers pings without forwarding them (no ping storms), minus pongs about the asker', () => {
  const r = new FloodRouter('me');
  const mine = { type: 'ping' as const, guid: guid(), ttl: 2, hops: 0 };
  r.originate(mine, ctx(NOW, ['a']));
  const pongOf = (peer: string): PongMsg => ({ type: 'pong', guid: mine.guid, ttl: 1, hops: 0, peer, role: 'peer', files: 1, neighbours: [], leaves: [] });
  for (const peer of ['p1', 'p2', 'p3', 'p4']) expect(kinds(r.receive('a', pongOf(peer), ctx(NOW, ['a'])))).toEqual(['pong']);
  r.receive('a', pongOf('me'), ctx(NOW, ['a'])); // about ourselves: never cached
  expect(r.cachedPongs(NOW).map((p) => p.peer)).toEqual(['p1', 'p2', 'p3', 'p4']);

  // 4 cached pongs: reply with our pong and those 4, and forward the ping.
  const ping1 = { type: 'ping' as const, guid: guid(), ttl: 3, hops: 1 };
  expect(kinds(r.receive('x', ping1, ctx(NOW, ['x', 'a', 'b'])))).toEqual([...Array(5).fill('send pong x'), 'send ping a', 'send ping b']);

  // 5: the cache answers and the ping stops here.
  r.receive('a', pongOf('p5'), ctx(NOW, ['a']));
  const ping2 = { type: 'ping' as const, guid: guid(), ttl: 3, hops: 1 };
  const out = r.receive('x', ping2, ctx(NOW + 10, ['x', 'a', 'b']));
  expect(kinds(out)).toEqual(Array(1 + PONG_CACHE_ANSWER).fill('send pong x'));
  expect(out.map((a) => (a.do === 'send' && a.msg.type === 'pong' ? [a.msg.peer, a.msg.guid, a.msg.ttl, a.msg.hops] : null))).toEqual([
    ['me', ping2.guid, 2, 0],
    ...['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => [p, ping2.guid, 2, 0]),
  ]);
  expect(r.trace(ping2.guid)).toMatchObject({ answered: 6, forwarded: 0 });

  // Asked by p1 itself: its own pong is not sent back to it, so 4 cached answers: forwarded.
  const ping3 = { type: 'ping' as const, guid: guid(), ttl: 3, hops: 0 };
  expect(kinds(r.receive('p1', ping3, ctx(NOW + 20, ['p1', 'a'])))).toEqual([...Array(5).fill('send pong p1'), 'send ping a']);

  // Stale pongs (30 s) no longer answer.
  const ping4 = { type: 'ping' as const, guid: guid(), ttl: 3, hops: 0 };
  expect(kinds(r.receive('x', ping4, ctx(NOW + 30_000, ['x', 'a'])))).toEqual(['send pong x', 'send ping a']);
  // The cache holds at most pongCacheSize pongs, one per peer, newest kept.
  const tiny = new FloodRouter('me', { pongCacheSize: 2 });
  tiny.originate(mine, ctx(NOW, ['a']));
  for (const peer of ['p1', 'p2', 'p1', 'p3']) tiny.receive('a', pongOf(peer), ctx(NOW, ['a']));
  expect(tiny.cachedPongs(NOW).map((p) => p.peer)).toEqual(['p1', 'p3']);
});

test('a route expires after routeMs: a late hit has no route', () => {
  const r = new FloodRouter('me');
  const q = query();
  r.receive('a', q, ctx(NOW, ['a', 'b']));
  const hit: QueryHitMsg = { type: 'queryhit', guid: q.guid, ttl: 2, hops: 0, peer: 'b', dist: 2, results: [] };
  expect(kinds(r.receive('b', hit, ctx(NOW + 59_999, ['a', 'b'])))).toEqual(['send queryhit a']);
  expect(kinds(r.receive('b', hit, ctx(NOW + 60_000, ['a', 'b'])))).toEqual(['drop no-route']);
  // A hit for a guid never seen here, or sent back by the link the query came from.
  expect(kinds(r.receive('b', { ...hit, guid: guid() }, ctx(NOW, ['a', 'b'])))).toEqual(['drop no-route']);
  const q2 = query();
  r.receive('a', q2, ctx(NOW + 60_000, ['a', 'b']));
  expect(kinds(r.receive('a', { ...hit, guid: q2.guid }, ctx(NOW + 60_000, ['a', 'b'])))).toEqual(['drop no-route']);
  expect(r.stats.dropped['no-route']).toBe(3);
  // A hit for our own query is ours while we remember the guid (seenMs), whatever the route.
  const mine = query();
  r.originate(mine, ctx(NOW, ['a']));
  expect(kinds(r.receive('a', { ...hit, guid: mine.guid, ttl: 1 }, ctx(NOW + 119_999, ['a'])))).toEqual(['hit']);
  expect(kinds(r.receive('a', { ...hit, guid: mine.guid, ttl: 1 }, ctx(NOW + 120_000, ['a'])))).toEqual(['drop no-route']);
});

test('each link gets linkBurst pings+queries at once and linkRate a second after that', () => {
  const r = new FloodRouter('me', { linkRate: 20, linkBurst: 40 });
  const c = (now: number) => ctx(now, ['a', 'b', 'c']);
  const outcomes = (from: string, n: number, now: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(...kinds(r.receive(from, i % 2 ? query() : { type: 'ping', guid: guid(), ttl: 1, hops: 0 }, c(now))).filter((k) => k.startsWith('drop')));
    return out;
  };
  expect(outcomes('a', 40, NOW)).toEqual([]);
  const limited = query();
  expect(kinds(r.receive('a', limited, c(NOW)))).toEqual(['drop rate-limited']);
  // Other links have their own bucket.
  expect(outcomes('b', 40, NOW)).toEqual([]);
  // 500 ms refill 10 tokens; a refused query was not marked seen, so it is accepted now.
  expect(kinds(r.receive('a', limited, c(NOW + 500)))).toEqual(['send query b', 'send query c']);
  expect(outcomes('a', 9, NOW + 500)).toEqual([]);
  expect(outcomes('a', 1, NOW + 500)).toEqual(['drop rate-limited']);
  expect(r.stats.dropped['rate-limited']).toBe(2);
  // Replies are never rate-limited.
  const hit: QueryHitMsg = { type: 'queryhit', guid: limited.guid, ttl: 2, hops: 0, peer: 'b', dist: 2, results: [] };
  expect(kinds(r.receive('b', hit, c(NOW + 500)))).toEqual(['send queryhit a']);
});

test('busy: beyond maxInFlight queries are answered here but not forwarded, until routes expire', () => {
  const r = new FloodRouter('me', { maxInFlight: 2, linkBurst: 100 });
  const match = () => [{ infoHash: HASH, name: 'blue', size: 1, peers: ['me'] }];
  const c = (now: number) => ctx(now, ['a', 'b'], match);
  expect(kinds(r.receive('a', query(), c(NOW)))).toEqual(['send queryhit a', 'send query b']);
  expect(kinds(r.receive('a', query(), c(NOW + 1)))).toEqual(['send queryhit a', 'send query b']);
  expect(kinds(r.receive('a', query(), c(NOW + 2)))).toEqual(['send queryhit a', 'drop busy']);
  // Pings are not queries: they still flood.
  expect(kinds(r.receive('a', { type: 'ping', guid: guid(), ttl: 2, hops: 0 }, c(NOW + 3)))).toEqual(['send pong a', 'send ping b']);
  // The first route expires: room for one more.
  expect(kinds(r.receive('a', query(), c(NOW + 60_000)))).toEqual(['send queryhit a', 'send query b']);
  expect(kinds(r.receive('a', query(), c(NOW + 60_000)))).toEqual(['send queryhit a', 'drop busy']);
  // A closed link takes its routes with it.
  r.linkClosed('a');
  expect(kinds(r.receive('b', query(), c(NOW + 60_000)))).toEqual(['send queryhit b', 'send query a']);
  expect(r.stats.dropped.busy).toBe(2);
  expect(r.stats.answered).toBe(7);
});

test('linkClosed forgets the routes through that link and its rate bucket', () => {
  const r = new FloodRouter('me', { linkBurst: 2, linkRate: 1 });
  const q1 = query();
  const q2 = query();
  r.receive('a', q1, ctx(NOW, ['a', 'b']));
  r.receive('a', q2, ctx(NOW, ['a', 'b']));
  expect(kinds(r.receive('a', query(), ctx(NOW, ['a', 'b'])))).toEqual(['drop rate-limited']);
  const hit = (g: string): QueryHitMsg => ({ type: 'queryhit', guid: g, ttl: 2, hops: 0, peer: 'b', dist: 2, results: [] });
  expect(kinds(r.receive('b', hit(q1.guid), ctx(NOW, ['a', 'b'])))).toEqual(['send queryhit a']);
  r.linkClosed('a');
  r.linkClosed('nobody');
  expect(kinds(r.receive('b', hit(q2.guid), ctx(NOW, ['b'])))).toEqual(['drop no-route']);
  // A new link from the same peer starts with a full bucket.
  expect(kinds(r.receive('a', query(), ctx(NOW, ['a', 'b'])))).toEqual(['send query b']);
  expect(kinds(r.receive('a', query(), ctx(NOW, ['a', 'b'])))).toEqual(['send query b']);
});

test('trace keeps the last 1,000 guids, as copies; routes in flight are swept as time passes', () => {
  const r = new FloodRouter('me');
  const first = query();
  r.receive('a', first, ctx(NOW, ['a']));
  for (let i = 0; i < 1_000; i++) r.receive(`l${i % 50}`, query(), ctx(NOW + i * 100, [`l${i % 50}`, 'z']));
  expect(r.trace(first.guid)).toBeUndefined();
  expect(r.trace('never')).toBeUndefined();
  // The trace is a copy.
  const last = query();
  r.receive('a', last, ctx(NOW + 200_000, ['a']));
  r.trace(last.guid)!.received = 99;
  expect(r.trace(last.guid)!.received).toBe(1);
  // Routes older than routeMs are swept, and with them the count of queries in flight.
  const busy = new FloodRouter('me', { maxInFlight: 1 });
  busy.receive('a', query(), ctx(NOW, ['a', 'b']));
  expect(kinds(busy.receive('a', query(), ctx(NOW, ['a', 'b'])))).toEqual(['drop busy']);
  expect(kinds(busy.receive('a', query(), ctx(NOW + 60_000, ['a', 'b'])))).toEqual(['send query b']);
  expect(r.stats.received).toBe(1_002);
});

test('property: on random graphs every router handles a query at most once, and it costs at most 2 messages a link', () => {
  const rng = seeded(42);
  for (let g = 0; g < 30; g++) {
    const n = 5 + Math.floor(rng() * 60);
    const ids = Array.from({ length: n }, (_, i) => `n${i}`);
    const net = new Net(ids, { linkBurst: 1_000 });
    let links = 0;
    const degree = 1 + Math.floor(rng() * 6);
    for (const a of ids) {
      for (let k = 0; k < degree; k++) {
        const b = ids[Math.floor(rng() * n)]!;
        if (b !== a && !net.adj.get(a)!.has(b)) {
          net.link(a, b);
          links++;
        }
      }
    }
    for (const id of ids) if (rng() < 0.2) net.holds.set(id, new Set(['x']));
    for (let k = 0; k < 5; k++) {
      const origin = ids[Math.floor(rng() * n)]!;
      const ttl = 1 + Math.floor(rng() * 7);
      const q = query(['x'], ttl);
      const before = net.log.length;
      net.originate(origin, q);
      const sent = net.log.slice(before);
      const queries = sent.filter((s) => s.msg.type === 'query');
      expect(queries.length).toBeLessThanOrEqual(2 * links);
      // No link carries the query twice in the same direction.
      expect(new Set(queries.map((s) => `${s.from}>${s.to}`)).size).toBe(queries.length);
      let handled = 0;
      for (const id of ids) {
        const t = net.router(id).trace(q.guid);
        if (!t) continue;
        const once = t.received - t.duplicates;
        expect(once).toBeLessThanOrEqual(id === origin ? 0 : 1);
        expect(t.answered).toBeLessThanOrEqual(1);
        handled += once;
      }
      // Each hit names a distinct responder, at most ttl hops away, and arrived with hops = dist.
      const hits = net.hits.filter((h) => h.msg.guid === q.guid);
      expect(hits.every((h) => h.at === origin && h.msg.hops === h.msg.dist && h.msg.dist <= ttl)).toBe(true);
      expect(new Set(hits.map((h) => h.msg.peer)).size).toBe(hits.length);
      const answered = ids.filter((id) => id !== origin && net.holds.has(id) && (net.router(id).trace(q.guid)?.answered ?? 0) > 0);
      expect(hits.length).toBe(answered.length);
      expect(handled).toBeLessThan(n);
      expect(net.drops.filter((d) => d.action.reason !== 'duplicate')).toEqual([]);
      net.now += 1_000;
    }
  }
});

test('the flood simulation (tests/bench/flood-sim.ts) runs these routers: small cases check out', () => {
  const rng = seeded(7);
  // One super-peer, seven leaves: a query costs the leaf's query and the super-peer's hit.
  const tiny = simulateSuperPeer({ n: 8, leavesPerSuper: 20, superDegree: 6, ttl: 3, queries: 20, holders: 2, rng });
  expect(tiny).toEqual({ links: 7, messagesPerQuery: 2, queryMessagesPerQuery: 1, successRate: 1, avgHitHops: 1, reached: 1 });
  const flat = simulateFlat({ n: 100, degree: 4, ttl: 7, queries: 20, holders: 3, rng });
  expect(flat.queryMessagesPerQuery).toBeLessThanOrEqual(2 * flat.links);
  expect(flat.reached).toBeGreaterThan(0.95);
  expect(flat.successRate).toBe(1);
  const one = simulateFlat({ n: 100, degree: 4, ttl: 1, queries: 20, holders: 3, rng });
  expect(one.queryMessagesPerQuery).toBeLessThanOrEqual(5);
  expect(one.reached).toBeLessThan(0.06);
  // Leaves never receive queries: with ttl 1 only the leaf's own super-peer is asked.
  const sp = simulateSuperPeer({ n: 1000, leavesPerSuper: 20, superDegree: 6, ttl: 1, queries: 20, holders: 3, rng });
  expect(sp.queryMessagesPerQuery).toBe(1);
  expect(sp.reached).toBeCloseTo(21 / 999, 2);
});
