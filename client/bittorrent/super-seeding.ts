/**
 * A torrent's super-seeding (BEP 16; the decisions in client/core/super-seed.ts) applied to its
 * peers: a peer that joins gets no bitfield but a few `have`s, more as it announces what it got
 * and as we unchoke it; one that declines its offers (not interested: it fetches other files)
 * is told every piece; and every peer is told the rest when super-seeding is turned off. Our
 * extended handshake says `upload_only` meanwhile (BEP 21), so that a client of ours whose
 * player reads a piece not offered still asks us for it.
 */
import { offerDepth, SuperSeed } from '../core/super-seed';
import type { SwarmPeer } from './swarm-peer';
import type { SwarmState } from './torrent-types';

export class SuperSeeding {
  private core: SuperSeed | null = null;

  constructor(private readonly rng: () => number) {}

  /** Super-seeding is on. */
  get active(): boolean {
    return this.core !== null;
  }

  /**
   * Turn it on (only with every piece here: the peers that joined before keep the bitfield they
   * were sent) or off (every peer it offered pieces to is told the rest). Whether it is on.
   */
  set(on: boolean, s: SwarmState | null, peers: Iterable<SwarmPeer>): boolean {
    if (on && !this.core && s?.have.isComplete()) this.core = new SuperSeed(s.info.pieces.length);
    if (!on && this.core) {
      const core = this.core;
      this.core = null;
      for (const p of peers) if (p.bitfield) for (const index of core.untold(p.key, p.bitfield)) p.conn.send({ type: 'have', index });
    }
    return this.active;
  }

  /** A peer joined: true when super-seeding took it (send it no bitfield); its first offer goes out. */
  join(p: SwarmPeer, s: SwarmState | null): boolean {
    if (!this.core || !s) return false;
    this.core.join(p.key);
    this.offer(p, s);
    return true;
  }

  /** The peer announced pieces (a `have` or a bitfield): its offers of them close, it gets new ones. */
  announced(p: SwarmPeer, s: SwarmState | null): void {
    if (this.core && s) this.offer(p, s);
  }

  /** We unchoked or choked the peer: its offers count for others or not, and an unchoked one gets enough to fill its pipe. */
  chokeChanged(p: SwarmPeer, s: SwarmState | null): void {
    if (!this.core || !s) return;
    this.core.setUnchoked(p.key, !p.amChoking);
    this.offer(p, s);
  }

  /**
   * The 1 s tick: a peer that stayed not interested after its offers declined them, and is told
   * every piece; and once our upload starved (super-seed.ts), every peer is offered again.
   */
  tick(peers: Iterable<SwarmPeer>, s: SwarmState | null, now: number): void {
    if (!this.core || !s) return;
    for (const p of peers) {
      if (p.peerInterested || !p.bitfield) continue;
      for (const index of this.core.declined(p.key, p.bitfield, now)) p.conn.send({ type: 'have', index });
    }
    if (this.core.starved(now)) for (const p of peers) this.offer(p, s);
  }

  leave(key: string): void {
    this.core?.leave(key);
  }

  private offer(p: SwarmPeer, s: SwarmState): void {
    if (!this.core || !p.bitfield) return;
    const now = Date.now();
    const depth = offerDepth(p.conn.up.rate(now), s.info.pieceLength, !p.amChoking);
    for (const index of this.core.offer(p.key, p.bitfield, s.availability, depth, this.rng, now)) p.conn.send({ type: 'have', index });
  }
}
