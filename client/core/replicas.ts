/**
 * Replica placement of one Chord node, decided from its view of the ring (pure). A key lives
 * at its successor and the next r - 1 nodes, so a node holds exactly the keys in
 * (p_r, self], p_r being its r-th predecessor: its own keys (pred, self] and the keys of its
 * r - 1 predecessors. Each sweep the node
 *   - pushes every key it owns to its first r - 1 successors, unless that version was pushed
 *     there already (a crash shifts the successor list: the newcomer gets everything), and
 *   - drops the keys outside (p_r, self] once two sweeps in a row agree (a node joined before
 *     it and took them over), so that every key ends up on exactly r nodes.
 */
import { betweenRightIncl } from './chord';

export interface RingView {
  self: string;
  /** null: no predecessor known yet. */
  pred: string | null;
  /** Successor list, nearest first, without self. */
  succs: readonly string[];
  /** Predecessor list, nearest first (preds[0] = pred), without self. */
  preds: readonly string[];
  r: number;
}

export interface Held {
  id: string;
  /** Changes whenever the record changes (so that a new version is pushed again). */
  version: string;
}

export interface SweepPlan {
  /** Per successor, the ids to send it. */
  push: Map<string, string[]>;
  /** Ids this node no longer has to hold. */
  drop: string[];
}

/** Whether this node owns `id` (it is the key's successor). Unknown predecessor: only when alone. */
export function ownsId(v: RingView, id: string): boolean {
  if (v.pred === null) return v.succs.length === 0;
  return betweenRightIncl(id, v.pred, v.self);
}

/**
 * The start of the range this node must hold, (start, self]; null means everything (a ring of
 * r nodes or fewer, or a predecessor list not known yet: keep all rather than lose any).
 */
export function holdStart(v: RingView): string | null {
  if (v.preds.length < v.r) return null;
  const ring = new Set([v.self, ...v.preds.slice(0, v.r)]);
  if (ring.size < v.r + 1) return null;
  return v.preds[v.r - 1] as string;
}

/**
 * One sweep. `pushed` (target → id → version) and `strikes` (id → sweeps seen out of range) are
 * the node's memory between sweeps; this function updates neither: the caller records what it
 * actually sent and dropped (see `recordPush`).
 */
export function planSweep(v: RingView, held: readonly Held[], pushed: ReadonlyMap<string, ReadonlyMap<string, string>>, strikes: Map<string, number>): SweepPlan {
  const push = new Map<string, string[]>();
  const targets = v.succs.slice(0, Math.max(0, v.r - 1));
  const start = holdStart(v);
  const drop: string[] = [];
  for (const h of held) {
    if (ownsId(v, h.id)) {
      strikes.delete(h.id);
      for (const t of targets) {
        if (pushed.get(t)?.get(h.id) === h.version) continue;
        const list = push.get(t) ?? [];
        list.push(h.id);
        push.set(t, list);
      }
      continue;
    }
    if (start === null || betweenRightIncl(h.id, start, v.self)) {
      strikes.delete(h.id);
      continue;
    }
    const n = (strikes.get(h.id) ?? 0) + 1;
    strikes.set(h.id, n);
    if (n >= 2) {
      strikes.delete(h.id);
      drop.push(h.id);
    }
  }
  return { push, drop };
}

/** Remember that `ids` (at these versions) went to `target`; forget targets no longer successors. */
export function recordPush(pushed: Map<string, Map<string, string>>, target: string, versions: Iterable<[string, string]>): void {
  const m = pushed.get(target) ?? new Map<string, string>();
  for (const [id, version] of versions) m.set(id, version);
  pushed.set(target, m);
}

export function forgetTargets(pushed: Map<string, Map<string, string>>, v: RingView): void {
  const keep = new Set(v.succs.slice(0, Math.max(0, v.r - 1)));
  for (const t of [...pushed.keys()]) if (!keep.has(t)) pushed.delete(t);
}

export type StoreReason = 'replicate' | 'handover' | 'leave';

/**
 * Whether a `store` of `reason` from node `from` may hold key `id`, by this node's ring view:
 *   - replicate: from one of this node's r predecessors (the key's owner pushes to its r - 1
 *     successors; one more predecessor than needed covers a crash that shifted the list). A
 *     node that does not know its predecessors yet refuses replicas (the caller lets them wait
 *     for its ring view: see DeferQueue in client/dht/dht-intake.ts);
 *   - handover: from one of its successors (a node gives its new predecessor the keys it owns);
 *   - leave: from a predecessor (a leaving node gives its successor all it held).
 * Replicas and handovers must also fall in the range this node holds, (holdStart, self].
 */
export function storeAllowed(v: RingView, from: string, reason: StoreReason, id: string): boolean {
  const preds = new Set([...(v.pred ? [v.pred] : []), ...v.preds.slice(0, v.r)]);
  const succs = new Set(v.succs.slice(0, v.r));
  const start = holdStart(v);
  if (reason === 'leave') return preds.has(from);
  const inRange = start === null || betweenRightIncl(id, start, v.self);
  if (!inRange) return false;
  if (reason === 'handover') return succs.has(from);
  return preds.has(from);
}
