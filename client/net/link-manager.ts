/**
 * Opens, tracks and closes peer links. Offers and answers travel through the edge's signaling
 * relay; simultaneous opens from both sides (glare) resolve into one link; the number of links
 * is capped; links idle for too long are closed.
 */
import SimplePeer from 'simple-peer';
import { customAlphabet } from 'nanoid';
import { ProtocolError } from '../../protocol/errors';
import { isOffer, parseLinkSignal, type LinkSignal, type SignalData } from '../../protocol/signaling';
import { Emitter } from '../core/emitter';
import { decideOffer, idleLinks } from '../core/links';
import { PeerLink } from './peer-link';

const linkNonce = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 12);

export interface LinkManagerOptions {
  selfId: () => string;
  /** Send `data` to peer `to` through the signaling relay; false when the socket is down. */
  signal: (to: string, data: SignalData) => boolean;
  iceServers: RTCIceServer[];
  maxLinks?: number;
  idleMs?: number;
  connectTimeoutMs?: number;
}

export interface LinkManagerEvents extends Record<string, unknown> {
  'link-open': { peer: string };
  'link-close': { peer: string; reason: string };
  data: { from: string; channel: string; bytes: Uint8Array };
  'bad-signal': { from: string; error: Error };
  'bad-frame': { from: string; error: Error };
}

interface Waiter {
  resolve: (link: PeerLink) => void;
  reject: (err: Error) => void;
}

interface Entry {
  link: PeerLink;
  waiters: Waiter[];
  timer: ReturnType<typeof setTimeout> | null;
  opened: boolean;
}

