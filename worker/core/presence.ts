/**
 * Presence of one room: who is online, and which peers each member has been told of (its
 * view). Pure: the Lobby passes ids and a random source, persists the views and sends what an
 * operation returns.
 *
 * Up to `fullUpTo` members everyone is told of everyone, as a class room wants. Beyond it a
 * joiner gets a random sample of at most `view` others, and its arrival is told only to members
 * whose view is not full ("hungry"), at most `view` of them. A leave is told only to the
 * members that hold the leaver in their view, and each of them is given a replacement (another
 * random member) so views stay filled. A member may ask for a fresh sample at any time. Every
 * operation costs O(view) (with sampling by rejection from the member array), whatever the size
 * of the room: nothing here walks all members once the room is large.
 */

export interface PresenceTuning {
  /** Rooms up to this size: everyone sees everyone. */
  fullUpTo: number;
  /** Beyond it: the largest view a member is given. */
  view: number;
}

export interface JoinOutcome {
  /** The others the joiner is told of (its view). */
  roster: string[];
  /** The members to tell of the joiner (they add it to their views). */
  notify: string[];
  /** Members now online, the joiner included. */
  count: number;
}

export interface LeaveOutcome {
  /** The members that held the leaver in their views: they are told it left. */
  notify: string[];
  /** Replacements: `holder` is told of `peer` (a random member it did not hold). */
  refills: { holder: string; peer: string }[];
  count: number;
}

/** A set with O(1) add, delete and uniform random pick. */
class PickSet {
  private readonly items: string[] = [];
  private readonly at = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  has(x: string): boolean {
    return this.at.has(x);
  }

  add(x: string): void {
    if (this.at.has(x)) return;
    this.at.set(x, this.items.length);
    this.items.push(x);
  }

  delete(x: string): void {
    const i = this.at.get(x);
    if (i === undefined) return;
    const last = this.items.pop() as string;
    this.at.delete(x);
    if (last !== x) {
      this.items[i] = last;
      this.at.set(last, i);
    }
  }

  values(): readonly string[] {
    return this.items;
  }

  /**
   * Up to `k` distinct items, uniformly at random, none in `exclude`. Rejection sampling when
   * `k` is small against the set (O(k) expected), a partial shuffle of a copy otherwise.
   */
  sample(k: number, rng: () => number, exclude: (x: string) => boolean): string[] {
    const n = this.items.length;
    if (k <= 0 || n === 0) return [];
    if (n <= 4 * k + 8) {
      const a = this.items.filter((x) => !exclude(x));
      const m = Math.min(k, a.length);
      for (let i = 0; i < m; i++) {
        const j = i + Math.floor(rng() * (a.length - i));
        [a[i], a[j]] = [a[j] as string, a[i] as string];
      }
      return a.slice(0, m);
    }
    const out = new Set<string>();
    for (let tries = 0; out.size < k && tries < 8 * k + 32; tries++) {
      const x = this.items[Math.floor(rng() * n)] as string;
      if (!exclude(x)) out.add(x);
    }
    return [...out];
  }
}

export class Presence {
  private readonly members = new PickSet();
  /** holder -> the peers it has been told of. */
  private readonly views = new Map<string, Set<string>>();
  /** peer -> the holders that have been told of it. */
  private readonly holders = new Map<string, Set<string>>();
  /** Members whose view holds fewer than `tuning.view` peers. */
  private readonly hungry = new PickSet();

  constructor(
    private tuning: PresenceTuning,
    private readonly rng: () => number,
  ) {}

  get size(): number {
    return this.members.size;
  }

  /** The size up to which everyone sees everyone. */
  get fullUpTo(): number {
    return this.tuning.fullUpTo;
  }

