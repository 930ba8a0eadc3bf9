/**
 * The tab's torrent connections under the connection budget: every simple-peer instance of the
 * tracker client and of relay links is made through `create`, which asks the budget first (no
 * RTCPeerConnection exists for a refused offer), frees the slot when the connection closes,
 * marks it open on the BitTorrent handshake, and closes stale pending connections every second.
 */
import type SimplePeer from 'simple-peer';
import { ConnectionBudget, DEFAULT_LIMITS, type BudgetLimits, type BudgetStats, type Direction, type Refusal } from '../core/connection-budget';

export interface ConnectionStats extends BudgetStats {
  limits: BudgetLimits;
}

export type Created = { ok: true; peer: SimplePeer.Instance } | { ok: false; reason: Refusal };

export class ConnectionGuard {
  private readonly budget: ConnectionBudget;
  private readonly peers = new Map<number, SimplePeer.Instance>();
  private readonly ids = new Map<SimplePeer.Instance, number>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(limits: BudgetLimits = DEFAULT_LIMITS, private readonly now: () => number = Date.now) {
    this.budget = new ConnectionBudget(limits);
    this.sweeper = setInterval(() => this.sweep(), 1_000);
  }

  /**
   * A connection for `torrent` with `source` (the remote, when known: `t:<bt peer id>` for the
   * tracker's, `r:<network peer id>` for relay links), made by `make` only if the budget admits it.
   */
  create(torrent: string, source: string | null, dir: Direction, make: () => SimplePeer.Instance): Created {
    const r = this.budget.admit(torrent, source, dir, this.now());
    if (!r.ok) return r;
    for (const id of r.displaced) this.close(id);
    const peer = make();
    this.peers.set(r.id, peer);
    this.ids.set(peer, r.id);
    peer.once('close', () => this.forget(peer));
    return { ok: true, peer };
  }

  /** The BitTorrent handshake completed on `peer`. */
  opened(peer: SimplePeer.Instance): void {
    const id = this.ids.get(peer);
    if (id !== undefined) this.budget.opened(id);
  }

  /** The remote of our offer is known (its answer names it). */
  identify(peer: SimplePeer.Instance, source: string): void {
    const id = this.ids.get(peer);
    if (id !== undefined) this.budget.identify(id, source);
  }

  stats(): ConnectionStats {
    return { ...this.budget.stats(), limits: this.budget.limits };
  }

  destroy(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    for (const id of this.budget.expire(this.now())) this.close(id);
  }

  private close(id: number): void {
    const peer = this.peers.get(id);
    this.budget.release(id);
    if (!peer) return;
    this.forget(peer);
    peer.destroy();
  }

  private forget(peer: SimplePeer.Instance): void {
    const id = this.ids.get(peer);
    if (id === undefined) return;
    this.ids.delete(peer);
    this.peers.delete(id);
    this.budget.release(id);
  }
}
