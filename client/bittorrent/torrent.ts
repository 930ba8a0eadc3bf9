/**
 * One torrent's swarm engine: the peers' wire connections, rarest-first requests with
 * pipelining and endgame, tit-for-tat choking, piece verification and storage, uploads from
 * storage, and metadata exchange (BEP 9) for magnet links. The decisions are the pure cores'
 * (picker, request book, choker); this class owns the timers, sockets and storage.
 */
import { Bitfield } from '../../protocol/bitfield';
import { fileBytesHere, fileComplete, fileLayout, joinPath, resolveSelection, wantedPieces, type FileSpan } from '../../protocol/file-layout';
import { ProtocolError } from '../../protocol/errors';
import { parseInfo, pieceSize, verifyPiece, type TorrentInfo } from '../../protocol/metainfo';
import { fromHex } from '../../protocol/sha1';
import {
  encodeExtendedHandshake,
  encodeMetadataMessage,
  metadataPieceCount,
  metadataPieceLength,
  METADATA_PIECE_LENGTH,
  parseExtendedHandshake,
  parseMetadataMessage,
  UT_METADATA,
  type WireMessage,
} from '../../protocol/wire';
import { rechoke } from '../core/choker';
import { isSnubbed } from '../core/choker';
import { keepsNewer } from '../core/links';
import { Emitter } from '../core/emitter';
import { Availability } from '../core/picker';
import type { RateLimit } from '../core/rate';
import { pipelineDepth, RequestBook, type BlockRequest } from '../core/requests';
import type { PieceStore } from './piece-store';
import { pieceStream, type ByteRange } from '../files/piece-stream';
import type { WireConnection } from './wire-connection';

/** Our extended message id for ut_metadata. */
const OUR_UT_METADATA = 1;
const MAX_PEERS = 50;
const UNCHOKE_SLOTS = 4;
const REQUEST_TIMEOUT_MS = 20_000;
const BAN_AFTER_BAD_PIECES = 3;
const CLIENT_NAME = 'edge-p2p 0.1';
/** Largest file bytes() assembles in memory (256 MiB). */
export const BYTES_LIMIT = 256 * 1024 * 1024;

export interface PeerView {
  id: string;
  client: string;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  downRate: number;
  upRate: number;
  pieces: number;
  outstanding: number;
  snubbed: boolean;
}

export interface TorrentProgress {
  infoHash: string;
  name: string;
  length: number;
  pieces: number;
  have: number;
  /** Payload bytes received from peers (all of them, verified or not). */
  fetched: number;
  /** Pieces that failed their hash check, and peers banned for it. */
  corruptPieces: number;
  banned: number;
  uploaded: number;
  downRate: number;
  upRate: number;
  /** Every piece of the selected files is here (all files selected: the whole torrent). */
  done: boolean;
  /** Every piece of the torrent is here. */
  complete: boolean;
  /** Bytes of the selected files, and how many of them are here. */
  selectedLength: number;
  selectedHave: number;
  /** A multi-file torrent (metadata with a `files` list). */
  multiFile: boolean;
  /** Files the torrent holds, and how many are selected. */
  files: number;
  selectedFiles: number;
}

/** One file of a torrent, as the API lists it. */
export interface TorrentFileView {
  index: number;
  /** Its path in the torrent, elements joined by "/" (a single-file torrent: its name). */
  path: string;
  length: number;
  /** Fraction of its bytes here, 0-1 (an empty file: 1). */
  progress: number;
  selected: boolean;
}

export interface TorrentEvents extends Record<string, unknown> {
  metadata: TorrentInfo;
  piece: { index: number };
  progress: TorrentProgress;
  done: void;
  /** Every piece of the selected files is here (also fired with `done`). */
  'selection-done': void;
  'peer-add': { id: string };
  'peer-remove': { id: string; reason: string };
  warning: { message: string };
  error: { message: string };
}

export interface TorrentDeps {
  store: PieceStore;
  limits: { up: RateLimit; down: RateLimit };
  rng: () => number;
  /** Called once when the last piece is verified (the client announces `completed`). */
  onComplete: () => void;
  /** Test hook: flip a byte of every block we upload. */
  corruptUploads: () => boolean;
  /** Our BitTorrent peer id, hex (to agree with a peer on which of two connections to keep). */
  peerId: string;
}

interface PeerState {
  key: string;
  conn: WireConnection;
  initiator: boolean;
  client: string;
  bitfield: Bitfield | null;
  /** Before metadata: what the peer said it has. */
  rawBitfield: Uint8Array | null;
  rawHaves: number[];
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  unchokedAt: number;
  lastPieceAt: number;
  utMetadata: number;
  metadataSize: number;
  uploads: BlockRequest[];
  uploading: boolean;
  fillTimer: ReturnType<typeof setTimeout> | null;
}

