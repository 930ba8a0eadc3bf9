import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { bdict, blist, bstr, decode, encode, type BInput } from '../../protocol/bencode';
import { PIECE_LENGTH } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { formatMagnet, parseMagnet } from '../../protocol/magnet';
import {
  createTorrent,
  MAX_INFO_BYTES,
  parseInfo,
  parseTorrentFile,
  pieceSize,
  verifyPiece,
} from '../../protocol/metainfo';
import { toHex } from '../../protocol/sha1';

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const nodeSha1 = (u: Uint8Array): Buffer => createHash('sha1').update(u).digest();
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

async function errorOf(fn: () => unknown): Promise<{ code: string; field: string | undefined }> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return { code: (err as ProtocolError).code, field: (err as ProtocolError).field };
  }
  throw new Error('expected a ProtocolError');
}

/** Piece hashes of `data`, concatenated, computed with node:crypto. */
function nodePieces(data: Uint8Array, pieceLength: number): Uint8Array {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += pieceLength) out.push(nodeSha1(data.subarray(off, off + pieceLength)));
  return concat(...out);
}

/** A valid single-file info dictionary (as encode input), with `patch` applied. */
function infoDict(patch: Record<string, BInput | undefined> = {}): Record<string, BInput | undefined> {
  return { name: 'a.bin', 'piece length': 16_384, length: 16_385, pieces: new Uint8Array(40), ...patch };
}

test.describe('createTorrent', () => {
  test('info bytes are the BEP 3 encoding, and the info hash is their SHA-1 (checked with node:crypto)', async () => {
    const data = new Uint8Array(randomBytes(3 * PIECE_LENGTH + 1000));
    const t = await createTorrent(data, 'clip.webm');
    // The info dictionary, built by hand: keys in byte order.
    const pieces = nodePieces(data, PIECE_LENGTH);
    const expected = concat(
      b(`d6:lengthi${data.length}e4:name9:clip.webm12:piece lengthi${PIECE_LENGTH}e6:pieces${pieces.length}:`),
      pieces,
      b('e'),
    );
    expect(t.infoBytes).toEqual(expected);
    expect(t.infoHash).toBe(nodeSha1(expected).toString('hex'));
    expect(t.infoHash).toMatch(/^[0-9a-f]{40}$/);
    expect(t.info.name).toBe('clip.webm');
    expect(t.info.length).toBe(data.length);
    expect(t.info.pieceLength).toBe(PIECE_LENGTH);
    expect(t.info.pieces).toHaveLength(4);
    expect(t.info.files).toBeUndefined();
    expect(concat(...t.info.pieces)).toEqual(pieces);
  });

  test('every piece verifies; a tampered or wrongly sized piece does not', async () => {
    const data = new Uint8Array(randomBytes(5 * 16_384 + 7));
    const { info } = await createTorrent(data, 'x', { pieceLength: 16_384 });
    expect(info.pieces).toHaveLength(6);
    for (let i = 0; i < info.pieces.length; i++) {
      const piece = data.subarray(i * 16_384, i * 16_384 + pieceSize(info, i));
      expect(await verifyPiece(info, i, piece)).toBe(true);
      expect(await verifyPiece(info, (i + 1) % 6, piece)).toBe(false);
    }
    const tampered = data.slice(0, 16_384);
    tampered[100]! ^= 1;
    expect(await verifyPiece(info, 0, tampered)).toBe(false);
    expect(await verifyPiece(info, 0, data.subarray(0, 16_383))).toBe(false);
  });

  test('pieceSize: full pieces, a shorter last piece, an exact multiple, out of range', async () => {
    const { info } = await createTorrent(new Uint8Array(3 * PIECE_LENGTH + 1000), 'a');
    expect([0, 1, 2, 3].map((i) => pieceSize(info, i))).toEqual([PIECE_LENGTH, PIECE_LENGTH, PIECE_LENGTH, 1000]);
    const exact = (await createTorrent(new Uint8Array(2 * PIECE_LENGTH), 'a')).info;
    expect(pieceSize(exact, 1)).toBe(PIECE_LENGTH);
    const one = (await createTorrent(new Uint8Array(1), 'a')).info;
    expect(one.pieces).toHaveLength(1);
    expect(pieceSize(one, 0)).toBe(1);
    for (const i of [-1, 4, 1.5, NaN]) expect(await errorOf(() => pieceSize(info, i))).toEqual({ code: 'bad-field', field: 'index' });
  });

  test('an empty file has no pieces', async () => {
    const t = await createTorrent(new Uint8Array(0), 'empty');
    expect(t.info.pieces).toHaveLength(0);
    expect((await parseInfo(t.infoBytes, t.infoHash)).info.length).toBe(0);
  });

  test('the .torrent file carries trackers, creator and date, and parses back to the same torrent', async () => {
    const data = new Uint8Array(randomBytes(40_000));
    const trackers = ['wss://tracker.example/announce', 'wss://other.example/announce'];
    const t = await createTorrent(data, 'ünïcode name.txt', { pieceLength: 16_384, announce: trackers, createdBy: 'edge-p2p', creationDate: 1_700_000_000 });
    const meta = bdict(decode(t.torrentFile), 'torrent');
    expect(bstr(meta['announce'], 'announce')).toBe(trackers[0]);
    expect(blist(meta['announce-list'], 'announce-list').map((tier) => blist(tier, 'tier').map((u) => bstr(u, 'url')))).toEqual([[trackers[0]], [trackers[1]]]);
    expect(bstr(meta['created by'], 'created by')).toBe('edge-p2p');
    expect(meta['creation date']).toBe(1_700_000_000);
    expect(encode(bdict(meta['info'], 'info'))).toEqual(t.infoBytes);

    const parsed = await parseTorrentFile(t.torrentFile);
    expect(parsed.infoHash).toBe(t.infoHash);
    expect(parsed.infoBytes).toEqual(t.infoBytes);
    expect(parsed.announce).toEqual(trackers);
    expect(parsed.info).toEqual(t.info);
    expect(parsed.info.name).toBe('ünïcode name.txt');
  });

  test('without trackers the .torrent file has no announce keys', async () => {
    const t = await createTorrent(new Uint8Array(10), 'a');
    const meta = bdict(decode(t.torrentFile), 'torrent');
    expect(Object.keys(meta)).toEqual(['info']);
    expect((await parseTorrentFile(t.torrentFile)).announce).toEqual([]);
  });

  test('refuses bad names and piece lengths', async () => {
    for (const name of ['', '.', '..', 'a/b', 'a\\b', 'nul\0']) {
      expect(await errorOf(() => createTorrent(new Uint8Array(1), name))).toEqual({ code: 'bad-field', field: 'name' });
    }
    for (const pieceLength of [0, 1000, 8192, 32 * 1024 * 1024, 3 * 16_384]) {
      expect(await errorOf(() => createTorrent(new Uint8Array(1), 'a', { pieceLength }))).toEqual({ code: 'bad-field', field: 'piece length' });
    }
  });
});

