/**
 * One tab's Chord node: the ring core (client/core/chord.ts) driven over peer links on the
 * `dht` channel. It joins through the oldest peer online, stabilizes and fixes one finger every
 * second, routes lookups recursively (replies come back along the reverse path), carries out
 * gets and puts at the key's successor, replicates to the next r - 1 nodes, hands keys over on
 * join and on a graceful leave, and keeps its share in IndexedDB (DhtStore).
 */
import { customAlphabet } from 'nanoid';
import {
  DHT_CHANNEL,
  DHT_LIMITS,
  encodeDhtMessage,
  keyId,
  nodeId,
  parseDhtMessage,
  storeMessages,
  type DhtMessage,
  type DhtOp,
  type DhtRecord,
} from '../../protocol/dht';
import { ChordNode, DEFAULT_SUCCESSORS, type NextHop } from '../core/chord';
import { admitRecord, applyOp, kindError, prune, readMembers, readValue } from '../core/dht-records';
import { RateLimit } from '../core/rate';
import { forgetTargets, ownsId, planSweep, recordPush, storeAllowed, type RingView, type StoreReason } from '../core/replicas';
import type { LinkManager } from '../net/link-manager';
import type { DhtVerifier } from './dht-crypto';
import type { DhtStore } from './dht-store';

const newRef = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 16);

const STABILIZE_MS = 1_000;
const RING_CHECK_MS = 5_000;
const STATE_TIMEOUT_MS = 2_500;
const ROUTE_TIMEOUT_MS = 5_000;
const ROUTE_TRIES = 3;
/** A reverse-path entry lives this long. */
const BACK_MS = 15_000;
/** How long to wait for a link to a next hop before counting it as failed. */
const LINK_MS = 4_000;
/** Records one link may `store` here: a burst of STORE_RATE * STORE_BURST_S, then STORE_RATE a second. */
const STORE_RATE = 128;
const STORE_BURST_S = 8;
/** Sweeps (one a second) between two offers of everything to the replicas and the predecessor. */
const REPAIR_EVERY = 15;
/**
 * A store from a node that is not (yet) in this node's range waits this long for the ring view to
 * catch up (a joiner or a crash shifts the lists a round or two before both ends agree); at most
 * DEFER_MAX records wait at once. Then it is refused.
 */
const DEFER_MS = 5_000;
const DEFER_MAX = 1_024;
/** ...and at most this many from one sender (a stranger's flood cannot crowd out a neighbour's). */
const DEFER_PER_SENDER = 256;

export interface DhtNodeOptions {
  self: string;
  links: LinkManager;
  /** Peers this tab sees online in the room, oldest first (the edge's roster order). */
  online: () => ReadonlySet<string>;
  /**
   * Whether a link may be opened to `peer` (default: it is in `online`). In a large room a ring
   * neighbour is often outside this tab's partial view; the page allows any peer not known to
   * have left.
   */
  mayLink?: (peer: string) => boolean;
  store: DhtStore;
  /** Checks the signatures of writes and received records. */
  verifier: Pick<DhtVerifier, 'put' | 'member' | 'record'>;
  r?: number;
  /** false: no finger table (lookups walk the successor lists; for comparison in benchmarks). */
  fingers?: boolean;
}

export interface RouteResult {
  owner: string;
  hops: number;
  ms: number;
  value?: string | null;
  members?: string[];
  successors?: string[];
}

export class DhtError extends Error {
  override name = 'DhtError';
}

