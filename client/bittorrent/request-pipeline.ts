/**
 * Filling peers' request pipelines: our interest in each peer (it has a piece we want, or one a
 * player reads), and requests from the request book as its pipeline drains, within the download
 * limit (never more blocks than its budget pays for; over it, the peer is asked for nothing more
 * until the budget refills).
 */
import type { Bitfield } from '../../protocol/bitfield';
import type { RateLimit } from '../core/rate';
import { pipelineDepth } from '../core/requests';
import { askable, limitedDepth, refillDue, wantsFrom } from './request-rules';
import type { SwarmPeer } from './swarm-peer';
import type { SwarmState } from './torrent-types';

export class RequestPipeline {
  constructor(
    private readonly limits: { readonly down: RateLimit },
    private readonly rng: () => number,
    /** The pieces of the selected files (`wanted` null: every piece). */
    private readonly selection: { readonly wanted: Bitfield | null },
  ) {}

  /** Tell the peer whether we are interested (when that changed), then fill its pipeline. */
  updateInterest(p: SwarmPeer, s: SwarmState | null): void {
    if (!s || !p.bitfield) return;
    const urgent = s.book.urgentPieces();
    const want = wantsFrom(askable(p.bitfield, p.uploadOnly, urgent), s.have, this.selection.wanted, urgent);
    if (want !== p.amInterested) {
      p.amInterested = want;
      p.conn.send({ type: want ? 'interested' : 'not-interested' });
    }
    this.fill(p, s);
  }

  /** Ask the peer for more blocks, if it unchokes us, we are interested and its pipeline is worth refilling. */
  fill(p: SwarmPeer, s: SwarmState | null): void {
    if (!s || !p.bitfield || p.peerChoking || !p.amInterested || p.fillTimer) return;
    const now = Date.now();
    const depth = pipelineDepth(p.conn.down.rate(now));
    const outstanding = s.book.outstanding(p.key);
    if (!refillDue(outstanding, depth)) return;
    const budget = this.limits.down.available(now);
    const want = limitedDepth(outstanding, depth, budget, s.book.blockLength);
    const theirs = askable(p.bitfield, p.uploadOnly, s.book.urgentPieces());
    const reqs = s.book.nextRequests(p.key, theirs, s.have, s.availability, want, now, this.rng);
    // In debt: wait until the budget pays for a block again.
    let wait = budget <= 0 ? Math.ceil(((s.book.blockLength - budget) / this.limits.down.bytesPerSecond) * 1000) : 0;
    for (const r of reqs) {
      p.conn.send({ type: 'request', ...r });
      wait = Math.max(wait, this.limits.down.reserve(r.length, now));
    }
    if (wait > 0) {
      // Over the download limit: ask for nothing more from this peer until the budget refills.
      p.fillTimer = setTimeout(() => {
        p.fillTimer = null;
        this.fill(p, s);
      }, wait);
    }
  }

  /** The peer is gone: its pending refill is dropped. */
  stop(p: SwarmPeer): void {
    if (p.fillTimer) clearTimeout(p.fillTimer);
  }
}
