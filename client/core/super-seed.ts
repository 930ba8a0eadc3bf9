/**
 * Super-seeding (BEP 16) for an initial seeder, whose upload is the scarce resource: instead of
 * announcing every piece, it offers each peer a few pieces (one `have` each) that nobody has yet.
 * The seeder then sends each piece about once, and the leechers trade the rest among themselves.
 *
 *   - A peer is offered only pieces it lacks that no neighbour has and no peer we unchoke is
 *     fetching from us (ties at random): a piece leaves us again only once its holders are gone.
 *     An offer to a peer we choke (it keeps the peer interested) does not hold its piece back
 *     from the peers we upload to.
 *   - A peer that announces an offered piece (got from us or from anyone) gets a new offer;
 *     `depth` open offers at most (offerDepth: enough to keep its pipe full while we unchoke it,
 *     one while we choke it, so that it stays interested).
 *   - Once no peer we unchoke has held an open offer for STARVED_MS (our upload idles: every
 *     piece is out, or the peers do not pass pieces on, as pure clients never do), the peers are
 *     offered the rarest pieces they lack instead, from then on, so that nobody waits for a piece
 *     that does not spread; `starved(now)`, from the torrent's tick, says when to offer again.
 *   - A peer still not interested DECLINE_MS after an offer wants none of what it was offered
 *     (it fetches only some files): it is told every piece, as a plain seeder would, so that a
 *     partial download is never left waiting for an offer it wants.
 *   - It still serves any piece it is asked for: a client of ours whose player needs a piece not
 *     offered asks for it anyway, seeing `upload_only` in our extended handshake (BEP 21).
 *
 * Pure: the torrent sends the `have`s, reads its peers' bitfields and the availability, and
 * ends super-seeding (announcing everything) when the user turns it off.
 */
import type { Bitfield } from '../../protocol/bitfield';
import type { Availability } from './picker';
import { usableRate } from './rate';

/** Open offers a peer holds at least while we unchoke it, and at most. */
export const MIN_OFFERS = 2;
export const MAX_OFFERS = 32;
/** A peer not interested this long after an offer declined it. */
export const DECLINE_MS = 1_500;
/** Our upload idle this long with no piece no one has: offer the rarest (see above). */
export const STARVED_MS = 2_000;

/**
 * Open offers to keep with a peer we upload to at `upRate` bytes/s: a second's worth of pieces
 * plus one (its pipe stays full across the round trip of a `have` and the next offer), clamped to
 * [MIN_OFFERS, MAX_OFFERS]; 1 while we choke it (it stays interested, ready for its unchoke).
 */
export function offerDepth(upRate: number, pieceLength: number, unchoked: boolean): number {
  if (!unchoked) return 1;
  const rate = usableRate(upRate);
  return Math.max(MIN_OFFERS, Math.min(MAX_OFFERS, Math.ceil(rate / pieceLength) + 1));
}

interface Offers {
  /** Pieces announced to it. */
  readonly told: Set<number>;
  /** Announced and not yet announced back by it. */
  readonly open: Set<number>;
  /** We unchoke it: its open offers count in `out`. */
  unchoked: boolean;
  /** When it was last offered a piece (ms). */
  offeredAt: number;
  /** It declined: told every piece, offered nothing more. */
  all: boolean;
}

export class SuperSeed {
  /** Per piece: open offers of it to peers we unchoke. */
  private readonly out: Uint32Array;
  private readonly peers = new Map<string, Offers>();
  /** Since when no peer we unchoke holds an open offer (null: one does). */
  private idleSince: number | null = null;
  /** Starved once: the rarest pieces are offered, not only those no one has. */
  private rarest = false;

  constructor(readonly pieceCount: number) {
    if (!Number.isInteger(pieceCount) || pieceCount < 0) throw new RangeError(`bad piece count ${pieceCount}`);
    this.out = new Uint32Array(pieceCount);
  }

  /** A peer joined: it is told nothing yet (no bitfield goes to it), only what `offer` returns. */
  join(peer: string): void {
    this.leave(peer);
    this.peers.set(peer, { told: new Set(), open: new Set(), unchoked: false, offeredAt: 0, all: false });
  }

  /** We unchoked (`on`) or choked the peer: whether its open offers hold their pieces back from others. */
  setUnchoked(peer: string, on: boolean): void {
    const o = this.peers.get(peer);
    if (!o || o.unchoked === on || o.all) return;
    o.unchoked = on;
    for (const i of o.open) this.count(i, on ? 1 : -1);
  }

