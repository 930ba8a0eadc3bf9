/**
 * One torrent's swarm engine: its peers' messages handed to the parts that act on them
 * (requests, piece intake, block serving, choking, the BEP 9 metadata exchange, the file
 * selection, content reads; each in its own module). This class owns the timer, the peers and
 * what we hold; the decisions are the pure cores' (picker, request book, choker).
 */
import { Bitfield } from '../../protocol/bitfield';
import type { TorrentInfo } from '../../protocol/metainfo';
import { fromHex } from '../../protocol/sha1';
import type { WireMessage } from '../../protocol/wire';
import { Emitter } from '../core/emitter';
import { Availability } from '../core/picker';
import { RequestBook, type PeerRequest } from '../core/requests';
import { BlockServer } from './block-server';
import { Choking } from './choking';
import { FileSelection } from './file-selection';
import { MetadataExchange } from './metadata-exchange';
import { dropHaves, emptyHaves, settleHaves, takeBitfield, takeHave } from './peer-haves';
import { Strikes } from './piece-blame';
import { PieceIntake } from './piece-intake';
import { SuperSeeding } from './super-seeding';
import { playHead } from './play-head';
import { ReadWindows } from './read-windows';
import { RequestPipeline } from './request-pipeline';
import { peerView, type SwarmPeer } from './swarm-peer';
import { MAX_PEERS, SwarmPeers } from './swarm-peers';
import { bytesLeft, pieceMapOf, progressOf } from './swarm-views';
import { TorrentContent } from './torrent-content';
import type { PeerView, SwarmState, TorrentDeps, TorrentEvents, TorrentFileView, TorrentProgress } from './torrent-types';
import type { WireConnection } from './wire-connection';

export type { PeerView, TorrentDeps, TorrentEvents, TorrentFileView, TorrentProgress } from './torrent-types';
export { BYTES_LIMIT } from './torrent-content';

const REQUEST_TIMEOUT_MS = 20_000;

export class Torrent extends Emitter<TorrentEvents> {
  /** Payload bytes received from peers. */
  fetched = 0;
  /** A pure client (no uploads): never unchokes anyone. */
  uploadEnabled = true;
  /** Null until the metadata is installed. */
  private swarm: SwarmState | null = null;
  private readonly peers: SwarmPeers;
  private readonly strikes = new Strikes();
  private readonly selection = new FileSelection();
  private readonly intake: PieceIntake;
  private readonly server: BlockServer;
  private readonly pipeline: RequestPipeline;
  private readonly choking: Choking;
  private readonly superSeeder: SuperSeeding;
  private readonly metadata: MetadataExchange;
  private readonly content: TorrentContent;
  private ticks = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private completed = false;
  private installing = false;
  /** What media readers read of it now (null until the metadata is here). */
  private windows: ReadWindows | null = null;
  /** What ▶ Play reads first (play-head.ts), fetched after the read windows and before rarest first. */
  private head: number[] = [];

  constructor(
    readonly infoHash: string,
    public name: string,
    private readonly deps: TorrentDeps,
  ) {
    super();
    const { store, limits, rng } = deps;
    this.peers = new SwarmPeers({
      infoHash,
      selfId: deps.peerId,
      banned: (key) => this.strikes.isBanned(key),
      joined: (p, extensions) => this.onJoin(p, extensions),
      message: (p, msg) => this.onMessage(p, msg),
      left: (p, reason) => this.onLeave(p, reason),
    });
    this.intake = new PieceIntake({
      infoHash,
      store,
      name: () => this.name,
      cancel: (c) => this.cancel(c),
      strike: (peer, index) => this.strike(peer, index),
      refill: () => this.fillAll(),
      verified: (index) => this.pieceHere(index),
      error: (message) => this.emit('error', { message }),
    });
    this.server = new BlockServer({ infoHash, store, limits, corruptUploads: deps.corruptUploads, unsaved: this.intake.unsaved });
    this.pipeline = new RequestPipeline(limits, rng, this.selection);
    this.choking = new Choking(rng);
    this.superSeeder = new SuperSeeding(rng);
    this.metadata = new MetadataExchange({
      infoHash,
      infoBytes: () => this.infoBytes,
      uploadOnly: () => this.superSeeder.active,
      peers: () => this.peers,
      install: (info, bytes) => this.setInfo(info, bytes),
      rejected: (last, message) => {
        this.emit('warning', { message });
        this.strike(last, -1);
      },
    });
    this.content = new TorrentContent(this, this.selection, store, this.intake.unsaved);
    this.timer = setInterval(() => this.tick(), 1_000);
  }

  get info(): TorrentInfo | null {
    return this.swarm?.info ?? null;
  }

