/**
 * How many WebRTC connections a tab's torrents may hold (pure: explicit `now`, no timers). Every
 * torrent connection, ours or answered, takes a slot before its RTCPeerConnection exists; a slot
 * is `pending` until the BitTorrent handshake completes, then `open`. Offers beyond the budget are
 * refused, pending slots older than `pendingMs` are expired, and an inbound offer that finds its
 * torrent or the tab full may displace the oldest pending answer (never an open connection).
 *
 * Chromium refuses a page's 501st RTCPeerConnection, and a closed one still counts until it is
 * garbage-collected: so besides the live counts, the rate at which slots are handed out is capped.
 */
import { TokenBucket } from '../../protocol/token-bucket';

export type Direction = 'in' | 'out';

/** Why a connection was not made. */
export type Refusal =
  /** This remote already has a connection (pending or open) in this torrent. */
  | 'source-busy'
  /** The torrent has its most pending connections of this direction, none old enough to displace. */
  | 'torrent-pending'
  /** The torrent has its most connections. */
  | 'torrent-full'
  /** The tab has its most pending or total connections. */
  | 'tab-full'
  /** New connections come faster than the tab's rate. */
  | 'rate';

export const REFUSALS: readonly Refusal[] = ['source-busy', 'torrent-pending', 'torrent-full', 'tab-full', 'rate'];

export interface BudgetLimits {
  /** Connections of one torrent, pending and open. */
  torrentTotal: number;
  /** Pending connections of one torrent: answers to others' offers, and our own offers. */
  torrentPendingIn: number;
  torrentPendingOut: number;
  /** Connections of all torrents of the tab, and of those the pending ones. */
  tabTotal: number;
  tabPending: number;
  /** A connection still pending after this long is stale. */
  pendingMs: number;
  /** A pending answer keeps its slot at least this long before a newer offer may displace it. */
  holdMs: number;
  /** New connections per second, and the burst, per direction (tab-wide). */
  ratePerSecond: Record<Direction, number>;
  burst: Record<Direction, number>;
}

/**
 * The tab's budget. A torrent wants at most 50 peers (the engine's cap): 60 leaves room for the
 * pending attempts that replace those that go. An honest connection is pending for well under a
 * second on a LAN and a few seconds through STUN: 16 pending answers a torrent and 10 pending
 * offers (two announces of 5) are plenty, and 10 s is stale. 200 connections a tab (pending at
 * most 64) stay far below Chromium's 500 with the overlay's 50 links beside them; 5 answers a
 * second (burst 20) make at most 300 connections a minute, which garbage collection keeps up with.
 */
export const DEFAULT_LIMITS: BudgetLimits = {
  torrentTotal: 60,
  torrentPendingIn: 16,
  torrentPendingOut: 10,
  tabTotal: 200,
  tabPending: 64,
  pendingMs: 10_000,
  holdMs: 1_000,
  ratePerSecond: { in: 5, out: 3 },
  burst: { in: 20, out: 20 },
};

export interface Slot {
  id: number;
  torrent: string;
  /** Who the connection is with, when known before it exists (the offerer, or whom we offer to). */
  source: string | null;
  dir: Direction;
  since: number;
  open: boolean;
}

export type Admission = { ok: true; id: number; displaced: number[] } | { ok: false; reason: Refusal };

export interface BudgetStats {
  open: number;
  /** Pending answers to others' offers, and pending offers of ours. */
  pendingIn: number;
  pendingOut: number;
  admitted: number;
  /** Offers of others not answered, by reason. */
  refused: Record<Refusal, number>;
  /** Our own offers not made, by reason. */
  skipped: Record<Refusal, number>;
  /** Pending connections closed as stale, and pending answers displaced by newer offers. */
  expired: number;
  displaced: number;
}

function zeroes(): Record<Refusal, number> {
  return { 'source-busy': 0, 'torrent-pending': 0, 'torrent-full': 0, 'tab-full': 0, rate: 0 };
}

export class ConnectionBudget {
  private readonly slots = new Map<number, Slot>();
  private nextId = 1;
  /** The rate of new connections of each direction (made full at the first admit of it). */
  private readonly rates: Record<Direction, TokenBucket | null> = { in: null, out: null };
  private readonly counters = { admitted: 0, refused: zeroes(), skipped: zeroes(), expired: 0, displaced: 0 };

