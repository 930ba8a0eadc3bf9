/**
 * A torrent's pieces, the pure parts: who lied in a corrupt piece and when a peer is banned,
 * what the API shows (progress, piece map, bytes left), and which bytes a content read covers
 * (or why it cannot yet).
 */
import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import type { TorrentInfo } from '../../protocol/metainfo';
import { fileLayout } from '../../protocol/file-layout';
import { Availability } from '../../client/core/picker';
import { RateMeter } from '../../client/core/rate';
import { RequestBook } from '../../client/core/requests';
import { FileSelection } from '../../client/bittorrent/file-selection';
import { BAN_AFTER_BAD_PIECES, liarsOf, Strikes } from '../../client/bittorrent/piece-blame';
import type { SwarmPeer } from '../../client/bittorrent/swarm-peer';
import { bytesLeft, pieceMapOf, progressOf } from '../../client/bittorrent/swarm-views';
import { contentRange } from '../../client/bittorrent/torrent-content';
import type { SwarmState } from '../../client/bittorrent/torrent-types';
import { pseudoBytes } from '../helpers/unit';

const PL = 16_384;
const NOW = 1_000_000;

function swarm(info: TorrentInfo, held: number[]): SwarmState {
  const n = info.pieces.length;
  const have = new Bitfield(n);
  for (const i of held) have.set(i);
  return { info, infoBytes: new Uint8Array(0), have, availability: new Availability(n), book: new RequestBook(n, info.pieceLength, info.length) };
}

function single(length: number): TorrentInfo {
  return { name: 'one.bin', length, pieceLength: PL, pieces: Array.from({ length: Math.ceil(length / PL) }, () => new Uint8Array(20)) };
}

test.describe('blame', () => {
  test('the senders of blocks that differ from the good copy are the liars; holes are nobody', () => {
    const block = 4;
    const good = pseudoBytes(4 * block, 1);
    const bad = good.slice();
    bad[block + 2]! ^= 1; // block 1
    bad[3 * block]! ^= 1; // block 3
    const senders: string[] = [];
    senders[0] = 'honest';
    senders[1] = 'liar';
    senders[3] = 'other';
    expect([...liarsOf(bad, senders, good, block)].sort()).toEqual(['liar', 'other']);
    expect([...liarsOf(good, senders, good, block)]).toEqual([]);
    // A short last block compares only its bytes.
    expect([...liarsOf(bad.subarray(0, 3 * block + 1), senders, good.subarray(0, 3 * block + 1), block)].sort()).toEqual(['liar', 'other']);
  });

  test('strikes count per peer; from BAN_AFTER_BAD_PIECES on the peer is banned', () => {
    const s = new Strikes();
    for (let n = 1; n < BAN_AFTER_BAD_PIECES; n++) {
      expect(s.add('p')).toBe(n);
      expect(s.isBanned('p')).toBe(false);
    }
    expect(s.add('q')).toBe(1);
    expect(s.add('p')).toBe(BAN_AFTER_BAD_PIECES);
    expect(s.isBanned('p')).toBe(true);
    expect(s.isBanned('q')).toBe(false);
    expect(s.add('p')).toBe(BAN_AFTER_BAD_PIECES + 1);
    expect(s.banned).toBe(1);
  });
});

