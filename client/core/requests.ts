/**
 * The block request book of one torrent: which 16 KiB blocks of which pieces we asked which
 * peer for and when, which arrived, and which to ask for next (pipelining, endgame mode).
 * Pure bookkeeping: the caller sends the `request`/`cancel` messages and verifies pieces.
 */
import { BLOCK_LENGTH } from '../../protocol/constants';
import type { Bitfield } from '../../protocol/bitfield';
import { type Availability, pickPiece, RANDOM_FIRST } from './picker';
import { usableRate } from './rate';

/** One block: the payload of a BEP 3 `request`, `cancel` or (without data) `piece` message. */
export interface BlockRequest {
  index: number;
  begin: number;
  length: number;
}

/** A block request addressed to one peer. */
export interface PeerRequest {
  peer: string;
  req: BlockRequest;
}

/** What `onBlock` found. */
export interface BlockResult {
  /** The block was missing and is now recorded as received (store its data). */
  accepted: boolean;
  /** Every block of the piece is now in hand: verify it, then call `pieceDone`. */
  pieceComplete: boolean;
  /** Other peers that were asked for the same block (endgame, late answers): cancel them. */
  duplicates: PeerRequest[];
}

/** What `pieceDone` cleared. */
export interface PieceDoneResult {
  /** Requests for blocks of the piece still outstanding: cancel them. */
  cancels: PeerRequest[];
  /** Peers that supplied blocks of it (suspects when the hash failed). */
  contributors: string[];
}

interface PieceState {
  blocks: number;
  /** 1 per block in hand. */
  received: Uint8Array;
  receivedCount: number;
  /** Per block: who was asked for it, and when (ms). Undefined when nobody was. */
  requesters: (Map<string, number> | undefined)[];
  /** Blocks neither in hand nor requested from anyone. */
  unrequested: number;
  contributors: Set<string>;
}

/** A block of a piece being read that one peer has not sent in this long is asked of another too. */
export const URGENT_LATE_MS = 1_500;

/** In endgame, a block asked of one peer is asked of another only once it is late there: this long at least (ms)… */
export const ENDGAME_LATE_MS = 1_000;

/**
 * …and twice the time that peer's outstanding requests take at the rate it sends us data: a
 * peer that keeps its pace delivers before, so asking another too would only fetch it twice. A
 * peer that sends nothing (rate 0) is late after ENDGAME_LATE_MS.
 */
export function endgameLateMs(outstanding: number, rateBytesPerSec: number, blockLength = BLOCK_LENGTH): number {
  const rate = usableRate(rateBytesPerSec);
  const drainMs = rate > 0 ? ((outstanding * blockLength) / rate) * 1000 : 0;
  return Math.max(ENDGAME_LATE_MS, 2 * drainMs);
}

/**
 * How many requests to keep outstanding with a peer: enough to cover about one second of the
 * rate at which it sends us data, `ceil(rateBytesPerSec * 1 s / blockLength)`, clamped to
 * [4, 250] (4 keeps a slow or new link busy across a round trip; 250 bounds what one peer can
 * hold hostage). A non-finite or negative rate counts as 0.
 */
export function pipelineDepth(rateBytesPerSec: number, blockLength = BLOCK_LENGTH): number {
  const rate = usableRate(rateBytesPerSec);
  const depth = Math.ceil(rate / blockLength);
  return Math.max(4, Math.min(250, depth));
}

/**
 * Per-torrent request book. Piece `i` spans `pieceLength` bytes (the last piece the rest of
 * `totalLength`), cut into blocks of `blockLength` (the last block of a piece may be shorter).
 * Peers are identified by an opaque string key.
 */
export class RequestBook {
  /** Blocks in a full piece; also the stride of internal block ids. */
  private readonly stride: number;
  private readonly pieces = new Map<number, PieceState>();
  /** Per peer: block id (index * stride + block) to the time it was requested. */
  private readonly peers = new Map<string, Map<number, number>>();
  /** Pieces verified (by `pieceDone(i, true)` or seen in a `have` bitfield). */
  private readonly done: Uint8Array;
  /** The pieces of the files the user selected; null: every piece. */
  private wanted: Bitfield | null = null;
  /** Pieces being read (read windows), nearest deadline first. */
  private urgent: readonly number[] = [];
  /** Bytes/s each peer sends us (for endgame's lateness); unknown: 0. */
  private rateOf: (peer: string) => number = () => 0;

