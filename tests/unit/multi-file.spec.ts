/**
 * Multi-file torrents: the file layout (byte and piece ranges, wanted pieces, per-file
 * progress), BEP 53 `so=` in magnet links, building a multi-file info dictionary, and the plan
 * that turns several files or a folder into one torrent.
 */
import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import { fileBytesHere, fileComplete, fileLayout, joinPath, resolveSelection, wantedPieces } from '../../protocol/file-layout';
import { cleanFilePath } from '../../protocol/file-name';
import { formatMagnet, formatSelectOnly, parseMagnet, parseSelectOnly } from '../../protocol/magnet';
import { createTorrent, parseInfo, parseTorrentFile } from '../../protocol/metainfo';
import { ProtocolError } from '../../protocol/errors';
import { planShare } from '../../client/bittorrent/share-plan';
import { pseudoBytes } from '../helpers/unit';

const PL = 16_384;
const HASH = 'ab'.repeat(20);
const bits = (bf: Bitfield) => [...Array(bf.length).keys()].filter((i) => bf.get(i));

test.describe('file layout', () => {
  // a: 10 bytes (in piece 0), b: 2 pieces' worth crossing three pieces, c: empty, d: rest of piece 3 and piece 4.
  const info = {
    name: 'set',
    pieceLength: PL,
    length: 10 + 2 * PL + 0 + (PL + 100),
    files: [
      { path: ['a.txt'], length: 10 },
      { path: ['sub', 'b.bin'], length: 2 * PL },
      { path: ['c.empty'], length: 0 },
      { path: ['d.bin'], length: PL + 100 },
    ],
  };
  const layout = fileLayout(info);
  const pieces = Math.ceil(info.length / PL);

  test('places each file at its offset, with the pieces it touches', () => {
    expect(pieces).toBe(4);
    expect(layout.map((f) => [joinPath(f.path), f.offset, f.firstPiece, f.lastPiece])).toEqual([
      ['a.txt', 0, 0, 0],
      ['sub/b.bin', 10, 0, 2],
      ['c.empty', 10 + 2 * PL, 2, 1],
      ['d.bin', 10 + 2 * PL, 2, 3],
    ]);
  });

  test('a single-file torrent is one file named after it', () => {
    expect(fileLayout({ name: 'one.bin', length: 3 * PL + 1, pieceLength: PL })).toEqual([{ index: 0, path: ['one.bin'], length: 3 * PL + 1, offset: 0, firstPiece: 0, lastPiece: 3 }]);
  });

  test('wanted pieces: those holding a byte of a selected file, shared pieces included', () => {
    expect(bits(wantedPieces(layout, pieces, new Set([0])))).toEqual([0]);
    expect(bits(wantedPieces(layout, pieces, new Set([3])))).toEqual([2, 3]);
    expect(bits(wantedPieces(layout, pieces, new Set([2])))).toEqual([]);
    expect(bits(wantedPieces(layout, pieces, new Set([0, 3])))).toEqual([0, 2, 3]);
    expect(bits(wantedPieces(layout, pieces, new Set([0, 1, 2, 3])))).toEqual([0, 1, 2, 3]);
    expect(bits(wantedPieces(layout, pieces, new Set()))).toEqual([]);
  });

  test('per-file bytes here and completeness follow the pieces held', () => {
    const have = new Bitfield(pieces);
    have.set(0);
    have.set(2);
    expect(fileBytesHere(layout[0]!, PL, have)).toBe(10);
    expect(fileComplete(layout[0]!, have)).toBe(true);
    expect(fileBytesHere(layout[1]!, PL, have)).toBe(PL - 10 + 10);
    expect(fileComplete(layout[1]!, have)).toBe(false);
    expect(fileComplete(layout[2]!, have)).toBe(true);
    expect(fileBytesHere(layout[3]!, PL, have)).toBe(PL - 10);
    have.set(3);
    expect(fileBytesHere(layout[3]!, PL, have)).toBe(PL + 100);
    expect(fileComplete(layout[3]!, have)).toBe(true);
  });

  test('a selection names files by index or path; anything else is refused by name', () => {
    expect([...resolveSelection(layout, [0, 'sub/b.bin', 0])]).toEqual([0, 1]);
    expect(() => resolveSelection(layout, ['nope.txt'])).toThrow('the torrent has no file "nope.txt"');
    expect(() => resolveSelection(layout, [4])).toThrow('file index 4 is not in [0, 4)');
    expect(() => resolveSelection(layout, [1.5])).toThrow(RangeError);
  });
});

