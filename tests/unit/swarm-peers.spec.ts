/**
 * A torrent's peers, the pure parts: who is admitted at the handshake, what each peer has
 * (kept raw before the metadata, then counted into the availability), when we are interested
 * and refill its pipeline, and the queue of blocks it asked us for.
 */
import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import type { TorrentInfo } from '../../protocol/metainfo';
import { Availability } from '../../client/core/picker';
import { RequestBook } from '../../client/core/requests';
import { dropHaves, emptyHaves, settleHaves, takeBitfield, takeHave } from '../../client/bittorrent/peer-haves';
import { limitedDepth, REFILL_BATCH, refillDue, wantsFrom, wantsPiece } from '../../client/bittorrent/request-rules';
import { admit, MAX_PEERS, type AdmitInput } from '../../client/bittorrent/swarm-peers';
import type { SwarmState } from '../../client/bittorrent/torrent-types';
import { MAX_QUEUED_UPLOADS, UploadQueue } from '../../client/bittorrent/upload-queue';

const PL = 16_384;

/** A swarm of `n` pieces holding `held`. */
function swarm(n: number, held: number[] = []): SwarmState {
  const info: TorrentInfo = { name: 't', length: n * PL, pieceLength: PL, pieces: Array.from({ length: n }, () => new Uint8Array(20)) };
  const have = bf(n, held);
  return { info, infoBytes: new Uint8Array(0), have, availability: new Availability(n), book: new RequestBook(n, PL, n * PL) };
}

function bf(n: number, set: number[]): Bitfield {
  const b = new Bitfield(n);
  for (const i of set) b.set(i);
  return b;
}

const counts = (s: SwarmState) => Array.from({ length: s.info.pieces.length }, (_, i) => s.availability.count(i));
const haves = () => ({ bitfield: null as Bitfield | null, rawBitfield: null as Uint8Array | null, rawHaves: [] as number[], amInterested: false });

test.describe('admission', () => {
  const A = 'aa'.repeat(20);
  const B = 'bb'.repeat(20);
  const base: AdmitInput = { infoHash: 'cd'.repeat(20), remoteHash: 'cd'.repeat(20), self: A, key: B, initiator: true, banned: false, existing: undefined, peers: 3 };

  test('a peer of this torrent, not banned, with room: joins', () => {
    expect(admit(base)).toEqual({ join: true, replace: false });
  });

  test('another torrent, a banned peer, or no room: refused, each saying why', () => {
    expect(admit({ ...base, remoteHash: 'ef'.repeat(20) })).toEqual({ join: false, reason: 'handshake for another torrent' });
    expect(admit({ ...base, banned: true })).toEqual({ join: false, reason: 'banned: sent corrupt pieces' });
    expect(admit({ ...base, peers: MAX_PEERS })).toEqual({ join: false, reason: 'too many peers' });
    expect(admit({ ...base, peers: MAX_PEERS - 1 })).toEqual({ join: true, replace: false });
  });

  test('a second connection to a peer: the one opened by the smaller peer id is kept, by both sides', () => {
    // We are A < B: our own connection is kept over theirs, theirs is not kept over ours.
    expect(admit({ ...base, initiator: true, existing: { initiator: false } })).toEqual({ join: true, replace: true });
    expect(admit({ ...base, initiator: false, existing: { initiator: true } })).toEqual({ join: false, reason: 'already connected to this peer' });
    // Seen from B (self B, remote A): the mirror image, so both keep A's connection.
    expect(admit({ ...base, self: B, key: A, initiator: false, existing: { initiator: true } })).toEqual({ join: true, replace: true });
    expect(admit({ ...base, self: B, key: A, initiator: true, existing: { initiator: false } })).toEqual({ join: false, reason: 'already connected to this peer' });
    // Two of the same side: the older one stays.
    expect(admit({ ...base, existing: { initiator: true } })).toEqual({ join: false, reason: 'already connected to this peer' });
    // Replacing frees its slot: a full swarm takes the replacement.
    expect(admit({ ...base, peers: MAX_PEERS, existing: { initiator: false } })).toEqual({ join: true, replace: true });
  });
});

test.describe('what a peer has', () => {
  test('before the metadata: bitfield and haves are kept raw; after it they make its bitfield, counted', () => {
    const p = haves();
    emptyHaves(p, null);
    expect(p.bitfield).toBeNull();
    expect(takeBitfield(p, new Uint8Array([0b1010_0000]), null)).toBe(false);
    expect(takeHave(p, 3, null, null)).toBe('raw');
    expect(takeHave(p, 40, null, null)).toBe('raw'); // past the torrent's pieces: dropped when settled
    expect(p.rawHaves).toEqual([3, 40]);
    const s = swarm(5);
    settleHaves(p, s);
    expect([0, 1, 2, 3, 4].map((i) => p.bitfield?.get(i))).toEqual([true, false, true, true, false]);
    expect(counts(s)).toEqual([1, 0, 1, 1, 0]);
    dropHaves(p, s);
    expect(counts(s)).toEqual([0, 0, 0, 0, 0]);
  });

  test('settling a raw bitfield of the wrong size throws, and counts nothing', () => {
    const p = haves();
    takeBitfield(p, new Uint8Array([0xff, 0xff]), null);
    const s = swarm(5);
    expect(() => settleHaves(p, s)).toThrow();
    expect(p.bitfield).toBeNull();
    expect(counts(s)).toEqual([0, 0, 0, 0, 0]);
  });

  test('after the metadata: a new peer counts from empty; a bitfield replaces its count; a bad one is a ProtocolError', () => {
    const s = swarm(5);
    const p = haves();
    emptyHaves(p, s);
    expect(p.bitfield?.count()).toBe(0);
    expect(takeBitfield(p, new Uint8Array([0b1100_0000]), s)).toBe(true);
    expect(counts(s)).toEqual([1, 1, 0, 0, 0]);
    expect(takeBitfield(p, new Uint8Array([0b0000_1000]), s)).toBe(true);
    expect(counts(s)).toEqual([0, 0, 0, 0, 1]);
    expect(() => takeBitfield(p, new Uint8Array([0, 0]), s)).toThrow(/bitfield of 5 pieces/);
  });

  test('a have: counted once; interest when it is a piece we lack and want and we are not interested yet', () => {
    const s = swarm(4, [0]);
    const p = haves();
    emptyHaves(p, s);
    expect(takeHave(p, 0, s, null)).toBe('fill'); // we have it
    expect(takeHave(p, 1, s, bf(4, [2]))).toBe('fill'); // not wanted
    expect(takeHave(p, 2, s, bf(4, [2]))).toBe('interest');
    expect(takeHave(p, 2, s, bf(4, [2]))).toBe('interest'); // again: counted once
    s.book.setUrgent([1]);
    expect(takeHave(p, 1, s, bf(4, [2]))).toBe('interest'); // not selected, but being read
    expect(counts(s)).toEqual([1, 1, 1, 0]);
    p.amInterested = true;
    expect(takeHave(p, 3, s, null)).toBe('fill');
    expect(() => takeHave(p, 4, s, null)).toThrow(/have 4 out of range/);
  });
});