  /** Whether the room is past its full-view size: peers see a count and a partial view. */
  get partial(): boolean {
    return this.members.size > this.tuning.fullUpTo;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  ids(): readonly string[] {
    return this.members.values();
  }

  viewOf(id: string): ReadonlySet<string> {
    return this.views.get(id) ?? new Set();
  }

  /** Change the sizes (a room's tuning is fixed in practice; a change re-derives who is hungry). */
  retune(tuning: PresenceTuning): void {
    if (tuning.fullUpTo === this.tuning.fullUpTo && tuning.view === this.tuning.view) return;
    this.tuning = tuning;
    for (const id of this.members.values()) this.updateHunger(id);
  }

  /** Rebuild from persisted state: the members and the (holder, peer) pairs of their views. */
  restore(ids: readonly string[], pairs: readonly (readonly [string, string])[]): void {
    for (const id of ids) this.members.add(id);
    for (const [holder, peer] of pairs) if (this.members.has(holder) && this.members.has(peer) && holder !== peer) this.link(holder, peer);
    for (const id of ids) this.updateHunger(id);
  }

  /** A member joins (or joins again from a new socket: its old view is forgotten, others keep it). */
  join(id: string): JoinOutcome {
    this.forgetView(id);
    this.members.add(id);
    const full = !this.partial;
    const others = (x: string) => x === id;
    const roster = full ? this.members.values().filter((x) => x !== id) : this.members.sample(this.tuning.view, this.rng, others);
    for (const p of roster) this.link(id, p);
    const already = this.holders.get(id);
    const notify = full
      ? roster.filter((x) => !already?.has(x))
      : this.hungry.sample(this.tuning.view, this.rng, (x) => x === id || !!already?.has(x));
    for (const h of notify) this.link(h, id);
    for (const x of [id, ...notify]) this.updateHunger(x);
    return { roster, notify, count: this.members.size };
  }

  /** A member leaves: the members that held it are told, and each gets a replacement if one is free. */
  leave(id: string): LeaveOutcome {
    if (!this.members.has(id)) return { notify: [], refills: [], count: this.members.size };
    const notify = [...(this.holders.get(id) ?? [])];
    for (const h of notify) this.unlink(h, id);
    this.forgetView(id);
    this.holders.delete(id);
    this.members.delete(id);
    this.hungry.delete(id);
    const refills: { holder: string; peer: string }[] = [];
    for (const holder of notify) {
      const view = this.views.get(holder);
      const [peer] = this.members.sample(1, this.rng, (x) => x === holder || !!view?.has(x));
      if (peer) {
        this.link(holder, peer);
        refills.push({ holder, peer });
      }
      this.updateHunger(holder);
    }
    return { notify, refills, count: this.members.size };
  }

  /** A fresh view for `id` (a new random sample), replacing the one it had. */
  refresh(id: string): string[] {
    if (!this.members.has(id)) return [];
    this.forgetView(id);
    const roster = this.partial ? this.members.sample(this.tuning.view, this.rng, (x) => x === id) : this.members.values().filter((x) => x !== id);
    for (const p of roster) this.link(id, p);
    this.updateHunger(id);
    return roster;
  }

  /** Up to `k` random members other than `id` (a bootstrap sample; views are not changed). */
  sample(k: number, id: string): string[] {
    return this.members.sample(k, this.rng, (x) => x === id);
  }

  private link(holder: string, peer: string): void {
    let v = this.views.get(holder);
    if (!v) this.views.set(holder, (v = new Set()));
    v.add(peer);
    let h = this.holders.get(peer);
    if (!h) this.holders.set(peer, (h = new Set()));
    h.add(holder);
  }

  private unlink(holder: string, peer: string): void {
    this.views.get(holder)?.delete(peer);
    this.holders.get(peer)?.delete(holder);
  }

  private forgetView(id: string): void {
    for (const p of this.views.get(id) ?? []) this.holders.get(p)?.delete(id);
    this.views.delete(id);
  }

  private updateHunger(id: string): void {
    if (!this.members.has(id)) return;
    // Below `view`: hungry even when it holds every other member (the room may grow).
    if ((this.views.get(id)?.size ?? 0) < this.tuning.view) this.hungry.add(id);
    else this.hungry.delete(id);
  }
}
