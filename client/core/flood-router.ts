/**
 * The Gnutella 0.6 flood router, pure: it is told what arrived, from which neighbour and when
 * (`ctx.now`), and answers with what to send. No timers, no sockets, no clock of its own.
 *
 *  - Pings and queries are flooded: each is handled once per guid (duplicates dropped), its ttl
 *    decremented and its hop count incremented on arrival, and forwarded to every target but the
 *    sender while ttl remains. The neighbour it came from is remembered as the reverse path.
 *  - Pongs and query hits follow the reverse path of their ping or query, hop by hop, back to the
 *    originator; a hit created with ttl = dist arrives there exactly.
 *  - Pong caching: pongs seen recently answer pings on their own; a ping is forwarded only when
 *    the cache cannot answer it (fewer than PONG_CACHE_ANSWER pongs), which stops ping storms.
 *  - Per-link token buckets bound the pings and queries a neighbour can make us flood, and a cap
 *    on queries in flight bounds what this node forwards at once.
 *
 * Every table expires lazily as `now` advances: insertion-ordered maps, swept from the head.
 */
import type { Descriptor, HitResult, PingMsg, PongMsg, QueryHitMsg, QueryMsg } from '../../protocol/overlay';
import { MAX_TTL } from '../../protocol/overlay';
import { bucketOf, type TokenBucket } from '../../protocol/token-bucket';

export interface RouterOptions {
  /** TTL cap, default MAX_TTL (7). */
  maxTtl?: number;
  /** A ping/query guid is remembered this long (duplicate suppression), default 120_000. */
  seenMs?: number;
  /** A reverse-path entry guid -> link expires after this, default 60_000. */
  routeMs?: number;
  /** Pings + queries accepted per second from one link (token bucket), default 20. */
  linkRate?: number;
  /** Bucket size, default 40. */
  linkBurst?: number;
  /**
   * Queries routed through this node whose route has not expired; beyond it new queries are
   * answered locally but not forwarded (drop reason 'busy'), default 256.
   */
  maxInFlight?: number;
  /** Cached pongs stay fresh this long, default 30_000. */
  pongCacheMs?: number;
  /** Pongs cached (one per peer), default 20. */
  pongCacheSize?: number;
}

export interface RouterContext {
  now: number;
  /**
   * Peers to forward pings/queries to (flat overlay: all neighbours; super-peer tier: super-peer
   * neighbours only). The router itself never sends back to the sender.
   */
  targets: readonly string[];
  /** Files here matching all the words (a super-peer: its own and its leaves'). */
  match(words: readonly string[]): HitResult[];
  /** This peer's own pong body. */
  pong(): Pick<PongMsg, 'peer' | 'role' | 'files' | 'neighbours' | 'leaves'>;
}

export type DropReason = 'duplicate' | 'ttl' | 'rate-limited' | 'busy' | 'no-route';

export type RouterAction =
  | { do: 'send'; to: string; msg: Descriptor }
  /** A hit for a query this peer originated. */
  | { do: 'hit'; msg: QueryHitMsg }
  /** A pong for a ping this peer originated. */
  | { do: 'pong'; msg: PongMsg }
  | { do: 'drop'; from: string; msg: Descriptor; reason: DropReason };

/**
 * What happened here to one guid. `received`: pings/queries of that guid that arrived (any
 * outcome); `duplicates`: of those, dropped as already seen; `forwarded`: copies sent on (for our
 * own guid: the copies sent by `originate`); `answered`: replies sent (query hits, pongs);
 * `hits`: query hits that arrived for our own query; `routed`: query hits passed on towards the
 * query's origin (this peer was on the reverse path).
 */
export interface GuidTrace {
  received: number;
  duplicates: number;
  forwarded: number;
  answered: number;
  hits: number;
  routed: number;
}

