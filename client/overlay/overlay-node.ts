/**
 * One overlay (the flat Gnutella overlay, or the super-peer tier) as seen by one tab: its
 * neighbours (peers that completed the Connect/OK handshake on this overlay's channel), the
 * parsing of every inbound overlay message, and the flood router's decisions carried out on
 * the peer links. Policy (whom to admit, where to forward, what matches) comes from the owner.
 */
import { customAlphabet } from 'nanoid';
import {
  encodeOverlayMessage,
  MAX_TTL,
  OVERLAY_LIMITS,
  parseOverlayMessage,
  type HitResult,
  type OverlayChannel,
  type OverlayMessage,
  type OverlayRole,
  type PongMsg,
  type QueryHitMsg,
} from '../../protocol/overlay';
import type { DroppedEntry } from '../../protocol/entries';
import { Emitter } from '../core/emitter';
import { FloodRouter, type RouterAction, type RouterContext, type RouterOptions } from '../core/flood-router';
import { PendingTable } from '../core/pending';
import type { LinkManager } from '../net/link-manager';

export const newGuid = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 22);

/** How long a connect waits for OK or a refusal once it is sent (opening the link has its own timeout). */
const HANDSHAKE_MS = 4_000;

export type Admission = { ok: true } | { ok: false; reason: string };

export interface OverlayPolicy {
  /** This tab's role in this overlay, as sent in connect and ok. */
  role(): OverlayRole;
  /** Accept or refuse a connect from `from`, which says it is a `role`. */
  admit(from: string, role: OverlayRole): Admission;
  /** Where pings and queries are forwarded (the router leaves out the sender). */
  targets(): string[];
  /** Files here that answer a query. */
  match(words: readonly string[]): HitResult[];
  /** Files this tab reports in its pongs. */
  files(): number;
  /** A super-peer's leaves (empty otherwise). */
  leaves(): string[];
  /** A leaf's file list changes arrived (super-peer tier only). */
  onFiles?(from: string, msg: Extract<OverlayMessage, { type: 'files' }>): void;
}

export interface OverlayNodeEvents extends Record<string, unknown> {
  'neighbour-up': { peer: string; role: OverlayRole };
  'neighbour-down': { peer: string; reason: string };
  /** A refusal named other peers to try (Gnutella's X-Try). */
  try: { from: string; peers: string[] };
  hit: QueryHitMsg;
  pong: PongMsg;
  'bad-message': { from: string; error: Error };
  change: void;
}

export class OverlayNode extends Emitter<OverlayNodeEvents> {
  /** `badEntries`: entries of lists (query hit results, a leaf's files) dropped while the rest of their message was kept. */
  readonly counters = { badMessages: 0, badEntries: 0, notNeighbour: 0, refusedByThem: 0, refusedByUs: 0, sent: 0 };
  private readonly neighbours = new Map<string, { role: OverlayRole; since: number }>();
  /** Our connects waiting for OK or a refusal, by peer (the timeout starts once one is sent). */
  private readonly pending = new PendingTable<string, void>();
  /** The link each pending connect last went out on (a new link means it is sent again). */
  private readonly sentOn = new Map<string, object>();
  private current: { self: string; router: FloodRouter } | null = null;

  constructor(
    readonly channel: OverlayChannel,
    private readonly selfId: () => string,
    private readonly links: LinkManager,
    private readonly policy: OverlayPolicy,
    private readonly routerOptions?: RouterOptions,
  ) {
    super();
    links.on('link-close', ({ peer, reason }) => this.drop(peer, `link closed: ${reason}`));
    // A link replaced under a pending connect (both sides opened one at once) may have lost the
    // connect message: say it again on the new link.
    links.on('link-open', ({ peer }) => {
      if (this.pending.has(peer)) this.sendConnect(peer);
    });
  }

  /** The flood router of our current id (known once the edge has welcomed us; a new id, a new router). */
  get router(): FloodRouter {
    const self = this.selfId();
    if (this.current?.self !== self) this.current = { self, router: new FloodRouter(self, this.routerOptions) };
    return this.current.router;
  }

