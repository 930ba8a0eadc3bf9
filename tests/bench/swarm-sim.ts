/**
 * A discrete-event simulation of one torrent's swarm: one seeder and N leechers, each peer's
 * uplink capped at `uplink` bytes/s, run by the client's own cores on a virtual clock (no real
 * time passes, nothing is sent, no bytes are carried).
 *
 * The real code it drives, per peer:
 *  - client/core/requests.ts: the RequestBook (which blocks to ask whom for, pipelining,
 *    endgame, duplicates, expiry), and through it client/core/picker.ts (strict priority,
 *    random first, rarest first over its own neighbours' Availability);
 *  - client/core/choker.ts: `rechoke`, every 10 s and in the extra rounds run when a slot is
 *    free, with `isSnubbed`;
 *  - client/bittorrent/request-rules.ts (`wantsFrom`, `refillDue`), peer-haves.ts
 *    (`emptyHaves`, `takeBitfield`, `takeHave`), upload-queue.ts (each neighbour's queue of
 *    requests), client/core/rate.ts (the 5 s RateMeters the choker and `pipelineDepth` read).
 *
 * What this file does itself is the glue that in the client is tied to sockets, timers and
 * `Date.now()`: torrent.ts (message dispatch, the 1 s tick), choking.ts (`Choking.run`: its
 * round numbering and how a decision is applied), request-pipeline.ts (`fill`, without the
 * download limit: none is set), block-server.ts (serving queued requests) and piece-intake.ts
 * (a complete piece counts as verified: no data, so no hash, is simulated). Those lines are
 * mirrored here as they are there, each marked with the function it mirrors; no decision of
 * picker, request book or choker is made here.
 *
 * The simulated world:
 *  - every peer's uplink (the seeder's too) sends one block at a time at `uplink` bytes/s,
 *    taking the unchoked neighbours with queued requests in turn (round robin, a block each);
 *    downlinks are unlimited; every message (control or block) arrives `latencyMs` after it
 *    left (a block: after its last byte left);
 *  - each peer asks a tracker for `neighbours` random peers at t = 0 and connects to those
 *    that have room (MAX_PEERS, 50, as the client); links are up at once and stay;
 *  - leechers that finish stay as seeds. `client-server`: leechers never unchoke anyone
 *    (Torrent.uploadEnabled false), so every byte comes from the seeder.
 */
import { Bitfield } from '../../protocol/bitfield.ts';
import { BLOCK_LENGTH, PIECE_LENGTH } from '../../protocol/constants.ts';
import type { TorrentInfo } from '../../protocol/metainfo.ts';
import { isSnubbed, rechoke } from '../../client/core/choker.ts';
import { Availability } from '../../client/core/picker.ts';
import { RateMeter } from '../../client/core/rate.ts';
import { pipelineDepth, RequestBook, type BlockRequest, type PeerRequest } from '../../client/core/requests.ts';
import { offerDepth, SuperSeed } from '../../client/core/super-seed.ts';
import { UNCHOKE_SLOTS } from '../../client/bittorrent/choking.ts';
import { emptyHaves, takeBitfield, takeHave } from '../../client/bittorrent/peer-haves.ts';
import { refillDue, wantsFrom } from '../../client/bittorrent/request-rules.ts';
import { MAX_PEERS } from '../../client/bittorrent/swarm-peers.ts';
import type { SwarmState } from '../../client/bittorrent/torrent-types.ts';
import { UploadQueue } from '../../client/bittorrent/upload-queue.ts';
import { EventQueue } from './kit/event-queue.ts';

export type Rng = () => number;
export type SimMode = 'swarm' | 'client-server';

export interface SwarmSimParams {
  /** Leechers (the seeder is one more peer). */
  n: number;
  fileBytes: number;
  /** Every peer's uplink, bytes/s (u_s = u_i). */
  uplink: number;
  mode: SimMode;
  rng: Rng;
  /** One-way latency of every link (20 ms). */
  latencyMs?: number;
  pieceLength?: number;
  /** Block size of requests (16 KiB, as the client). */
  blockLength?: number;
  /** Peers a tracker hands each peer (30). */
  neighbours?: number;
  /** Give up after this much simulated time (ms); default 40 x N·F/u + 60 s. */
  maxSimMs?: number;
  /** The seeder super-seeds (BEP 16, client/core/super-seed.ts; default true, as a new share does). */
  superSeed?: boolean;
}

