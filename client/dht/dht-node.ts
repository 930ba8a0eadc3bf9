/**
 * One tab's Chord node: the ring core (client/core/chord.ts) driven over peer links on the
 * `dht` channel. This file puts the parts together and runs their clock:
 *   dht-rpc          messages to peers, requests paired with their answers (timeouts)
 *   dht-ring         what this node knows of the ring (Chord state, predecessors, peer ids)
 *   dht-routing      recursive lookups, passing routes on, replies back along the reverse path
 *   dht-ops          what the key's successor does with an operation
 *   dht-upkeep       join, stabilize, fingers, ring checks, neighbours leaving
 *   dht-replication  copies to the replicas, anti-entropy, handovers on join and leave
 *   dht-intake       records other nodes store here (budget, range, signatures, rules)
 * Every inbound message is parsed here, at the edge, before any part sees it. The node keeps its
 * share in IndexedDB (DhtStore), and emits `lookup` for every lookup it starts.
 */
import { keyId, nodeId, parseDhtMessage, type DhtMessage, type DhtOp, type DhtRecord } from '../../protocol/dht';
import { DEFAULT_SUCCESSORS, type ChordNode } from '../core/chord';
import { Emitter } from '../core/emitter';
import type { RingView } from '../core/replicas';
import type { LinkManager } from '../net/link-manager';
import type { DhtVerifier } from './dht-crypto';
import { DhtIntake } from './dht-intake';
import { OwnerOps } from './dht-ops';
import { DhtReplication } from './dht-replication';
import { RingState } from './dht-ring';
import { DhtRouting, type LookupEvent, type RouteResult } from './dht-routing';
import { DhtRpc, type DhtResponse } from './dht-rpc';
import type { PendingTable } from '../core/pending';
import { newDhtStats } from './dht-stats';
import type { DhtStore } from './dht-store';
import { DhtUpkeep } from './dht-upkeep';

export { DhtError, type DhtErrorCode } from './dht-error';
export type { LookupEvent, RouteResult } from './dht-routing';

const STABILIZE_MS = 1_000;
const RING_CHECK_MS = 5_000;

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
  /** Where requests wait for their answers (default: the node's own table). */
  pending?: PendingTable<string, DhtResponse>;
}

export type DhtNodeEvents = {
  /** A lookup this node started ended (a put, get, members, find, or a finger's). */
  lookup: LookupEvent;
};

export class DhtNode extends Emitter<DhtNodeEvents> {
  readonly self: string;
  readonly id: string;
  readonly chord: ChordNode;
  readonly r: number;
  readonly stats = newDhtStats();
  private readonly ring: RingState;
  private readonly rpc: DhtRpc;
  private readonly routing: DhtRouting;
  private readonly upkeep: DhtUpkeep;
  private readonly replication: DhtReplication;
  private readonly intake: DhtIntake;
  private timers: ReturnType<typeof setInterval>[] = [];
  private busy = false;
  private stopped = false;

  constructor(private readonly opts: DhtNodeOptions) {
    super();
    const store = opts.store;
    const stats = this.stats;
    this.self = opts.self;
    this.r = opts.r ?? DEFAULT_SUCCESSORS;
    const ring = (this.ring = new RingState(opts.self, this.r, stats));
    this.id = ring.id;
    this.chord = ring.chord;
    const rpc = (this.rpc = new DhtRpc({
      self: opts.self,
      links: opts.links,
      mayLink: opts.mayLink ?? ((peer) => opts.online().has(peer)),
      ...(opts.pending ? { pending: opts.pending } : {}),
    }));
    const replication = (this.replication = new DhtReplication({ ring, rpc, store, stats }));
    this.intake = new DhtIntake({ ring, store, verifier: opts.verifier, stats, stopped: () => this.stopped });
    const owner = new OwnerOps({ ring, store, verifier: opts.verifier, replicate: (recs) => replication.replicate(recs), stats });
    const routing = (this.routing = new DhtRouting({
      ring,
      rpc,
      execute: (op, key, id, ref, hops) => owner.execute(op, key, id, ref, hops),
      stats,
      onLookup: (e) => this.emit('lookup', e),
    }));
    this.upkeep = new DhtUpkeep({
      ring,
      rpc,
      online: opts.online,
      fingers: opts.fingers !== false,
      lookup: (id) => routing.lookup({ op: 'find' }, undefined, id, true),
      held: () => store.size,
      handOver: (peer, node) => replication.handOver(peer, node),
      stats,
    });
  }

  start(): void {
    this.timers.push(setInterval(() => void this.tick(), STABILIZE_MS));
    this.timers.push(setInterval(() => void this.ringCheck(), RING_CHECK_MS));
    // Apart from the maintenance round, which can wait seconds on a lookup that times out.
    this.timers.push(setInterval(() => this.intake.retryDeferred(Date.now()), STABILIZE_MS));
    void this.tick();
  }

  /** Graceful leave: every key to the successor, and both neighbours told, before the tab goes. */
  leave(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.replication.leave(this.upkeep.bye());
    this.rpc.close();
    void this.opts.store.flush().catch(() => {});
  }

  // ------------------------------------------------------------------ public operations

  /** Carry out `op` at the successor of `key` (a text key) or of `id` (a ring point, op find). */
  route(op: DhtOp, key: string | undefined, id = keyId(key ?? '')): Promise<RouteResult> {
    return this.routing.lookup(op, key, id);
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
    return this.ring.owns(id);
  }

  view(): RingView {
    return this.ring.view();
  }

  peer(node: string): string {
    return this.ring.peer(node);
  }

  predecessors(): string[] {
    return [...this.ring.preds];
  }

  heldAt(node: string): number | undefined {
    return node === this.id ? this.opts.store.size : this.ring.held(node);
  }

  /** A peer left the room: it is gone from the ring. */
  peerLeft(peer: string): void {
    const node = nodeId(peer);
    this.ring.forget(node);
    this.replication.forget(node);
    this.intake.forget(node);
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
    const fromNode = this.ring.learn(from);
    switch (msg.type) {
      case 'route':
        this.ring.learn(msg.origin);
        void this.routing.onRoute(from, msg);
        return;
      case 'reply':
        if (!this.rpc.deliver(msg)) this.routing.onReply(msg);
        return;
      case 'state?':
        this.upkeep.answerState(from, msg.ref);
        return;
      case 'state':
        this.rpc.deliver(msg);
        return;
      case 'notify':
        this.upkeep.onNotify(from, fromNode);
        return;
      case 'store':
        this.intake.onStore(fromNode, msg.reason, msg.records);
        return;
      case 'leave':
        this.upkeep.onLeave(fromNode, msg);
        return;
    }
  }

  // ------------------------------------------------------------------ the clock

  /** One maintenance round: stabilize, one finger, one sweep (a failed round is retried by the next). */
  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.upkeep.stabilize();
      await this.upkeep.fixFinger();
      this.replication.sweep(Date.now());
    } catch {
      // A failed round is retried by the next one.
    } finally {
      this.busy = false;
    }
  }

  private async ringCheck(): Promise<void> {
    if (this.stopped) return;
    await this.upkeep.ringCheck();
  }
}