test.describe('interest and refills', () => {
  test('interested in a peer that has a piece we lack and want', () => {
    const have = bf(4, [0]);
    expect(wantsFrom(bf(4, [0]), have, null)).toBe(false);
    expect(wantsFrom(bf(4, [0, 3]), have, null)).toBe(true);
    expect(wantsFrom(bf(4, [0, 3]), have, bf(4, [1, 2]))).toBe(false);
    expect(wantsFrom(bf(4, [0, 2, 3]), have, bf(4, [1, 2]))).toBe(true);
    // A piece being read makes the peer that has it interesting, selected or not; one we hold does not.
    expect(wantsFrom(bf(4, [0, 3]), have, bf(4, [1, 2]), [3])).toBe(true);
    expect(wantsFrom(bf(4, [0, 3]), have, bf(4, [1, 2]), [0])).toBe(false);
    expect(wantsFrom(bf(4, [0]), have, bf(4, [1, 2]), [3])).toBe(false);
    expect(wantsPiece(0, have, null)).toBe(false);
    expect(wantsPiece(1, have, bf(4, [2]))).toBe(false);
    expect(wantsPiece(2, have, bf(4, [2]))).toBe(true);
    expect(wantsPiece(1, have, bf(4, [2]), [1])).toBe(true); // not selected, but being read
    expect(wantsPiece(0, have, bf(4, [2]), [0])).toBe(false); // being read, but here
  });

  test('a pipeline is refilled when empty, or in batches of a piece of blocks (half the pipeline if less)', () => {
    expect(refillDue(0, 4)).toBe(true);
    expect(refillDue(3, 4)).toBe(false); // 1 free < 2
    expect(refillDue(2, 4)).toBe(true); // 2 free = half of 4
    expect(refillDue(250 - REFILL_BATCH + 1, 250)).toBe(false);
    expect(refillDue(250 - REFILL_BATCH, 250)).toBe(true);
  });

  test('under a download limit a pipeline is filled only as deep as the budget pays for, not at all in debt', () => {
    const B = 16_384;
    expect(limitedDepth(3, 62, Infinity, B)).toBe(62); // no limit
    expect(limitedDepth(0, 62, 3 * B, B)).toBe(3);
    expect(limitedDepth(2, 62, 3 * B + 1, B)).toBe(6); // a part of a block pays for one more
    expect(limitedDepth(0, 10, 100 * B, B)).toBe(10); // never past the pipeline's depth
    expect(limitedDepth(4, 62, 0, B)).toBe(4); // nothing more
    expect(limitedDepth(4, 62, -5 * B, B)).toBe(4); // in debt
  });
});

test.describe('upload queue', () => {
  const r = (index: number, begin = 0, length = PL) => ({ index, begin, length });

  test('in order; a cancel drops exactly that block; a full queue ignores more', () => {
    const q = new UploadQueue();
    expect(q.push(r(1))).toBe(true);
    expect(q.push(r(1, PL))).toBe(true);
    expect(q.push(r(2))).toBe(true);
    q.cancel(r(1, PL, PL - 1)); // not the same block
    expect(q.length).toBe(3);
    q.cancel(r(1, PL));
    expect(q.first()).toEqual(r(1));
    q.shift();
    expect(q.first()).toEqual(r(2));
    q.clear();
    expect(q.length).toBe(0);
    expect(q.first()).toBeUndefined();
    for (let i = 0; i < MAX_QUEUED_UPLOADS; i++) expect(q.push(r(i))).toBe(true);
    expect(q.push(r(9))).toBe(false);
    expect(q.length).toBe(MAX_QUEUED_UPLOADS);
  });

  test('read-ahead: the next pieces asked for, in order, not the current one nor ones in memory, at most max', () => {
    const q = new UploadQueue();
    for (const i of [1, 1, 2, 5, 2, 3, 4]) q.push(r(i));
    expect([...q.readAhead(1, new Set<number>(), 2)]).toEqual([2, 5]);
    expect([...q.readAhead(1, new Set([5]), 2)]).toEqual([2, 3]);
    expect([...q.readAhead(2, new Map([[1, new Uint8Array(0)]]), 10)]).toEqual([5, 3, 4]);
  });
});
