/**
 * The two-tier (hierarchical) overlay of one tab. The edge names the room's super-peers; a
 * super-peer links to the other super-peers, accepts leaves and indexes their file lists, and
 * floods queries among super-peers only. A leaf keeps one link in this tier, to the super-peer
 * rendezvous hashing gives it, uploads its file list and its changes there, and sends its
 * queries there. When its super-peer goes, the leaf attaches to its next choice at once.
 */
import type { HitResult, OverlayFile, OverlayMessage } from '../../protocol/overlay';
import { OVERLAY_CHANNELS, OVERLAY_LIMITS } from '../../protocol/overlay';
import { hitResults } from '../core/overlay-search';
import { rendezvousOrder } from '../../protocol/rendezvous';
import { Emitter } from '../core/emitter';
import type { LinkManager } from '../net/link-manager';
import { OverlayNode, type Admission } from '../overlay/overlay-node';

/** A super-peer accepts at most this many leaves. */
export const MAX_LEAVES = 100;
/** A super-peer links to at most this many other super-peers. */
export const MAX_SUPER_LINKS = 8;
/** Files a super-peer indexes for one leaf. */
const MAX_FILES_PER_LEAF = 1_000;
const RETRY_MS = 500;
/** A super-peer that failed, refused or went away is not tried again for this long. */
const AVOID_MS = 2_000;
const PING_MS = 15_000;

export type TierRole = 'super' | 'leaf' | 'none';

export interface SuperPeerOptions {
  selfId: () => string;
  links: LinkManager;
  /** Files this tab holds completely. */
  files: () => OverlayFile[];
}

export interface SuperPeerEvents extends Record<string, unknown> {
  /** A leaf attached to a super-peer (handshake done, file list uploaded). */
  attached: { superPeer: string; ms: number };
  role: TierRole;
}