export interface SwarmSimResult {
  /** Simulated seconds until the last leecher had every piece; null when it gave up first. */
  seconds: number | null;
  /** Simulated seconds until the first leecher was done. */
  firstSeconds: number | null;
  /** Per leecher: payload bytes received (duplicates included) and bytes the request book took. */
  fetched: number[];
  accepted: number[];
  /** Per leecher: pieces completed (each counted once, when verified). */
  piecesDone: number[];
  seederUploaded: number;
  leechersUploaded: number;
  /** When every block had left the seeder at least once (s); null if never. Ideal: F/u. */
  seederAllSentSeconds: number | null;
  /** Events run (a measure of the simulation's work). */
  events: number;
  /** Links of the neighbour graph. */
  links: number;
}

/** Simulated time starts here (ms), as Date.now() would be: the RateMeter's first slot is never slot 0. */
const EPOCH = 1_000_000_000;
/** torrent.ts: requests older than this return to the pool (REQUEST_TIMEOUT_MS). */
const REQUEST_TIMEOUT_MS = 20_000;
const TICK_MS = 1_000;

/** One direction of a link: what peer `self` knows of neighbour `other` (the SwarmPeer fields the cores read). */
class Link {
  back!: Link;
  bitfield: Bitfield | null = null;
  rawBitfield: Uint8Array | null = null;
  rawHaves: number[] = [];
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  unchokedAt = 0;
  lastPieceAt = 0;
  readonly down = new RateMeter();
  readonly up = new RateMeter();
  /** The blocks `other` asked `self` for. */
  readonly uploads = new UploadQueue();
  readonly self: Peer;
  readonly other: Peer;
  readonly key: string;
  readonly connectedAt: number;
  constructor(self: Peer, other: Peer, connectedAt: number) {
    this.self = self;
    this.other = other;
    this.key = other.key;
    this.connectedAt = connectedAt;
  }
}

class Peer {
  readonly links: Link[] = [];
  readonly byKey = new Map<string, Link>();
  readonly key: string;
  /** Choking state (choking.ts). */
  round = 0;
  optimistic: string | null = null;
  ticks = 0;
  /** Uplink: a block is on the wire; the next neighbour to serve (round robin). */
  busy = false;
  rr = 0;
  fetched = 0;
  accepted = 0;
  uploaded = 0;
  doneAt: number | null = null;
  /** The seeder's super-seeding, while it lasts (torrent.ts superSeed). */
  superSeed: SuperSeed | null = null;
  readonly index: number;
  readonly state: SwarmState;
  readonly uploadEnabled: boolean;
  constructor(index: number, state: SwarmState, uploadEnabled: boolean) {
    this.index = index;
    this.state = state;
    this.uploadEnabled = uploadEnabled;
    this.key = `p${index}`;
  }
}

/** Run one simulation to its end (every leecher done) or to `maxSimMs`. */
export function simulateSwarm(params: SwarmSimParams): SwarmSimResult {
  return new SwarmSim(params).run();
}

class SwarmSim {
  private readonly q = new EventQueue(EPOCH);
  private readonly peers: Peer[] = [];
  private readonly rng: Rng;
  private readonly latency: number;
  private readonly uplink: number;
  private readonly blockLength: number;
  private readonly maxSimMs: number;
  private left: number;
  private finished = false;
  private links = 0;
  private firstDone: number | null = null;
  /** Blocks (piece * stride + block) the seeder has sent at least once, and how many. */
  private readonly seederSent: Uint8Array;
  private seederSentCount = 0;
  private readonly stride: number;
  private readonly totalBlocks: number;
  private seederAllSentAt: number | null = null;

