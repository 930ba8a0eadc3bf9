/**
 * Our side of the WebTorrent WebSocket tracker protocol: one socket to the tracker for all our
 * torrents; announces carry WebRTC offers (simple-peer, no trickle), offers relayed from other
 * peers are answered, and every resulting connection is handed out as a `peer` event.
 */
import SimplePeer from 'simple-peer';
import { fromHex, toHex } from '../../protocol/sha1';
import { hexToBinary, binaryToHex, parseTrackerResponse, type Sdp, type TrackerEvent } from '../../protocol/tracker';
import { backoffDelay } from '../core/backoff';
import { Emitter } from '../core/emitter';
import type { ConnectionGuard } from './connection-guard';

/** Offers per announce (WebTorrent makes at most 5; an offer costs an RTCPeerConnection). */
const OFFERS_PER_ANNOUNCE = 5;
/** An offer nobody answered is dropped after this long (the connection guard closes it sooner, as stale). */
const OFFER_TTL_MS = 50_000;
/** While a torrent has fewer peers than it wants, announce again this often. */
const EAGER_ANNOUNCE_MS = 10_000;

export interface AnnounceState {
  left: number;
  uploaded: number;
  downloaded: number;
  /** How many more peers the torrent would like (0 = send no offers). */
  wantPeers: number;
}

export interface TrackerPeer {
  infoHash: string;
  peer: SimplePeer.Instance;
  /** Hex BitTorrent peer id the tracker gave for it. */
  remotePeerId: string;
  initiator: boolean;
}

export interface TrackerClientEvents extends Record<string, unknown> {
  peer: TrackerPeer;
  update: { infoHash: string; complete: number; incomplete: number };
  warning: { message: string };
  state: 'connecting' | 'open' | 'closed';
}

interface PendingOffer {
  infoHash: string;
  peer: SimplePeer.Instance;
  timer: ReturnType<typeof setTimeout>;
}