interface Waiter {
  resolve: (msg: DhtMessage) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

function versionOf(r: DhtRecord): string {
  if (r.kind === 'value') return `v${r.ts}|${r.writer}`;
  let last = 0;
  let sigs = '';
  for (const m of r.members ?? []) {
    last = Math.max(last, m.expires);
    sigs += m.sig.slice(0, 4);
  }
  return `s${r.ts}|${r.members?.length ?? 0}|${last}|${sigs}`;
}

export class DhtNode {
  readonly self: string;
  readonly id: string;
  readonly chord: ChordNode;
  readonly r: number;
  readonly stats = {
    lookups: 0,
    lookupHops: 0,
    maintenanceLookups: 0,
    routed: 0,
    replicasSent: 0,
    handedOver: 0,
    received: 0,
    dropped: 0,
    badMessages: 0,
    failures: 0,
    /** Records (a set: members) of `store` messages refused, by reason. */
    refusedBudget: 0,
    refusedRange: 0,
    refusedSignature: 0,
    refusedRule: 0,
    /** Writes (put, add) refused because their signature does not verify. */
    refusedWrites: 0,
  };
  /** Node id -> peer id, for every peer this node has heard of. */
  private readonly peerOf = new Map<string, string>();
  private preds: string[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly back = new Map<string, { to: string; expires: number }>();
  private readonly pushed = new Map<string, Map<string, string>>();
  private readonly strikes = new Map<string, number>();
  /** What the successor and predecessor said last (for the ring view). */
  private readonly heldBy = new Map<string, number>();
  /** Per sending node, its budget of stored records. */
  private readonly storeBudgets = new Map<string, RateLimit>();
  /** Stores waiting for the ring view to put their sender in range (see DEFER_MS). */
  private deferred: { from: string; reason: StoreReason; rec: DhtRecord; until: number }[] = [];
  private round = 0;
  /** Sweeps since pushes and handovers were last offered again (see REPAIR_EVERY). */
  private sinceRepair = 0;
  private wrongOwner = 0;
  private joinFailures = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private busy = false;
  private stopped = false;

  constructor(private readonly opts: DhtNodeOptions) {
    this.self = opts.self;
    this.id = this.learn(opts.self);
    this.r = opts.r ?? DEFAULT_SUCCESSORS;
    this.chord = new ChordNode(this.id, this.r);
  }

  start(): void {
    this.timers.push(setInterval(() => void this.tick(), STABILIZE_MS));
    this.timers.push(setInterval(() => void this.ringCheck(), RING_CHECK_MS));
    // Apart from the maintenance round, which can wait seconds on a lookup that times out.
    this.timers.push(setInterval(() => this.retryDeferred(Date.now()), STABILIZE_MS));
    void this.tick();
  }

  /** Graceful leave: every key to the successor, and both neighbours told, before the tab goes. */
  leave(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    const succ = this.chord.successors[0];
    const pred = this.chord.predecessor;
    const bye: DhtMessage = { type: 'leave', pred: pred ? this.peer(pred) : null, succs: this.chord.successors.map((n) => this.peer(n)) };
    if (succ) {
      for (const msg of storeMessages(this.opts.store.records(), 'leave')) this.sendNow(this.peer(succ), msg);
      this.stats.handedOver += this.opts.store.size;
      this.sendNow(this.peer(succ), bye);
    }
    if (pred && pred !== succ) this.sendNow(this.peer(pred), bye);
    void this.opts.store.flush().catch(() => {});
  }

  // ------------------------------------------------------------------ public operations

  /** Carry out `op` at the successor of `key` (a text key) or of `id` (a ring point, op find). */
  async route(op: DhtOp, key: string | undefined, id = keyId(key ?? '')): Promise<RouteResult> {
    let lastError: Error = new DhtError('no route');
    // Time counts from the first attempt: a retried lookup reports what it cost in all.
    const t0 = performance.now();
    for (let attempt = 0; attempt < ROUTE_TRIES; attempt++) {
      try {
        const reply = await this.routeOnce(op, key, id, null);
        if (!reply.ok) throw new DhtError(reply.error ?? 'refused');
        const out: RouteResult = { owner: reply.owner, hops: reply.hops, ms: Math.round(performance.now() - t0) };
        if (reply.value !== undefined) out.value = reply.value;
        if (reply.members !== undefined) out.members = reply.members;
        if (reply.successors !== undefined) out.successors = reply.successors;
        return out;
      } catch (err) {
        lastError = err as Error;
        if (err instanceof DhtError && !/timed out|no route|link/.test(err.message)) throw err;
      }
    }
    throw lastError;
  }

  /** Records this node found in its stored share when it started. */
  get loaded(): number {
    return this.opts.store.loaded;
  }

  /** Records held here. */
  records(): DhtRecord[] {
    return this.opts.store.records();
  }

  owns(id: string): boolean {
    return ownsId(this.view(), id);
  }

  view(): RingView {
    return { self: this.id, pred: this.chord.predecessor, succs: this.chord.successors, preds: this.preds, r: this.r };
  }

  peer(node: string): string {
    return this.peerOf.get(node) ?? node;
  }

  predecessors(): string[] {
    return [...this.preds];
  }

  heldAt(node: string): number | undefined {
    return node === this.id ? this.opts.store.size : this.heldBy.get(node);
  }

  /** A peer left the room: it is gone from the ring. */
  peerLeft(peer: string): void {
    const node = nodeId(peer);
    this.chord.nodeFailed(node);
    this.preds = this.preds.filter((p) => p !== node);
    this.pushed.delete(node);
    this.storeBudgets.delete(node);
  }

  // ------------------------------------------------------------------ inbound

  onData(from: string, bytes: Uint8Array): void {
    if (this.stopped) return;
    let msg: DhtMessage;
    try {
      msg = parseDhtMessage(bytes);
    } catch {
      this.stats.badMessages++;
      return;
    }
    this.stats.received++;
    const fromNode = this.learn(from);
    switch (msg.type) {
      case 'route':
        this.learn(msg.origin);
        void this.onRoute(from, msg);
        return;
      case 'reply':
        this.onReply(msg);
        return;
      case 'state?':
        this.send(from, {
          type: 'state',
          ref: msg.ref,
          pred: this.chord.predecessor ? this.peer(this.chord.predecessor) : null,
          succs: this.chord.successors.map((n) => this.peer(n)),
          preds: this.preds.map((n) => this.peer(n)),
          held: this.opts.store.size,
        });
        return;
      case 'state':
        this.settle(msg.ref, msg);
        return;
      case 'notify': {
        const old = this.chord.predecessor;
        if (this.chord.notify(fromNode) && old !== fromNode) this.handOver(from, fromNode);
        return;
      }
      case 'store':
        this.onStore(fromNode, msg.reason, msg.records);
        return;
      case 'leave': {
        // The leaving node's neighbours close the gap at once instead of waiting for timeouts.
        const succs = msg.succs.map((p) => this.learn(p)).filter((n) => n !== this.id && n !== fromNode);
        const pred = msg.pred ? this.learn(msg.pred) : null;
        const wasSucc = this.chord.successors[0] === fromNode;
        const wasPred = this.chord.predecessor === fromNode;
        this.failed(fromNode);
        if (wasSucc && succs.length > 0) this.chord.successors = succs.slice(0, this.r);
        if (wasPred && pred && pred !== this.id) this.chord.predecessor = pred;
        return;
      }
    }
  }

  private async onRoute(from: string, msg: Extract<DhtMessage, { type: 'route' }>): Promise<void> {
    if (msg.hops >= DHT_LIMITS.maxHops) {
      this.send(from, { type: 'reply', ref: msg.ref, hops: msg.hops, owner: this.self, ok: false, error: 'too many hops: the ring is being repaired, try again' });
      return;
    }
    let reply: Extract<DhtMessage, { type: 'reply' }> | null;
    try {
      reply = await this.routeOnce(msg.op, msg.key, msg.id, { from, ref: msg.ref, origin: msg.origin, hops: msg.hops });
    } catch (err) {
      reply = { type: 'reply', ref: msg.ref, hops: msg.hops, owner: this.self, ok: false, error: (err as Error).message.slice(0, DHT_LIMITS.error) };
    }
    if (reply) this.send(from, reply);
  }

  private onReply(msg: Extract<DhtMessage, { type: 'reply' }>): void {
    if (this.waiters.has(msg.ref)) {
      this.settle(msg.ref, msg);
      return;
    }
    const b = this.back.get(msg.ref);
    if (!b) {
      this.stats.dropped++;
      return;
    }
    this.back.delete(msg.ref);
    this.send(b.to, msg);
  }

  // ------------------------------------------------------------------ routing

  /**
   * One routing step for a route we originate (`via` null: resolves with the final reply) or
   * one that arrived (`via` set: resolves with the reply to send back now, or null when the
   * route went on and its reply will come back through `back`).
   */
  private async routeOnce(op: DhtOp, key: string | undefined, id: string, via: null): Promise<Extract<DhtMessage, { type: 'reply' }>>;
  private async routeOnce(
    op: DhtOp,
    key: string | undefined,
    id: string,
    via: { from: string; ref: string; origin: string; hops: number },
  ): Promise<Extract<DhtMessage, { type: 'reply' }> | null>;
  private async routeOnce(
    op: DhtOp,
    key: string | undefined,
    id: string,
    via: { from: string; ref: string; origin: string; hops: number } | null,
  ): Promise<Extract<DhtMessage, { type: 'reply' }> | null> {
    const ref = via?.ref ?? newRef();
    const hops = via?.hops ?? 0;
    for (let tries = 0; tries < 4; tries++) {
      const hop: NextHop = this.chord.nextHop(id);
      if ('owner' in hop && hop.owner === this.id) return await this.execute(op, key, id, ref, hops);
      const next = 'owner' in hop ? hop.owner : hop.next;
      const nextPeer = this.peer(next);
      const route: DhtMessage = { type: 'route', ref, origin: via?.origin ?? this.self, id, hops: hops + 1, op, ...(key !== undefined ? { key } : {}) };
      if (via) {
        this.back.set(ref, { to: via.from, expires: Date.now() + BACK_MS });
        this.sweepBack();
        if (await this.sendLinked(nextPeer, route)) {
          this.stats.routed++;
          return null;
        }
        this.back.delete(ref);
      } else {
        const answer = this.wait(ref, ROUTE_TIMEOUT_MS, `lookup of ${id.slice(0, 8)} timed out`);
        if (await this.sendLinked(nextPeer, route)) return (await answer) as Extract<DhtMessage, { type: 'reply' }>;
        this.settle(ref, null);
      }
      // The next hop cannot be reached: it failed; route around it.
      this.failed(next);
    }
    throw new DhtError('no route: the ring has no live next hop');
  }

  /** The key's successor carries out the operation. */
  private async execute(op: DhtOp, key: string | undefined, id: string, ref: string, hops: number): Promise<Extract<DhtMessage, { type: 'reply' }>> {
    const base = { type: 'reply' as const, ref, hops, owner: this.self };
    const now = Date.now();
    const rec = this.opts.store.get(id);
    switch (op.op) {
      case 'find':
        return { ...base, ok: true, successors: this.chord.successors.map((n) => this.peer(n)) };
      case 'get':
        if (rec?.kind === 'set' && key !== undefined) return { ...base, ok: false, error: kindError(key, 'set') };
        return { ...base, ok: true, value: readValue(rec, now) };
      case 'members':
        if (rec?.kind === 'value' && key !== undefined) return { ...base, ok: false, error: kindError(key, 'value') };
        return { ...base, ok: true, members: readMembers(rec, now) };
      case 'put':
      case 'add': {
        if (key === undefined) return { ...base, ok: false, error: 'a write needs a key' };
        const signed = op.op === 'put' ? await this.opts.verifier.put(key, op) : await this.opts.verifier.member(key, op.member);
        if (!signed) {
          this.stats.refusedWrites++;
          const who = op.op === 'put' ? op.writer : op.member.s;
          return { ...base, ok: false, error: `the write is not signed by ${who} with a key the room certified` };
        }
        // The signature check took a while: decide on the record as it is now.
        const res = applyOp(this.opts.store.get(id), key, id, op, Date.now());
        if (res.error) return { ...base, ok: false, error: res.error };
        if (res.changed && res.record) {
          this.opts.store.put(res.record);
          // The write is acknowledged once its replicas' copies are on their way (handed to the
          // links), not before: an owner that dies right after its answer leaves them a copy.
          await this.replicate([res.record]);
        }
        return { ...base, ok: true };
      }
    }
  }

  // ------------------------------------------------------------------ maintenance

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.stabilize();
      await this.fixFinger();
      this.sweep();
    } catch {
      // A failed round is retried by the next one.
    } finally {
      this.busy = false;
    }
  }