/** A ping is forwarded only while the pong cache holds fewer fresh pongs to answer it with. */
export const PONG_CACHE_ANSWER = 5;
/** Guids whose trace is kept. */
const TRACE_SIZE = 1_000;
/** Hard cap on the seen and route tables, whatever the clock does. */
const MAX_ENTRIES = 100_000;

interface Route {
  link: string;
  expires: number;
  query: boolean;
}

function zeroDrops(): Record<DropReason, number> {
  return { duplicate: 0, ttl: 0, 'rate-limited': 0, busy: 0, 'no-route': 0 };
}

export class FloodRouter {
  readonly stats = { received: 0, forwarded: 0, answered: 0, hitsRouted: 0, dropped: zeroDrops() };
  private readonly self: string;
  private readonly opts: Required<RouterOptions>;
  /** Ping/query guids handled here (ours included) -> when they are forgotten. */
  private readonly seen = new Map<string, number>();
  /** Guids of our own pings and queries -> when they are forgotten. */
  private readonly own = new Map<string, number>();
  /** Reverse paths of the pings and queries forwarded from here. */
  private readonly routes = new Map<string, Route>();
  /** Live query routes: the queries in flight through this node. */
  private inFlight = 0;
  private readonly buckets = new Map<string, TokenBucket>();
  /** Latest pong of each peer, oldest first. */
  private readonly pongs = new Map<string, { msg: PongMsg; at: number }>();
  private readonly traces = new Map<string, GuidTrace>();

  constructor(self: string, opts: RouterOptions = {}) {
    this.self = self;
    this.opts = {
      maxTtl: opts.maxTtl ?? MAX_TTL,
      seenMs: opts.seenMs ?? 120_000,
      routeMs: opts.routeMs ?? 60_000,
      linkRate: opts.linkRate ?? 20,
      linkBurst: opts.linkBurst ?? 40,
      maxInFlight: opts.maxInFlight ?? 256,
      pongCacheMs: opts.pongCacheMs ?? 30_000,
      pongCacheSize: opts.pongCacheSize ?? 20,
    };
  }

  /** Start a query or ping of our own: ttl clamped to 1..maxTtl, hops 0, sent to every target. */
  originate(msg: QueryMsg | PingMsg, ctx: RouterContext): RouterAction[] {
    this.sweep(ctx.now);
    if (this.isSeen(msg.guid, ctx.now)) return [this.drop(this.self, msg, 'duplicate')];
    this.remember(this.seen, msg.guid, ctx.now + this.opts.seenMs);
    this.remember(this.own, msg.guid, ctx.now + this.opts.seenMs);
    const t = this.traceOf(msg.guid);
    const ttl = Number.isFinite(msg.ttl) ? Math.max(1, Math.min(this.opts.maxTtl, Math.floor(msg.ttl))) : this.opts.maxTtl;
    const out = { ...msg, ttl, hops: 0 };
    const actions: RouterAction[] = [];
    for (const to of this.targetsOf(ctx, this.self)) {
      actions.push({ do: 'send', to, msg: out });
      t.forwarded++;
    }
    return actions;
  }

  /** A descriptor that arrived from neighbour `from` (already parsed). */
  receive(from: string, msg: Descriptor, ctx: RouterContext): RouterAction[] {
    this.stats.received++;
    this.sweep(ctx.now);
    switch (msg.type) {
      case 'ping':
      case 'query':
        return this.flood(from, msg, ctx);
      case 'pong':
      case 'queryhit':
        return this.back(from, msg, ctx);
    }
  }

  /** The link to `peer` closed: forget its routes and its rate bucket. */
  linkClosed(peer: string): void {
    this.buckets.delete(peer);
    for (const [guid, r] of this.routes) if (r.link === peer) this.deleteRoute(guid, r);
  }

  trace(guid: string): GuidTrace | undefined {
    const t = this.traces.get(guid);
    return t && { ...t };
  }

  /** Pongs in the cache that are still fresh at `now`, oldest first. */
  cachedPongs(now: number): PongMsg[] {
    return [...this.pongs.values()].filter((p) => p.at + this.opts.pongCacheMs > now).map((p) => ({ ...p.msg }));
  }