export class Torrent extends Emitter<TorrentEvents> {
  info: TorrentInfo | null = null;
  infoBytes: Uint8Array | null = null;
  have: Bitfield | null = null;
  fetched = 0;
  uploaded = 0;
  corruptPieces = 0;
  /** A pure client (no uploads): never unchokes anyone. */
  uploadEnabled = true;
  private availability: Availability | null = null;
  private book: RequestBook | null = null;
  private readonly peers = new Map<string, PeerState>();
  private readonly banned = new Set<string>();
  private readonly strikes = new Map<string, number>();
  private readonly buffers = new Map<number, Uint8Array>();
  /** Verified pieces the store refused (quota): kept here so nothing verified is lost. */
  private readonly unsaved = new Map<number, Uint8Array>();
  private readonly verifying = new Set<number>();
  /** Who sent each block of the pieces in progress. */
  private readonly senders = new Map<number, string[]>();
  /** Failed pieces that several peers contributed to: kept to find the liar once the piece verifies. */
  private readonly suspects = new Map<number, { data: Uint8Array; senders: string[] }>();
  private metaPieces: (Uint8Array | undefined)[] = [];
  private metaRequested = new Map<number, string>();
  private round = 0;
  private optimistic: string | null = null;
  private ticks = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private completed = false;
  /** Files in order with their byte and piece ranges, once the metadata is here. */
  private layout: FileSpan[] = [];
  /** The selected files' indexes; null: every file. */
  private selected: Set<number> | null = null;
  /** The pieces of the selected files; null: every piece. */
  private wanted: Bitfield | null = null;
  /** A selection made before the metadata came (a magnet's so=, an early select()). */
  private pendingSelect: { items: (number | string)[]; lenient: boolean } | null = null;
  private selectionWasDone = false;
  private destroyed = false;
  private installing = false;

  constructor(
    readonly infoHash: string,
    public name: string,
    private readonly deps: TorrentDeps,
  ) {
    super();
    this.timer = setInterval(() => this.tick(), 1_000);
  }

  get done(): boolean {
    return !!this.have?.isComplete();
  }

  /** Every piece of the selected files is here. */
  get selectionDone(): boolean {
    if (!this.have) return false;
    if (!this.wanted) return this.have.isComplete();
    for (let i = 0; i < this.wanted.length; i++) if (this.wanted.get(i) && !this.have.get(i)) return false;
    return true;
  }

  /** The torrent's files, with the bytes of each that are here and whether it is selected ([] before the metadata). */
  files(): TorrentFileView[] {
    const info = this.info;
    const have = this.have;
    if (!info || !have) return [];
    return this.layout.map((f) => ({
      index: f.index,
      path: joinPath(f.path),
      length: f.length,
      progress: f.length === 0 ? 1 : fileBytesHere(f, info.pieceLength, have) / f.length,
      selected: !this.selected || this.selected.has(f.index),
    }));
  }

  /**
   * Fetch only these files (indexes, or paths joined by "/"); pieces wholly inside the others are
   * not requested, pieces they share with a selected file are. Before the metadata the selection
   * is kept and applied when it comes. Throws a RangeError naming a file the torrent lacks;
   * `lenient` (a magnet's so=, a stored selection) leaves out indexes past the torrent's files.
   */
  select(items: readonly (number | string)[], lenient = false): void {
    if (!this.info) {
      this.pendingSelect = { items: [...items], lenient };
      return;
    }
    let chosen: Set<number>;
    if (lenient) {
      // A magnet's so= may name indexes the torrent does not have: those are left out, said in a warning.
      const n = this.layout.length;
      const nums = items.filter((i): i is number => typeof i === 'number');
      const beyond = nums.filter((i) => i >= n);
      if (beyond.length) this.emit('warning', { message: `the selection (a magnet's so=) names files ${beyond.slice(0, 5).join(', ')} of a torrent of ${n}: left out` });
      chosen = new Set(nums.filter((i) => i < n));
      if (chosen.size === 0) return;
    } else chosen = resolveSelection(this.layout, items);
    const all = chosen.size === this.layout.length;
    this.selected = all ? null : chosen;
    this.wanted = all ? null : wantedPieces(this.layout, this.info.pieces.length, chosen);
    this.book?.setWanted(this.wanted);
    this.selectionWasDone = false;
    // Kept in the torrent's record: a reload fetches the same files.
    this.deps.store.saveSelection(this.infoHash, this.selected ? [...this.selected].sort((a, b) => a - b) : null).catch((err: unknown) => {
      this.emit('warning', { message: `the selection of files could not be stored: ${(err as Error).message}` });
    });
    for (const p of this.peers.values()) this.updateInterest(p);
    this.checkSelectionDone();
    this.emitProgress();
  }

  private checkSelectionDone(): void {
    if (this.selectionWasDone || !this.selectionDone) return;
    this.selectionWasDone = true;
    this.emit('selection-done', undefined);
  }