test.describe('parseInfo', () => {
  test('checks the info hash when one is expected (either case)', async () => {
    const t = await createTorrent(new Uint8Array(randomBytes(50_000)), 'f', { pieceLength: 16_384 });
    expect((await parseInfo(t.infoBytes, t.infoHash)).info).toEqual(t.info);
    expect((await parseInfo(t.infoBytes, t.infoHash.toUpperCase())).infoHash).toBe(t.infoHash);
    expect((await parseInfo(t.infoBytes)).infoHash).toBe(t.infoHash);
    const other = (t.infoHash[0] === '0' ? '1' : '0') + t.infoHash.slice(1);
    const err = await errorOf(() => parseInfo(t.infoBytes, other));
    expect(err).toEqual({ code: 'bad-field', field: 'info' });
    await expect(parseInfo(t.infoBytes, other)).rejects.toThrow('info hash mismatch');
    expect(await errorOf(() => parseInfo(t.infoBytes, 'abc'))).toEqual({ code: 'bad-field', field: 'infoHash' });
  });

  test('accepts a valid dictionary, private flag and all', async () => {
    const { info } = await parseInfo(encode(infoDict({ private: 1 })));
    expect(info).toEqual({ name: 'a.bin', length: 16_385, pieceLength: 16_384, pieces: [new Uint8Array(20), new Uint8Array(20)], private: true });
    expect((await parseInfo(encode(infoDict({ private: 0 })))).info.private).toBe(false);
    expect((await parseInfo(encode(infoDict()))).info.private).toBeUndefined();
  });

  test('parses multi-file dictionaries', async () => {
    const files = [
      { length: 10_000, path: ['dir', 'a.txt'] },
      { length: 0, path: ['b.txt'] },
      { length: 30_000, path: ['dir', 'sub', 'c.bin'] },
    ];
    const { info } = await parseInfo(encode({ name: 'album', 'piece length': 16_384, pieces: new Uint8Array(60), files }));
    expect(info.length).toBe(40_000);
    expect(info.files).toEqual(files.map((f) => ({ path: f.path, length: f.length })));
    expect(info.pieces).toHaveLength(3);
    expect(pieceSize(info, 2)).toBe(40_000 - 2 * 16_384);
  });

  test('names every bad field', async () => {
    const cases: [Record<string, BInput | undefined>, string][] = [
      [infoDict({ name: undefined }), 'name'],
      [infoDict({ name: '' }), 'name'],
      [infoDict({ name: 'a/b' }), 'name'],
      [infoDict({ name: 'a\\b' }), 'name'],
      [infoDict({ name: '..' }), 'name'],
      [infoDict({ name: 5 }), 'name'],
      [infoDict({ name: new Uint8Array([0xff, 0xfe]) }), 'name'],
      [infoDict({ 'piece length': undefined }), 'piece length'],
      [infoDict({ 'piece length': 1000 }), 'piece length'],
      [infoDict({ 'piece length': 8192 }), 'piece length'],
      [infoDict({ 'piece length': 0 }), 'piece length'],
      [infoDict({ 'piece length': -16_384 }), 'piece length'],
      [infoDict({ 'piece length': 32 * 1024 * 1024 }), 'piece length'],
      [infoDict({ 'piece length': '16384' }), 'piece length'],
      [infoDict({ pieces: undefined }), 'pieces'],
      [infoDict({ pieces: new Uint8Array(41) }), 'pieces'],
      [infoDict({ pieces: new Uint8Array(20) }), 'pieces'],
      [infoDict({ pieces: new Uint8Array(60) }), 'pieces'],
      [infoDict({ pieces: [new Uint8Array(20), new Uint8Array(20)] }), 'pieces'],
      [infoDict({ length: -1 }), 'length'],
      [infoDict({ length: 'big' }), 'length'],
      [infoDict({ length: undefined }), 'length'],
      [infoDict({ files: [{ length: 1, path: ['a'] }] }), 'files'],
      [infoDict({ length: undefined, files: [] }), 'files'],
      [infoDict({ length: undefined, files: 'a' }), 'files'],
      [infoDict({ length: undefined, files: [5] }), 'files'],
      [infoDict({ length: undefined, files: [{ length: 16_385, path: [] }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: 16_385, path: ['a', '..'] }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: 16_385, path: ['a/b'] }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: 16_385, path: [''] }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: 16_385, path: 'a' }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: 16_385 }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: 1, path: ['a'] }, { length: 16_384, path: ['a'] }] }), 'path'],
      [infoDict({ length: undefined, files: [{ length: -1, path: ['a'] }] }), 'length'],
      [infoDict({ length: undefined, files: [{ path: ['a'] }] }), 'length'],
      [infoDict({ private: 2 }), 'private'],
    ];
    for (const [dict, field] of cases) {
      expect(await errorOf(() => parseInfo(encode(dict))), JSON.stringify(dict, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))).toEqual({ code: 'bad-field', field });
    }
    expect(await errorOf(() => parseInfo(encode([1])))).toEqual({ code: 'bad-field', field: 'info' });
    expect(await errorOf(() => parseInfo(encode('x')))).toEqual({ code: 'bad-field', field: 'info' });
  });

  test('refuses malformed and oversize input', async () => {
    const good = encode(infoDict());
    expect((await errorOf(() => parseInfo(good.subarray(0, good.length - 1)))).code).toBe('bad-encoding');
    expect((await errorOf(() => parseInfo(concat(good, b('x'))))).code).toBe('bad-encoding');
    expect((await errorOf(() => parseInfo(b('d4:name1:a4:name1:be')))).code).toBe('bad-encoding');
    expect((await errorOf(() => parseInfo(new Uint8Array(MAX_INFO_BYTES + 1)))).code).toBe('oversize');
    // 1,000,001 pieces.
    const many = encode(infoDict({ 'piece length': 16_384, length: 16_384 * 1_000_001, pieces: new Uint8Array(20 * 1_000_001) }));
    expect(await errorOf(() => parseInfo(many))).toEqual({ code: 'oversize', field: 'pieces' });
    // Files whose lengths add up past 2^53.
    const huge = infoDict({ length: undefined, files: [{ length: 2 ** 53 - 1, path: ['a'] }, { length: 2, path: ['b'] }] });
    expect(await errorOf(() => parseInfo(encode(huge)))).toEqual({ code: 'oversize', field: 'length' });
  });
});

