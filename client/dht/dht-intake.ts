/**
 * Replication, inbound: the records of a `store` (a replica push, a handover, a leaving node's
 * keys) are taken within the sender's budget, from a node whose range they are by this node's
 * ring view (or after waiting for the view to agree: DeferQueue), verified, admitted by the record
 * rules and merged with what is held. Everything refused is counted by reason.
 */
import type { DhtRecord } from '../../protocol/dht';
import { admitRecord } from '../core/dht-records';
import { RateLimit } from '../core/rate';
import { storeAllowed, type StoreReason } from '../core/replicas';
import type { DhtVerifier } from './dht-crypto';
import type { RingState } from './dht-ring';
import type { DhtNodeStats } from './dht-stats';
import type { DhtStore } from './dht-store';

/** Records one link may `store` here: a burst of STORE_RATE * STORE_BURST_S, then STORE_RATE a second. */
const STORE_RATE = 128;
const STORE_BURST_S = 8;
/**
 * A store from a node that is not (yet) in this node's range waits this long for the ring view to
 * catch up (a joiner or a crash shifts the lists a round or two before both ends agree); at most
 * DEFER_MAX records wait at once. Then it is refused.
 */
export const DEFER_MS = 5_000;
export const DEFER_MAX = 1_024;
/** ...and at most this many from one sender (a stranger's flood cannot crowd out a neighbour's). */
export const DEFER_PER_SENDER = 256;

/** Whether node `from` may store `id` here for `reason` (storeAllowed over the current view). */
export type StoreCheck = (from: string, reason: StoreReason, id: string) => boolean;

interface Deferred {
  from: string;
  reason: StoreReason;
  rec: DhtRecord;
  until: number;
}

/** What to do with stored records now: keep these; this many are refused (out of range). */
export interface Sorted {
  keep: DhtRecord[];
  refused: number;
}

/** Stores waiting for the ring view to put their sender in range (pure: time is passed in). */
export class DeferQueue {
  private waiting: Deferred[] = [];

  constructor(
    private readonly ms = DEFER_MS,
    private readonly max = DEFER_MAX,
    private readonly perSender = DEFER_PER_SENDER,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  /** The records of one `store`: allowed now, or waiting while there is room, or refused. */
  sort(from: string, reason: StoreReason, records: readonly DhtRecord[], allowed: StoreCheck, now: number): Sorted {
    const out: Sorted = { keep: [], refused: 0 };
    let fromSender = this.waiting.filter((d) => d.from === from).length;
    for (const rec of records) {
      if (allowed(from, reason, rec.id)) out.keep.push(rec);
      else if (this.waiting.length < this.max && fromSender++ < this.perSender) this.waiting.push({ from, reason, rec, until: now + this.ms });
      else out.refused++;
    }
    return out;
  }

  /** The waiting records: kept once their sender is in range, refused once they waited too long. */
  retry(allowed: StoreCheck, now: number): Sorted {
    const out: Sorted = { keep: [], refused: 0 };
    const waiting = this.waiting;
    this.waiting = [];
    for (const d of waiting) {
      if (allowed(d.from, d.reason, d.rec.id)) out.keep.push(d.rec);
      else if (d.until > now) this.waiting.push(d);
      else out.refused++;
    }
    return out;
  }
}

export interface IntakeDeps {
  ring: RingState;
  store: DhtStore;
  verifier: Pick<DhtVerifier, 'record'>;
  stats: Pick<DhtNodeStats, 'refusedBudget' | 'refusedRange' | 'refusedSignature' | 'refusedRule'>;
  /** The node left: what is still being verified is not stored. */
  stopped: () => boolean;
  now?: () => number;
}

export class DhtIntake {
  /** Per sending node, its budget of stored records. */
  private readonly budgets = new Map<string, RateLimit>();
  private readonly deferred = new DeferQueue();
  private readonly now: () => number;

  constructor(private readonly deps: IntakeDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The records of a `store` from node `from`. */
  onStore(from: string, reason: StoreReason, records: DhtRecord[]): void {
    const now = this.now();
    let budget = this.budgets.get(from);
    if (!budget) this.budgets.set(from, (budget = new RateLimit(STORE_RATE, STORE_BURST_S)));
    if (!budget.take(records.length, now)) {
      this.deps.stats.refusedBudget += records.length;
      return;
    }
    this.take(this.deferred.sort(from, reason, records, this.check(), now));
  }

  /** Stores that waited: kept once their sender is in range, refused once they waited too long. */
  retryDeferred(now: number): void {
    if (this.deferred.size === 0) return;
    this.take(this.deferred.retry(this.check(), now));
  }

  /** `node` left the room: its budget goes. */
  forget(node: string): void {
    this.budgets.delete(node);
  }

  private check(): StoreCheck {
    const view = this.deps.ring.view();
    return (from, reason, id) => storeAllowed(view, from, reason, id);
  }

  private take(sorted: Sorted): void {
    this.deps.stats.refusedRange += sorted.refused;
    for (const rec of sorted.keep) void this.keep(rec);
  }

  private async keep(incoming: DhtRecord): Promise<void> {
    const { store, stats } = this.deps;
    const checked = await this.deps.verifier.record(incoming);
    stats.refusedSignature += checked.refused;
    if (!checked.record || this.deps.stopped()) return;
    const res = admitRecord(store.get(incoming.id), checked.record, this.now());
    stats.refusedRule += res.refused;
    if (res.changed && res.record) store.put(res.record);
  }
}