  /** How many more peers we would take. */
  wantPeers(): number {
    return Math.max(0, MAX_PEERS - this.peers.size);
  }

  left(): number {
    if (!this.info || !this.have) return Infinity;
    let left = 0;
    for (let i = 0; i < this.info.pieces.length; i++) if (!this.have.get(i)) left += pieceSize(this.info, i);
    return left;
  }

  /** Install the metadata (from a share, from storage, or fetched from peers) and what we hold. */
  async setInfo(info: TorrentInfo, infoBytes: Uint8Array, have?: Bitfield): Promise<void> {
    if (this.info || this.installing) return;
    this.installing = true;
    const n = info.pieces.length;
    // Wait for storage before installing anything: bitfields and haves that arrive meanwhile
    // are kept raw (as before metadata) and applied below, so none is lost.
    const held = have ?? (await this.deps.store.have(this.infoHash, n));
    await this.deps.store.saveTorrent({ infoHash: this.infoHash, name: info.name, length: info.length, infoBytes, addedAt: Date.now() });
    this.info = info;
    this.infoBytes = infoBytes;
    this.name = info.name;
    this.have = held;
    this.availability = new Availability(n);
    this.book = new RequestBook(n, info.pieceLength, info.length);
    this.book.setHave(this.have);
    this.layout = fileLayout(info);
    if (this.pendingSelect) {
      const { items, lenient } = this.pendingSelect;
      this.pendingSelect = null;
      try {
        this.select(items, lenient);
      } catch (err) {
        this.emit('warning', { message: `the selection was not applied (every file is fetched): ${(err as Error).message}` });
      }
    }
    for (const p of this.peers.values()) {
      try {
        p.bitfield = p.rawBitfield ? Bitfield.fromBytes(p.rawBitfield, n) : new Bitfield(n);
        for (const i of p.rawHaves) if (i < n) p.bitfield.set(i);
      } catch (err) {
        p.conn.close(`bad bitfield: ${(err as Error).message}`);
        continue;
      }
      this.availability.addBitfield(p.bitfield);
      // Too late for a bitfield (it must come first): tell them piece by piece.
      for (let i = 0; i < n; i++) if (this.have.get(i)) p.conn.send({ type: 'have', index: i });
      this.updateInterest(p);
    }
    this.emit('metadata', info);
    this.emitProgress();
    this.checkSelectionDone();
    if (this.have.isComplete()) this.finish();
  }

  addWire(conn: WireConnection, initiator: boolean): void {
    if (this.destroyed) {
      conn.close('torrent removed');
      return;
    }
    conn.on('handshake', (hs) => this.onHandshake(conn, initiator, hs.peerId, hs.extensions));
    conn.peer.once('connect', () => {
      if (initiator) conn.sendHandshake();
    });
    if (initiator && (conn.peer as unknown as { connected: boolean }).connected) conn.sendHandshake();
  }

  peerViews(): PeerView[] {
    const now = Date.now();
    return [...this.peers.values()].map((p) => ({
      id: p.key,
      client: p.client,
      amChoking: p.amChoking,
      amInterested: p.amInterested,
      peerChoking: p.peerChoking,
      peerInterested: p.peerInterested,
      downRate: p.conn.down.rate(now),
      upRate: p.conn.up.rate(now),
      pieces: p.bitfield?.count() ?? 0,
      outstanding: this.book?.outstanding(p.key) ?? 0,
      snubbed: this.snubbed(p, now),
    }));
  }