  private async stabilize(): Promise<void> {
    if (this.chord.successors.length === 0) {
      await this.join();
      return;
    }
    const succ = this.chord.successor;
    const st = await this.state(succ);
    if (!st) {
      this.failed(succ);
      return;
    }
    this.heldBy.set(succ, st.held);
    const x = st.pred ? this.learn(st.pred) : null;
    const target = this.chord.stabilize(x, st.succs.map((p) => this.learn(p)));
    if (target) this.send(this.peer(target), { type: 'notify' });
    const pred = this.chord.predecessor;
    if (!pred) {
      this.preds = [];
      return;
    }
    const ps = await this.state(pred);
    if (!ps) {
      this.failed(pred);
      return;
    }
    this.heldBy.set(pred, ps.held);
    const preds: string[] = [];
    for (const n of [pred, ...ps.preds.map((p) => this.learn(p))]) if (n !== this.id && !preds.includes(n)) preds.push(n);
    this.preds = preds.slice(0, this.r);
  }

  /**
   * Join through the oldest peer online (so that tabs opened together join one ring, not
   * several); if it does not answer, through the next one at the next round. Alone if none.
   */
  private async join(): Promise<void> {
    const others = [...this.opts.online()].filter((p) => p !== this.self);
    const via = others[this.joinFailures % Math.max(1, others.length)];
    if (!via) return;
    const ref = newRef();
    const answer = this.wait(ref, ROUTE_TIMEOUT_MS, 'join timed out');
    if (!(await this.sendLinked(via, { type: 'route', ref, origin: this.self, id: this.id, hops: 1, op: { op: 'find' } }))) {
      this.settle(ref, null);
      this.joinFailures++;
      return;
    }
    let reply: Extract<DhtMessage, { type: 'reply' }>;
    try {
      reply = (await answer) as Extract<DhtMessage, { type: 'reply' }>;
    } catch {
      this.joinFailures++;
      return;
    }
    if (!reply.ok || this.chord.successors.length > 0) return;
    const owner = this.learn(reply.owner);
    if (owner === this.id) return;
    this.chord.join(owner);
    this.send(reply.owner, { type: 'notify' });
  }

