/**
 * The flat Gnutella overlay of one tab: it takes the bootstrap list from the edge (GnuCache),
 * keeps between `min` and `max` neighbours (replacing lost ones from the bootstrap list, pongs
 * and refusals' X-Try lists), pings now and then to learn the overlay, and floods queries.
 */
import type { HitResult, OverlayFile } from '../../protocol/overlay';
import { OVERLAY_CHANNELS } from '../../protocol/overlay';
import { hitResults } from '../core/overlay-search';
import type { LinkManager } from '../net/link-manager';
import { OverlayNode, type Admission } from '../overlay/overlay-node';

export const DEFAULT_DEGREE = { min: 3, max: 5 };
/** Overlay searches default to this ttl (Gnutella clients used 7; 4 covers a room). */
export const DEFAULT_GNUTELLA_TTL = 4;
/** How often the tab checks its degree, and pings to refresh what it knows of the overlay. */
const MAINTAIN_MS = 2_000;
const PING_MS = 15_000;
/** A candidate that failed is not tried again for this long. */
const RETRY_MS = 20_000;
/** The bootstrap list is asked for at most this often. */
const BOOTSTRAP_MS = 10_000;

export interface GnutellaOptions {
  selfId: () => string;
  links: LinkManager;
  /** Peers online in the room (the edge's presence): only they are worth a connect. */
  online: () => ReadonlySet<string>;
  /** Ask the edge for a bootstrap list; the answer comes back through `addCandidates`. */
  requestBootstrap: () => void;
  /** Files this tab holds completely. */
  files: () => OverlayFile[];
}

export class Gnutella {
  readonly node: OverlayNode;
  min = DEFAULT_DEGREE.min;
  max = DEFAULT_DEGREE.max;
  private readonly candidates = new Map<string, string>();
  private readonly failedAt = new Map<string, number>();
  private lastBootstrap = -Infinity;
  private readonly timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly opts: GnutellaOptions) {
    this.node = new OverlayNode(OVERLAY_CHANNELS.gnutella, opts.selfId, opts.links, {
      role: () => 'peer',
      admit: (from, role) => this.admit(from, role),
      targets: () => this.node.neighbourIds(),
      match: (words) => this.match(words),
      files: () => opts.files().length,
      leaves: () => [],
    });
    this.node.on('try', ({ peers }) => this.addCandidates(peers, 'x-try'));
    this.node.on('pong', (p) => this.addCandidates([p.peer, ...p.neighbours], 'pong'));
    this.node.on('neighbour-down', () => this.maintain());
  }

  start(): void {
    this.timers.push(setInterval(() => this.maintain(), MAINTAIN_MS));
    this.timers.push(
      setInterval(() => {
        if (this.node.neighbourIds().length > 0) this.node.originate('ping', 2);
      }, PING_MS),
    );
    this.maintain();
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const p of this.node.neighbourIds()) this.node.disconnect(p, 'leaving');
  }

  setDegree({ min, max }: { min?: number; max?: number }): void {
    if (min !== undefined) this.min = Math.max(0, Math.floor(min));
    if (max !== undefined) this.max = Math.max(1, Math.floor(max));
    if (this.min > this.max) this.max = this.min;
    this.maintain();
  }

  /** Peers we may connect to, learned from the bootstrap list, pongs and refusals. */
  addCandidates(peers: string[], source: string): void {
    const self = this.opts.selfId();
    for (const p of peers) if (p !== self && !this.candidates.has(p)) this.candidates.set(p, source);
    this.maintain();
  }

  /** A peer left the room. */
  peerLeft(peer: string): void {
    this.candidates.delete(peer);
    // Its link may outlive a short drop of its signaling socket: bye keeps both sides in step.
    this.node.disconnect(peer, 'peer left the room');
  }

  /** Open connects until the degree reaches `min` (one round; the timer calls it again). */
  maintain(): void {
    const self = this.opts.selfId();
    if (!self) return;
    const have = this.node.neighbourIds().length + this.node.pendingCount();
    let missing = this.min - have;
    if (missing <= 0) return;
    const now = Date.now();
    const online = this.opts.online();
    const fresh = [...this.candidates.keys()].filter(
      (p) => online.has(p) && !this.node.isNeighbour(p) && !this.node.isPending(p) && now - (this.failedAt.get(p) ?? -Infinity) > RETRY_MS,
    );
    if (fresh.length < missing && now - this.lastBootstrap > BOOTSTRAP_MS) {
      this.lastBootstrap = now;
      this.opts.requestBootstrap();
    }
    while (missing > 0 && fresh.length > 0) {
      const i = Math.floor(Math.random() * fresh.length);
      const peer = fresh.splice(i, 1)[0] as string;
      missing--;
      this.node.connect(peer).catch(() => {
        this.failedAt.set(peer, Date.now());
      });
    }
  }

  private admit(from: string, role: string): Admission {
    if (role !== 'peer') return { ok: false, reason: `this is the flat Gnutella overlay; a ${role} belongs to the super-peer tier` };
    if (this.node.isNeighbour(from)) return { ok: true };
    const n = this.node.neighbourIds().length;
    if (n >= this.max) return { ok: false, reason: `full: ${n} neighbours (max ${this.max})` };
    return { ok: true };
  }

  private match(words: readonly string[]): HitResult[] {
    return hitResults([[this.opts.selfId(), this.opts.files()]], words);
  }
}