  get infoBytes(): Uint8Array | null {
    return this.swarm?.infoBytes ?? null;
  }

  get have(): Bitfield | null {
    return this.swarm?.have ?? null;
  }

  /** Payload bytes sent to peers. */
  get uploaded(): number {
    return this.server.uploaded;
  }

  /** Pieces that failed their hash check. */
  get corruptPieces(): number {
    return this.intake.corrupt;
  }

  get done(): boolean {
    return !!this.swarm?.have.isComplete();
  }

  /** Every piece of the selected files is here. */
  get selectionDone(): boolean {
    return !!this.swarm && this.selection.isDone(this.swarm.have);
  }

  /** True for a multi-file torrent (metadata with a `files` list). */
  get multiFile(): boolean {
    return this.info?.files !== undefined;
  }

  /** The torrent's files, with the bytes of each that are here and whether it is selected ([] before the metadata). */
  files(): TorrentFileView[] {
    const s = this.swarm;
    return s ? this.selection.files(s.info.pieceLength, s.have) : [];
  }

  /**
   * Fetch only these files (indexes, or paths joined by "/"); pieces wholly inside the others are
   * not requested, pieces they share with a selected file are. Before the metadata the selection
   * is kept and applied when it comes. Throws a RangeError naming a file the torrent lacks;
   * `lenient` (a magnet's so=, a stored selection) leaves out indexes past the torrent's files.
   */
  select(items: readonly (number | string)[], lenient = false): void {
    const s = this.swarm;
    if (!s) return this.selection.defer(items, lenient);
    const { applied, warning } = this.selection.choose(items, lenient, s.info.pieces.length);
    if (warning) this.emit('warning', { message: warning });
    if (!applied) return;
    s.book.setWanted(this.selection.wanted);
    const looked = this.setHead(s);
    // Kept in the torrent's record: a reload fetches the same files.
    this.deps.store.saveSelection(this.infoHash, this.selection.record()).catch((err: unknown) => {
      this.emit('warning', { message: `the selection of files could not be stored: ${(err as Error).message}` });
    });
    if (!looked) for (const p of this.peers) this.pipeline.updateInterest(p, s);
    this.checkSelectionDone();
    this.emitProgress();
  }

  /**
   * Reader `reader` (a media element playing through the service worker) reads pieces
   * [first, last] now: they are asked for before any other, from whichever peers have them, and
   * asked of a second peer when one is late (client/core/requests.ts). Refreshed as it reads; a
   * window not refreshed for 10 s is dropped. `player` names whose reads they are (a page and a
   * file): after a seek, its newest reader's window goes first (read-windows.ts). False before the metadata, or when every piece is here.
   */
  prioritize(reader: string, first: number, last: number, player?: string): boolean {
    const s = this.swarm;
    if (!s || !this.windows || s.have.isComplete()) return false;
    if (this.windows.set(reader, first, last, Date.now(), player)) this.applyUrgent();
    return true;
  }

  /** We super-seed (BEP 16: client/bittorrent/super-seeding.ts). */
  get superSeeding(): boolean {
    return this.superSeeder.active;
  }

  /**
   * Super-seed (`on`) or not: peers that join meanwhile are offered a few pieces at a time, so
   * our upload carries each piece about once. Only a complete torrent super-seeds; turned off,
   * every peer is told the pieces it was not. Whether it is on.
   */
  setSuperSeed(on: boolean): boolean {
    const was = this.superSeeder.active;
    const now = this.superSeeder.set(on, this.swarm, this.peers);
    if (was !== now) this.emitProgress();
    return now;
  }

  /** How many more peers we would take. */
  wantPeers(): number {
    return Math.max(0, MAX_PEERS - this.peers.size);
  }

  /** Bytes of the pieces we lack (Infinity before the metadata). */
  left(): number {
    return bytesLeft(this.swarm);
  }

