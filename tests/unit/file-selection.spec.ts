/**
 * The file selection of a torrent: kept until the metadata comes, strict (a file the torrent
 * lacks is a RangeError) or lenient (a magnet's so=: indexes past its files are left out, said
 * in a warning), the pieces it needs, when it is done, and the files as the API lists them.
 */
import { expect, test } from '@playwright/test';
import { Bitfield } from '../../protocol/bitfield';
import { FileSelection } from '../../client/bittorrent/file-selection';

const PL = 16_384;
// a: 10 bytes (piece 0), b: 2 pieces' worth across pieces 0-2, c: empty, d: the rest of piece 2 and piece 3.
const info = {
  name: 'set',
  pieceLength: PL,
  length: 10 + 2 * PL + PL + 100,
  files: [
    { path: ['a.txt'], length: 10 },
    { path: ['sub', 'b.bin'], length: 2 * PL },
    { path: ['c.empty'], length: 0 },
    { path: ['d.bin'], length: PL + 100 },
  ],
};
const PIECES = 4;
const bits = (bf: Bitfield | null) => (bf ? [...Array(bf.length).keys()].filter((i) => bf.get(i)) : null);

function have(...indexes: number[]): Bitfield {
  const bf = new Bitfield(PIECES);
  for (const i of indexes) bf.set(i);
  return bf;
}

function installed(): FileSelection {
  const s = new FileSelection();
  expect(s.install(info)).toBeNull();
  return s;
}

test('a selection made before the metadata is kept, and handed back once, when it comes', () => {
  const s = new FileSelection();
  const items = [3, 'a.txt'];
  s.defer(items, true);
  items.push(1); // copied
  expect(s.layout).toEqual([]);
  expect(s.install(info)).toEqual({ items: [3, 'a.txt'], lenient: true });
  expect(s.layout.map((f) => f.index)).toEqual([0, 1, 2, 3]);
  expect(s.install(info)).toBeNull();
});

test('every file until one is chosen: no wanted bitfield, the record is null, done is the whole torrent', () => {
  const s = installed();
  expect(s.wanted).toBeNull();
  expect(s.record()).toBeNull();
  expect(s.selectedCount).toBe(4);
  expect(s.isDone(have(0, 1, 2))).toBe(false);
  expect(s.isDone(have(0, 1, 2, 3))).toBe(true);
});

test('strict: by path or index, the pieces they need, in the record sorted; every file again is no selection', () => {
  const s = installed();
  expect(s.choose(['d.bin', 0], false, PIECES)).toEqual({ applied: true });
  expect(bits(s.wanted)).toEqual([0, 2, 3]);
  expect(s.record()).toEqual([0, 3]);
  expect(s.selectedCount).toBe(2);
  expect(s.choose([0, 1, 2, 3], false, PIECES)).toEqual({ applied: true });
  expect(s.wanted).toBeNull();
  expect(s.record()).toBeNull();
});

test('strict: a file the torrent lacks is a RangeError, and the selection stays as it was', () => {
  const s = installed();
  s.choose([3], false, PIECES);
  expect(() => s.choose(['nope.txt'], false, PIECES)).toThrow(RangeError);
  expect(() => s.choose([4], false, PIECES)).toThrow(RangeError);
  expect(s.record()).toEqual([3]);
});

test('lenient: indexes past the files are left out with a warning; none left: not applied', () => {
  const s = installed();
  expect(s.choose([3, 9, 12], true, PIECES)).toEqual({
    applied: true,
    warning: "the selection (a magnet's so=) names files 9, 12 of a torrent of 4: left out",
  });
  expect(s.record()).toEqual([3]);
  expect(s.choose([9], true, PIECES)).toEqual({ applied: false, warning: "the selection (a magnet's so=) names files 9 of a torrent of 4: left out" });
  expect(s.choose([], true, PIECES)).toEqual({ applied: false });
  expect(s.record()).toEqual([3]);
  // Paths are not part of a so= list: leniently, only indexes count.
  expect(s.choose(['a.txt', 1], true, PIECES)).toEqual({ applied: true });
  expect(s.record()).toEqual([1]);
});

test('done: becameDone is true once, and once more after a new selection that is done', () => {
  const s = installed();
  s.choose([3], false, PIECES);
  expect(s.becameDone(have(2))).toBe(false);
  expect(s.isDone(have(2, 3))).toBe(true);
  expect(s.becameDone(have(2, 3))).toBe(true);
  expect(s.becameDone(have(2, 3))).toBe(false);
  s.choose([2, 3], false, PIECES);
  expect(s.becameDone(have(2, 3))).toBe(true);
  s.choose([0], true, PIECES);
  expect(s.becameDone(have(2, 3))).toBe(false);
});

test('files and bytes: each file with the fraction here and whether it is selected; the selected bytes', () => {
  const s = installed();
  s.choose([1, 3], false, PIECES);
  const here = have(0, 2);
  expect(s.files(PL, here)).toEqual([
    { index: 0, path: 'a.txt', length: 10, progress: 1, selected: false },
    { index: 1, path: 'sub/b.bin', length: 2 * PL, progress: 0.5, selected: true },
    { index: 2, path: 'c.empty', length: 0, progress: 1, selected: false },
    { index: 3, path: 'd.bin', length: PL + 100, progress: (PL - 10) / (PL + 100), selected: true },
  ]);
  expect(s.bytes(PL, here)).toEqual({ selectedLength: 3 * PL + 100, selectedHave: PL + PL - 10 });
});