  neighbourIds(): string[] {
    return [...this.neighbours.keys()];
  }

  roleOf(peer: string): OverlayRole | undefined {
    return this.neighbours.get(peer)?.role;
  }

  isNeighbour(peer: string): boolean {
    return this.neighbours.has(peer);
  }

  pendingCount(): number {
    return this.pending.size;
  }

  isPending(peer: string): boolean {
    return this.pending.has(peer);
  }

  /** Open a link (if needed) and handshake. Resolves once the other side said OK. */
  connect(peer: string): Promise<void> {
    if (this.neighbours.has(peer)) return Promise.resolve();
    const existing = this.pending.promise(peer);
    if (existing) return existing;
    const promise = this.pending.add(peer, null, () => this.noAnswer(peer));
    this.sentOn.delete(peer);
    this.links
      .connect(peer)
      .then(() => this.sendConnect(peer))
      .catch((err: Error) => this.settle(peer, err));
    return promise;
  }

  /** Send (or send again) the connect of a pending handshake, and start waiting for the answer. */
  private sendConnect(peer: string): void {
    const link = this.links.get(peer);
    if (!this.pending.has(peer) || !link || this.sentOn.get(peer) === link) return;
    this.sentOn.set(peer, link);
    this.pending.arm(peer, HANDSHAKE_MS, () => this.noAnswer(peer));
    this.send(peer, { type: 'connect', role: this.policy.role() });
  }

  private noAnswer(peer: string): Error {
    this.sentOn.delete(peer);
    return new Error(`no answer to connect from ${peer} within ${HANDSHAKE_MS / 1000} s`);
  }

  /** Say bye and forget the neighbour (the link stays for other uses and idles out). */
  disconnect(peer: string, reason = 'disconnected'): void {
    // Bye only over a link that is open: never open one just to say goodbye.
    const link = this.links.get(peer);
    if (this.neighbours.has(peer) && link) link.send(this.channel, encodeOverlayMessage({ type: 'bye', reason })).catch(() => {});
    this.settle(peer, new Error(`connect to ${peer} cancelled: ${reason}`));
    this.drop(peer, reason);
  }

  /** Start a ping or query of our own; returns the guid and how many messages went out. */
  originate(type: 'ping', ttl: number, targets?: string[]): { guid: string; sent: number };
  originate(type: 'query', ttl: number, targets: string[] | undefined, words: string[]): { guid: string; sent: number };
  originate(type: 'ping' | 'query', ttl: number, targets?: string[], words?: string[]): { guid: string; sent: number } {
    const guid = newGuid();
    const t = Math.max(1, Math.min(MAX_TTL, Math.floor(ttl)));
    const msg = type === 'ping' ? { type, guid, ttl: t, hops: 0 } : { type, guid, ttl: t, hops: 0, words: words ?? [] };
    const actions = this.router.originate(msg, this.context(targets));
    const sent = actions.filter((a) => a.do === 'send').length;
    this.run(actions);
    return { guid, sent };
  }

  /** Send a leaf's file changes (or anything else) to one neighbour. */
  send(peer: string, msg: OverlayMessage): void {
    this.counters.sent++;
    const bytes = encodeOverlayMessage(msg);
    const link = this.links.get(peer);
    if (link) {
      // A failure means the link closed under us: its close event drops the neighbour.
      link.send(this.channel, bytes).catch(() => {});
      return;
    }
    // Data can arrive on a link a moment before it reports itself open: the answer waits for it.
    this.links
      .connect(peer)
      .then((l) => l.send(this.channel, bytes))
      .catch(() => this.drop(peer, 'no link'));
  }

  /** The link to `peer` is gone, or the peer left the room. */
  drop(peer: string, reason: string): void {
    this.settle(peer, new Error(`connect to ${peer} failed: ${reason}`));
    this.router.linkClosed(peer);
    if (!this.neighbours.delete(peer)) return;
    this.emit('neighbour-down', { peer, reason });
    this.emit('change', undefined);
  }