  constructor(readonly limits: BudgetLimits = DEFAULT_LIMITS) {}

  /** Ask for a slot before creating the connection. `displaced`: pending slots given up for it. */
  admit(torrent: string, source: string | null, dir: Direction, now: number): Admission {
    const refuse = (reason: Refusal): Admission => {
      (dir === 'in' ? this.counters.refused : this.counters.skipped)[reason]++;
      return { ok: false, reason };
    };
    if (source !== null && this.find((s) => s.torrent === torrent && s.source === source)) return refuse('source-busy');
    const rate = (this.rates[dir] ??= new TokenBucket(this.limits.burst[dir], this.limits.ratePerSecond[dir], now));
    if (rate.available(now) < 1) return refuse('rate');
    const full = this.fullness(torrent, dir);
    const displaced: number[] = [];
    if (full) {
      const victim = dir === 'in' ? this.victim(full === 'tab-full' ? null : torrent, now) : undefined;
      if (!victim) return refuse(full);
      this.slots.delete(victim.id);
      this.counters.displaced++;
      displaced.push(victim.id);
    }
    rate.take(now);
    const id = this.nextId++;
    this.slots.set(id, { id, torrent, source, dir, since: now, open: false });
    this.counters.admitted++;
    return { ok: true, id, displaced };
  }

  /** The BitTorrent handshake completed: the connection is open and is never expired or displaced. */
  opened(id: number): void {
    const s = this.slots.get(id);
    if (s) s.open = true;
  }

  /** The remote is known now (an answer to our offer names it). */
  identify(id: number, source: string): void {
    const s = this.slots.get(id);
    if (s && s.source === null) s.source = source;
  }

  /** The connection is gone: its slot is free. */
  release(id: number): void {
    this.slots.delete(id);
  }

  /** Pending slots older than `pendingMs`: removed and returned, for the caller to close. */
  expire(now: number): number[] {
    const out: number[] = [];
    for (const s of this.slots.values()) {
      if (!s.open && now - s.since >= this.limits.pendingMs) out.push(s.id);
    }
    for (const id of out) this.slots.delete(id);
    this.counters.expired += out.length;
    return out;
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  stats(): BudgetStats {
    let open = 0;
    let pendingIn = 0;
    for (const s of this.slots.values()) {
      if (s.open) open++;
      else if (s.dir === 'in') pendingIn++;
    }
    return {
      open,
      pendingIn,
      pendingOut: this.slots.size - open - pendingIn,
      admitted: this.counters.admitted,
      refused: { ...this.counters.refused },
      skipped: { ...this.counters.skipped },
      expired: this.counters.expired,
      displaced: this.counters.displaced,
    };
  }

  /** Which limit a new slot of `dir` in `torrent` would break, if any. */
  private fullness(torrent: string, dir: Direction): Refusal | null {
    let torrentTotal = 0;
    let torrentPending = 0;
    let tabPending = 0;
    for (const s of this.slots.values()) {
      if (!s.open) tabPending++;
      if (s.torrent !== torrent) continue;
      torrentTotal++;
      if (!s.open && s.dir === dir) torrentPending++;
    }
    const L = this.limits;
    if (torrentPending >= (dir === 'in' ? L.torrentPendingIn : L.torrentPendingOut)) return 'torrent-pending';
    if (torrentTotal >= L.torrentTotal) return 'torrent-full';
    if (tabPending >= L.tabPending || this.slots.size >= L.tabTotal) return 'tab-full';
    return null;
  }

  /** The oldest pending answer (of `torrent`, or of any torrent) held at least `holdMs`. */
  private victim(torrent: string | null, now: number): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots.values()) {
      if (s.open || s.dir !== 'in' || (torrent !== null && s.torrent !== torrent)) continue;
      if (now - s.since < this.limits.holdMs) continue;
      if (!best || s.since < best.since) best = s;
    }
    return best;
  }

  private find(pred: (s: Slot) => boolean): Slot | undefined {
    for (const s of this.slots.values()) if (pred(s)) return s;
    return undefined;
  }
}
