/**
 * What one DHT node knows of the ring: its Chord state (client/core/chord.ts), its predecessor
 * list, the peer id behind every node id it heard of, and how many keys its neighbours said they
 * hold. Routing, upkeep and replication read and change the ring through this one object.
 */
import { nodeId } from '../../protocol/dht';
import { ChordNode } from '../core/chord';
import { ownsId, type RingView } from '../core/replicas';
import type { DhtNodeStats } from './dht-stats';

export class RingState {
  readonly id: string;
  readonly chord: ChordNode;
  /** Predecessor list, nearest first (preds[0] = the predecessor), without self. */
  preds: string[] = [];
  /** Node id -> peer id, for every peer this node has heard of. */
  private readonly peerOf = new Map<string, string>();
  /** What the successor and predecessor said they hold (for the ring view). */
  private readonly heldBy = new Map<string, number>();

  constructor(
    readonly self: string,
    readonly r: number,
    private readonly stats: Pick<DhtNodeStats, 'failures'>,
  ) {
    this.id = this.learn(self);
    this.chord = new ChordNode(this.id, r);
  }

  /** The node id of `peer`, remembered so that messages can name it by peer id. */
  learn(peer: string): string {
    const n = nodeId(peer);
    this.peerOf.set(n, peer);
    return n;
  }

  peer(node: string): string {
    return this.peerOf.get(node) ?? node;
  }

  view(): RingView {
    return { self: this.id, pred: this.chord.predecessor, succs: this.chord.successors, preds: this.preds, r: this.r };
  }

  owns(id: string): boolean {
    return ownsId(this.view(), id);
  }

  held(node: string): number | undefined {
    return this.heldBy.get(node);
  }

  setHeld(node: string, n: number): void {
    this.heldBy.set(node, n);
  }

  /** `node` did not answer, or left: it is gone from the ring. */
  forget(node: string): void {
    this.chord.nodeFailed(node);
    this.preds = this.preds.filter((p) => p !== node);
  }

  /** `node` failed (counted). */
  failed(node: string): void {
    this.stats.failures++;
    this.forget(node);
  }
}