  /** Now and then: am I where the ring thinks I am? Two wrong answers in a row: join again. */
  private async ringCheck(): Promise<void> {
    if (this.stopped || this.chord.successors.length === 0) return;
    const others = [...this.opts.online()].filter((p) => p !== this.self);
    const via = others[Math.floor(Math.random() * others.length)];
    if (!via) return;
    const ref = newRef();
    const answer = this.wait(ref, ROUTE_TIMEOUT_MS, 'ring check timed out');
    if (!(await this.sendLinked(via, { type: 'route', ref, origin: this.self, id: this.id, hops: 1, op: { op: 'find' } }))) {
      this.settle(ref, null);
      return;
    }
    try {
      const reply = (await answer) as Extract<DhtMessage, { type: 'reply' }>;
      if (!reply.ok) return;
      if (reply.owner === this.self) {
        this.wrongOwner = 0;
        return;
      }
      if (++this.wrongOwner < 2) return;
      this.wrongOwner = 0;
      this.chord.join(this.learn(reply.owner));
      this.send(reply.owner, { type: 'notify' });
    } catch {
      // Timed out: the next check tries another peer.
    }
  }

  private async fixFinger(): Promise<void> {
    if (this.opts.fingers === false) return;
    const f = this.chord.fingerToFix(this.round++);
    if (!f) return;
    this.stats.maintenanceLookups++;
    const res = await this.route({ op: 'find' }, undefined, f.start);
    this.chord.setFinger(f.index, this.learn(res.owner));
  }