export class LinkManager extends Emitter<LinkManagerEvents> {
  maxLinks: number;
  idleMs: number;
  readonly counters = { opened: 0, closed: 0, glare: 0, refused: 0, badSignals: 0, badFrames: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(private readonly opts: LinkManagerOptions) {
    super();
    this.maxLinks = opts.maxLinks ?? 50;
    this.idleMs = opts.idleMs ?? 10 * 60_000;
    this.sweeper = setInterval(() => this.closeIdle(Date.now()), 5_000);
  }

  /** The open link to `peer`, opening one if needed. */
  connect(peer: string): Promise<PeerLink> {
    if (peer === this.opts.selfId()) return Promise.reject(new Error('cannot link to yourself'));
    const existing = this.entries.get(peer);
    if (existing?.link.state === 'open') return Promise.resolve(existing.link);
    return new Promise<PeerLink>((resolve, reject) => {
      const entry = existing ?? this.start(peer, true, linkNonce());
      if (!entry) {
        reject(new Error(`link limit reached (${this.maxLinks})`));
        return;
      }
      entry.waiters.push({ resolve, reject });
    });
  }

  get(peer: string): PeerLink | undefined {
    const e = this.entries.get(peer);
    return e?.link.state === 'open' ? e.link : undefined;
  }

  links(): PeerLink[] {
    return [...this.entries.values()].map((e) => e.link);
  }

  close(peer: string, reason = 'closed locally'): void {
    this.entries.get(peer)?.link.close(reason);
  }

  closeAll(): void {
    clearInterval(this.sweeper);
    for (const e of [...this.entries.values()]) e.link.close('shutting down');
  }

  /** A peer went offline: fail its pending link at once rather than at the timeout. */
  peerGone(peer: string): void {
    const e = this.entries.get(peer);
    if (e && e.link.state !== 'open') e.link.close('peer left');
  }

  /**
   * The signaling socket is back after an outage. An attempt still connecting may have lost
   * signals either way meanwhile (an offer we could not send, an answer relayed to our dead
   * socket), and kept, it would win glare against the peer's fresh offer and block the link until
   * it timed out. Each is abandoned, and its peer told so, and both sides start afresh.
   */
  signalingResumed(): void {
    for (const [peer, e] of [...this.entries]) {
      if (e.link.state !== 'connecting') continue;
      this.opts.signal(peer, { kind: 'refuse', link: e.link.nonce, reason: 'signaling was interrupted' });
      e.link.close('abandoned: the signaling socket reconnected while it was connecting');
    }
  }

  /** A `signal` relayed by the edge from peer `from`. */
  onSignal(from: string, data: SignalData): void {
    let sig: LinkSignal;
    try {
      sig = parseLinkSignal(data);
    } catch (err) {
      this.counters.badSignals++;
      this.emit('bad-signal', { from, error: err as ProtocolError });
      return;
    }
    const entry = this.entries.get(from);
    if (sig.kind === 'refuse') {
      if (entry && entry.link.nonce === sig.link) entry.link.close(`refused by peer: ${sig.reason}`);
      return;
    }
    if (!isOffer(sig.sig)) {
      // Answers and candidates belong to the attempt they name; others are stale.
      if (entry && entry.link.nonce === sig.link) this.feed(entry.link, sig.sig);
      return;
    }
    const existing = entry && { nonce: entry.link.nonce, initiator: entry.link.initiator, open: entry.link.state === 'open' };
    const decision = decideOffer(this.opts.selfId(), from, sig.link, existing, this.openCount(), this.maxLinks);
    switch (decision) {
      case 'forward':
        if (entry) this.feed(entry.link, sig.sig);
        return;
      case 'ignore':
        this.counters.glare++;
        return;
      case 'refuse':
        this.counters.refused++;
        this.opts.signal(from, { kind: 'refuse', link: sig.link, reason: 'link limit reached' });
        return;
      case 'replace':
      case 'accept': {
        const waiters = entry ? entry.waiters.splice(0) : [];
        if (entry) {
          if (!existing?.open) this.counters.glare++;
          this.detach(from, entry);
          entry.link.close('replaced by a newer link attempt');
        }
        const fresh = this.start(from, false, sig.link, true);
        if (!fresh) return;
        fresh.waiters.push(...waiters);
        this.feed(fresh.link, sig.sig);
      }
    }
  }

  private openCount(): number {
    return this.entries.size;
  }

  private start(peer: string, initiator: boolean, nonce: string, force = false): Entry | null {
    if (!force && this.openCount() >= this.maxLinks) return null;
    const sp = new SimplePeer({
      initiator,
      trickle: true,
      config: { iceServers: this.opts.iceServers },
      channelConfig: { ordered: true },
    });
    const link = new PeerLink(peer, nonce, initiator, sp);
    const entry: Entry = { link, waiters: [], timer: null, opened: false };
    this.entries.set(peer, entry);
    sp.on('signal', (s: object) => {
      if (link.state === 'closed') return;
      this.opts.signal(peer, { kind: 'rtc', link: nonce, sig: s as Record<string, unknown> });
    });
    entry.timer = setTimeout(() => {
      if (link.state === 'connecting') link.close(`no connection within ${(this.opts.connectTimeoutMs ?? 30_000) / 1000} s`);
    }, this.opts.connectTimeoutMs ?? 30_000);
    link.on('open', () => {
      if (entry.timer) clearTimeout(entry.timer);
      entry.opened = true;
      this.counters.opened++;
      for (const w of entry.waiters.splice(0)) w.resolve(link);
      this.emit('link-open', { peer });
    });
    link.on('data', ({ channel, bytes }) => this.emit('data', { from: peer, channel, bytes }));
    link.on('bad-frame', (error) => {
      this.counters.badFrames++;
      this.emit('bad-frame', { from: peer, error });
    });
    link.on('close', ({ reason }) => {
      if (entry.timer) clearTimeout(entry.timer);
      this.detach(peer, entry);
      for (const w of entry.waiters.splice(0)) w.reject(new Error(`link to ${peer} failed: ${reason}`));
      if (entry.opened) {
        this.counters.closed++;
        this.emit('link-close', { peer, reason });
      }
    });
    return entry;
  }

  private detach(peer: string, entry: Entry): void {
    if (this.entries.get(peer) === entry) this.entries.delete(peer);
  }

  private feed(link: PeerLink, sig: Record<string, unknown>): void {
    try {
      link.peer.signal(sig as unknown as SimplePeer.SignalData);
    } catch (err) {
      this.counters.badSignals++;
      this.emit('bad-signal', { from: link.remoteId, error: err as Error });
    }
  }

  private closeIdle(now: number): void {
    const open = this.links().filter((l) => l.state === 'open');
    for (const id of idleLinks(open.map((l) => ({ id: l.remoteId, lastActivity: l.lastActivity })), now, this.idleMs)) {
      this.close(id, `idle for ${Math.round(this.idleMs / 1000)} s`);
    }
  }
}