  // ------------------------------------------------------------ pings and queries

  private flood(from: string, msg: PingMsg | QueryMsg, ctx: RouterContext): RouterAction[] {
    const t = this.traceOf(msg.guid);
    t.received++;
    if (this.isSeen(msg.guid, ctx.now)) {
      t.duplicates++;
      return [this.drop(from, msg, 'duplicate')];
    }
    if (!this.take(from, ctx.now)) return [this.drop(from, msg, 'rate-limited')];
    const ttl = Math.min(msg.ttl, this.opts.maxTtl - msg.hops);
    if (ttl <= 0) return [this.drop(from, msg, 'ttl')];
    this.remember(this.seen, msg.guid, ctx.now + this.opts.seenMs);
    const ttlOut = ttl - 1;
    const hops = msg.hops + 1;
    return msg.type === 'query' ? this.query(from, msg, ttlOut, hops, ctx, t) : this.ping(from, msg, ttlOut, hops, ctx, t);
  }

  private query(from: string, msg: QueryMsg, ttl: number, hops: number, ctx: RouterContext, t: GuidTrace): RouterAction[] {
    const actions: RouterAction[] = [];
    const results = ctx.match(msg.words);
    if (results.length > 0) {
      const hit: QueryHitMsg = { type: 'queryhit', guid: msg.guid, ttl: hops, hops: 0, peer: this.self, dist: hops, results };
      actions.push({ do: 'send', to: from, msg: hit });
      t.answered++;
      this.stats.answered++;
    }
    if (ttl <= 0) return actions;
    const targets = this.targetsOf(ctx, from);
    if (targets.length === 0) return actions;
    if (this.inFlight >= this.opts.maxInFlight) {
      actions.push(this.drop(from, msg, 'busy'));
      return actions;
    }
    return this.forward(from, { ...msg, ttl, hops }, targets, ctx.now, t, actions);
  }

  private ping(from: string, msg: PingMsg, ttl: number, hops: number, ctx: RouterContext, t: GuidTrace): RouterAction[] {
    const reply = { type: 'pong', guid: msg.guid, ttl: hops, hops: 0 } as const;
    const actions: RouterAction[] = [{ do: 'send', to: from, msg: { ...ctx.pong(), ...reply } }];
    for (const p of this.cachedPongs(ctx.now)) {
      if (p.peer !== from && p.peer !== this.self) actions.push({ do: 'send', to: from, msg: { ...p, ...reply } });
    }
    t.answered += actions.length;
    this.stats.answered += actions.length;
    // The cache answered on our behalf: enough pongs, so the ping goes no further.
    if (ttl <= 0 || actions.length - 1 >= PONG_CACHE_ANSWER) return actions;
    const targets = this.targetsOf(ctx, from);
    if (targets.length === 0) return actions;
    return this.forward(from, { ...msg, ttl, hops }, targets, ctx.now, t, actions);
  }

  /** Send copies on to `targets` and remember the reverse path to `from`. */
  private forward(from: string, msg: PingMsg | QueryMsg, targets: string[], now: number, t: GuidTrace, actions: RouterAction[]): RouterAction[] {
    this.setRoute(msg.guid, { link: from, expires: now + this.opts.routeMs, query: msg.type === 'query' });
    for (const to of targets) actions.push({ do: 'send', to, msg });
    t.forwarded += targets.length;
    this.stats.forwarded += targets.length;
    return actions;
  }

  // ------------------------------------------------------------ pongs and query hits