test.describe('parseTorrentFile', () => {
  test('an info dictionary with unsorted keys keeps its original info hash', async () => {
    const pieces = nodePieces(new Uint8Array(20_000), 16_384);
    // Keys deliberately out of order: name, piece length, length, pieces.
    const info = concat(b(`d4:name5:x.bin12:piece lengthi16384e6:lengthi20000e6:pieces${pieces.length}:`), pieces, b('e'));
    const file = concat(b('d8:announce21:wss://t.example/track4:info'), info, b('7:comment2:hie'));
    const parsed = await parseTorrentFile(file);
    expect(parsed.infoHash).toBe(nodeSha1(info).toString('hex'));
    expect(parsed.infoBytes).toEqual(info);
    expect(parsed.infoHash).not.toBe(toHex(nodeSha1(encode(bdict(decode(info), 'info')))));
    expect(parsed.announce).toEqual(['wss://t.example/track']);
    expect(parsed.info.length).toBe(20_000);
    expect(await verifyPiece(parsed.info, 1, new Uint8Array(20_000 - 16_384))).toBe(true);
    // parseInfo on the original bytes agrees, and checks against that hash.
    expect((await parseInfo(info, parsed.infoHash)).info).toEqual(parsed.info);
  });

  test('collects trackers from announce-list (tiers in order) and announce, without repeats', async () => {
    const t = await createTorrent(new Uint8Array(10), 'a');
    const info = decode(t.infoBytes) as BInput;
    const file = encode({ announce: 'wss://c', 'announce-list': [['wss://a', 'wss://b'], [], ['wss://c', ' ', 'wss://a']], info });
    expect((await parseTorrentFile(file)).announce).toEqual(['wss://a', 'wss://b', 'wss://c']);
    expect(await errorOf(() => parseTorrentFile(encode({ announce: 5, info })))).toEqual({ code: 'bad-field', field: 'announce' });
    expect(await errorOf(() => parseTorrentFile(encode({ 'announce-list': ['wss://a'], info })))).toEqual({ code: 'bad-field', field: 'announce-list' });
  });

  test('refuses files without a valid info dictionary', async () => {
    expect(await errorOf(() => parseTorrentFile(encode({ announce: 'wss://a' })))).toEqual({ code: 'bad-field', field: 'info' });
    expect(await errorOf(() => parseTorrentFile(encode({ info: 'x' })))).toEqual({ code: 'bad-field', field: 'info' });
    expect((await errorOf(() => parseTorrentFile(encode([1])))).code).toBe('bad-field');
    expect((await errorOf(() => parseTorrentFile(b('d4:info')))).code).toBe('bad-encoding');
    expect(await errorOf(() => parseTorrentFile(encode({ info: infoDict({ name: '../etc' }) })))).toEqual({ code: 'bad-field', field: 'name' });
  });
});