export class TrackerClient extends Emitter<TrackerClientEvents> {
  state: 'connecting' | 'open' | 'closed' = 'connecting';
  private ws: WebSocket | null = null;
  private attempts = 0;
  private intervalMs = 120_000;
  private readonly torrents = new Map<string, { state: () => AnnounceState; last: number }>();
  private readonly offers = new Map<string, PendingOffer>();
  private readonly timer: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly peerId: Uint8Array,
    private readonly iceServers: RTCIceServer[],
    /** Every connection is made through it: offers beyond the tab's budget are not made, nor answered. */
    private readonly guard: ConnectionGuard,
  ) {
    super();
    this.open();
    this.timer = setInterval(() => this.tick(), 2_000);
  }

  add(infoHash: string, state: () => AnnounceState): void {
    this.torrents.set(infoHash, { state, last: 0 });
    void this.announce(infoHash, 'started');
  }

  remove(infoHash: string): void {
    if (!this.torrents.has(infoHash)) return;
    void this.announce(infoHash, 'stopped');
    this.torrents.delete(infoHash);
  }

  completed(infoHash: string): void {
    void this.announce(infoHash, 'completed');
  }

  /** Announce now (also used when a torrent lost peers). */
  async announce(infoHash: string, event: TrackerEvent): Promise<void> {
    const t = this.torrents.get(infoHash);
    if (!t || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    t.last = Date.now();
    const want = t.state().wantPeers;
    const numwant = event === 'stopped' || event === 'completed' ? 0 : Math.min(OFFERS_PER_ANNOUNCE, Math.max(0, want));
    const offers = await Promise.all(Array.from({ length: numwant }, () => this.makeOffer(infoHash)));
    const ok = offers.filter((o): o is { offer: Sdp; offer_id: string } => o !== null);
    // The state as it is now that the offers are ready (a share may have completed meanwhile).
    const st = t.state();
    this.send({
      action: 'announce',
      info_hash: hexToBinary(infoHash),
      peer_id: hexToBinary(toHex(this.peerId)),
      numwant: ok.length,
      uploaded: st.uploaded,
      downloaded: st.downloaded,
      left: Number.isFinite(st.left) ? st.left : null,
      event,
      offers: ok,
    });
  }

  destroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const ih of [...this.torrents.keys()]) this.remove(ih);
    for (const o of this.offers.values()) {
      clearTimeout(o.timer);
      o.peer.destroy();
    }
    this.offers.clear();
    setTimeout(() => this.ws?.close(), 100);
  }

  private tick(): void {
    const now = Date.now();
    for (const [ih, t] of this.torrents) {
      const due = now - t.last >= this.intervalMs || (t.state().wantPeers > 0 && now - t.last >= EAGER_ANNOUNCE_MS);
      if (due) void this.announce(ih, 'update');
    }
  }

  private makeOffer(infoHash: string): Promise<{ offer: Sdp; offer_id: string } | null> {
    const made = this.guard.create(infoHash, null, 'out', () => new SimplePeer({ initiator: true, trickle: false, config: { iceServers: this.iceServers } }));
    if (!made.ok) return Promise.resolve(null);
    const peer = made.peer;
    const offerId = toHex(crypto.getRandomValues(new Uint8Array(20)));
    return new Promise((resolve) => {
      const fail = setTimeout(() => {
        peer.destroy();
        resolve(null);
      }, 10_000);
      peer.once('signal', (sig: { type?: string; sdp?: string }) => {
        clearTimeout(fail);
        if (sig.type !== 'offer' || typeof sig.sdp !== 'string') {
          peer.destroy();
          resolve(null);
          return;
        }
        const timer = setTimeout(() => {
          this.offers.delete(offerId);
          peer.destroy();
        }, OFFER_TTL_MS);
        this.offers.set(offerId, { infoHash, peer, timer });
        // Closed as stale by the guard, or failed: no answer can use it any more.
        peer.once('close', () => {
          clearTimeout(timer);
          if (this.offers.get(offerId)?.peer === peer) this.offers.delete(offerId);
        });
        resolve({ offer: { type: 'offer', sdp: sig.sdp }, offer_id: hexToBinary(offerId) });
      });
      peer.on('error', () => undefined);
    });
  }

  private open(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.setState('open');
      for (const ih of this.torrents.keys()) void this.announce(ih, 'started');
    };
    ws.onmessage = (ev) => this.onMessage(typeof ev.data === 'string' ? ev.data : '');
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('closed');
      if (!this.stopped) setTimeout(() => this.open(), backoffDelay(this.attempts++, Math.random));
    };
  }

  private onMessage(text: string): void {
    let msg;
    try {
      msg = parseTrackerResponse(text);
    } catch (err) {
      this.emit('warning', { message: `bad tracker message: ${(err as Error).message}` });
      return;
    }
    if ('failure reason' in msg) {
      this.emit('warning', { message: `tracker: ${msg['failure reason']}` });
      return;
    }
    if (msg.action !== 'announce') return;
    const infoHash = binaryToHex(msg.info_hash);
    if (!this.torrents.has(infoHash)) return;
    if ('interval' in msg) {
      this.intervalMs = Math.max(30, msg.interval) * 1000;
      this.emit('update', { infoHash, complete: msg.complete, incomplete: msg.incomplete });
      return;
    }
    const remotePeerId = binaryToHex(msg.peer_id);
    if (remotePeerId === toHex(this.peerId)) return;
    if ('offer' in msg) {
      // Beyond the budget an offer is not answered: no connection is made for it (the guard counts it).
      const made = this.guard.create(infoHash, `t:${remotePeerId}`, 'in', () => new SimplePeer({ initiator: false, trickle: false, config: { iceServers: this.iceServers } }));
      if (!made.ok) return;
      const peer = made.peer;
      peer.on('error', () => undefined);
      peer.once('signal', (answer: { type?: string; sdp?: string }) => {
        this.send({
          action: 'announce',
          info_hash: msg.info_hash,
          peer_id: hexToBinary(toHex(this.peerId)),
          to_peer_id: msg.peer_id,
          answer: { type: 'answer', sdp: answer.sdp },
          offer_id: msg.offer_id,
        });
      });
      peer.signal(msg.offer as SimplePeer.SignalData);
      this.emit('peer', { infoHash, peer, remotePeerId, initiator: false });
      return;
    }
    const pending = this.offers.get(binaryToHex(msg.offer_id));
    if (!pending || pending.infoHash !== infoHash) return;
    this.offers.delete(binaryToHex(msg.offer_id));
    clearTimeout(pending.timer);
    this.guard.identify(pending.peer, `t:${remotePeerId}`);
    pending.peer.signal(msg.answer as SimplePeer.SignalData);
    this.emit('peer', { infoHash, peer: pending.peer, remotePeerId, initiator: true });
  }

  private send(msg: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private setState(s: 'connecting' | 'open' | 'closed'): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }
}

/** Our BitTorrent peer id: client prefix "-EP0001-" and 12 random characters (20 bytes). */
export function makePeerId(): Uint8Array {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rnd = crypto.getRandomValues(new Uint8Array(12));
  const tail = [...rnd].map((b) => alphabet[b % alphabet.length]).join('');
  return new TextEncoder().encode(`-EP0001-${tail}`);
}

export { fromHex };