  private back(from: string, msg: PongMsg | QueryHitMsg, ctx: RouterContext): RouterAction[] {
    // Decremented and incremented on arrival like a ping or query, and clamped the same way, so
    // that a reply sent with ttl = the hops its request travelled reaches the originator with 0.
    const ttl = Math.min(msg.ttl, this.opts.maxTtl - msg.hops) - 1;
    if (ttl < 0) return [this.drop(from, msg, 'ttl')];
    const arrived = { ...msg, ttl, hops: msg.hops + 1 };
    if ((this.own.get(msg.guid) ?? -Infinity) > ctx.now) {
      if (arrived.type === 'pong') {
        this.cachePong(arrived, ctx.now);
        return [{ do: 'pong', msg: arrived }];
      }
      const t = this.traces.get(msg.guid);
      if (t) t.hits++;
      return [{ do: 'hit', msg: arrived }];
    }
    const route = this.routes.get(msg.guid);
    if (!route || route.expires <= ctx.now || route.link === from) return [this.drop(from, msg, 'no-route')];
    if (ttl === 0) return [this.drop(from, msg, 'ttl')];
    if (arrived.type === 'pong') this.cachePong(arrived, ctx.now);
    else {
      this.stats.hitsRouted++;
      const t = this.traces.get(msg.guid);
      if (t) t.routed++;
    }
    return [{ do: 'send', to: route.link, msg: arrived }];
  }

  private cachePong(msg: PongMsg, now: number): void {
    if (msg.peer === this.self) return;
    this.pongs.delete(msg.peer);
    this.pongs.set(msg.peer, { msg, at: now });
    while (this.pongs.size > this.opts.pongCacheSize) this.deleteHead(this.pongs);
  }

  // ------------------------------------------------------------ tables

  private targetsOf(ctx: RouterContext, except: string): string[] {
    return [...new Set(ctx.targets)].filter((p) => p !== except && p !== this.self);
  }

  private isSeen(guid: string, now: number): boolean {
    return (this.seen.get(guid) ?? -Infinity) > now;
  }

  /** Set `key` at the tail of an expiry-ordered map, within the hard cap. */
  private remember(map: Map<string, number>, key: string, expires: number): void {
    map.delete(key);
    map.set(key, expires);
    if (map.size > MAX_ENTRIES) this.deleteHead(map);
  }

  private setRoute(guid: string, route: Route): void {
    const old = this.routes.get(guid);
    if (old) this.deleteRoute(guid, old);
    this.routes.set(guid, route);
    if (route.query) this.inFlight++;
    if (this.routes.size > MAX_ENTRIES) {
      const [headGuid, head] = this.routes.entries().next().value as [string, Route];
      this.deleteRoute(headGuid, head);
    }
  }

  private deleteRoute(guid: string, route: Route): void {
    this.routes.delete(guid);
    if (route.query) this.inFlight--;
  }

  private deleteHead(map: Map<string, unknown>): void {
    const head = map.keys().next();
    if (!head.done) map.delete(head.value);
  }

  /** Forget what expired by `now` (each map is in expiry order as long as time goes forward). */
  private sweep(now: number): void {
    for (const map of [this.seen, this.own]) {
      for (const [guid, expires] of map) {
        if (expires > now) break;
        map.delete(guid);
      }
    }
    for (const [guid, r] of this.routes) {
      if (r.expires > now) break;
      this.deleteRoute(guid, r);
    }
    for (const [peer, p] of this.pongs) {
      if (p.at + this.opts.pongCacheMs > now) break;
      this.pongs.delete(peer);
    }
  }

  /** One token of `link`'s bucket, if it has one. */
  private take(link: string, now: number): boolean {
    return bucketOf(this.buckets, link, this.opts.linkBurst, this.opts.linkRate, now).take(now);
  }

  private traceOf(guid: string): GuidTrace {
    let t = this.traces.get(guid);
    if (!t) {
      t = { received: 0, duplicates: 0, forwarded: 0, answered: 0, hits: 0, routed: 0 };
      this.traces.set(guid, t);
      if (this.traces.size > TRACE_SIZE) this.deleteHead(this.traces);
    }
    return t;
  }

  private drop(from: string, msg: Descriptor, reason: DropReason): RouterAction {
    this.stats.dropped[reason]++;
    return { do: 'drop', from, msg, reason };
  }
}
