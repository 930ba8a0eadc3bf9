/** What ▶ Play reads first: the head of the first selected video or audio file, and an MP4's last piece. */
import { expect, test } from '@playwright/test';
import { playHead } from '../../client/bittorrent/play-head';
import { READ_AHEAD_BYTES } from '../../client/files/file-response';
import { fileLayout } from '../../protocol/file-layout';

const PL = 256 * 1024;
const all = () => true;

test('a single video: the pieces of its first MiB, from the first', () => {
  const layout = fileLayout({ name: 'film.webm', length: 30 * PL + 5, pieceLength: PL });
  expect(playHead(layout, all, PL)).toEqual([0, 1, 2, 3]);
  expect(READ_AHEAD_BYTES / PL).toBe(4);
});

test('a video shorter than the head: each of its pieces once', () => {
  expect(playHead(fileLayout({ name: 'clip.webm', length: PL + 1, pieceLength: PL }), all, PL)).toEqual([0, 1]);
  expect(playHead(fileLayout({ name: 'tiny.mp3', length: 10, pieceLength: PL }), all, PL)).toEqual([0]);
});

test('an MP4 (its index may be at the end): the head, then the last piece', () => {
  expect(playHead(fileLayout({ name: 'camera.MP4', length: 40 * PL, pieceLength: PL }), all, PL)).toEqual([0, 1, 2, 3, 39]);
  // Short: the last piece is already in the head.
  expect(playHead(fileLayout({ name: 'short.mp4', length: 3 * PL, pieceLength: PL }), all, PL)).toEqual([0, 1, 2]);
});

test('a folder: the first selected video or audio file, its pieces counted from where it starts', () => {
  const layout = fileLayout({
    name: 'trip',
    length: 0,
    pieceLength: PL,
    files: [
      { path: ['notes.txt'], length: PL / 2 },
      { path: ['empty.webm'], length: 0 },
      { path: ['a', 'first.webm'], length: 2 * PL },
      { path: ['b', 'second.mp3'], length: 8 * PL },
    ],
  });
  // first.webm spans bytes PL/2 … 2.5 PL: pieces 0-2.
  expect(playHead(layout, all, PL)).toEqual([0, 1, 2]);
  // Only second.mp3 selected: its first MiB, from byte 2.5 PL (piece 2) to 3.5 PL + 1 MiB - 1 (piece 6).
  expect(playHead(layout, (i) => i === 3, PL)).toEqual([2, 3, 4, 5, 6]);
});

test('nothing to play, or nothing selected that plays: no head', () => {
  expect(playHead(fileLayout({ name: 'data.bin', length: 10 * PL, pieceLength: PL }), all, PL)).toEqual([]);
  expect(playHead(fileLayout({ name: 'photo.jpg', length: 10 * PL, pieceLength: PL }), all, PL)).toEqual([]);
  expect(playHead(fileLayout({ name: 'film.webm', length: 10 * PL, pieceLength: PL }), () => false, PL)).toEqual([]);
});
