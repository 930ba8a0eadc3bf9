/**
 * Torrent links through the signaling relay: we offer a WebRTC connection to peers known by
 * their network peer id (holders found by a search), they answer if they have the torrent and
 * the tab's connection budget admits it, or send a `refuse` signal saying why. Each resulting
 * connection is handed to the torrent as a wire, like a tracker-made one.
 */
import SimplePeer from 'simple-peer';
import { customAlphabet } from 'nanoid';
import { parseLinkSignal, type SignalData } from '../../protocol/signaling';
import { isTorrentSignal, parseTorrentSignal } from '../../protocol/torrent-signal';
import type { ConnectionGuard } from './connection-guard';

const linkId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);
const ATTEMPT_TTL_MS = 60_000;
/** Refusals we send a second at most (each costs a message of our signaling socket's rate limit). */
const REFUSALS_PER_SECOND = 5;

export interface RelayLinkOptions {
  /** Send through the signaling relay; false when the socket is down. */
  signal: (to: string, data: SignalData) => boolean;
  iceServers: RTCIceServer[];
  /** Do we take part in this torrent? */
  has: (infoHash: string) => boolean;
  /** A new connection for the torrent (not yet open). */
  onPeer: (infoHash: string, peer: SimplePeer.Instance, initiator: boolean) => void;
  /** Every connection is made through it. */
  guard: ConnectionGuard;
}

export class RelayLinks {
  private readonly attempts = new Map<string, { peer: SimplePeer.Instance; from: string }>();
  badSignals = 0;
  /** Our offers the other side refused. */
  refusedByThem = 0;
  private refusalWindow = { start: 0, sent: 0 };

  constructor(private readonly opts: RelayLinkOptions) {}

  /** Offer torrent links to these peers. */
  connect(infoHash: string, peers: string[]): void {
    for (const to of peers) {
      const link = linkId();
      const peer = this.create(link, to, infoHash, true);
      if (peer) this.opts.onPeer(infoHash, peer, true);
    }
  }

  /** Is this signal ours: a torrent signal, or the refusal of one of our attempts? */
  claims(data: SignalData): boolean {
    return isTorrentSignal(data) || (data.kind === 'refuse' && typeof data.link === 'string' && this.attempts.has(data.link));
  }

  /** A `signal` that `claims` took arrived from `from`. */
  onSignal(from: string, data: SignalData): void {
    if (data.kind === 'refuse') {
      this.onRefuse(from, data);
      return;
    }
    let s;
    try {
      s = parseTorrentSignal(data);
    } catch {
      this.badSignals++;
      return;
    }
    const known = this.attempts.get(s.link);
    if (known) {
      if (known.from === from) known.peer.signal(s.sig as unknown as SimplePeer.SignalData);
      return;
    }
    if (s.sig.type !== 'offer' || !this.opts.has(s.infoHash)) return;
    const peer = this.create(s.link, from, s.infoHash, false);
    if (!peer) return;
    this.opts.onPeer(s.infoHash, peer, false);
    peer.signal(s.sig as unknown as SimplePeer.SignalData);
  }

  private onRefuse(from: string, data: SignalData): void {
    let r;
    try {
      r = parseLinkSignal(data);
    } catch {
      this.badSignals++;
      return;
    }
    const known = this.attempts.get(r.link);
    if (!known || known.from !== from) return;
    this.refusedByThem++;
    known.peer.destroy();
  }

  /** The connection of attempt `link`, or null when the budget refused it (an offer of theirs is then refused aloud). */
  private create(link: string, to: string, infoHash: string, initiator: boolean): SimplePeer.Instance | null {
    const made = this.opts.guard.create(infoHash, `r:${to}`, initiator ? 'out' : 'in', () =>
      new SimplePeer({ initiator, trickle: true, config: { iceServers: this.opts.iceServers } }),
    );
    if (!made.ok) {
      if (!initiator) this.refuse(to, link, `connection budget: ${made.reason}`);
      return null;
    }
    const peer = made.peer;
    this.attempts.set(link, { peer, from: to });
    const forget = () => this.attempts.delete(link);
    const timer = setTimeout(forget, ATTEMPT_TTL_MS);
    peer.on('signal', (sig: object) => {
      this.opts.signal(to, { kind: 'bt', link, infoHash, sig: sig as Record<string, unknown> });
    });
    peer.on('connect', () => {
      clearTimeout(timer);
      forget();
    });
    peer.on('close', forget);
    peer.on('error', forget);
    return peer;
  }

  /** Tell `to` we will not answer, within REFUSALS_PER_SECOND (the rest are refused silently). */
  private refuse(to: string, link: string, reason: string): void {
    const now = Date.now();
    const w = this.refusalWindow;
    if (now - w.start >= 1_000) {
      w.start = now;
      w.sent = 0;
    }
    if (w.sent >= REFUSALS_PER_SECOND) return;
    w.sent++;
    this.opts.signal(to, { kind: 'refuse', link, reason });
  }
}