test.describe('magnet so= (BEP 53)', () => {
  test('indexes and ranges, ascending, each once', () => {
    expect(parseSelectOnly('0,2,4-6')).toEqual([0, 2, 4, 5, 6]);
    expect(parseSelectOnly('6,4-6,0,0')).toEqual([0, 4, 5, 6]);
    expect(parseSelectOnly('3-3')).toEqual([3]);
    expect(formatSelectOnly([6, 0, 2, 4, 5])).toBe('0,2,4-6');
    expect(formatSelectOnly([1])).toBe('1');
  });

  test('anything else is refused with a reason', () => {
    for (const bad of ['', ',', '1,', 'a', '-1', '1-', '5-3', '1.5', '1-2-3', ' 1', '9999999', '0-100000']) {
      expect(() => parseSelectOnly(bad), bad).toThrow(ProtocolError);
    }
    expect(() => parseSelectOnly('5-3')).toThrow('so= range 5-3 ends before it starts');
  });

  test('parsed in magnet links and written by formatMagnet', () => {
    const m = parseMagnet(`magnet:?xt=urn:btih:${HASH}&dn=set&so=0,2,4-6`);
    expect(m.select).toEqual([0, 2, 4, 5, 6]);
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH}`).select).toBeUndefined();
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH}&so=1&so=0`).select).toEqual([0, 1]);
    expect(() => parseMagnet(`magnet:?xt=urn:btih:${HASH}&so=x`)).toThrow(ProtocolError);
    const back = formatMagnet({ infoHash: HASH, name: 'set', select: [4, 5, 6, 0] });
    expect(back).toBe(`magnet:?xt=urn:btih:${HASH}&dn=set&so=0,4-6`);
    expect(parseMagnet(back).select).toEqual([0, 4, 5, 6]);
  });
});

test.describe('multi-file metainfo', () => {
  test('an info dictionary with files and paths that parses back to the same files and hash', async () => {
    const files = [
      { path: ['a.txt'], length: 10 },
      { path: ['sub', 'b.bin'], length: 3 * PL + 5 },
    ];
    const data = pseudoBytes(10 + 3 * PL + 5, 3);
    const made = await createTorrent(data, 'set', { pieceLength: PL, files, announce: ['ws://t/announce'] });
    expect(made.info.files).toEqual(files);
    expect(made.info.length).toBe(data.length);
    const parsed = await parseInfo(made.infoBytes, made.infoHash);
    expect(parsed.info.files).toEqual(files);
    expect(parsed.info.pieces.length).toBe(4);
    const file = await parseTorrentFile(made.torrentFile);
    expect(file.infoHash).toBe(made.infoHash);
    // BEP 3: `files` instead of `length`.
    const text = new TextDecoder('latin1').decode(made.infoBytes);
    expect(text.startsWith('d5:filesld6:lengthi10e4:pathl5:a.txteed6:lengthi')).toBe(true);
    expect(text).not.toContain('6:lengthi49167e4:name');
  });

  test('refuses files that do not add up, repeat, or have bad paths', async () => {
    const data = pseudoBytes(20, 1);
    await expect(createTorrent(data, 'set', { files: [{ path: ['a'], length: 19 }] })).rejects.toThrow('the files hold 19 bytes, the data 20');
    await expect(createTorrent(data, 'set', { files: [{ path: ['a'], length: 10 }, { path: ['a'], length: 10 }] })).rejects.toThrow('file "a" is listed twice');
    await expect(createTorrent(data, 'set', { files: [{ path: ['..'], length: 20 }] })).rejects.toThrow(ProtocolError);
    await expect(createTorrent(data, 'set', { files: [{ path: [], length: 20 }] })).rejects.toThrow('a file has an empty path');
    await expect(createTorrent(data, 'set', { files: [] })).rejects.toThrow('at least one file');
  });
});

test.describe('share plan', () => {
  test('a folder: its name is the torrent’s, paths below it, in path order', () => {
    const plan = planShare([
      { path: 'trip/z.txt', size: 1 },
      { path: 'trip/day 1/a.jpg', size: 2 },
      { path: 'trip/b.txt', size: 3 },
    ]);
    expect(plan).toEqual({
      name: 'trip',
      files: [
        { path: ['b.txt'], length: 3, source: 2 },
        { path: ['day 1', 'a.jpg'], length: 2, source: 1 },
        { path: ['z.txt'], length: 1, source: 0 },
      ],
      changes: [],
    });
  });

  test('loose files: the name given, else "N files"', () => {
    expect(planShare([{ path: 'b', size: 1 }, { path: 'a', size: 2 }]).name).toBe('2 files');
    expect(planShare([{ path: 'b', size: 1 }, { path: 'a', size: 2 }], 'my set').name).toBe('my set');
    expect(planShare([{ path: 'x/a', size: 1 }, { path: 'y/a', size: 2 }]).files.map((f) => f.path)).toEqual([['x', 'a'], ['y', 'a']]);
  });

  test('each path element goes through the name rules; clashes and empty lists are refused', () => {
    const plan = planShare([{ path: 'set/bad\u0007name.txt', size: 1 }, { path: 'set/../up.txt', size: 1 }]);
    expect(plan.files.map((f) => f.path)).toEqual([['_', 'up.txt'], ['badname.txt']]);
    expect(plan.changes).toEqual(['control characters removed', '".." replaced by "_"']);
    expect(() => planShare([{ path: 'a/x\u0007', size: 1 }, { path: 'a/x', size: 1 }])).toThrow('Two files would be shared as “x”: rename one of them.');
    expect(() => planShare([])).toThrow('There are no files to share.');
  });

  test('cleanFilePath drops empty elements and cleans each one', () => {
    expect(cleanFilePath('/a//b\\c')).toEqual({ path: ['a', 'b', 'c'], changes: [] });
    expect(cleanFilePath('.')).toEqual({ path: ['_'], changes: ['"." replaced by "_"'] });
    expect(cleanFilePath('')).toEqual({ path: ['file'], changes: ['nothing was left of the name'] });
  });
});