  /** Push owned keys to the replicas that lack them; drop keys this node no longer has to hold. */
  private sweep(): void {
    const store = this.opts.store;
    const now = Date.now();
    for (const rec of store.records()) {
      const kept = prune(rec, now);
      if (!kept) store.delete(rec.id);
      else if (versionOf(kept) !== versionOf(rec)) store.put(kept);
    }
    // Anti-entropy: a receiver may have refused a push or a handover (its ring view lagged
    // behind, its budget was spent) without the sender knowing. Every REPAIR_EVERY sweeps all is
    // offered again: what the receiver holds already changes nothing there.
    if (++this.sinceRepair >= REPAIR_EVERY) {
      this.sinceRepair = 0;
      this.pushed.clear();
      const pred = this.chord.predecessor;
      if (pred) this.handOver(this.peer(pred), pred);
    }
    const view = this.view();
    forgetTargets(this.pushed, view);
    const held = store.records().map((r) => ({ id: r.id, version: versionOf(r) }));
    const plan = planSweep(view, held, this.pushed, this.strikes);
    for (const [target, ids] of plan.push) {
      const recs = ids.map((i) => store.get(i)).filter((r): r is DhtRecord => r !== undefined);
      void this.pushTo(target, recs);
    }
    for (const id of plan.drop) store.delete(id);
  }