  /** Every message that arrived on this overlay's channel. */
  onData(from: string, bytes: Uint8Array): void {
    let msg: OverlayMessage;
    const dropped: DroppedEntry[] = [];
    try {
      msg = parseOverlayMessage(bytes, dropped);
      this.counters.badEntries += dropped.length;
    } catch (err) {
      this.counters.badMessages++;
      this.emit('bad-message', { from, error: err as Error });
      return;
    }
    switch (msg.type) {
      case 'connect': {
        const verdict = this.policy.admit(from, msg.role);
        if (!verdict.ok) {
          this.counters.refusedByUs++;
          const tryPeers = this.neighbourIds().filter((p) => p !== from).slice(0, 10);
          this.send(from, { type: 'refuse', reason: verdict.reason.slice(0, OVERLAY_LIMITS.reason), try: tryPeers });
          return;
        }
        this.send(from, { type: 'ok', role: this.policy.role() });
        this.up(from, msg.role);
        return;
      }
      case 'ok':
        // An OK we did not ask for (say, after we gave up waiting) is answered with bye.
        if (!this.pending.has(from) && !this.neighbours.has(from)) {
          this.send(from, { type: 'bye', reason: 'no connect pending' });
          return;
        }
        this.up(from, msg.role);
        return;
      case 'refuse':
        if (!this.pending.has(from)) return;
        this.counters.refusedByThem++;
        if (msg.try.length > 0) this.emit('try', { from, peers: msg.try });
        this.settle(from, new Error(`refused by ${from}: ${msg.reason}`));
        return;
      case 'bye':
        this.drop(from, `bye: ${msg.reason}`);
        return;
      case 'files':
        if (this.neighbours.get(from)?.role !== 'leaf' || !this.policy.onFiles) {
          this.counters.notNeighbour++;
          return;
        }
        this.policy.onFiles(from, msg);
        this.emit('change', undefined);
        return;
      default:
        if (!this.neighbours.has(from)) {
          // Descriptors only travel between neighbours: never route what a stranger sent, and
          // tell it, so that a peer that still counts us as its neighbour drops us too.
          this.counters.notNeighbour++;
          this.send(from, { type: 'bye', reason: 'not neighbours' });
          return;
        }
        this.run(this.router.receive(from, msg, this.context()));
    }
  }

  /** Known peers from fresh pongs, for discovery and the network view. */
  pongs(): PongMsg[] {
    return this.router.cachedPongs(Date.now());
  }

  private up(peer: string, role: OverlayRole): void {
    const isNew = !this.neighbours.has(peer);
    this.neighbours.set(peer, { role, since: this.neighbours.get(peer)?.since ?? Date.now() });
    this.settle(peer);
    if (isNew) {
      this.emit('neighbour-up', { peer, role });
      this.emit('change', undefined);
    }
  }

  /** End our pending connect to `peer`, if there is one: OK (no `err`), or failed. */
  private settle(peer: string, err?: Error): void {
    this.sentOn.delete(peer);
    if (err) this.pending.fail(peer, err);
    else this.pending.settle(peer, undefined);
  }

  private context(targets?: string[]): RouterContext {
    const self = this.selfId();
    return {
      now: Date.now(),
      targets: targets ?? this.policy.targets(),
      match: (words) => this.policy.match(words),
      pong: () => ({
        peer: self,
        role: this.policy.role(),
        files: this.policy.files(),
        neighbours: this.neighbourIds().slice(0, OVERLAY_LIMITS.peers),
        leaves: this.policy.leaves().slice(0, OVERLAY_LIMITS.peers),
      }),
    };
  }

  private run(actions: RouterAction[]): void {
    for (const a of actions) {
      switch (a.do) {
        case 'send':
          this.send(a.to, a.msg);
          break;
        case 'hit':
          this.emit('hit', a.msg);
          break;
        case 'pong':
          this.emit('pong', a.msg);
          this.emit('change', undefined);
          break;
        case 'drop':
          break;
      }
    }
  }
}
