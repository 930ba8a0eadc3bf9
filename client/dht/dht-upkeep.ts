/**
 * Ring upkeep of one DHT node, as Chord runs it: join through a peer already online, stabilize
 * (ask the successor for its predecessor and lists, notify it; ask the predecessor for its list of
 * predecessors), fix one finger per round, check now and then that the ring agrees where this
 * node is, answer `state?`, take `notify`, and close the gap a leaving neighbour announces. The
 * caller runs the rounds (timers); the decisions that need no messages are the pure functions
 * below.
 */
import type { DhtMessage } from '../../protocol/dht';
import type { RingState } from './dht-ring';
import { ROUTE_TIMEOUT_MS, type Reply, type RouteResult } from './dht-routing';
import type { DhtRpc } from './dht-rpc';
import type { DhtNodeStats } from './dht-stats';

const STATE_TIMEOUT_MS = 2_500;

type State = Extract<DhtMessage, { type: 'state' }>;
type Leave = Extract<DhtMessage, { type: 'leave' }>;

/**
 * The peer to join through: the oldest one online (so that tabs opened together join one ring,
 * not several); after each failure the next one. Undefined when alone.
 */
export function joinContact(others: readonly string[], failures: number): string | undefined {
  return others[failures % Math.max(1, others.length)];
}

/** The peer to ask in a ring check: any one, at random. */
export function checkContact(others: readonly string[], rng: () => number): string | undefined {
  return others[Math.floor(rng() * others.length)];
}

/** The predecessor list: the predecessor, then its own predecessors, without self or repeats, at most r. */
export function predecessorList(self: string, pred: string, itsPreds: readonly string[], r: number): string[] {
  const out: string[] = [];
  for (const n of [pred, ...itsPreds]) if (n !== self && !out.includes(n)) out.push(n);
  return out.slice(0, r);
}

/**
 * A ring check's answer: the owner of this node's id is this node (`right`) or another. Two
 * wrong answers in a row: join again before that owner.
 */
export function ringCheckVerdict(right: boolean, wrongBefore: number): { wrong: number; rejoin: boolean } {
  if (right) return { wrong: 0, rejoin: false };
  if (wrongBefore + 1 < 2) return { wrong: wrongBefore + 1, rejoin: false };
  return { wrong: 0, rejoin: true };
}

/**
 * A neighbour leaves (`from`, with its predecessor and successor list as node ids): the lists
 * that close the gap at once instead of waiting for timeouts. Null: keep what the ring has after
 * the leaver is dropped.
 */
export function closeGap(
  self: string,
  from: string,
  was: { succ: boolean; pred: boolean },
  itsPred: string | null,
  itsSuccs: readonly string[],
  r: number,
): { successors: string[] | null; predecessor: string | null } {
  const succs = itsSuccs.filter((n) => n !== self && n !== from);
  return {
    successors: was.succ && succs.length > 0 ? succs.slice(0, r) : null,
    predecessor: was.pred && itsPred && itsPred !== self ? itsPred : null,
  };
}

export interface UpkeepDeps {
  ring: RingState;
  rpc: DhtRpc;
  /** Peers online in the room, oldest first. */
  online: () => ReadonlySet<string>;
  /** false: no finger table. */
  fingers: boolean;
  /** A lookup through the ring (fingers). */
  lookup: (id: string) => Promise<RouteResult>;
  /** Keys held here, for `state` answers. */
  held: () => number;
  /** A new predecessor: hand it the keys it now owns. */
  handOver: (peer: string, node: string) => void;
  stats: Pick<DhtNodeStats, 'maintenanceLookups'>;
  rng?: () => number;
}

export class DhtUpkeep {
  private round = 0;
  private wrongOwner = 0;
  private joinFailures = 0;

  constructor(private readonly deps: UpkeepDeps) {}

  /** Stabilize (or join while this node knows no other). */
  async stabilize(): Promise<void> {
    const { ring, rpc } = this.deps;
    const chord = ring.chord;
    if (chord.successors.length === 0) {
      await this.join();
      return;
    }
    const succ = chord.successor;
    const st = await this.state(succ);
    if (!st) {
      ring.failed(succ);
      return;
    }
    ring.setHeld(succ, st.held);
    const x = st.pred ? ring.learn(st.pred) : null;
    const target = chord.stabilize(
      x,
      st.succs.map((p) => ring.learn(p)),
    );
    if (target) rpc.post(ring.peer(target), { type: 'notify' });
    const pred = chord.predecessor;
    if (!pred) {
      ring.preds = [];
      return;
    }
    const ps = await this.state(pred);
    if (!ps) {
      ring.failed(pred);
      return;
    }
    ring.setHeld(pred, ps.held);
    ring.preds = predecessorList(
      ring.id,
      pred,
      ps.preds.map((p) => ring.learn(p)),
      ring.r,
    );
  }