  /** A write at the owner goes to its replicas at once (the sweep catches up on what fails). */
  private async replicate(recs: DhtRecord[]): Promise<void> {
    await Promise.all(this.chord.successors.slice(0, this.r - 1).map((t) => this.pushTo(t, recs)));
  }

  /**
   * Send records to a replica. They count as pushed at once (the next sweep does not send them
   * again while they travel) and are forgotten if they could not be handed to its link, so that
   * the sweep sends them again.
   */
  private async pushTo(target: string, recs: DhtRecord[]): Promise<void> {
    if (recs.length === 0) return;
    const versions = recs.map((r) => [r.id, versionOf(r)] as [string, string]);
    recordPush(this.pushed, target, versions);
    const peer = this.peer(target);
    const sent = await Promise.all(storeMessages(recs, 'replicate').map((msg) => this.sendLinked(peer, msg)));
    if (sent.every(Boolean)) {
      this.stats.replicasSent += recs.length;
      return;
    }
    const m = this.pushed.get(target);
    if (m) for (const [id, v] of versions) if (m.get(id) === v) m.delete(id);
  }

  /** A new predecessor: it gets the keys it now owns, and the replicas it must now hold. */
  private handOver(peer: string, node: string): void {
    const ids = this.chord.keysToHandOver(this.opts.store.ids(), node);
    const recs = ids.map((i) => this.opts.store.get(i)).filter((r): r is DhtRecord => r !== undefined);
    if (recs.length === 0) return;
    for (const msg of storeMessages(recs, 'handover')) this.send(peer, msg);
    this.stats.handedOver += recs.length;
  }

  /**
   * Records from a replica push, a handover or a leaving node: within the sender's budget, from a
   * node whose range they are (or waiting for the ring view to agree), verified, admitted by the
   * record rules and merged with ours. Everything refused is counted by reason.
   */
  private onStore(from: string, reason: StoreReason, records: DhtRecord[]): void {
    const now = Date.now();
    let budget = this.storeBudgets.get(from);
    if (!budget) this.storeBudgets.set(from, (budget = new RateLimit(STORE_RATE, STORE_BURST_S)));
    if (!budget.take(records.length, now)) {
      this.stats.refusedBudget += records.length;
      return;
    }
    const view = this.view();
    let waiting = this.deferred.filter((d) => d.from === from).length;
    for (const rec of records) {
      if (storeAllowed(view, from, reason, rec.id)) void this.keep(rec);
      else if (this.deferred.length < DEFER_MAX && waiting++ < DEFER_PER_SENDER) this.deferred.push({ from, reason, rec, until: now + DEFER_MS });
      else this.stats.refusedRange++;
    }
  }