export class SuperPeerTier extends Emitter<SuperPeerEvents> {
  readonly node: OverlayNode;
  private supers: string[] = [];
  private roleNow: TierRole = 'none';
  private attachedTo: string | null = null;
  private attaching = false;
  private detachedAt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private readonly avoid = new Map<string, number>();
  private readonly leafFiles = new Map<string, Map<string, OverlayFile>>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly opts: SuperPeerOptions) {
    super();
    this.node = new OverlayNode(OVERLAY_CHANNELS.superpeer, opts.selfId, opts.links, {
      role: () => (this.roleNow === 'super' ? 'super' : 'leaf'),
      admit: (from, role) => this.admit(from, role),
      targets: () => this.superNeighbours(),
      match: (words) => this.match(words),
      files: () => this.fileCount(),
      leaves: () => this.leaves(),
      onFiles: (from, msg) => this.onFiles(from, msg),
    });
    this.node.on('neighbour-down', ({ peer }) => this.onDown(peer));
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.node.neighbourIds().length > 0) this.node.originate('ping', 2);
    }, PING_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    for (const p of this.node.neighbourIds()) this.node.disconnect(p, 'leaving');
  }

  role(): TierRole {
    return this.roleNow;
  }

  superList(): string[] {
    return [...this.supers];
  }

  superPeer(): string | null {
    return this.attachedTo;
  }

  leaves(): string[] {
    return this.node.neighbourIds().filter((p) => this.node.roleOf(p) === 'leaf');
  }

  superNeighbours(): string[] {
    return this.node.neighbourIds().filter((p) => this.node.roleOf(p) === 'super');
  }

  /** A super-peer's index of its leaves' files (its own are `files()`), by leaf and info hash. */
  leafIndex(): ReadonlyMap<string, ReadonlyMap<string, OverlayFile>> {
    return this.leafFiles;
  }

  /** The edge named the room's super-peers. */
  setSupers(supers: string[]): void {
    this.supers = [...supers];
    const self = this.opts.selfId();
    const role: TierRole = supers.includes(self) ? 'super' : supers.length > 0 ? 'leaf' : 'none';
    if (role !== this.roleNow) {
      const was = this.roleNow;
      this.roleNow = role;
      // A demoted super-peer leaves the tier's upper level entirely: its leaves and its super-peer links.
      if (was === 'super') for (const p of this.node.neighbourIds()) this.node.disconnect(p, 'no longer a super-peer');
      if (was === 'leaf' && this.attachedTo) {
        const sp = this.attachedTo;
        this.attachedTo = null;
        this.node.disconnect(sp, 'promoted to super-peer');
      }
      this.emit('role', role);
    }
    // Neighbours that are no longer super-peers are dropped from this tier.
    for (const p of this.superNeighbours()) if (!supers.includes(p)) this.node.disconnect(p, 'no longer a super-peer');
    this.reconcile();
  }

  /** A peer left the room: if it was our super-peer, attach elsewhere now. */
  peerLeft(peer: string): void {
    this.supers = this.supers.filter((p) => p !== peer);
    this.node.disconnect(peer, 'peer left the room');
    this.reconcile();
  }

  /** This tab's files changed: a leaf tells its super-peer. */
  filesChanged(add: OverlayFile[], remove: string[]): void {
    if (this.roleNow !== 'leaf' || !this.attachedTo) return;
    for (let i = 0; i < Math.max(add.length, remove.length); i += OVERLAY_LIMITS.files) {
      this.node.send(this.attachedTo, {
        type: 'files',
        reset: false,
        add: add.slice(i, i + OVERLAY_LIMITS.files),
        remove: remove.slice(i, i + OVERLAY_LIMITS.files),
      });
    }
  }

  /** Bring the links of this tier in line with the role. */
  private reconcile(): void {
    if (this.roleNow === 'super') {
      const self = this.opts.selfId();
      const others = rendezvousOrder(self, this.supers).slice(0, MAX_SUPER_LINKS);
      for (const p of others) if (!this.node.isNeighbour(p) && !this.node.isPending(p)) this.node.connect(p).catch(() => {});
      return;
    }
    if (this.roleNow === 'leaf') void this.attach();
  }

  /** A leaf attaches to the best super-peer that accepts it (rendezvous order). */
  private async attach(): Promise<void> {
    if (this.attaching) return;
    const current = this.attachedTo;
    if (current && this.supers.includes(current) && this.node.isNeighbour(current)) return;
    this.attaching = true;
    try {
      if (current) {
        this.attachedTo = null;
        this.node.disconnect(current, 're-attaching');
      }
      const self = this.opts.selfId();
      const now = Date.now();
      const order = rendezvousOrder(self, this.supers).filter((p) => now - (this.avoid.get(p) ?? -Infinity) > AVOID_MS);
      for (const sp of order) {
        if (this.roleNow !== 'leaf') return;
        try {
          await this.node.connect(sp);
        } catch {
          this.avoid.set(sp, Date.now());
          continue;
        }
        if (this.roleNow !== 'leaf' || !this.supers.includes(sp)) {
          this.node.disconnect(sp, 'super-peer list changed');
          continue;
        }
        this.attachedTo = sp;
        this.upload(sp);
        this.emit('attached', { superPeer: sp, ms: this.detachedAt ? Date.now() - this.detachedAt : 0 });
        this.node.emit('change', undefined);
        return;
      }
      this.scheduleRetry();
    } finally {
      this.attaching = false;
    }
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.avoid.clear();
      this.reconcile();
    }, RETRY_MS);
  }

  /** The whole file list, in messages of at most 100 files (the first one resets). */
  private upload(sp: string): void {
    const files = this.opts.files();
    let first = true;
    for (let i = 0; first || i < files.length; i += OVERLAY_LIMITS.files) {
      this.node.send(sp, { type: 'files', reset: first, add: files.slice(i, i + OVERLAY_LIMITS.files), remove: [] });
      first = false;
    }
  }

  private onDown(peer: string): void {
    this.leafFiles.delete(peer);
    if (peer === this.attachedTo) {
      this.attachedTo = null;
      this.detachedAt = Date.now();
      this.avoid.set(peer, Date.now());
      this.reconcile();
    }
  }

  private admit(from: string, role: string): Admission {
    if (this.roleNow !== 'super') return { ok: false, reason: 'not a super-peer' };
    if (role === 'leaf') {
      if (this.leaves().length >= MAX_LEAVES) return { ok: false, reason: `full: ${MAX_LEAVES} leaves` };
      return { ok: true };
    }
    if (role === 'super') return { ok: true };
    return { ok: false, reason: 'the super-peer tier admits leaves and super-peers only' };
  }

  private onFiles(from: string, msg: Extract<OverlayMessage, { type: 'files' }>): void {
    if (this.roleNow !== 'super') return;
    const files = msg.reset ? new Map<string, OverlayFile>() : (this.leafFiles.get(from) ?? new Map<string, OverlayFile>());
    for (const h of msg.remove) files.delete(h);
    for (const f of msg.add) if (files.size < MAX_FILES_PER_LEAF || files.has(f.infoHash)) files.set(f.infoHash, f);
    this.leafFiles.set(from, files);
  }

  private match(words: readonly string[]): HitResult[] {
    if (this.roleNow !== 'super') return [];
    const holders: [string, Iterable<OverlayFile>][] = [[this.opts.selfId(), this.opts.files()]];
    for (const [leaf, files] of this.leafFiles) if (this.node.isNeighbour(leaf)) holders.push([leaf, files.values()]);
    return hitResults(holders, words);
  }

  private fileCount(): number {
    let n = this.opts.files().length;
    if (this.roleNow === 'super') for (const f of this.leafFiles.values()) n += f.size;
    return n;
  }
}