  /** Refresh the finger of this round. Throws when its lookup fails. */
  async fixFinger(): Promise<void> {
    if (!this.deps.fingers) return;
    const f = this.deps.ring.chord.fingerToFix(this.round++);
    if (!f) return;
    this.deps.stats.maintenanceLookups++;
    const res = await this.deps.lookup(f.start);
    this.deps.ring.chord.setFinger(f.index, this.deps.ring.learn(res.owner));
  }

  /** Now and then: am I where the ring thinks I am? Two wrong answers in a row: join again. */
  async ringCheck(): Promise<void> {
    const { ring } = this.deps;
    if (ring.chord.successors.length === 0) return;
    const via = checkContact(this.others(), this.deps.rng ?? Math.random);
    if (!via) return;
    // No answer: the next check tries another peer.
    const reply = await this.ownerOfSelf(via, 'ring check timed out');
    if (!reply?.ok) return;
    const v = ringCheckVerdict(reply.owner === ring.self, this.wrongOwner);
    this.wrongOwner = v.wrong;
    if (v.rejoin) this.enterBefore(reply.owner);
  }

  /** Answer a `state?`: this node's neighbours and how many keys it holds. */
  answerState(from: string, ref: string): void {
    const { ring } = this.deps;
    const chord = ring.chord;
    this.deps.rpc.post(from, {
      type: 'state',
      ref,
      pred: chord.predecessor ? ring.peer(chord.predecessor) : null,
      succs: chord.successors.map((n) => ring.peer(n)),
      preds: ring.preds.map((n) => ring.peer(n)),
      held: this.deps.held(),
    });
  }

  /** `from` thinks it might be our predecessor: a new one gets the keys it now owns. */
  onNotify(from: string, fromNode: string): void {
    const chord = this.deps.ring.chord;
    const old = chord.predecessor;
    if (chord.notify(fromNode) && old !== fromNode) this.deps.handOver(from, fromNode);
  }

  /** A neighbour leaves gracefully: drop it, and take its neighbours in its place. */
  onLeave(fromNode: string, msg: Leave): void {
    const { ring } = this.deps;
    const chord = ring.chord;
    const succs = msg.succs.map((p) => ring.learn(p));
    const pred = msg.pred ? ring.learn(msg.pred) : null;
    const was = { succ: chord.successors[0] === fromNode, pred: chord.predecessor === fromNode };
    ring.failed(fromNode);
    const gap = closeGap(ring.id, fromNode, was, pred, succs, ring.r);
    if (gap.successors) chord.successors = gap.successors;
    if (gap.predecessor) chord.predecessor = gap.predecessor;
  }

  /** What this node sends its neighbours when it leaves (after its keys: see DhtReplication.leave). */
  bye(): Leave {
    const { ring } = this.deps;
    const pred = ring.chord.predecessor;
    return { type: 'leave', pred: pred ? ring.peer(pred) : null, succs: ring.chord.successors.map((n) => ring.peer(n)) };
  }

  /** Join before the owner of this node's id, found through a peer online; the next peer after a failure. */
  private async join(): Promise<void> {
    const via = joinContact(this.others(), this.joinFailures);
    if (!via) return;
    const reply = await this.ownerOfSelf(via, 'join timed out');
    if (!reply) {
      this.joinFailures++;
      return;
    }
    if (!reply.ok || this.deps.ring.chord.successors.length > 0) return;
    if (this.deps.ring.learn(reply.owner) === this.deps.ring.id) return;
    this.enterBefore(reply.owner);
  }

  private enterBefore(ownerPeer: string): void {
    this.deps.ring.chord.join(this.deps.ring.learn(ownerPeer));
    this.deps.rpc.post(ownerPeer, { type: 'notify' });
  }

  /** Ask `via` who owns this node's id (a route sent straight to it). Null if it does not answer. */
  private async ownerOfSelf(via: string, what: string): Promise<Reply | null> {
    const { ring } = this.deps;
    try {
      return await this.deps.rpc.request(via, 'reply', ROUTE_TIMEOUT_MS, what, (ref) => ({
        type: 'route',
        ref,
        origin: ring.self,
        id: ring.id,
        hops: 1,
        op: { op: 'find' },
      }));
    } catch {
      return null;
    }
  }

  private async state(node: string): Promise<State | null> {
    try {
      return await this.deps.rpc.request(this.deps.ring.peer(node), 'state', STATE_TIMEOUT_MS, 'no state', (ref) => ({ type: 'state?', ref }));
    } catch {
      return null;
    }
  }

  private others(): string[] {
    return [...this.deps.online()].filter((p) => p !== this.deps.ring.self);
  }
}