  /** Stores that waited: kept once their sender is in range, refused once they waited too long. */
  private retryDeferred(now: number): void {
    if (this.deferred.length === 0) return;
    const view = this.view();
    const waiting = this.deferred;
    this.deferred = [];
    for (const d of waiting) {
      if (storeAllowed(view, d.from, d.reason, d.rec.id)) void this.keep(d.rec);
      else if (d.until > now) this.deferred.push(d);
      else this.stats.refusedRange++;
    }
  }

  private async keep(incoming: DhtRecord): Promise<void> {
    const checked = await this.opts.verifier.record(incoming);
    this.stats.refusedSignature += checked.refused;
    if (!checked.record || this.stopped) return;
    const res = admitRecord(this.opts.store.get(incoming.id), checked.record, Date.now());
    this.stats.refusedRule += res.refused;
    if (res.changed && res.record) this.opts.store.put(res.record);
  }

  private failed(node: string): void {
    this.stats.failures++;
    this.chord.nodeFailed(node);
    this.preds = this.preds.filter((p) => p !== node);
  }

  // ------------------------------------------------------------------ messaging

  private learn(peer: string): string {
    const n = nodeId(peer);
    this.peerOf.set(n, peer);
    return n;
  }

  private async state(node: string): Promise<Extract<DhtMessage, { type: 'state' }> | null> {
    const ref = newRef();
    const answer = this.wait(ref, STATE_TIMEOUT_MS, 'no state');
    if (!(await this.sendLinked(this.peer(node), { type: 'state?', ref }))) {
      this.settle(ref, null);
      return null;
    }
    try {
      return (await answer) as Extract<DhtMessage, { type: 'state' }>;
    } catch {
      return null;
    }
  }

  private wait(ref: string, ms: number, what: string): Promise<DhtMessage> {
    const p = new Promise<DhtMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(ref);
        reject(new DhtError(what));
      }, ms);
      this.waiters.set(ref, { resolve, reject, timer });
    });
    // The timeout may fire while the request is still being sent: the caller sees the
    // rejection when it awaits; it must never surface as an unhandled rejection meanwhile.
    p.catch(() => {});
    return p;
  }

  /** Resolve (or with null, cancel) a waiter. */
  private settle(ref: string, msg: DhtMessage | null): void {
    const w = this.waiters.get(ref);
    if (!w) return;
    this.waiters.delete(ref);
    clearTimeout(w.timer);
    if (msg) w.resolve(msg);
    else w.reject(new DhtError('cancelled'));
  }

  /** Send on an open link (opening one if needed, for at most LINK_MS). False if it cannot be reached. */
  private async sendLinked(peer: string, msg: DhtMessage): Promise<boolean> {
    if (peer === this.self) return false;
    let link = this.opts.links.get(peer);
    if (!link) {
      if (!(this.opts.mayLink ? this.opts.mayLink(peer) : this.opts.online().has(peer))) return false;
      try {
        link = await Promise.race([
          this.opts.links.connect(peer),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('link timeout')), LINK_MS)),
        ]);
      } catch {
        return false;
      }
    }
    try {
      await link.send(DHT_CHANNEL, encodeDhtMessage(msg));
      return true;
    } catch {
      return false;
    }
  }

  private send(peer: string, msg: DhtMessage): void {
    void this.sendLinked(peer, msg);
  }

  /** Send now, without waiting for a link (the tab is closing). */
  private sendNow(peer: string, msg: DhtMessage): void {
    const link = this.opts.links.get(peer);
    if (link) link.send(DHT_CHANNEL, encodeDhtMessage(msg)).catch(() => {});
  }

  private sweepBack(): void {
    const now = Date.now();
    for (const [ref, b] of this.back) {
      if (b.expires > now) break;
      this.back.delete(ref);
    }
  }
}
