/**
 * Recursive routing over the Chord ring: a route goes from node to node, each picking its next
 * hop from its fingers and successors (ChordNode.nextHop), to the key's successor, which carries
 * out the operation; the reply travels back along the reverse path (by `ref`). A next hop that
 * cannot be reached is dropped from the ring and the route goes around it. Lookups this node
 * starts are tried again on the failures `retryable` names, and each one's outcome is reported
 * (`onLookup`) with the path as far as this node sees it and its hop count.
 */
import { DHT_LIMITS, type DhtMessage, type DhtOp } from '../../protocol/dht';
import { codeOf, replyError, replyFailure, retryable, wireError, type DhtErrorCode } from './dht-error';
import type { RingState } from './dht-ring';
import type { DhtRpc } from './dht-rpc';
import type { DhtNodeStats } from './dht-stats';

/** How long a route waits for its reply (joins and ring checks too). */
export const ROUTE_TIMEOUT_MS = 5_000;
/** Attempts of one lookup (each with a fresh ref). */
const ROUTE_TRIES = 3;
/** Next hops one routing step tries before it gives up ('no-route'). */
const HOP_TRIES = 4;
/** A reverse-path entry lives this long. */
const BACK_MS = 15_000;

export type Reply = Extract<DhtMessage, { type: 'reply' }>;
export type Route = Extract<DhtMessage, { type: 'route' }>;

export interface RouteResult {
  owner: string;
  hops: number;
  ms: number;
  value?: string | null;
  members?: string[];
  successors?: string[];
}

/** One lookup this node started, as it ended. */
export interface LookupEvent {
  /** The text key (none for a lookup of a ring point: a finger, a `lookup(key)` by id). */
  key?: string;
  id: string;
  op: DhtOp['op'];
  /** Started by the ring upkeep (a finger), not by a caller of `route`. */
  maintenance: boolean;
  ok: boolean;
  /** The key's successor (peer id); ok only. */
  owner?: string;
  /** Hops of the route that answered (0: this node owns the key, or no reply came). */
  hops: number;
  /**
   * The peers this node knows the route passed, in order: itself, the next hop it handed the
   * route to, the owner. Routing is recursive: the nodes between are counted in `hops` only.
   */
  path: string[];
  /** Attempts made (ROUTE_TRIES at most). */
  tries: number;
  ms: number;
  /** Why it failed; not ok only. */
  code?: DhtErrorCode;
}

/** The path of a lookup as its origin sees it: self, the first hop, the owner (when known), each once. */
export function lookupPath(self: string, firstHop: string | null, owner: string | null): string[] {
  const path = [self];
  for (const p of [firstHop, owner]) if (p !== null && !path.includes(p)) path.push(p);
  return path;
}

/** The reverse paths of routes this node passed on: ref -> the peer to send the reply back to. */
export class BackPaths {
  private readonly entries = new Map<string, { to: string; expires: number }>();

  constructor(private readonly ms = BACK_MS) {}

  get size(): number {
    return this.entries.size;
  }

  /** Remember where the reply of `ref` goes (and forget the entries expired by `now`). */
  add(ref: string, to: string, now: number): void {
    // Entries stay in the order they expire: the sweep stops at the first live one.
    this.entries.delete(ref);
    this.entries.set(ref, { to, expires: now + this.ms });
    for (const [r, b] of this.entries) {
      if (b.expires > now) break;
      this.entries.delete(r);
    }
  }

  /** Where the reply of `ref` goes (the entry is used up), or undefined. */
  take(ref: string): string | undefined {
    const b = this.entries.get(ref);
    this.entries.delete(ref);
    return b?.to;
  }

  delete(ref: string): void {
    this.entries.delete(ref);
  }
}

export interface RoutingDeps {
  ring: RingState;
  rpc: DhtRpc;
  /** The key's successor (this node) carries out the operation. */
  execute: (op: DhtOp, key: string | undefined, id: string, ref: string, hops: number) => Promise<Reply>;
  stats: Pick<DhtNodeStats, 'routed' | 'dropped'>;
  onLookup: (e: LookupEvent) => void;
  now?: () => number;
}

const FORWARDED = Symbol('forwarded');

export class DhtRouting {
  private readonly back = new BackPaths();
  private readonly now: () => number;