  constructor(p: SwarmSimParams) {
    const { n, fileBytes, uplink, mode, rng } = p;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`bad n ${n}`);
    if (!(uplink > 0)) throw new RangeError(`bad uplink ${uplink}`);
    this.rng = rng;
    this.latency = p.latencyMs ?? 20;
    this.uplink = uplink;
    const pieceLength = p.pieceLength ?? PIECE_LENGTH;
    this.blockLength = p.blockLength ?? BLOCK_LENGTH;
    this.maxSimMs = p.maxSimMs ?? 40 * ((n * fileBytes) / uplink) * 1000 + 60_000;
    const pieceCount = Math.ceil(fileBytes / pieceLength);
    // The cores read only the piece count of the metadata; no data is simulated, so no hashes are checked.
    const hash = new Uint8Array(20);
    const info: TorrentInfo = { name: 'swarm-sim', length: fileBytes, pieceLength, pieces: Array.from({ length: pieceCount }, () => hash) };
    const infoBytes = new Uint8Array(0);
    for (let i = 0; i <= n; i++) {
      const have = new Bitfield(pieceCount);
      if (i === 0) for (let k = 0; k < pieceCount; k++) have.set(k);
      const book = new RequestBook(pieceCount, pieceLength, fileBytes, this.blockLength);
      const state: SwarmState = { info, infoBytes, have, availability: new Availability(pieceCount), book };
      const peer = new Peer(i, state, i === 0 || mode === 'swarm');
      // torrent.ts setInfo: endgame reads each neighbour's rate.
      book.setRates((key) => peer.byKey.get(key)?.down.rate(this.q.now) ?? 0);
      if (i === 0 && (p.superSeed ?? true)) peer.superSeed = new SuperSeed(pieceCount);
      this.peers.push(peer);
    }
    this.left = n;
    this.stride = Math.ceil(pieceLength / this.blockLength);
    this.seederSent = new Uint8Array(pieceCount * this.stride);
    let blocks = 0;
    const probe = this.peers[0]?.state.book as RequestBook;
    for (let i = 0; i < pieceCount; i++) blocks += probe.blockCount(i);
    this.totalBlocks = blocks;
    this.connect(p.neighbours ?? 30);
  }

  run(): SwarmSimResult {
    const q = this.q;
    for (const peer of this.peers) {
      for (const l of peer.links) this.onJoin(peer, l);
      q.after(this.rng() * TICK_MS, () => this.tick(peer));
    }
    let events = 0;
    while (!this.finished && q.now - EPOCH <= this.maxSimMs && q.step()) events++;
    const leechers = this.peers.slice(1);
    const seconds = (t: number | null) => (t === null ? null : (t - EPOCH) / 1000);
    return {
      seconds: this.finished ? seconds(Math.max(...leechers.map((l) => l.doneAt ?? 0))) : null,
      firstSeconds: seconds(this.firstDone),
      fetched: leechers.map((l) => l.fetched),
      accepted: leechers.map((l) => l.accepted),
      piecesDone: leechers.map((l) => l.state.have.count()),
      seederUploaded: (this.peers[0] as Peer).uploaded,
      leechersUploaded: leechers.reduce((a, l) => a + l.uploaded, 0),
      seederAllSentSeconds: seconds(this.seederAllSentAt),
      events,
      links: this.links,
    };
  }

  // The neighbour graph

  /** Each peer, in random order, gets `want` random others from the tracker and links to those with room. */
  private connect(want: number): void {
    const all = this.peers;
    const order = shuffle(all.map((_, i) => i), this.rng);
    for (const i of order) {
      const a = all[i] as Peer;
      const others = all.length - 1;
      const sample = shuffle(all.map((_, j) => j).filter((j) => j !== i), this.rng).slice(0, Math.min(want, others));
      for (const j of sample) {
        const b = all[j] as Peer;
        if (a.links.length >= MAX_PEERS) break;
        if (b.links.length >= MAX_PEERS || a.byKey.has(b.key)) continue;
        const ab = new Link(a, b, this.q.now);
        const ba = new Link(b, a, this.q.now);
        ab.back = ba;
        ba.back = ab;
        a.links.push(ab);
        a.byKey.set(b.key, ab);
        b.links.push(ba);
        b.byKey.set(a.key, ba);
        this.links++;
      }
    }
  }

  // Messages: `send` delivers to the other side's view of the link, `latency` later.

  private send(l: Link, handle: (peer: Peer, k: Link) => void): void {
    const k = l.back;
    this.q.after(this.latency, () => handle(k.self, k));
  }

  /** torrent.ts onJoin: our bitfield to the new peer, and a free unchoke slot may go to it. */
  private onJoin(peer: Peer, l: Link): void {
    const s = peer.state;
    emptyHaves(l, s);
    const ss = peer.superSeed;
    // torrent.ts onJoin: a super-seeder sends no bitfield, only its offers.
    ss?.join(l.key);
    if (s.have.count() > 0 && !ss) {
      const bytes = s.have.toBytes();
      this.send(l, (to, k) => {
        if (takeBitfield(k, bytes, to.state)) this.updateInterest(to, k);
      });
    }
    this.superOffer(peer, l);
    if (this.slotFree(peer)) this.rechoke(peer, false);
  }

  /** torrent.ts superOffer: a super-seeder's new offers to the peer, each a `have`. */
  private superOffer(peer: Peer, l: Link): void {
    const ss = peer.superSeed;
    if (!ss || !l.bitfield) return;
    const depth = offerDepth(l.up.rate(this.q.now), peer.state.info.pieceLength, !l.amChoking);
    for (const i of ss.offer(l.key, l.bitfield, peer.state.availability, depth, this.rng, this.q.now)) this.sendHave(l, i);
  }

  private sendHave(l: Link, index: number): void {
    this.send(l, (to, k) => this.onHave(to, k, index));
  }


  private onInterested(peer: Peer, k: Link): void {
    k.peerInterested = true;
    if (this.slotFree(peer)) this.rechoke(peer, false);
  }

  /** torrent.ts not-interested: an unchoked peer's idle slot goes to another at once. */
  private onNotInterested(peer: Peer, k: Link): void {
    k.peerInterested = false;
    if (!k.amChoking && this.slotFree(peer)) this.rechoke(peer, false);
  }

  private onChoke(peer: Peer, k: Link): void {
    k.peerChoking = true;
    peer.state.book.choked(k.key);
  }

  private onUnchoke(peer: Peer, k: Link): void {
    k.peerChoking = false;
    k.unchokedAt = this.q.now;
    this.fill(peer, k);
  }

  private onHave(peer: Peer, k: Link, index: number): void {
    const next = takeHave(k, index, peer.state, null);
    if (next === 'interest') this.updateInterest(peer, k);
    else if (next === 'fill') this.fill(peer, k);
    const ss = peer.superSeed;
    // super-seeding.ts announced: its offer of the piece closes, and it gets a new one.
    if (peer.superSeed) this.superOffer(peer, k);
  }

  /** block-server.ts request: queued while we unchoke the peer and have the piece. */
  private onRequests(peer: Peer, k: Link, reqs: readonly BlockRequest[]): void {
    const have = peer.state.have;
    let queued = false;
    for (const r of reqs) {
      if (k.amChoking || !have.get(r.index)) continue;
      if (k.uploads.push(r)) queued = true;
    }
    if (queued) this.pump(peer);
  }

  /** torrent.ts 'piece' and piece-intake.ts block: into the request book; a complete piece is verified. */
  private onPiece(peer: Peer, k: Link, r: BlockRequest): void {
    const now = this.q.now;
    peer.fetched += r.length;
    k.down.add(r.length, now);
    k.lastPieceAt = now;
    const s = peer.state;
    const res = s.book.onBlock(k.key, r.index, r.begin, r.length);
    for (const d of res.duplicates) this.cancel(peer, d);
    if (res.accepted) {
      peer.accepted += r.length;
      // Verification is asynchronous in the client (SHA-1, then storage): it ends after this turn.
      if (res.pieceComplete) this.q.after(0, () => this.verified(peer, r.index));
    }
    this.fill(peer, k);
  }

  private cancel(peer: Peer, c: PeerRequest): void {
    const l = peer.byKey.get(c.peer);
    if (l) this.send(l, (_to, k) => k.uploads.cancel(c.req));
  }

  /** piece-intake.ts verify (the hash holds), then torrent.ts pieceHere and finish. */
  private verified(peer: Peer, index: number): void {
    const s = peer.state;
    const { cancels } = s.book.pieceDone(index, true);
    for (const c of cancels) this.cancel(peer, c);
    s.have.set(index);
    // One `have` to every neighbour; all leave now and arrive `latency` later, in this order.
    this.q.after(this.latency, () => {
      for (const l of peer.links) this.onHave(l.other, l.back, index);
    });
    for (const l of peer.links) if (l.amInterested) this.updateInterest(peer, l);
    if (s.have.isComplete()) this.finish(peer);
  }

  private finish(peer: Peer): void {
    if (peer.doneAt !== null) return;
    peer.doneAt = this.q.now;
    this.firstDone ??= this.q.now;
    for (const l of peer.links) {
      if (!l.amInterested) continue;
      l.amInterested = false;
      this.send(l, (to, k) => this.onNotInterested(to, k));
    }
    if (--this.left === 0) this.finished = true;
  }

  // Requests (request-pipeline.ts)

  /** RequestPipeline.updateInterest: tell the peer whether we are interested (when that changed), then fill. */
  private updateInterest(peer: Peer, l: Link): void {
    const s = peer.state;
    if (!l.bitfield) return;
    const want = wantsFrom(l.bitfield, s.have, null, s.book.urgentPieces());
    if (want !== l.amInterested) {
      l.amInterested = want;
      this.send(l, want ? (to, k) => this.onInterested(to, k) : (to, k) => this.onNotInterested(to, k));
    }
    this.fill(peer, l);
  }

  /** RequestPipeline.fill (no download limit): ask for more when the pipeline is worth refilling. */
  private fill(peer: Peer, l: Link): void {
    if (!l.bitfield || l.peerChoking || !l.amInterested) return;
    const s = peer.state;
    const now = this.q.now;
    const want = pipelineDepth(l.down.rate(now), this.blockLength);
    if (!refillDue(s.book.outstanding(l.key), want)) return;
    const reqs = s.book.nextRequests(l.key, l.bitfield, s.have, s.availability, want, now, this.rng);
    if (reqs.length > 0) this.send(l, (to, k) => this.onRequests(to, k, reqs));
  }

  // Uploads (block-server.ts, under a capped uplink)

  /** The uplink takes the next queued block of an unchoked neighbour, in turn, when it is free. */
  private pump(peer: Peer): void {
    if (peer.busy) return;
    const links = peer.links;
    const n = links.length;
    for (let i = 0; i < n; i++) {
      const at = (peer.rr + i) % n;
      const l = links[at] as Link;
      if (l.amChoking || l.uploads.length === 0) continue;
      const r = l.uploads.first() as BlockRequest;
      l.uploads.shift();
      peer.rr = at + 1;
      peer.busy = true;
      this.q.after((r.length * 1000) / this.uplink, () => this.sent(peer, l, r));
      return;
    }
  }

  private sent(peer: Peer, l: Link, r: BlockRequest): void {
    peer.busy = false;
    l.up.add(r.length, this.q.now);
    peer.uploaded += r.length;
    if (peer.index === 0) this.seederSends(r);
    this.send(l, (to, k) => this.onPiece(to, k, r));
    this.pump(peer);
  }

  private seederSends(r: BlockRequest): void {
    const id = r.index * this.stride + r.begin / this.blockLength;
    if (this.seederSent[id]) return;
    this.seederSent[id] = 1;
    if (++this.seederSentCount === this.totalBlocks) this.seederAllSentAt = this.q.now;
  }

  // Choking (choking.ts)

  /** Choking.slotFree. */
  private slotFree(peer: Peer): boolean {
    let n = 0;
    for (const l of peer.links) if (!l.amChoking && l.peerInterested) n++;
    return n < UNCHOKE_SLOTS + 1;
  }

  /** Choking.run: the choker's decision, applied (a choked peer's queued requests dropped). */
  private rechoke(peer: Peer, newRound: boolean): void {
    const now = this.q.now;
    const res = rechoke(
      {
        peers: peer.links.map((l) => ({
          id: l.key,
          interested: l.peerInterested,
          downloadRate: l.down.rate(now),
          uploadRate: l.up.rate(now),
          // swarm-peer.ts snubbed
          snubbed: !l.peerChoking && l.amInterested && isSnubbed(Math.max(l.lastPieceAt, l.unchokedAt), now),
          connectedAt: l.connectedAt,
        })),
        seeding: peer.state.have.isComplete(),
        slots: UNCHOKE_SLOTS,
        optimistic: peer.optimistic,
        round: newRound ? peer.round++ : peer.round * 3 + 1,
        now,
      },
      this.rng,
    );
    peer.optimistic = res.optimistic;
    const unchoke = new Set(peer.uploadEnabled ? res.unchoke : []);
    for (const l of peer.links) {
      const should = unchoke.has(l.key);
      if (should && l.amChoking) {
        l.amChoking = false;
        this.send(l, (to, k) => this.onUnchoke(to, k));
        peer.superSeed?.setUnchoked(l.key, true);
        this.superOffer(peer, l);
      } else if (!should && !l.amChoking) {
        l.amChoking = true;
        l.uploads.clear();
        peer.superSeed?.setUnchoked(l.key, false);
        this.send(l, (to, k) => this.onChoke(to, k));
      }
    }
  }

  /** torrent.ts tick: expire old requests, a choking round every 10 s, refill every pipeline. */
  private tick(peer: Peer): void {
    if (this.finished) return;
    peer.ticks++;
    const now = this.q.now;
    for (const e of peer.state.book.expire(now, REQUEST_TIMEOUT_MS)) this.cancel(peer, e);
    // super-seeding.ts tick: a peer that declined its offers is told every piece.
    const ss = peer.superSeed;
    if (ss) {
      for (const l of peer.links) if (!l.peerInterested && l.bitfield) for (const i of ss.declined(l.key, l.bitfield, now)) this.sendHave(l, i);
      if (ss.starved(now)) for (const l of peer.links) this.superOffer(peer, l);
    }
    if (peer.ticks % 10 === 0) this.rechoke(peer, true);
    for (const l of peer.links) this.fill(peer, l);
    this.q.after(TICK_MS, () => this.tick(peer));
  }
}

/** Fisher–Yates, in place; returns `xs`. */
function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = xs[i] as T;
    xs[i] = xs[j] as T;
    xs[j] = t;
  }
  return xs;
}
