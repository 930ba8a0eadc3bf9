/**
 * The peer's BitTorrent side: every shared file is a torrent, every download a swarm. Holds the
 * torrents of this tab, the tracker socket, the piece store shared by the browser's tabs, and
 * the rate limits. On start it resumes every torrent the browser holds (seeding what is complete).
 */
import { formatMagnet, parseMagnet } from '../../protocol/magnet';
import { Bitfield } from '../../protocol/bitfield';
import { fromHex, toHex } from '../../protocol/sha1';
import { parseInfo, pieceSize } from '../../protocol/metainfo';
import { Emitter } from '../core/emitter';
import { RateLimit } from '../core/rate';
import type { KV } from '../store/kv';
import type { PieceFiles } from '../store/piece-files';
import { PieceStore } from './piece-store';
import { hashAndStore, shareFailure, type ShareFile, type ShareProgress } from './share-file';
import { Torrent } from './torrent';
import { makePeerId, TrackerClient } from './tracker-client';
import { WireConnection } from './wire-connection';
import { RelayLinks } from './relay-links';
import { ConnectionGuard } from './connection-guard';
import type SimplePeer from 'simple-peer';
import type { SignalData } from '../../protocol/signaling';
import { ContentChannel } from './content-channel';
import { haveKey } from './piece-store';
import { haveBitfield, type HaveRecord } from './have-record';

/** A torrent the browser holds (whichever tab stored it), as the storage card lists it. */
export interface HeldTorrent {
  infoHash: string;
  name: string;
  /** The torrent's size. */
  length: number;
  /** Bytes of it stored (its verified pieces). */
  stored: number;
  pieces: number;
  piecesHeld: number;
  addedAt: number;
}

export interface TorrentClientEvents extends Record<string, unknown> {
  added: { infoHash: string };
  removed: { infoHash: string };
  /** A torrent became complete (shared, downloaded, or found complete in storage). */
  complete: { infoHash: string };
  error: { message: string };
}

export interface ShareOptions {
  signal?: AbortSignal;
  onProgress?: (p: ShareProgress) => void;
  /** Super-seed the new torrent (default true: no other seeder exists yet). */
  superSeed?: boolean;
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
  /** The browser's other tabs: a deletion there stops the torrent here. */
  private readonly content: ContentChannel;

  constructor(
    readonly trackerUrl: string,
    kv: KV,
    files: PieceFiles,
    iceServers: RTCIceServer[],
    /** Send a signal through the edge's relay (for torrent links to peers found by a search). */
    signal: (to: string, data: SignalData) => boolean,
  ) {
    super();
    this.store = new PieceStore(kv, files);
    this.tracker = new TrackerClient(trackerUrl, this.peerId, iceServers, this.guard);
    this.tracker.on('peer', ({ infoHash, peer, initiator }) => this.attach(infoHash, peer, initiator));
    this.relay = new RelayLinks({
      signal,
      iceServers,
      has: (infoHash) => this.torrents.has(infoHash),
      onPeer: (infoHash, peer, initiator) => this.attach(infoHash, peer, initiator),
      guard: this.guard,
    });
    this.content = new ContentChannel((m) => {
      if (m.type === 'deleted') {
        // Another tab deleted it: stop it here, and delete what this tab may still have written.
        this.remove(m.infoHash);
        void this.store.removeTorrent(m.infoHash).catch(() => {});
      } else if (m.type === 'want') {
        // The service worker streams pieces of it to a media element: fetch those first.
        if (this.torrents.get(m.infoHash)?.prioritize(m.reader, m.first, m.last, m.player)) this.content.post({ type: 'wanting', infoHash: m.infoHash, reader: m.reader });
      }
    });
    this.ready = this.resumeStored();
  }

  /**
   * Every torrent the browser holds, with what of it is stored, oldest first. The metadata of a
   * torrent this tab runs is its own (parsed once); only one another tab stored since is parsed.
   */
  async held(): Promise<HeldTorrent[]> {
    const records = await this.store.torrents();
    const haves = await this.store.kv.getMany<HaveRecord>(records.map((r) => haveKey(r.infoHash)));
    const out: HeldTorrent[] = [];
    for (const [i, rec] of records.entries()) {
      let info = this.torrents.get(rec.infoHash)?.info ?? null;
      try {
        info ??= (await parseInfo(rec.infoBytes, rec.infoHash)).info;
      } catch {
        continue; // unreadable: resumeStored said so
      }
      const n = info.pieces.length;
      const have = haveBitfield(haves[i], n);
      const piecesHeld = have.count();
      // Every piece is pieceLength long but the last.
      const stored = n === 0 ? 0 : piecesHeld * info.pieceLength - (have.get(n - 1) ? info.pieceLength - pieceSize(info, n - 1) : 0);
      out.push({ infoHash: rec.infoHash, name: rec.name, length: rec.length, stored, pieces: n, piecesHeld, addedAt: rec.addedAt });
    }
    return out;
  }

