/**
 * Replication, outbound: what this node sends so that every key lives on its successor and the
 * next r - 1 nodes. A write goes to the replicas at once; each sweep prunes expired records,
 * pushes what the replicas lack (client/core/replicas.ts plans it) and drops what this node no
 * longer has to hold; every REPAIR_EVERY sweeps everything is offered again (anti-entropy); a new
 * predecessor gets the keys it now owns; a leaving node gives all it holds to its successor.
 * What arrives is DhtIntake's.
 */
import { storeMessages, type DhtMessage, type DhtRecord } from '../../protocol/dht';
import { prune } from '../core/dht-records';
import { forgetTargets, planSweep, recordPush } from '../core/replicas';
import type { RingState } from './dht-ring';
import type { DhtRpc } from './dht-rpc';
import type { DhtNodeStats } from './dht-stats';
import type { DhtStore } from './dht-store';

/** Sweeps (one a second) between two offers of everything to the replicas and the predecessor. */
export const REPAIR_EVERY = 15;

/** A record's version: changes whenever the record does (so that a new version is pushed again). */
export function versionOf(r: DhtRecord): string {
  if (r.kind === 'value') return `v${r.ts}|${r.writer}`;
  let last = 0;
  let sigs = '';
  for (const m of r.members ?? []) {
    last = Math.max(last, m.expires);
    sigs += m.sig.slice(0, 4);
  }
  return `s${r.ts}|${r.members?.length ?? 0}|${last}|${sigs}`;
}

export interface ReplicationDeps {
  ring: RingState;
  rpc: DhtRpc;
  store: DhtStore;
  stats: Pick<DhtNodeStats, 'replicasSent' | 'handedOver'>;
}

export class DhtReplication {
  /** Per replica: id -> the version sent to it. */
  private readonly pushed = new Map<string, Map<string, string>>();
  /** Per id: sweeps in a row that found it out of this node's range. */
  private readonly strikes = new Map<string, number>();
  /** Sweeps since pushes and handovers were last offered again (see REPAIR_EVERY). */
  private sinceRepair = 0;

  constructor(private readonly deps: ReplicationDeps) {}

  /** Push owned keys to the replicas that lack them; drop keys this node no longer has to hold. */
  sweep(now: number): void {
    const { ring, store } = this.deps;
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
      const pred = ring.chord.predecessor;
      if (pred) this.handOver(ring.peer(pred), pred);
    }
    const view = ring.view();
    forgetTargets(this.pushed, view);
    const held = store.records().map((r) => ({ id: r.id, version: versionOf(r) }));
    const plan = planSweep(view, held, this.pushed, this.strikes);
    for (const [target, ids] of plan.push) void this.pushTo(target, this.recordsOf(ids));
    for (const id of plan.drop) store.delete(id);
  }

  /** A write at the owner goes to its replicas at once (the sweep catches up on what fails). */
  async replicate(recs: DhtRecord[]): Promise<void> {
    const { ring } = this.deps;
    await Promise.all(ring.chord.successors.slice(0, ring.r - 1).map((t) => this.pushTo(t, recs)));
  }

  /** A new predecessor: it gets the keys it now owns, and the replicas it must now hold. */
  handOver(peer: string, node: string): void {
    const { ring, rpc, store } = this.deps;
    const recs = this.recordsOf(ring.chord.keysToHandOver(store.ids(), node));
    if (recs.length === 0) return;
    for (const msg of storeMessages(recs, 'handover')) rpc.post(peer, msg);
    this.deps.stats.handedOver += recs.length;
  }

  /**
   * Graceful leave: every key to the successor, then `bye` to both neighbours, sent at once (the
   * tab is closing). Alone, the keys stay in this tab's store.
   */
  leave(bye: DhtMessage): void {
    const { ring, rpc, store } = this.deps;
    const succ = ring.chord.successors[0];
    const pred = ring.chord.predecessor;
    if (succ) {
      for (const msg of storeMessages(store.records(), 'leave')) rpc.sendNow(ring.peer(succ), msg);
      this.deps.stats.handedOver += store.size;
      rpc.sendNow(ring.peer(succ), bye);
    }
    if (pred && pred !== succ) rpc.sendNow(ring.peer(pred), bye);
  }

  /** `node` left the room: nothing is owed to it any more. */
  forget(node: string): void {
    this.pushed.delete(node);
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
    const peer = this.deps.ring.peer(target);
    const sent = await Promise.all(storeMessages(recs, 'replicate').map((msg) => this.deps.rpc.send(peer, msg)));
    if (sent.every(Boolean)) {
      this.deps.stats.replicasSent += recs.length;
      return;
    }
    const m = this.pushed.get(target);
    if (m) for (const [id, v] of versions) if (m.get(id) === v) m.delete(id);
  }

  private recordsOf(ids: readonly string[]): DhtRecord[] {
    return ids.map((i) => this.deps.store.get(i)).filter((r): r is DhtRecord => r !== undefined);
  }
}