  /** Install the metadata (from a share, from storage, or fetched from peers) and what we hold. */
  async setInfo(info: TorrentInfo, infoBytes: Uint8Array, have?: Bitfield): Promise<void> {
    if (this.swarm || this.installing) return;
    this.installing = true;
    const n = info.pieces.length;
    // Wait for storage before installing anything: bitfields and haves that arrive meanwhile
    // are kept raw (as before metadata) and applied below, so none is lost.
    const held = have ?? (await this.deps.store.have(this.infoHash, info));
    await this.deps.store.saveTorrent({ infoHash: this.infoHash, name: info.name, length: info.length, infoBytes, addedAt: Date.now() });
    const s: SwarmState = { info, infoBytes, have: held, availability: new Availability(n), book: new RequestBook(n, info.pieceLength, info.length) };
    s.book.setHave(held);
    // Endgame asks a second peer only for blocks late at the first, by the rate the first sends.
    s.book.setRates((key) => this.peers.get(key)?.conn.down.rate(Date.now()) ?? 0);
    this.swarm = s;
    this.windows = new ReadWindows(n);
    this.name = info.name;
    const pending = this.selection.install(info);
    if (pending) {
      try {
        this.select(pending.items, pending.lenient);
      } catch (err) {
        this.emit('warning', { message: `the selection was not applied (every file is fetched): ${(err as Error).message}` });
      }
    }
    this.setHead(s);
    for (const p of this.peers) {
      try {
        settleHaves(p, s);
      } catch (err) {
        p.conn.close(`bad bitfield: ${(err as Error).message}`);
        continue;
      }
      // Too late for a bitfield (it must come first): tell them piece by piece.
      for (let i = 0; i < n; i++) if (held.get(i)) p.conn.send({ type: 'have', index: i });
      this.pipeline.updateInterest(p, s);
    }
    this.emit('metadata', info);
    this.emitProgress();
    this.checkSelectionDone();
    if (held.isComplete()) this.finish();
  }

  /** A wire to a peer of this torrent (we opened it: `initiator`); the peer joins once the handshakes are exchanged. */
  addWire(conn: WireConnection, initiator: boolean): void {
    this.peers.add(conn, initiator);
  }

  peerViews(): PeerView[] {
    const now = Date.now();
    return [...this.peers].map((p) => peerView(p, this.swarm?.book.outstanding(p.key) ?? 0, now));
  }

  /** Per piece: 0 missing, 1 in flight, 2 have; how many peers have it; whether a player waits for it. */
  pieceMap(): { state: Uint8Array; availability: Uint16Array; reading: Uint8Array } {
    // The read windows' pieces not here yet: those a player waits for.
    return pieceMapOf(this.swarm, this.swarm && this.windows ? this.windows.urgent(this.swarm.have) : []);
  }

  progress(): TorrentProgress {
    return progressOf(this, this.strikes.banned, this.swarm, this.selection, this.peers, Date.now());
  }

  /** The content (one file, or the whole torrent) in one buffer: small files only (see TorrentContent). */
  bytes(path?: string | number): Promise<Uint8Array> {
    return this.content.bytes(path);
  }

  /** The content streamed from storage one piece at a time. */
  stream(path?: string | number): ReadableStream<Uint8Array> {
    return this.content.stream(path);
  }

  /** The content as a Blob of one part per piece. */
  blob(path?: string | number): Promise<Blob> {
    return this.content.blob(path);
  }

  destroy(): void {
    clearInterval(this.timer);
    this.peers.closeAll('torrent removed');
  }

  // Connections

  /** A peer joined: our bitfield and extended handshake go to it, and a free unchoke slot may go to it. */
  private onJoin(p: SwarmPeer, extensions: boolean): void {
    const s = this.swarm;
    emptyHaves(p, s);
    // A super-seeder sends no bitfield, only its offers (`have`s).
    if (s && s.have.count() > 0 && !this.superSeeder.join(p, s)) p.conn.send({ type: 'bitfield', bytes: s.have.toBytes() });
    if (extensions) this.metadata.greet(p);
    this.emit('peer-add', { id: p.key });
    if (this.choking.slotFree(this.peers)) this.rechoke(false);
  }

  private onLeave(p: SwarmPeer, reason: string): void {
    this.pipeline.stop(p);
    dropHaves(p, this.swarm);
    this.swarm?.book.peerGone(p.key);
    this.metadata.peerGone(p.key);
    this.choking.peerGone(p.key);
    this.superSeeder.leave(p.key);
    this.emit('peer-remove', { id: p.key, reason });
    this.metadata.request();
    this.fillAll();
  }

  // Messages

  private onMessage(p: SwarmPeer, msg: WireMessage): void {
    const s = this.swarm;
    switch (msg.type) {
      case 'bitfield':
        if (takeBitfield(p, msg.bytes, s)) this.pipeline.updateInterest(p, s);
        this.superSeeder.announced(p, s);
        return;
      case 'have': {
        const next = takeHave(p, msg.index, s, this.selection.wanted);
        if (next === 'interest') this.pipeline.updateInterest(p, s);
        else if (next === 'fill') this.pipeline.fill(p, s);
        this.superSeeder.announced(p, s);
        return;
      }
      case 'interested':
        p.peerInterested = true;
        if (this.choking.slotFree(this.peers)) this.rechoke(false);
        return;
      case 'not-interested':
        p.peerInterested = false;
        // Its unchoke slot is idle: give it to another peer now, not at the next round.
        if (!p.amChoking && this.choking.slotFree(this.peers)) this.rechoke(false);
        return;
      case 'choke':
        p.peerChoking = true;
        s?.book.choked(p.key);
        return;
      case 'unchoke':
        p.peerChoking = false;
        p.unchokedAt = Date.now();
        this.pipeline.fill(p, s);
        return;
      case 'request':
        this.server.request(p, msg, s);
        return;
      case 'cancel':
        p.uploads.cancel(msg);
        return;
      case 'piece':
        if (!s) return;
        this.fetched += msg.block.length;
        p.lastPieceAt = Date.now();
        this.intake.block(p.key, msg.index, msg.begin, msg.block, s);
        this.pipeline.fill(p, s);
        return;
      case 'extended':
        this.metadata.onMessage(p, msg.ext, msg.payload);
        return;
      default:
        return; // keep-alive, port, unknown: nothing to do
    }
  }