  /**
   * Delete a torrent from this browser: it stops here and in the browser's other tabs (they
   * stop seeding it), and its records and pieces are deleted. A torrent the browser does not
   * hold is only stopped.
   */
  async deleteStored(infoHash: string): Promise<void> {
    const hash = infoHash.toLowerCase();
    this.remove(hash);
    this.content.post({ type: 'deleted', infoHash: hash });
    await this.store.removeTorrent(hash);
  }

  /** Complete torrents: what this tab can serve. */
  complete(): Torrent[] {
    return [...this.torrents.values()].filter((t) => t.done);
  }

  /**
   * Share a file as a torrent: read piece by piece, each piece hashed and stored as it is read
   * (streamShare), then seeded. Refused up front when storage cannot hold it; cancelled through
   * `opts.signal`, nothing of it is kept. A list of files is one multi-file torrent named `name`.
   */
  async share(source: Blob | Uint8Array | readonly ShareFile[], name: string, opts: ShareOptions = {}): Promise<{ infoHash: string; magnet: string }> {
    await this.ready;
    const blob = source instanceof Blob || Array.isArray(source) ? (source as Blob | readonly ShareFile[]) : new Blob([source as Uint8Array<ArrayBuffer>]);
    const pieceKey = `share-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const created = await hashAndStore(this.store, blob, name, pieceKey, { announce: [this.trackerUrl], ...opts });
    const { info, infoHash, infoBytes } = created;
    const magnet = formatMagnet({ infoHash, name, trackers: [this.trackerUrl] });
    const n = info.pieces.length;
    const held = await this.store.torrent(infoHash);
    if (this.torrents.get(infoHash)?.done || (held && (await this.store.have(infoHash, info)).isComplete())) {
      // The browser holds this file already: keep those pieces, drop the copy just written.
      await this.store.removePieces(pieceKey);
      if (!this.torrents.has(infoHash)) await this.create(infoHash, name).setInfo(info, infoBytes);
      return { infoHash, magnet };
    }
    // A download of the same file in progress: the complete copy replaces it.
    if (this.torrents.has(infoHash)) this.remove(infoHash);
    try {
      if (held) await this.store.removeTorrent(infoHash);
      await this.store.adoptPieces({ infoHash, name: info.name, length: info.length, infoBytes, addedAt: Date.now(), pieceKey }, info);
      const have = new Bitfield(n);
      for (let i = 0; i < n; i++) have.set(i);
      const t = this.create(infoHash, name);
      await t.setInfo(info, infoBytes, have);
      t.setSuperSeed(opts.superSeed ?? true);
    } catch (err) {
      // The last writes (the torrent's records) can be the ones the quota refuses: delete it all.
      this.remove(infoHash);
      await this.store.removeTorrent(infoHash).catch(() => {});
      await this.store.removePieces(pieceKey).catch(() => {});
      throw shareFailure(err, name);
    }
    return { infoHash, magnet };
  }

  /** Join the swarm of a magnet link (or hex info hash); metadata comes from peers when needed. */
  /**
   * Join the swarm of a magnet link (or hex info hash). `peers`: network peer ids known to hold
   * it (from a search); they are reached through the signaling relay, besides the tracker's.
   */
  async download(magnetOrInfoHash: string, opts: { upload?: boolean; peers?: string[]; name?: string } = {}): Promise<Torrent> {
    await this.ready;
    const link = parseMagnet(magnetOrInfoHash);
    const known = this.torrents.get(link.infoHash);
    const t = known ?? this.create(link.infoHash, opts.name ?? link.name ?? link.infoHash.slice(0, 12));
    // BEP 53: a magnet's so= preselects the files to fetch (applied once the metadata is here).
    if (link.select && !known) t.select(link.select, true);
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
    this.content.close();
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
    // The service worker may be waiting for it to stream it to a media element.
    t.on('piece', ({ index }) => this.content.post({ type: 'stored', infoHash, index }));
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
        // The files the user selected before the reload (indexes past the torrent's are left out).
        if (rec.selected) t.select(rec.selected, true);
        await t.setInfo(info, rec.infoBytes);
      } catch (err) {
        this.emit('error', { message: `stored torrent ${rec.name} is unreadable: ${(err as Error).message}` });
      }
    }
  }
}

export { toHex };