  /**
   * A book for a torrent of `pieceCount` pieces of `pieceLength` bytes, `totalLength` bytes
   * in all. `randomFirst` is the random-first threshold handed to `pickPiece`.
   */
  constructor(
    readonly pieceCount: number,
    readonly pieceLength: number,
    readonly totalLength: number,
    readonly blockLength: number = BLOCK_LENGTH,
    readonly randomFirst: number = RANDOM_FIRST,
  ) {
    for (const [name, v] of [['pieceLength', pieceLength], ['blockLength', blockLength]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`bad ${name} ${v}`);
    }
    if (!Number.isSafeInteger(totalLength) || totalLength < 0) throw new RangeError(`bad totalLength ${totalLength}`);
    if (!Number.isSafeInteger(pieceCount) || pieceCount !== Math.ceil(totalLength / pieceLength)) {
      throw new RangeError(`pieceCount ${pieceCount} does not match ${totalLength} bytes in pieces of ${pieceLength}`);
    }
    this.stride = Math.ceil(pieceLength / blockLength);
    this.done = new Uint8Array(pieceCount);
  }

  /** Whether piece `index` is under way: a block of it asked for (and not given back) or received, the piece not done. */
  underWay(index: number): boolean {
    const st = this.pieces.get(index);
    return !!st && st.unrequested < st.blocks;
  }

