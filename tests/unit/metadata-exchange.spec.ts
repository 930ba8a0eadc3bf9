/**
 * BEP 9 beside the wire: the bookkeeping of metadata pieces (who each is asked of, assembly,
 * our answers), and two exchanges talking through fake connections: a magnet's side fetches the
 * info dictionary from a seeder's, checks it against the info hash, and refuses a forged one.
 */
import { expect, test } from '@playwright/test';
import { torrentFromHashes, type TorrentInfo } from '../../protocol/metainfo';
import {
  decodeMessage,
  encodeMessage,
  encodeMetadataMessage,
  metadataPieceCount,
  METADATA_PIECE_LENGTH,
  parseExtendedHandshake,
  parseMetadataMessage,
  type WireMessage,
} from '../../protocol/wire';
import { MetadataExchange, type MetadataHost, type MetadataPeer } from '../../client/bittorrent/metadata-exchange';
import { metadataAnswer, MetadataPieces } from '../../client/bittorrent/metadata-pieces';
import { pseudoBytes } from '../helpers/unit';

const src = (key: string, metadataSize: number) => ({ key, metadataSize });

test.describe('metadata pieces', () => {
  test('plan: every missing piece once, round-robin over the sources of the first size', () => {
    const size = 3 * METADATA_PIECE_LENGTH + 10; // 4 pieces
    const m = new MetadataPieces();
    const plan = m.plan([src('a', size), src('x', size + 1), src('b', size)]);
    expect(plan.map((r) => [r.piece, r.peer.key])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'a'],
      [3, 'b'],
    ]);
    // Asked already: nothing more until an answer or a departure.
    expect(m.plan([src('a', size), src('b', size)])).toEqual([]);
    m.answered(1, 'a'); // not who it was asked of: still asked
    expect(m.plan([src('a', size)])).toEqual([]);
    m.answered(1, 'b');
    expect(m.plan([src('a', size)]).map((r) => [r.piece, r.peer.key])).toEqual([[1, 'a']]);
    m.peerGone('a');
    expect(m.plan([src('c', size)]).map((r) => r.piece)).toEqual([0, 1, 2]);
    expect(m.plan([])).toEqual([]);
  });

  test('add: complete only when every piece is here (holes count as missing); take joins them and starts over', () => {
    const info = pseudoBytes(2 * METADATA_PIECE_LENGTH + 100, 3);
    const size = info.length;
    const part = (i: number) => metadataAnswer(info, i).data as Uint8Array;
    const m = new MetadataPieces();
    expect(m.add(2, size, part(2))).toBe(false);
    expect(m.add(0, size, part(0))).toBe(false);
    const one = part(1).slice();
    expect(m.add(1, size, one)).toBe(true);
    one.fill(0); // copied when added
    expect(m.take(size)).toEqual(info);
    // Dropped: a new plan asks for every piece again.
    expect(m.plan([src('a', size)]).map((r) => r.piece)).toEqual([0, 1, 2]);
  });

  test('answer: the piece of ours, or a reject without metadata or past its end', () => {
    const info = pseudoBytes(METADATA_PIECE_LENGTH + 7, 5);
    expect(metadataAnswer(null, 0)).toEqual({ kind: 'reject', piece: 0 });
    expect(metadataAnswer(info, 2)).toEqual({ kind: 'reject', piece: 2 });
    const last = metadataAnswer(info, 1);
    expect(last).toEqual({ kind: 'data', piece: 1, totalSize: info.length, data: info.subarray(METADATA_PIECE_LENGTH) });
    expect(metadataAnswer(info, 0).data).toHaveLength(METADATA_PIECE_LENGTH);
  });
});

/** One side of a link: its exchange, the record of the other peer, and what it installed or rejected. */
interface Side {
  ex: MetadataExchange;
  remote: MetadataPeer & { sent: WireMessage[] };
  installed: { info: TorrentInfo; bytes: Uint8Array }[];
  rejected: { last: string; message: string }[];
  bytes: Uint8Array | null;
}

function side(infoHash: string, bytes: Uint8Array | null, remoteKey: string): Side {
  const s: Side = {
    ex: null as unknown as MetadataExchange,
    remote: { key: remoteKey, client: '', utMetadata: 0, metadataSize: 0, uploadOnly: false, sent: [], conn: { send: (msg) => s.remote.sent.push(msg) } },
    installed: [],
    rejected: [],
    bytes,
  };
  const host: MetadataHost = {
    infoHash,
    infoBytes: () => s.bytes,
    uploadOnly: () => false,
    peers: () => [s.remote],
    install: async (info, b) => {
      s.installed.push({ info, bytes: b });
      s.bytes = b;
    },
    rejected: (last, message) => s.rejected.push({ last, message }),
  };
  s.ex = new MetadataExchange(host);
  return s;
}