test.describe('views', () => {
  test('before the metadata: nothing left known, an empty map, a progress of zeros', () => {
    expect(bytesLeft(null)).toBe(Infinity);
    expect(pieceMapOf(null, [])).toEqual({ state: new Uint8Array(0), availability: new Uint16Array(0), reading: new Uint8Array(0) });
    const p = progressOf({ infoHash: 'ab', name: 'magnet', fetched: 0, corruptPieces: 0, uploaded: 0, superSeeding: false }, 0, null, new FileSelection(), [], NOW);
    expect(p).toEqual({
      infoHash: 'ab',
      name: 'magnet',
      length: 0,
      pieces: 0,
      have: 0,
      fetched: 0,
      corruptPieces: 0,
      banned: 0,
      uploaded: 0,
      downRate: 0,
      upRate: 0,
      done: false,
      complete: false,
      selectedLength: 0,
      selectedHave: 0,
      multiFile: false,
      files: 0,
      selectedFiles: 0,
      superSeeding: false,
    });
  });

  test('bytes left count the short last piece; the map says have, in flight or missing, and availability', () => {
    const info = single(3 * PL + 100);
    const s = swarm(info, [1]);
    expect(bytesLeft(s)).toBe(2 * PL + 100);
    s.availability.addHave(3);
    s.availability.addHave(3);
    // Piece 2 asked of a peer: in flight.
    const theirs = new Bitfield(4);
    theirs.set(2);
    expect(s.book.nextRequests('p', theirs, s.have, s.availability, 1, NOW, () => 0)).toEqual([{ index: 2, begin: 0, length: PL }]);
    const map = pieceMapOf(s, []);
    expect([...map.state]).toEqual([0, 2, 1, 0]);
    expect([...map.availability]).toEqual([0, 0, 0, 2]);
    expect([...map.reading]).toEqual([0, 0, 0, 0]);
    // A player reads pieces 2 and 3: they are marked as waited for.
    expect([...pieceMapOf(s, [2, 3]).reading]).toEqual([0, 0, 1, 1]);
  });

  test('progress: counters, the selection, and the sum of the peers rates at `now`', () => {
    const info: TorrentInfo = { ...single(2 * PL), name: 'set', files: [{ path: ['a'], length: PL }, { path: ['b'], length: PL }] };
    const s = swarm(info, [1]);
    const sel = new FileSelection();
    sel.install(info);
    sel.choose([1], false, 2);
    const peer = (down: number, up: number): SwarmPeer => {
      const conn = { down: new RateMeter(), up: new RateMeter() };
      conn.down.add(down, NOW);
      conn.up.add(up, NOW);
      return { conn } as unknown as SwarmPeer;
    };
    const one = peer(50_000, 0);
    const p = progressOf({ infoHash: 'ab', name: 'set', fetched: 7, corruptPieces: 1, uploaded: 9, superSeeding: true }, 2, s, sel, [one, peer(0, 0)], NOW);
    expect(p).toMatchObject({ length: 2 * PL, pieces: 2, have: 1, fetched: 7, corruptPieces: 1, banned: 2, uploaded: 9 });
    expect(p).toMatchObject({ done: true, complete: false, selectedLength: PL, selectedHave: PL, multiFile: true, files: 2, selectedFiles: 1, superSeeding: true });
    expect(p.downRate).toBeGreaterThan(0);
    expect(p.downRate).toBe(one.conn.down.rate(NOW));
    expect(p.upRate).toBe(0);
  });
});

test.describe('content range', () => {
  const info: TorrentInfo = { ...single(3 * PL), name: 'set', files: [{ path: ['a.txt'], length: PL + 10 }, { path: ['sub', 'b'], length: 2 * PL - 10 }] };
  const layout = fileLayout(info);

  test('the whole torrent once complete; a file once its pieces are here', () => {
    const all = swarm(info, [0, 1, 2]);
    expect(contentRange('set', info, all.have, layout)).toEqual({ info, range: { start: 0, end: 3 * PL }, label: 'set' });
    const some = swarm(info, [0, 1]);
    expect(contentRange('set', info, some.have, layout, 'a.txt')).toEqual({ info, range: { start: 0, end: PL + 10 }, label: 'a.txt' });
    expect(contentRange('set', info, some.have, layout, 0).label).toBe('a.txt');
  });

  test('before: a readable error; a file the torrent lacks: a RangeError', () => {
    expect(() => contentRange('set', null, null, [])).toThrow('"set" is not complete: its metadata is not here yet');
    const some = swarm(info, [0, 1]);
    expect(() => contentRange('set', info, some.have, layout)).toThrow('"set" is not complete: 2 of 3 pieces are here');
    expect(() => contentRange('set', info, some.have, layout, 'sub/b')).toThrow('"sub/b" of "set" is not complete: some of its pieces are missing');
    expect(() => contentRange('set', info, some.have, layout, 'nope')).toThrow(RangeError);
  });
});
