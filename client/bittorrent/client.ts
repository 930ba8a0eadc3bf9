/**
 * The peer's BitTorrent side: every shared file is a torrent, every download a swarm. Holds the
 * torrents of this tab, the tracker socket, the piece store shared by the browser's tabs, and
 * the rate limits. On start it resumes every torrent the browser holds (seeding what is complete).
 */
import { createTorrent } from '../../protocol/metainfo';
import { formatMagnet, parseMagnet } from '../../protocol/magnet';
import { Bitfield } from '../../protocol/bitfield';
import { fromHex, toHex } from '../../protocol/sha1';
import { parseInfo } from '../../protocol/metainfo';
import { Emitter } from '../core/emitter';
import { RateLimit } from '../core/rate';
import type { KV } from '../store/kv';
import { PieceStore } from './piece-store';
import { Torrent } from './torrent';
import { makePeerId, TrackerClient } from './tracker-client';
import { WireConnection } from './wire-connection';
import { RelayLinks } from './relay-links';
import { ConnectionGuard } from './connection-guard';
import type SimplePeer from 'simple-peer';
import type { SignalData } from '../../protocol/signaling';

export interface TorrentClientEvents extends Record<string, unknown> {
  added: { infoHash: string };
  removed: { infoHash: string };
  /** A torrent became complete (shared, downloaded, or found complete in storage). */
  complete: { infoHash: string };
  error: { message: string };
}

export class TorrentClient extends Emitter<TorrentClientEvents> {
  readonly peerId = makePeerId();
  readonly store: PieceStore;
  readonly tracker: TrackerClient;
  readonly limits = { up: new RateLimit(), down: new RateLimit() };
  readonly torrents = new Map<string, Torrent>();
  readonly ready: Promise<void>;
  corruptUploads = false;

  readonly relay: RelayLinks;
  /** The tab's budget of torrent connections, for the tracker's and the relay's alike. */
  readonly guard = new ConnectionGuard();

  constructor(
    readonly trackerUrl: string,
    kv: KV,
    iceServers: RTCIceServer[],
    /** Send a signal through the edge's relay (for torrent links to peers found by a search). */
    signal: (to: string, data: SignalData) => boolean,
  ) {
    super();
    this.store = new PieceStore(kv);
    this.tracker = new TrackerClient(trackerUrl, this.peerId, iceServers, this.guard);
    this.tracker.on('peer', ({ infoHash, peer, initiator }) => this.attach(infoHash, peer, initiator));
    this.relay = new RelayLinks({
      signal,
      iceServers,
      has: (infoHash) => this.torrents.has(infoHash),
      onPeer: (infoHash, peer, initiator) => this.attach(infoHash, peer, initiator),
      guard: this.guard,
    });
    this.ready = this.resumeStored();
  }

  /** Complete torrents: what this tab can serve. */
  complete(): Torrent[] {
    return [...this.torrents.values()].filter((t) => t.done);
  }

  /** Share bytes as a torrent: pieces hashed and stored, then seeded. */
  async share(bytes: Uint8Array, name: string): Promise<{ infoHash: string; magnet: string }> {
    await this.ready;
    const created = await createTorrent(bytes, name, { announce: [this.trackerUrl] });
    const magnet = formatMagnet({ infoHash: created.infoHash, name, trackers: [this.trackerUrl] });
    if (this.torrents.get(created.infoHash)?.done) return { infoHash: created.infoHash, magnet };
    const { info } = created;
    await Promise.all(
      info.pieces.map((_, i) => this.store.putPiece(created.infoHash, i, bytes.slice(i * info.pieceLength, (i + 1) * info.pieceLength))),
    );
    const have = new Bitfield(info.pieces.length);
    for (let i = 0; i < info.pieces.length; i++) have.set(i);
    const t = this.torrents.get(created.infoHash) ?? this.create(created.infoHash, name);
    await t.setInfo(info, created.infoBytes, have);
    return { infoHash: created.infoHash, magnet };
  }

  /** Join the swarm of a magnet link (or hex info hash); metadata comes from peers when needed. */
  /**
   * Join the swarm of a magnet link (or hex info hash). `peers`: network peer ids known to hold
   * it (from a search); they are reached through the signaling relay, besides the tracker's.
   */
  async download(magnetOrInfoHash: string, opts: { upload?: boolean; peers?: string[]; name?: string } = {}): Promise<Torrent> {
    await this.ready;
    const link = parseMagnet(magnetOrInfoHash);
    const t = this.torrents.get(link.infoHash) ?? this.create(link.infoHash, opts.name ?? link.name ?? link.infoHash.slice(0, 12));
    if (opts.upload === false) t.uploadEnabled = false;
    if (opts.peers?.length && !t.done) this.relay.connect(link.infoHash, opts.peers.slice(0, 10));
    return t;
  }

  remove(infoHash: string): void {
    const t = this.torrents.get(infoHash);
    if (!t) return;
    this.tracker.remove(infoHash);
    t.destroy();
    this.torrents.delete(infoHash);
    this.emit('removed', { infoHash });
  }

  setRateLimits(limits: { up?: number; down?: number }): void {
    if (limits.up !== undefined) this.limits.up.set(limits.up);
    if (limits.down !== undefined) this.limits.down.set(limits.down);
  }

  destroy(): void {
    for (const t of this.torrents.values()) t.destroy();
    this.tracker.destroy();
    this.guard.destroy();
  }

  private attach(infoHash: string, peer: SimplePeer.Instance, initiator: boolean): void {
    const t = this.torrents.get(infoHash);
    if (!t) {
      peer.destroy();
      return;
    }
    const wire = new WireConnection(peer, { infoHash: fromHex(infoHash), peerId: this.peerId });
    // A connection that completed the BitTorrent handshake is open: never stale, never displaced.
    wire.on('handshake', () => this.guard.opened(peer));
    t.addWire(wire, initiator);
  }

  private create(infoHash: string, name: string): Torrent {
    const t = new Torrent(infoHash, name, {
      store: this.store,
      limits: this.limits,
      rng: Math.random,
      onComplete: () => this.tracker.completed(infoHash),
      corruptUploads: () => this.corruptUploads,
      peerId: toHex(this.peerId),
    });
    t.on('error', (e) => this.emit('error', e));
    t.on('done', () => this.emit('complete', { infoHash }));
    this.torrents.set(infoHash, t);
    this.tracker.add(infoHash, () => ({ left: t.left(), uploaded: t.uploaded, downloaded: t.fetched, wantPeers: t.wantPeers() }));
    this.emit('added', { infoHash });
    return t;
  }

  /** Every torrent this browser holds (any tab may have stored it) is resumed and seeded. */
  private async resumeStored(): Promise<void> {
    let records;
    try {
      records = await this.store.torrents();
    } catch (err) {
      this.emit('error', { message: `could not read stored torrents: ${(err as Error).message}` });
      return;
    }
    for (const rec of records) {
      try {
        const { info } = await parseInfo(rec.infoBytes, rec.infoHash);
        const t = this.create(rec.infoHash, rec.name);
        await t.setInfo(info, rec.infoBytes);
      } catch (err) {
        this.emit('error', { message: `stored torrent ${rec.name} is unreadable: ${(err as Error).message}` });
      }
    }
  }
}

export { toHex };