/** Deliver what each side sent to the other (through the wire's encoding), waiting for the async hash checks, until `done`. */
async function pump(a: Side, b: Side, done: () => boolean): Promise<void> {
  for (let round = 0; round < 200 && !done(); round++) {
    const moves = [...a.remote.sent.splice(0).map((msg) => [b, msg] as const), ...b.remote.sent.splice(0).map((msg) => [a, msg] as const)];
    for (const [to, msg] of moves) {
      const back = decodeMessage(encodeMessage(msg));
      if (back.type === 'extended') to.ex.onMessage(to.remote, back.ext, back.payload);
    }
    if (moves.length === 0) await new Promise((r) => setTimeout(r, 10)); // assembly is async (the hash check)
  }
  if (!done()) throw new Error('the exchange did not get there');
}

async function torrent(): Promise<{ info: TorrentInfo; infoBytes: Uint8Array; infoHash: string }> {
  // 2000 pieces: an info dictionary of about 40 KB, three metadata pieces.
  return torrentFromHashes(2000 * 16_384, 'big.bin', pseudoBytes(2000 * 20, 9), { pieceLength: 16_384 });
}

test.describe('metadata exchange', () => {
  test('the extended handshake says our ut_metadata id, client, reqq and, once we have it, the size', async () => {
    const t = await torrent();
    const seeder = side(t.infoHash, t.infoBytes, 'leecher');
    seeder.ex.greet(seeder.remote);
    const leecher = side(t.infoHash, null, 'seeder');
    leecher.ex.greet(leecher.remote);
    const hs = (s: Side) => {
      const m = s.remote.sent[0] as Extract<WireMessage, { type: 'extended' }>;
      expect(m.ext).toBe(0);
      return parseExtendedHandshake(m.payload);
    };
    expect(hs(seeder)).toEqual({ m: { ut_metadata: 1 }, metadataSize: t.infoBytes.length, client: 'edge-p2p 0.1', reqq: 250 });
    expect(hs(leecher)).toEqual({ m: { ut_metadata: 1 }, client: 'edge-p2p 0.1', reqq: 250 });
  });

  test('a magnet side fetches the info dictionary piece by piece, checks its hash and installs it', async () => {
    const t = await torrent();
    expect(metadataPieceCount(t.infoBytes.length)).toBe(3);
    const seeder = side(t.infoHash, t.infoBytes, 'leecher');
    const leecher = side(t.infoHash, null, 'seeder');
    seeder.ex.greet(seeder.remote);
    leecher.ex.greet(leecher.remote);
    await pump(seeder, leecher, () => leecher.installed.length > 0);
    expect(leecher.remote.client).toBe('edge-p2p 0.1');
    expect(leecher.remote.metadataSize).toBe(t.infoBytes.length);
    expect(leecher.installed).toHaveLength(1);
    expect(leecher.installed[0]?.bytes).toEqual(t.infoBytes);
    expect(leecher.installed[0]?.info.pieces).toHaveLength(2000);
    expect(leecher.rejected).toEqual([]);
    // Once installed it asks for nothing more, and the seeder never asked it for anything.
    leecher.ex.request();
    expect(leecher.remote.sent).toEqual([]);
    expect(seeder.installed).toEqual([]);
  });

  test('metadata that does not hash to the info hash is rejected, naming the last sender', async () => {
    const t = await torrent();
    const forged = t.infoBytes.slice();
    forged[forged.length - 30]! ^= 1; // a byte of a piece hash: still a valid dictionary
    const liar = side(t.infoHash, forged, 'leecher');
    const leecher = side(t.infoHash, null, 'liar');
    liar.ex.greet(liar.remote);
    leecher.ex.greet(leecher.remote);
    await pump(liar, leecher, () => leecher.rejected.length > 0);
    expect(leecher.installed).toEqual([]);
    expect(leecher.rejected).toHaveLength(1);
    expect(leecher.rejected[0]?.last).toBe('liar');
    expect(leecher.rejected[0]?.message).toBe('metadata from peers was rejected: info hash mismatch');
  });

  test('a reject stops us asking that peer; requests from a peer without ut_metadata are not answered', async () => {
    const t = await torrent();
    const leecher = side(t.infoHash, null, 'seeder');
    leecher.remote.utMetadata = 3;
    leecher.remote.metadataSize = t.infoBytes.length;
    leecher.ex.request();
    expect(leecher.remote.sent.map((m) => m.type === 'extended' && m.ext)).toEqual([3, 3, 3]);
    leecher.remote.sent.length = 0;
    leecher.ex.onMessage(leecher.remote, 1, encodeMetadataMessage({ kind: 'reject', piece: 0 }));
    expect(leecher.remote.metadataSize).toBe(0);
    expect(leecher.remote.sent).toEqual([]);

    const seeder = side(t.infoHash, t.infoBytes, 'leecher');
    seeder.ex.onMessage(seeder.remote, 1, encodeMetadataMessage({ kind: 'request', piece: 0 }));
    expect(seeder.remote.sent).toEqual([]); // it never said its ut_metadata id
    seeder.remote.utMetadata = 7;
    seeder.ex.onMessage(seeder.remote, 1, encodeMetadataMessage({ kind: 'request', piece: 9 }));
    const answer = seeder.remote.sent[0] as Extract<WireMessage, { type: 'extended' }>;
    expect(answer.ext).toBe(7);
    expect(parseMetadataMessage(answer.payload)).toEqual({ kind: 'reject', piece: 9 });
  });
});