  /** Per piece: 0 missing, 1 in flight, 2 have; and how many peers have it. */
  pieceMap(): { state: Uint8Array; availability: Uint16Array } {
    const n = this.info?.pieces.length ?? 0;
    const state = new Uint8Array(n);
    const availability = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      state[i] = this.have?.get(i) ? 2 : this.buffers.has(i) ? 1 : 0;
      availability[i] = this.availability?.count(i) ?? 0;
    }
    return { state, availability };
  }

  progress(): TorrentProgress {
    const now = Date.now();
    let downRate = 0;
    let upRate = 0;
    for (const p of this.peers.values()) {
      downRate += p.conn.down.rate(now);
      upRate += p.conn.up.rate(now);
    }
    return {
      infoHash: this.infoHash,
      name: this.name,
      length: this.info?.length ?? 0,
      pieces: this.info?.pieces.length ?? 0,
      have: this.have?.count() ?? 0,
      fetched: this.fetched,
      corruptPieces: this.corruptPieces,
      banned: this.banned.size,
      uploaded: this.uploaded,
      downRate,
      upRate,
      done: this.selectionDone,
      complete: this.done,
      ...this.selectedBytes(),
      multiFile: this.multiFile,
      files: this.layout.length,
      selectedFiles: this.selected?.size ?? this.layout.length,
    };
  }

  private selectedBytes(): { selectedLength: number; selectedHave: number } {
    const info = this.info;
    const have = this.have;
    if (!info || !have) return { selectedLength: 0, selectedHave: 0 };
    let selectedLength = 0;
    let selectedHave = 0;
    for (const f of this.layout) {
      if (this.selected && !this.selected.has(f.index)) continue;
      selectedLength += f.length;
      selectedHave += fileBytesHere(f, info.pieceLength, have);
    }
    return { selectedLength, selectedHave };
  }

  /**
   * The whole content in one buffer, from memory and storage: for small files only (above
   * BYTES_LIMIT it rejects; use blob(), stream() or saveUrl(), which never hold the whole file).
   */
  async bytes(path?: string | number): Promise<Uint8Array> {
    const { info, range, label } = this.rangeOf(path);
    const size = range.end - range.start;
    if (size > BYTES_LIMIT) {
      throw new Error(
        `"${label}" is ${(size / 2 ** 20).toFixed(0)} MiB: bytes() assembles a file in memory and refuses more than ${BYTES_LIMIT / 2 ** 20} MiB. Use blob(), stream() or saveUrl() instead.`,
      );
    }
    const out = new Uint8Array(size);
    let o = 0;
    for await (const chunk of pieceStream(info, range, (i) => this.readPiece(i)) as unknown as AsyncIterable<Uint8Array>) {
      out.set(chunk, o);
      o += chunk.length;
    }
    return out;
  }

  /**
   * The content streamed from storage one piece at a time, as the reader takes it (memory: one
   * piece). Throws when the torrent is not complete; the stream errors if a piece has gone from
   * storage meanwhile.
   */
  stream(path?: string | number): ReadableStream<Uint8Array> {
    const { info, range } = this.rangeOf(path);
    return pieceStream(info, range, (i) => this.readPiece(i));
  }

  /**
   * The content as a Blob made of one Blob per piece, read one at a time: the page's heap holds
   * one piece at a time; the parts live in the browser's blob store, which moves large blobs to
   * disk.
   */
  async blob(path?: string | number): Promise<Blob> {
    const { info, range } = this.rangeOf(path);
    const parts: Blob[] = [];
    // One Blob per piece (its part in the range), read one at a time.
    for await (const chunk of pieceStream(info, range, (i) => this.readPiece(i)) as unknown as AsyncIterable<Uint8Array>) {
      parts.push(new Blob([chunk.slice() as Uint8Array<ArrayBuffer>]));
    }
    return new Blob(parts, { type: 'application/octet-stream' });
  }

  /**
   * The bytes of one file (path joined by "/", or index) or, with none, of the whole torrent,
   * once all their pieces are here; throws a readable Error before, or for a file it lacks.
   */
  private rangeOf(path?: string | number): { info: TorrentInfo; range: ByteRange; label: string } {
    const info = this.info;
    const have = this.have;
    if (!info || !have) throw new Error(`"${this.name}" is not complete: its metadata is not here yet`);
    if (path === undefined) {
      if (!this.done) throw new Error(`"${this.name}" is not complete: ${have.count()} of ${info.pieces.length} pieces are here`);
      return { info, range: { start: 0, end: info.length }, label: this.name };
    }
    const index = [...resolveSelection(this.layout, [path])][0] as number;
    const file = this.layout[index] as FileSpan;
    const label = joinPath(file.path);
    if (!fileComplete(file, have)) throw new Error(`"${label}" of "${this.name}" is not complete: some of its pieces are missing`);
    return { info, range: { start: file.offset, end: file.offset + file.length }, label };
  }

  /** True for a multi-file torrent (metadata with a `files` list). */
  get multiFile(): boolean {
    return this.info?.files !== undefined;
  }

  private async readPiece(i: number): Promise<Uint8Array> {
    const piece = this.unsaved.get(i) ?? (await this.deps.store.piece(this.infoHash, i));
    if (!piece) throw new Error(`piece ${i} of "${this.name}" is missing from storage`);
    return piece;
  }

  destroy(): void {
    this.destroyed = true;
    clearInterval(this.timer);
    for (const p of [...this.peers.values()]) p.conn.close('torrent removed');
  }

  // ------------------------------------------------------------------------------------------
  // Connections

  private onHandshake(conn: WireConnection, initiator: boolean, peerId: Uint8Array, extensions: boolean): void {
    const key = [...peerId].map((b) => b.toString(16).padStart(2, '0')).join('');
    const remoteHash = [...(conn.remote?.infoHash ?? [])].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (remoteHash !== this.infoHash) return conn.close('handshake for another torrent');
    if (this.banned.has(key)) return conn.close('banned: sent corrupt pieces');
    const existing = this.peers.get(key);
    if (existing) {
      // Two connections to one peer (each side answered the other's offer): both sides keep the
      // one opened by the smaller peer id, so that they do not each close a different one.
      if (!keepsNewer(this.deps.peerId, key, existing.initiator, initiator)) return conn.close('already connected to this peer');
      existing.conn.close('replaced by the connection both sides keep');
    }
    if (this.peers.size >= MAX_PEERS) return conn.close('too many peers');
    const p: PeerState = {
      key,
      conn,
      initiator,
      client: new TextDecoder().decode(peerId.subarray(0, 8)),
      bitfield: this.info ? new Bitfield(this.info.pieces.length) : null,
      rawBitfield: null,
      rawHaves: [],
      amChoking: true,
      amInterested: false,
      peerChoking: true,
      peerInterested: false,
      unchokedAt: 0,
      lastPieceAt: 0,
      utMetadata: 0,
      metadataSize: 0,
      uploads: [],
      uploading: false,
      fillTimer: null,
    };
    this.peers.set(key, p);
    if (p.bitfield) this.availability?.addBitfield(p.bitfield);
    conn.on('message', (msg) => {
      try {
        this.onMessage(p, msg);
      } catch (err) {
        conn.close(err instanceof ProtocolError ? `bad message: ${err.message}` : `failed: ${(err as Error).message}`);
      }
    });
    conn.on('close', ({ reason }) => this.removePeer(p, reason));
    if (!initiator) conn.sendHandshake();
    if (this.have && this.have.count() > 0) conn.send({ type: 'bitfield', bytes: this.have.toBytes() });
    if (extensions) {
      const ext: { utMetadata: number; client: string; reqq: number; metadataSize?: number } = {
        utMetadata: OUR_UT_METADATA,
        client: CLIENT_NAME,
        reqq: 250,
      };
      if (this.infoBytes) ext.metadataSize = this.infoBytes.length;
      conn.send({ type: 'extended', ext: 0, payload: encodeExtendedHandshake(ext) });
    }
    this.emit('peer-add', { id: key });
    if (this.peersUnchoked() < UNCHOKE_SLOTS + 1) this.rechokeNow(false);
  }

  private removePeer(p: PeerState, reason: string): void {
    if (this.peers.get(p.key) !== p) return;
    this.peers.delete(p.key);
    if (p.fillTimer) clearTimeout(p.fillTimer);
    if (p.bitfield) this.availability?.removeBitfield(p.bitfield);
    this.book?.peerGone(p.key);
    for (const [piece, who] of this.metaRequested) if (who === p.key) this.metaRequested.delete(piece);
    if (this.optimistic === p.key) this.optimistic = null;
    this.emit('peer-remove', { id: p.key, reason });
    this.requestMetadata();
    for (const q of this.peers.values()) this.fill(q);
  }

  // ------------------------------------------------------------------------------------------
  // Messages

  private onMessage(p: PeerState, msg: WireMessage): void {
    switch (msg.type) {
      case 'bitfield':
        if (!this.info) {
          p.rawBitfield = msg.bytes;
          return;
        }
        if (p.bitfield) this.availability?.removeBitfield(p.bitfield);
        p.bitfield = Bitfield.fromBytes(msg.bytes, this.info.pieces.length);
        this.availability?.addBitfield(p.bitfield);
        this.updateInterest(p);
        return;
      case 'have':
        if (!this.info || !p.bitfield) {
          p.rawHaves.push(msg.index);
          return;
        }
        if (msg.index >= this.info.pieces.length) throw new ProtocolError('bad-frame', `have ${msg.index} out of range`);
        if (!p.bitfield.get(msg.index)) {
          p.bitfield.set(msg.index);
          this.availability?.addHave(msg.index);
        }
        if (!p.amInterested && this.have && !this.have.get(msg.index) && (!this.wanted || this.wanted.get(msg.index))) this.updateInterest(p);
        else this.fill(p);
        return;
      case 'interested':
        p.peerInterested = true;
        if (this.peersUnchoked() < UNCHOKE_SLOTS + 1) this.rechokeNow(false);
        return;
      case 'not-interested':
        p.peerInterested = false;
        return;
      case 'choke':
        p.peerChoking = true;
        this.book?.choked(p.key);
        return;
      case 'unchoke':
        p.peerChoking = false;
        p.unchokedAt = Date.now();
        this.fill(p);
        return;
      case 'request':
        this.onRequest(p, msg);
        return;
      case 'cancel':
        p.uploads = p.uploads.filter((r) => !(r.index === msg.index && r.begin === msg.begin && r.length === msg.length));
        return;
      case 'piece':
        this.onPiece(p, msg.index, msg.begin, msg.block);
        return;
      case 'extended':
        this.onExtended(p, msg.ext, msg.payload);
        return;
      default:
        return; // keep-alive, port, unknown: nothing to do
    }
  }

  private onRequest(p: PeerState, r: { index: number; begin: number; length: number }): void {
    if (p.amChoking || !this.info || !this.have?.get(r.index)) return;
    if (r.begin + r.length > pieceSize(this.info, r.index)) throw new ProtocolError('bad-frame', 'request beyond the piece');
    if (p.uploads.length >= 500) return; // a peer asking far beyond its reqq is ignored
    p.uploads.push({ index: r.index, begin: r.begin, length: r.length });
    void this.serve(p);
  }

  /**
   * Send the peer's requested blocks, in order, within the upload limit and buffer. Blocks of
   * pieces in memory go out without a pause (they leave in one data-channel message per 64 KiB);
   * a piece read from storage brings the next requested pieces' reads along.
   */
  private async serve(p: PeerState): Promise<void> {
    if (p.uploading) return;
    p.uploading = true;
    try {
      while (p.uploads.length > 0 && !p.conn.closed && !p.amChoking) {
        if (p.conn.buffered() >= UPLOAD_BUFFER) {
          await p.conn.whenBelow(UPLOAD_BUFFER);
          continue;
        }
        const r = p.uploads[0] as BlockRequest;
        const wait = this.deps.limits.up.reserve(r.length, Date.now());
        if (wait > 0) await sleep(wait);
        if (p.uploads[0] !== r) continue; // cancelled meanwhile
        p.uploads.shift();
        let piece = this.unsaved.get(r.index) ?? this.deps.store.cachedPiece(this.infoHash, r.index);
        if (!piece) {
          this.readAhead(p.uploads, r.index);
          piece = await this.deps.store.piece(this.infoHash, r.index);
        }
        if (!piece) continue;
        let block = piece.subarray(r.begin, r.begin + r.length);
        if (this.deps.corruptUploads()) {
          block = block.slice();
          block[0] = (block[0] ?? 0) ^ 0xff;
        }
        p.conn.send({ type: 'piece', index: r.index, begin: r.begin, block });
        this.uploaded += r.length;
      }
    } finally {
      p.uploading = false;
    }
  }

  /** Start reading the next pieces a peer has asked for (after `current`), so they are in memory when its turn comes. */
  private readAhead(uploads: readonly BlockRequest[], current: number): void {
    const next = new Set<number>();
    for (const u of uploads) {
      if (next.size >= READ_AHEAD_PIECES) break;
      if (u.index !== current && !this.unsaved.has(u.index)) next.add(u.index);
    }
    for (const i of next) void this.deps.store.piece(this.infoHash, i).catch(() => undefined);
  }

  private onPiece(p: PeerState, index: number, begin: number, block: Uint8Array): void {
    if (!this.info || !this.book || !this.have) return;
    this.fetched += block.length;
    p.lastPieceAt = Date.now();
    const res = this.book.onBlock(p.key, index, begin, block.length);
    for (const d of res.duplicates) this.peers.get(d.peer)?.conn.send({ type: 'cancel', ...d.req });
    if (res.accepted) {
      let buf = this.buffers.get(index);
      if (!buf) {
        buf = new Uint8Array(pieceSize(this.info, index));
        this.buffers.set(index, buf);
      }
      buf.set(block, begin);
      let who = this.senders.get(index);
      if (!who) {
        who = [];
        this.senders.set(index, who);
      }
      who[Math.floor(begin / this.book.blockLength)] = p.key;
      if (res.pieceComplete) void this.verify(index, buf);
    }
    this.fill(p);
  }

  private async verify(index: number, data: Uint8Array): Promise<void> {
    if (!this.info || !this.book || !this.have || this.verifying.has(index)) return;
    this.verifying.add(index);
    try {
      const ok = await verifyPiece(this.info, index, data);
      this.buffers.delete(index);
      const senders = this.senders.get(index) ?? [];
      this.senders.delete(index);
      if (!ok) {
        this.corruptPieces++;
        const { cancels, contributors } = this.book.pieceDone(index, false);
        for (const c of cancels) this.peers.get(c.peer)?.conn.send({ type: 'cancel', ...c.req });
        // One sender: it is the culprit. Several: keep the bad copy; when the piece verifies, the
        // blocks that differ from the good copy name who lied.
        if (contributors.length === 1) this.strike(contributors[0] as string, index);
        else this.suspects.set(index, { data, senders });
        for (const q of this.peers.values()) this.fill(q);
        return;
      }
      this.blameLiars(index, data);
      // Persist before announcing: a `have` we send is a piece we can serve after a reload.
      try {
        await this.deps.store.putPiece(this.infoHash, index, data);
      } catch (err) {
        this.unsaved.set(index, data);
        const quota = (err as Error).name === 'QuotaExceededError';
        this.emit('error', {
          message: quota
            ? `Storage is full: piece ${index} of "${this.name}" is kept in memory only. Free some space to keep it across reloads.`
            : `Could not store piece ${index}: ${(err as Error).message}`,
        });
      }
      const { cancels } = this.book.pieceDone(index, true);
      for (const c of cancels) this.peers.get(c.peer)?.conn.send({ type: 'cancel', ...c.req });
      this.have.set(index);
      for (const q of this.peers.values()) {
        q.conn.send({ type: 'have', index });
        if (q.amInterested) this.updateInterest(q);
      }
      this.emit('piece', { index });
      this.emitProgress();
      this.checkSelectionDone();
      if (this.have.isComplete()) this.finish();
    } finally {
      this.verifying.delete(index);
    }
  }

  private blameLiars(index: number, good: Uint8Array): void {
    const suspect = this.suspects.get(index);
    if (!suspect || !this.book) return;
    this.suspects.delete(index);
    const liars = new Set<string>();
    const blockLength = this.book.blockLength;
    suspect.senders.forEach((peer, b) => {
      const a = suspect.data.subarray(b * blockLength, (b + 1) * blockLength);
      const g = good.subarray(b * blockLength, (b + 1) * blockLength);
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== g[i]) {
          liars.add(peer);
          return;
        }
      }
    });
    for (const peer of liars) this.strike(peer, index);
  }

  private strike(peer: string, index: number): void {
    const n = (this.strikes.get(peer) ?? 0) + 1;
    this.strikes.set(peer, n);
    this.emit('warning', { message: `piece ${index} failed its hash check (peer ${peer.slice(0, 16)}…, ${n} bad)` });
    if (n >= BAN_AFTER_BAD_PIECES) {
      this.banned.add(peer);
      this.peers.get(peer)?.conn.close(`banned after ${n} corrupt pieces`);
      this.emit('warning', { message: `banned peer ${peer.slice(0, 16)}… after ${n} corrupt pieces` });
    }
  }

  private finish(): void {
    if (this.completed) return;
    this.completed = true;
    for (const p of this.peers.values()) {
      if (p.amInterested) {
        p.amInterested = false;
        p.conn.send({ type: 'not-interested' });
      }
    }
    this.deps.onComplete();
    this.emit('done', undefined);
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  private updateInterest(p: PeerState): void {
    if (!this.have || !p.bitfield) return;
    let want = false;
    const wanted = this.wanted;
    for (let i = 0; i < p.bitfield.length && !want; i++) want = p.bitfield.get(i) && !this.have.get(i) && (!wanted || wanted.get(i));
    if (want !== p.amInterested) {
      p.amInterested = want;
      p.conn.send({ type: want ? 'interested' : 'not-interested' });
    }
    this.fill(p);
  }

  private fill(p: PeerState): void {
    if (!this.book || !this.have || !this.availability || !p.bitfield || p.peerChoking || !p.amInterested || p.fillTimer) return;
    const now = Date.now();
    const want = pipelineDepth(p.conn.down.rate(now));
    // Refill in batches (a piece's worth of blocks, or half the pipeline if that is less): one
    // request message and one pick per batch instead of one per block that arrives.
    const outstanding = this.book.outstanding(p.key);
    if (outstanding > 0 && want - outstanding < Math.min(REFILL_BATCH, want / 2)) return;
    const reqs = this.book.nextRequests(p.key, p.bitfield, this.have, this.availability, want, now, this.deps.rng);
    let wait = 0;
    for (const r of reqs) {
      p.conn.send({ type: 'request', ...r });
      wait = Math.max(wait, this.deps.limits.down.reserve(r.length, now));
    }
    if (wait > 0) {
      // Over the download limit: ask for nothing more from this peer until the budget refills.
      p.fillTimer = setTimeout(() => {
        p.fillTimer = null;
        this.fill(p);
      }, wait);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Metadata (BEP 9)

  private onExtended(p: PeerState, ext: number, payload: Uint8Array): void {
    if (ext === 0) {
      const hs = parseExtendedHandshake(payload);
      p.utMetadata = hs.m[UT_METADATA] ?? 0;
      if (hs.client) p.client = hs.client.slice(0, 40);
      if (hs.metadataSize) p.metadataSize = hs.metadataSize;
      this.requestMetadata();
      return;
    }
    if (ext !== OUR_UT_METADATA) return;
    const m = parseMetadataMessage(payload);
    if (m.kind === 'request') {
      if (!p.utMetadata) return;
      if (!this.infoBytes || m.piece >= metadataPieceCount(this.infoBytes.length)) {
        p.conn.send({ type: 'extended', ext: p.utMetadata, payload: encodeMetadataMessage({ kind: 'reject', piece: m.piece }) });
        return;
      }
      const start = m.piece * METADATA_PIECE_LENGTH;
      const data = this.infoBytes.subarray(start, start + metadataPieceLength(this.infoBytes.length, m.piece));
      p.conn.send({
        type: 'extended',
        ext: p.utMetadata,
        payload: encodeMetadataMessage({ kind: 'data', piece: m.piece, totalSize: this.infoBytes.length, data }),
      });
      return;
    }
    if (this.info) return;
    if (this.metaRequested.get(m.piece) === p.key) this.metaRequested.delete(m.piece);
    if (m.kind === 'reject') {
      p.metadataSize = 0; // do not ask this peer again
      this.requestMetadata();
      return;
    }
    if (m.totalSize !== p.metadataSize || !m.data) return;
    if (this.metaPieces.length !== metadataPieceCount(m.totalSize)) this.metaPieces = new Array(metadataPieceCount(m.totalSize));
    this.metaPieces[m.piece] = m.data.slice();
    // Not every(): it skips the holes of the sparse array, and would assemble missing pieces.
    let all = true;
    for (let i = 0; i < this.metaPieces.length && all; i++) all = !!this.metaPieces[i];
    if (all) void this.assembleMetadata(m.totalSize, p);
    else this.requestMetadata();
  }

  private requestMetadata(): void {
    if (this.info) return;
    const sources = [...this.peers.values()].filter((p) => p.utMetadata && p.metadataSize);
    const first = sources[0];
    if (!first) return;
    const size = first.metadataSize;
    const n = metadataPieceCount(size);
    if (this.metaPieces.length !== n) this.metaPieces = new Array(n);
    let k = 0;
    for (let piece = 0; piece < n; piece++) {
      if (this.metaPieces[piece] || this.metaRequested.has(piece)) continue;
      const candidates = sources.filter((s) => s.metadataSize === size);
      const peer = candidates[k++ % candidates.length];
      if (!peer) return;
      this.metaRequested.set(piece, peer.key);
      peer.conn.send({ type: 'extended', ext: peer.utMetadata, payload: encodeMetadataMessage({ kind: 'request', piece }) });
    }
  }

  private async assembleMetadata(size: number, last: PeerState): Promise<void> {
    const bytes = new Uint8Array(size);
    let o = 0;
    for (const part of this.metaPieces) {
      bytes.set(part as Uint8Array, o);
      o += (part as Uint8Array).length;
    }
    this.metaPieces = [];
    try {
      const { info } = await parseInfo(bytes, this.infoHash);
      await this.setInfo(info, bytes);
    } catch (err) {
      this.emit('warning', { message: `metadata from peers was rejected: ${(err as Error).message}` });
      this.strike(last.key, -1);
      this.requestMetadata();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Choking and housekeeping

  private peersUnchoked(): number {
    let n = 0;
    for (const p of this.peers.values()) if (!p.amChoking) n++;
    return n;
  }

  private snubbed(p: PeerState, now: number): boolean {
    return !p.peerChoking && p.amInterested && isSnubbed(Math.max(p.lastPieceAt, p.unchokedAt), now);
  }

  /** A choking round; `newRound` is false for the extra rounds run when a slot is free. */
  private rechokeNow(newRound: boolean): void {
    const now = Date.now();
    const res = rechoke(
      {
        peers: [...this.peers.values()].map((p) => ({
          id: p.key,
          interested: p.peerInterested,
          downloadRate: p.conn.down.rate(now),
          uploadRate: p.conn.up.rate(now),
          snubbed: this.snubbed(p, now),
          connectedAt: p.conn.connectedAt,
        })),
        seeding: this.done,
        slots: UNCHOKE_SLOTS,
        optimistic: this.optimistic,
        // Extra rounds must not rotate the optimistic unchoke: give them a round number that is not a multiple of 3.
        round: newRound ? this.round++ : this.round * 3 + 1,
        now,
      },
      this.deps.rng,
    );
    this.optimistic = res.optimistic;
    const unchoke = new Set(this.uploadEnabled ? res.unchoke : []);
    for (const p of this.peers.values()) {
      const should = unchoke.has(p.key);
      if (should && p.amChoking) {
        p.amChoking = false;
        p.conn.send({ type: 'unchoke' });
      } else if (!should && !p.amChoking) {
        p.amChoking = true;
        p.uploads = [];
        p.conn.send({ type: 'choke' });
      }
    }
  }

  private tick(): void {
    this.ticks++;
    const now = Date.now();
    if (this.book) {
      const expired = this.book.expire(now, REQUEST_TIMEOUT_MS);
      for (const e of expired) this.peers.get(e.peer)?.conn.send({ type: 'cancel', ...e.req });
    }
    if (this.ticks % 10 === 0) this.rechokeNow(true);
    if (this.ticks % 55 === 0) for (const p of this.peers.values()) p.conn.send({ type: 'keep-alive' });
    for (const p of this.peers.values()) this.fill(p);
    this.emitProgress();
  }

  private emitProgress(): void {
    this.emit('progress', this.progress());
  }
}

/** Free request slots that make a peer's pipeline worth refilling (16 KiB blocks of a 256 KiB piece). */
const REFILL_BATCH = 16;
/** Bytes queued to a peer before serving waits for its channel to drain. */
const UPLOAD_BUFFER = 1024 * 1024;
/** Pieces read from storage ahead of a peer's turn (each 256 KiB in a torrent of ours). */
const READ_AHEAD_PIECES = 2;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { fromHex };
