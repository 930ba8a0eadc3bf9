/**
 * Torrent links through the signaling relay: we offer a WebRTC connection to peers known by
 * their network peer id (holders found by a search), they answer if they have the torrent.
 * Each resulting connection is handed to the torrent as a wire, like a tracker-made one.
 */
import SimplePeer from 'simple-peer';
import { customAlphabet } from 'nanoid';
import type { SignalData } from '../../protocol/signaling';
import { parseTorrentSignal } from '../../protocol/torrent-signal';

const linkId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);
const ATTEMPT_TTL_MS = 60_000;

export interface RelayLinkOptions {
  /** Send through the signaling relay; false when the socket is down. */
  signal: (to: string, data: SignalData) => boolean;
  iceServers: RTCIceServer[];
  /** Do we take part in this torrent? */
  has: (infoHash: string) => boolean;
  /** A new connection for the torrent (not yet open). */
  onPeer: (infoHash: string, peer: SimplePeer.Instance, initiator: boolean) => void;
}

export class RelayLinks {
  private readonly attempts = new Map<string, { peer: SimplePeer.Instance; from: string }>();
  badSignals = 0;

  constructor(private readonly opts: RelayLinkOptions) {}

  /** Offer torrent links to these peers. */
  connect(infoHash: string, peers: string[]): void {
    for (const to of peers) {
      const link = linkId();
      const peer = this.create(link, to, infoHash, true);
      this.opts.onPeer(infoHash, peer, true);
    }
  }

  /** A `signal` with kind "bt" arrived from `from`. */
  onSignal(from: string, data: SignalData): void {
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
    this.opts.onPeer(s.infoHash, peer, false);
    peer.signal(s.sig as unknown as SimplePeer.SignalData);
  }

  private create(link: string, to: string, infoHash: string, initiator: boolean): SimplePeer.Instance {
    const peer = new SimplePeer({ initiator, trickle: true, config: { iceServers: this.opts.iceServers } });
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
}