  /** Size in bytes of piece `index` (0 out of range). */
  pieceSize(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) return 0;
    if (index < this.pieceCount - 1) return this.pieceLength;
    return this.totalLength - this.pieceLength * (this.pieceCount - 1);
  }

  /** Number of blocks of piece `index`. */
  blockCount(index: number): number {
    return Math.ceil(this.pieceSize(index) / this.blockLength);
  }

  /** Block `block` of piece `index`. */
  block(index: number, block: number): BlockRequest {
    const begin = block * this.blockLength;
    return { index, begin, length: Math.min(this.blockLength, this.pieceSize(index) - begin) };
  }

  /** All blocks of piece `index`, in order. */
  blocks(index: number): BlockRequest[] {
    return Array.from({ length: this.blockCount(index) }, (_, b) => this.block(index, b));
  }

  /**
   * Record pieces already verified (say, loaded from storage). `nextRequests` does this with
   * its `have` argument; call it before `isEndgame` when that has not run yet.
   */
  setHave(have: Bitfield): void {
    const n = Math.min(have.length, this.pieceCount);
    for (let i = 0; i < n; i++) if (have.get(i) && !this.done[i]) this.finish(i, true);
  }

  /**
   * Ask only for these pieces (those of the selected files; null: every piece). Pieces started
   * before a change keep their requests; nothing new is asked of the others, and endgame
   * looks at wanted pieces only.
   */
  setWanted(wanted: Bitfield | null): void {
    if (wanted && wanted.length !== this.pieceCount) throw new RangeError(`wanted has ${wanted.length} pieces, the torrent ${this.pieceCount}`);
    this.wanted = wanted;
  }

  /**
   * Pieces being read right now, the nearest deadline first (client/bittorrent/read-windows.ts):
   * asked for before any other, wanted or not; a block of one that another peer has held for
   * URGENT_LATE_MS is asked of a second peer too (the first answer wins, the other is cancelled).
   */
  setUrgent(pieces: readonly number[]): void {
    this.urgent = pieces.filter((i) => Number.isInteger(i) && i >= 0 && i < this.pieceCount);
  }

  /** Where the book reads the rate at which each peer sends us data (endgame asks a second peer only for blocks late at the first). */
  setRates(rateOf: (peer: string) => number): void {
    this.rateOf = rateOf;
  }

  /** The pieces being read (setUrgent), nearest deadline first. */
  urgentPieces(): readonly number[] {
    return this.urgent;
  }

  /** True when piece `i` is one to fetch. */
  isWanted(i: number): boolean {
    return !this.wanted || this.wanted.get(i);
  }

  /**
   * Up to `want - outstanding(peer)` new requests for `peer`, recorded as requested at `now`.
   * Pieces come from `pickPiece` (started pieces first, random first, rarest first); blocks of
   * a piece in order. In endgame mode (every missing block already requested) it also hands
   * out blocks requested from other peers once they are late at every one of them
   * (endgameLateMs), fewest requesters first, never one this peer was already asked for;
   * `onBlock` later names the other requesters so they can be cancelled.
   */
  nextRequests(
    peer: string,
    peerHas: Bitfield,
    have: Bitfield,
    availability: Availability,
    want: number,
    now: number,
    rng: () => number,
  ): BlockRequest[] {
    this.setHave(have);
    const out: BlockRequest[] = [];
    let need = Math.floor(want) - this.outstanding(peer);
    if (!(need > 0)) return out;

    const active = new Set<number>();
    const exclude = new Set<number>();
    for (const [i, st] of this.pieces) (st.unrequested > 0 ? active : exclude).add(i);
    for (let i = 0; i < this.pieceCount; i++) if (this.done[i]) exclude.add(i);

    // Blocks of pieces being read that are late elsewhere first, then new ones (urgent first).
    need -= this.lateUrgent(peer, peerHas, now, need, out);
    while (need > 0) {
      const index = pickPiece({ have, peerHas, availability, active, exclude, randomFirst: this.randomFirst, wanted: this.wanted, urgent: this.urgent }, rng);
      if (index === null) break;
      const st = this.pieces.get(index) ?? this.start(index);
      for (let b = 0; b < st.blocks && need > 0; b++) {
        if (st.received[b] || st.requesters[b]) continue;
        this.assign(peer, index, b, st, now);
        out.push(this.block(index, b));
        need--;
      }
      if (st.unrequested > 0) active.add(index);
      else {
        active.delete(index);
        exclude.add(index);
      }
    }

    if (need > 0 && this.isEndgame()) {
      const spare: { index: number; b: number; n: number; key: number }[] = [];
      const lateMs = new Map<string, number>();
      const late = (q: string, at: number) => {
        let ms = lateMs.get(q);
        if (ms === undefined) {
          ms = endgameLateMs(this.outstanding(q), this.rateOf(q), this.blockLength);
          lateMs.set(q, ms);
        }
        return now - at >= ms;
      };
      for (const [index, st] of this.pieces) {
        if (index >= peerHas.length || !peerHas.get(index) || !this.isWanted(index)) continue;
        for (let b = 0; b < st.blocks; b++) {
          const reqs = st.requesters[b];
          if (st.received[b] || !reqs || reqs.has(peer)) continue;
          let allLate = true;
          for (const [q, at] of reqs) {
            if (late(q, at)) continue;
            allLate = false;
            break;
          }
          if (allLate) spare.push({ index, b, n: reqs.size, key: rng() });
        }
      }
      spare.sort((x, y) => x.n - y.n || x.key - y.key);
      for (const s of spare.slice(0, need)) {
        const st = this.pieces.get(s.index);
        if (!st) continue;
        this.assign(peer, s.index, s.b, st, now);
        out.push(this.block(s.index, s.b));
      }
    }
    return out;
  }

  /**
   * A `piece` message from `peer` carried block (`index`, `begin`, `length`). Accepted when
   * the block has the right geometry, belongs to a piece in progress and is still missing,
   * whoever was asked for it (a late answer after `expire` or `choked` is still good data; the
   * piece hash guards against junk). Rejected: unknown blocks, pieces not started or already
   * done, blocks already in hand. Every request for the block is cleared; requests to other
   * peers are returned in `duplicates` for cancelling.
   */
  onBlock(peer: string, index: number, begin: number, length: number): BlockResult {
    const result: BlockResult = { accepted: false, pieceComplete: false, duplicates: [] };
    if (!Number.isInteger(index) || !Number.isInteger(begin) || begin < 0 || begin % this.blockLength !== 0) {
      return result;
    }
    const b = begin / this.blockLength;
    const st = this.pieces.get(index);
    if (!st || b >= st.blocks || st.received[b] || this.block(index, b).length !== length) return result;

    st.received[b] = 1;
    st.receivedCount++;
    st.contributors.add(peer);
    const reqs = st.requesters[b];
    if (reqs) {
      const id = index * this.stride + b;
      for (const p of reqs.keys()) {
        this.unlink(p, id);
        if (p !== peer) result.duplicates.push({ peer: p, req: this.block(index, b) });
      }
      st.requesters[b] = undefined;
    } else st.unrequested--;
    result.accepted = true;
    result.pieceComplete = st.receivedCount === st.blocks;
    return result;
  }

  /**
   * Piece `index` was verified (`ok`) or failed its hash (`!ok`: all its blocks are
   * forgotten, so it will be fetched again). Requests still outstanding for it are cleared
   * and returned for cancelling, with the peers that supplied its blocks.
   */
  pieceDone(index: number, ok: boolean): PieceDoneResult {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) return { cancels: [], contributors: [] };
    return this.finish(index, ok);
  }

  /** `peer` disconnected: its outstanding requests return to the pool (returned). */
  peerGone(peer: string): BlockRequest[] {
    return this.release(peer, () => true).map((r) => r.req);
  }

  /** `peer` choked us, which discards our requests: they return to the pool (returned). */
  choked(peer: string): BlockRequest[] {
    return this.release(peer, () => true).map((r) => r.req);
  }

  /**
   * Requests made more than `timeoutMs` before `now` (snubbed or slow peers) return to the
   * pool; they are returned so the caller can cancel them.
   */
  expire(now: number, timeoutMs: number): PeerRequest[] {
    const out: PeerRequest[] = [];
    for (const peer of [...this.peers.keys()]) out.push(...this.release(peer, (at) => now - at > timeoutMs));
    return out;
  }

  /** Requests outstanding with `peer`. */
  outstanding(peer: string): number {
    return this.peers.get(peer)?.size ?? 0;
  }

  /** The requests outstanding with `peer`, oldest first. */
  requestsOf(peer: string): BlockRequest[] {
    const mine = this.peers.get(peer);
    if (!mine) return [];
    return [...mine.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => this.fromId(id));
  }

  /**
   * Endgame mode: some block is still missing, and every missing block of every wanted piece
   * not yet verified is requested from at least one peer.
   */
  isEndgame(): boolean {
    let pending = false;
    for (let i = 0; i < this.pieceCount; i++) {
      if (this.done[i] || !this.isWanted(i)) continue;
      const st = this.pieces.get(i);
      if (!st || st.unrequested > 0) return false;
      if (st.receivedCount < st.blocks) pending = true;
    }
    return pending;
  }

  /** Blocks of urgent pieces late at one other peer, asked of `peer` too (at most `need`, into `out`); how many. */
  private lateUrgent(peer: string, peerHas: Bitfield, now: number, need: number, out: BlockRequest[]): number {
    let n = 0;
    for (const index of this.urgent) {
      const st = this.pieces.get(index);
      if (!st || index >= peerHas.length || !peerHas.get(index)) continue;
      for (let b = 0; b < st.blocks && n < need; b++) {
        const reqs = st.requesters[b];
        if (st.received[b] || !reqs || reqs.size !== 1 || reqs.has(peer)) continue;
        const [at] = reqs.values() as IterableIterator<number>;
        if (at === undefined || now - at < URGENT_LATE_MS) continue;
        this.assign(peer, index, b, st, now);
        out.push(this.block(index, b));
        n++;
      }
      if (n >= need) break;
    }
    return n;
  }

  private start(index: number): PieceState {
    const blocks = this.blockCount(index);
    const st: PieceState = {
      blocks,
      received: new Uint8Array(blocks),
      receivedCount: 0,
      requesters: new Array<Map<string, number> | undefined>(blocks).fill(undefined),
      unrequested: blocks,
      contributors: new Set(),
    };
    this.pieces.set(index, st);
    return st;
  }

  private assign(peer: string, index: number, b: number, st: PieceState, now: number): void {
    let reqs = st.requesters[b];
    if (!reqs) {
      reqs = new Map();
      st.requesters[b] = reqs;
      st.unrequested--;
    }
    reqs.set(peer, now);
    let mine = this.peers.get(peer);
    if (!mine) {
      mine = new Map();
      this.peers.set(peer, mine);
    }
    mine.set(index * this.stride + b, now);
  }

  private unlink(peer: string, id: number): void {
    const mine = this.peers.get(peer);
    if (!mine) return;
    mine.delete(id);
    if (mine.size === 0) this.peers.delete(peer);
  }

  private fromId(id: number): BlockRequest {
    return this.block(Math.floor(id / this.stride), id % this.stride);
  }

  /** Drop `peer`'s requests whose request time satisfies `pred`; they return to the pool. */
  private release(peer: string, pred: (at: number) => boolean): PeerRequest[] {
    const mine = this.peers.get(peer);
    if (!mine) return [];
    const out: PeerRequest[] = [];
    for (const [id, at] of [...mine.entries()]) {
      if (!pred(at)) continue;
      mine.delete(id);
      const index = Math.floor(id / this.stride);
      const b = id % this.stride;
      const st = this.pieces.get(index);
      const reqs = st?.requesters[b];
      if (st && reqs) {
        reqs.delete(peer);
        if (reqs.size === 0) {
          st.requesters[b] = undefined;
          if (!st.received[b]) st.unrequested++;
        }
      }
      out.push({ peer, req: this.block(index, b) });
    }
    if (mine.size === 0) this.peers.delete(peer);
    return out;
  }

  private finish(index: number, ok: boolean): PieceDoneResult {
    const cancels: PeerRequest[] = [];
    const st = this.pieces.get(index);
    const contributors = st ? [...st.contributors] : [];
    if (st) {
      for (let b = 0; b < st.blocks; b++) {
        const reqs = st.requesters[b];
        if (!reqs) continue;
        for (const p of reqs.keys()) {
          this.unlink(p, index * this.stride + b);
          cancels.push({ peer: p, req: this.block(index, b) });
        }
      }
      this.pieces.delete(index);
    }
    this.done[index] = ok ? 1 : 0;
    return { cancels, contributors };
  }
}