  /** Open offers to the peer. */
  openOffers(peer: string): number {
    return this.peers.get(peer)?.open.size ?? 0;
  }

  /** The peer announced piece `index` (a `have`, or a bit of its bitfield): an offer of it is closed. */
  had(peer: string, index: number): void {
    const o = this.peers.get(peer);
    if (!o || !o.open.delete(index)) return;
    if (o.unchoked) this.count(index, -1);
  }

  /**
   * New offers to `peer`, up to `depth` open ones: the pieces it lacks (`has`, its bitfield)
   * with the fewest holders (`availability`, the seeder's neighbours) plus open offers, ties
   * broken by `rng`, at `now` (before starving, only those with none). Returns them, to be
   * announced with `have`s. One pass over the pieces, keeping the best `need` (it runs on every
   * `have` a peer sends while its offers are short, so no sort of every piece).
   */
  offer(peer: string, has: Bitfield, availability: Availability, depth: number, rng: () => number, now: number): number[] {
    const o = this.peers.get(peer);
    if (!o || o.all) return [];
    for (const i of [...o.open]) if (has.get(i)) this.had(peer, i);
    const need = Math.floor(depth) - o.open.size;
    if (need <= 0) return [];
    // The best `need` so far, best first.
    const best: { i: number; score: number; key: number }[] = [];
    const worse = (a: { score: number; key: number }, b: { score: number; key: number }) => a.score > b.score || (a.score === b.score && a.key > b.key);
    for (let i = 0; i < this.pieceCount; i++) {
      if (has.get(i) || o.told.has(i)) continue;
      const score = availability.count(i) + (this.out[i] ?? 0);
      // Pieces someone has or fetches from us: only once our upload starved.
      if (score > 0 && !this.rarest) continue;
      const worst = best[best.length - 1];
      if (best.length === need && worst && score > worst.score) continue;
      const c = { i, score, key: rng() };
      if (best.length === need && worst && !worse(worst, c)) continue;
      let at = best.length;
      while (at > 0 && worse(best[at - 1] as { score: number; key: number }, c)) at--;
      best.splice(at, 0, c);
      if (best.length > need) best.pop();
    }
    const picked = best.map((c) => c.i);
    if (picked.length > 0) o.offeredAt = now;
    for (const i of picked) {
      o.told.add(i);
      o.open.add(i);
      if (o.unchoked) this.count(i, 1);
    }
    return picked;
  }

  /**
   * Called on the torrent's tick: true once no peer we unchoke has held an open offer for
   * STARVED_MS up to `now` (from then on the rarest pieces are offered: offer every peer again).
   */
  starved(now: number): boolean {
    let busy = false;
    for (const o of this.peers.values()) if (o.unchoked && o.open.size > 0) busy = true;
    if (busy) {
      this.idleSince = null;
      return false;
    }
    this.idleSince ??= now;
    if (now - this.idleSince >= STARVED_MS) this.rarest = true;
    return this.rarest;
  }

  /**
   * The peer is not interested at `now`: when it was offered pieces DECLINE_MS ago or more and
   * holds open offers, it declined them; it is told every piece it lacks (returned) and offered
   * nothing more. [] otherwise.
   */
  declined(peer: string, has: Bitfield, now: number): number[] {
    const o = this.peers.get(peer);
    if (!o || o.all || o.open.size === 0 || now - o.offeredAt < DECLINE_MS) return [];
    const rest = this.untold(peer, has);
    this.setUnchoked(peer, false);
    o.open.clear();
    o.all = true;
    return rest;
  }

  /** The pieces the peer lacks (`has`) and was not told of: what ending super-seeding announces to it. */
  untold(peer: string, has: Bitfield): number[] {
    const o = this.peers.get(peer);
    if (!o || o.all) return [];
    const out: number[] = [];
    for (let i = 0; i < this.pieceCount; i++) if (!has.get(i) && !o.told.has(i)) out.push(i);
    return out;
  }

  /** The peer left: its open offers are withdrawn. */
  leave(peer: string): void {
    const o = this.peers.get(peer);
    if (!o) return;
    this.setUnchoked(peer, false);
    this.peers.delete(peer);
  }

  private count(i: number, d: 1 | -1): void {
    this.out[i] = Math.max(0, (this.out[i] ?? 0) + d);
  }
}