  // What we hold

  /** Piece `index` is verified and stored: it is here; the peers are told. */
  private pieceHere(index: number): void {
    const s = this.swarm;
    if (!s) return;
    s.have.set(index);
    const looked = this.applyUrgent();
    for (const q of this.peers) {
      q.conn.send({ type: 'have', index });
      if (q.amInterested && !looked) this.pipeline.updateInterest(q, s);
    }
    this.emit('piece', { index });
    this.emitProgress();
    this.checkSelectionDone();
    if (s.have.isComplete()) this.finish();
  }

  private checkSelectionDone(): void {
    if (this.swarm && this.selection.becameDone(this.swarm.have)) this.emit('selection-done', undefined);
  }

  private finish(): void {
    if (this.completed) return;
    this.completed = true;
    for (const p of this.peers) {
      if (p.amInterested) {
        p.amInterested = false;
        p.conn.send({ type: 'not-interested' });
      }
    }
    this.deps.onComplete();
    this.emit('done', undefined);
  }

  /** `peer` sent a bad copy of piece `index` (-1: bad metadata); enough of them ban it. */
  private strike(peer: string, index: number): void {
    const n = this.strikes.add(peer);
    this.emit('warning', { message: `piece ${index} failed its hash check (peer ${peer.slice(0, 16)}…, ${n} bad)` });
    if (this.strikes.isBanned(peer)) {
      this.peers.get(peer)?.conn.close(`banned after ${n} corrupt pieces`);
      this.emit('warning', { message: `banned peer ${peer.slice(0, 16)}… after ${n} corrupt pieces` });
    }
  }

  // Housekeeping

  private cancel(c: PeerRequest): void {
    this.peers.get(c.peer)?.conn.send({ type: 'cancel', ...c.req });
  }

  /**
   * The request book's urgent pieces: the read windows' pieces not yet here, then those ▶ Play
   * reads first (play-head.ts) not yet here. A piece being read
   * makes us interested in the peers that have it even when its file is not selected (a file
   * played after the selection is done), so every peer's interest is looked at again when the
   * list changed; whether it did.
   */
  private applyUrgent(): boolean {
    const s = this.swarm;
    if (!s || !this.windows) return false;
    const before = s.book.urgentPieces();
    const urgent = this.windows.urgent(s.have);
    for (const i of this.head) if (!s.have.get(i) && !urgent.includes(i)) urgent.push(i);
    s.book.setUrgent(urgent);
    if (before.length === urgent.length && before.every((x, k) => x === urgent[k])) return false;
    for (const p of this.peers) this.pipeline.updateInterest(p, s);
    return true;
  }

  /** The selection changed, or the metadata came: what ▶ Play reads first; whether every peer's interest was looked at again. */
  private setHead(s: SwarmState): boolean {
    this.head = playHead(this.selection.layout, (i) => this.selection.isSelected(i), s.info.pieceLength);
    return this.applyUrgent();
  }

  private fillAll(): void {
    for (const p of this.peers) this.pipeline.fill(p, this.swarm);
  }

  /** A choking round; `newRound` is false for the extra rounds run when a slot is free. */
  private rechoke(newRound: boolean): void {
    for (const p of this.choking.run(this.peers, this.done, this.uploadEnabled, newRound, Date.now())) this.superSeeder.chokeChanged(p, this.swarm);
  }

  private tick(): void {
    this.ticks++;
    const now = Date.now();
    if (this.swarm) for (const e of this.swarm.book.expire(now, REQUEST_TIMEOUT_MS)) this.cancel(e);
    if (this.windows?.expire(now)) this.applyUrgent();
    this.superSeeder.tick(this.peers, this.swarm, now);
    if (this.ticks % 10 === 0) this.rechoke(true);
    if (this.ticks % 55 === 0) for (const p of this.peers) p.conn.send({ type: 'keep-alive' });
    this.fillAll();
    this.emitProgress();
  }

  private emitProgress(): void {
    this.emit('progress', this.progress());
  }
}

export { fromHex };
