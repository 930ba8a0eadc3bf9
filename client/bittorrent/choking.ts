/**
 * Choking: each round, the choker's decision (tit-for-tat, optimistic unchoke; pure, in
 * client/core/choker.ts) applied to the torrent's peers: unchoke or choke sent, and a choked
 * peer's queued uploads dropped.
 */
import { rechoke } from '../core/choker';
import { snubbed, type SwarmPeer } from './swarm-peer';

export const UNCHOKE_SLOTS = 4;

export class Choking {
  private round = 0;
  private optimistic: string | null = null;

  constructor(private readonly rng: () => number) {}

  /**
   * Fewer interested peers unchoked than the slots and the optimistic one: an extra round is
   * worth running (a peer unchoked but no longer interested holds a slot it does not use).
   */
  slotFree(peers: Iterable<SwarmPeer>): boolean {
    let n = 0;
    for (const p of peers) if (!p.amChoking && p.peerInterested) n++;
    return n < UNCHOKE_SLOTS + 1;
  }

  /**
   * A choking round; `newRound` is false for the extra rounds run when a slot is free. `upload`
   * false (a pure client): nobody is unchoked. Returns the peers it unchoked or choked.
   */
  run(peers: Iterable<SwarmPeer>, seeding: boolean, upload: boolean, newRound: boolean, now: number): SwarmPeer[] {
    const res = rechoke(
      {
        peers: [...peers].map((p) => ({
          id: p.key,
          interested: p.peerInterested,
          downloadRate: p.conn.down.rate(now),
          uploadRate: p.conn.up.rate(now),
          snubbed: snubbed(p, now),
          connectedAt: p.conn.connectedAt,
        })),
        seeding,
        slots: UNCHOKE_SLOTS,
        optimistic: this.optimistic,
        // Extra rounds must not rotate the optimistic unchoke: give them a round number that is not a multiple of 3.
        round: newRound ? this.round++ : this.round * 3 + 1,
        now,
      },
      this.rng,
    );
    this.optimistic = res.optimistic;
    const unchoke = new Set(upload ? res.unchoke : []);
    const changed: SwarmPeer[] = [];
    for (const p of peers) {
      const should = unchoke.has(p.key);
      if (should === !p.amChoking) continue;
      p.amChoking = !should;
      if (should) p.conn.send({ type: 'unchoke' });
      else {
        p.uploads.clear();
        p.conn.send({ type: 'choke' });
      }
      changed.push(p);
    }
    return changed;
  }

  /** A peer left: it is no longer the optimistic unchoke. */
  peerGone(key: string): void {
    if (this.optimistic === key) this.optimistic = null;
  }
}