test.describe('magnet links', () => {
  const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

  test('formatMagnet writes xt, dn and tr, URL-encoded', () => {
    expect(formatMagnet({ infoHash: HASH })).toBe(`magnet:?xt=urn:btih:${HASH}`);
    expect(formatMagnet({ infoHash: HASH.toUpperCase(), name: 'a b&c', trackers: ['wss://t.example/announce?x=1&y=2'] })).toBe(
      `magnet:?xt=urn:btih:${HASH}&dn=a%20b%26c&tr=wss%3A%2F%2Ft.example%2Fannounce%3Fx%3D1%26y%3D2`,
    );
  });

  test('round-trips names and trackers with awkward characters', () => {
    const link = { infoHash: HASH, name: 'Ünï + cödé & 100% = ?#', trackers: ['wss://a.example/x?k=v&w=1', 'udp://b.example:6969', 'wss://c.example/+'] };
    expect(parseMagnet(formatMagnet(link))).toEqual(link);
    expect(parseMagnet(formatMagnet({ infoHash: HASH }))).toEqual({ infoHash: HASH, trackers: [] });
  });

  test('reads hex of either case and 32-char base32 hashes as lowercase hex', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH.toUpperCase()}`).infoHash).toBe(HASH);
    expect(parseMagnet('magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK').infoHash).toBe(HASH);
    expect(parseMagnet('magnet:?xt=urn:btih:yex6dqdlxisuvhoj6um3gnnkpqjwpkek').infoHash).toBe(HASH);
    // RFC 4648 base32 of the bytes "abcdefghijklmnopqrst".
    expect(parseMagnet('magnet:?xt=urn:btih:MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U').infoHash).toBe(Buffer.from('abcdefghijklmnopqrst').toString('hex'));
    expect(parseMagnet(`magnet:?xt=urn:btih:${'7'.repeat(32)}`).infoHash).toBe('f'.repeat(40));
    expect(parseMagnet(`magnet:?xt=urn:btih:${'A'.repeat(32)}`).infoHash).toBe('0'.repeat(40));
  });

  test('reads every tracker, "+" as a space in dn, and ignores unknown parameters', () => {
    const uri = `MAGNET:?dn=Big+Buck%20Bunny&xt=urn:btih:${HASH}&tr=wss%3A%2F%2Fa&tr=wss://b&tr.1=wss://c&tr=wss://a&xs=x&ws=https%3A%2F%2Fw&xt=urn:btmh:1220abc&x.pe=1.2.3.4:5`;
    expect(parseMagnet(uri)).toEqual({ infoHash: HASH, name: 'Big Buck Bunny', trackers: ['wss://a', 'wss://b', 'wss://c'] });
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH}&xt=urn:btih:${HASH.toUpperCase()}`).infoHash).toBe(HASH);
  });

  test('accepts a bare 40-hex info hash', () => {
    expect(parseMagnet(HASH.toUpperCase())).toEqual({ infoHash: HASH, trackers: [] });
    expect(parseMagnet(`  ${HASH}\n`)).toEqual({ infoHash: HASH, trackers: [] });
  });

  test('refuses anything else with bad-field "magnet"', async () => {
    const bad = [
      '',
      'hello',
      HASH.slice(1),
      `${HASH}0`,
      'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK', // bare base32 is not accepted
      `http://example.com/?xt=urn:btih:${HASH}`,
      'magnet:?dn=name',
      `magnet:xt=urn:btih:${HASH}`,
      'magnet:?xt=urn:btih:',
      `magnet:?xt=urn:btih:${HASH.slice(1)}`,
      `magnet:?xt=urn:btih:${HASH}0`,
      `magnet:?xt=urn:btih:${'g'.repeat(40)}`,
      `magnet:?xt=urn:btih:${'A'.repeat(31)}`,
      `magnet:?xt=urn:btih:${'A'.repeat(31)}1`,
      `magnet:?xt=urn:btih:${'A'.repeat(31)}8`,
      `magnet:?xt=urn:sha1:${HASH}`,
      `magnet:?xt=urn:btih:${HASH}&dn=%zz`,
      `magnet:?xt=urn:btih:${HASH}&xt=urn:btih:${'0'.repeat(40)}`,
    ];
    for (const uri of bad) expect(await errorOf(() => parseMagnet(uri)), uri).toEqual({ code: 'bad-field', field: 'magnet' });
    expect(await errorOf(() => parseMagnet(42 as unknown as string))).toEqual({ code: 'bad-field', field: 'magnet' });
    expect(await errorOf(() => parseMagnet(`magnet:?xt=urn:btih:${HASH}&dn=${'a'.repeat(70_000)}`))).toEqual({ code: 'oversize', field: 'magnet' });
    expect(await errorOf(() => formatMagnet({ infoHash: 'xyz' }))).toEqual({ code: 'bad-field', field: 'infoHash' });
  });

  test('a magnet of a created torrent names its info hash', async () => {
    const t = await createTorrent(new Uint8Array(randomBytes(1000)), 'file.txt');
    const link = parseMagnet(formatMagnet({ infoHash: t.infoHash, name: t.info.name, trackers: ['wss://t'] }));
    expect(link.infoHash).toBe(t.infoHash);
    expect((await parseInfo(t.infoBytes, link.infoHash)).info.name).toBe('file.txt');
  });
});