  constructor(private readonly deps: RoutingDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Carry out `op` at the successor of `id` (of `key`, when there is one); reported to `onLookup`. */
  async lookup(op: DhtOp, key: string | undefined, id: string, maintenance = false): Promise<RouteResult> {
    const { ring } = this.deps;
    // Time counts from the first attempt: a retried lookup reports what it cost in all.
    const t0 = performance.now();
    const report = (e: Pick<LookupEvent, 'ok' | 'hops' | 'path' | 'owner' | 'code'>, tries: number) =>
      this.deps.onLookup({ ...(key !== undefined ? { key } : {}), id, op: op.op, maintenance, tries, ms: Math.round(performance.now() - t0), ...e });
    let last: unknown = wireError('no-route');
    let path = [ring.self];
    let hops = 0;
    let tries = 0;
    while (tries < ROUTE_TRIES) {
      tries++;
      hops = 0;
      let first: string | null = null;
      let owner: string | null = null;
      try {
        const reply = await this.originate(op, key, id, (peer) => (first = peer));
        owner = reply.owner;
        hops = reply.hops;
        path = lookupPath(ring.self, first, owner);
        if (!reply.ok) throw replyError(reply);
        const out: RouteResult = { owner: reply.owner, hops: reply.hops, ms: Math.round(performance.now() - t0) };
        if (reply.value !== undefined) out.value = reply.value;
        if (reply.members !== undefined) out.members = reply.members;
        if (reply.successors !== undefined) out.successors = reply.successors;
        report({ ok: true, owner: reply.owner, hops: reply.hops, path }, tries);
        return out;
      } catch (err) {
        last = err;
        path = lookupPath(ring.self, first, owner);
        if (!retryable(codeOf(err))) break;
      }
    }
    report({ ok: false, hops, path, code: codeOf(last) }, tries);
    throw last;
  }

  /** A route arrived from `from`: carry it out here, or pass it on (its reply comes back later). */
  async onRoute(from: string, msg: Route): Promise<void> {
    const { ring, rpc } = this.deps;
    const fail = (err: unknown): Reply => ({ type: 'reply', ref: msg.ref, hops: msg.hops, owner: ring.self, ok: false, ...replyFailure(err) });
    if (msg.hops >= DHT_LIMITS.maxHops) {
      rpc.post(from, fail(wireError('too-many-hops')));
      return;
    }
    let reply: Reply | typeof FORWARDED;
    try {
      reply = await this.step<Reply | typeof FORWARDED>(
        msg.id,
        () => this.deps.execute(msg.op, msg.key, msg.id, msg.ref, msg.hops),
        async (next) => {
          this.back.add(msg.ref, from, this.now());
          if (await rpc.send(ring.peer(next), { ...msg, hops: msg.hops + 1 })) {
            this.deps.stats.routed++;
            return FORWARDED;
          }
          this.back.delete(msg.ref);
          return null;
        },
      );
    } catch (err) {
      reply = fail(err);
    }
    if (reply !== FORWARDED) rpc.post(from, reply);
  }

  /** A reply that no request of this node waits for: back along the path of its route. */
  onReply(msg: Reply): void {
    const to = this.back.take(msg.ref);
    if (to === undefined) {
      this.deps.stats.dropped++;
      return;
    }
    this.deps.rpc.post(to, msg);
  }

  /** One attempt of a lookup this node starts: resolves with the owner's reply. */
  private originate(op: DhtOp, key: string | undefined, id: string, firstHop: (peer: string) => void): Promise<Reply> {
    const { ring, rpc } = this.deps;
    return this.step(
      id,
      () => this.deps.execute(op, key, id, 'local', 0),
      async (next) => {
        const peer = ring.peer(next);
        firstHop(peer);
        try {
          return await rpc.request(peer, 'reply', ROUTE_TIMEOUT_MS, `lookup of ${id.slice(0, 8)} timed out`, (ref) => ({
            type: 'route',
            ref,
            origin: ring.self,
            id,
            hops: 1,
            op,
            ...(key !== undefined ? { key } : {}),
          }));
        } catch (err) {
          if (codeOf(err) === 'unreachable') return null;
          throw err;
        }
      },
    );
  }

  /**
   * One routing step towards `id`: `here()` when this node owns it; otherwise `hand(next)` to the
   * next hop, which resolves null when that hop cannot be reached: it failed, and the step picks
   * another (HOP_TRIES in all, then 'no-route').
   */
  private async step<T>(id: string, here: () => Promise<T>, hand: (next: string) => Promise<T | null>): Promise<T> {
    const { ring } = this.deps;
    for (let tries = 0; tries < HOP_TRIES; tries++) {
      const hop = ring.chord.nextHop(id);
      if ('owner' in hop && hop.owner === ring.id) return await here();
      const next = 'owner' in hop ? hop.owner : hop.next;
      const done = await hand(next);
      if (done !== null) return done;
      ring.failed(next);
    }
    throw wireError('no-route');
  }
}
