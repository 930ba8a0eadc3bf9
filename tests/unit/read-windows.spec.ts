/** The read windows of a torrent: what media readers are reading, nearest the read position first. */
import { expect, test } from '@playwright/test';
import { MAX_READERS, ReadWindows, WINDOW_TTL_MS } from '../../client/bittorrent/read-windows';
import { Bitfield } from '../../protocol/bitfield';

const have = (n: number, ...set: number[]) => {
  const b = new Bitfield(n);
  for (const i of set) b.set(i);
  return b;
};

test('one reader: its window in order, without the pieces already here; clamped to the torrent', () => {
  const w = new ReadWindows(20);
  expect(w.set('video', 4, 9, 0)).toBe(true);
  expect(w.urgent(have(20, 5, 7))).toEqual([4, 6, 8, 9]);
  expect(w.set('video', 4, 9, 500)).toBe(false); // only refreshed
  expect(w.set('video', 17, 40, 600)).toBe(true); // a seek near the end
  expect(w.urgent(have(20))).toEqual([17, 18, 19]);
  w.set('video', -5, 2.7, 700);
  expect(w.urgent(have(20))).toEqual([0, 1, 2]);
});

test('several readers take turns, nearest their read positions first, each piece once', () => {
  const w = new ReadWindows(100);
  w.set('a', 10, 13, 0);
  w.set('b', 50, 51, 0);
  w.set('c', 11, 12, 0);
  expect(w.urgent(have(100))).toEqual([10, 50, 11, 51, 12, 13]);
});

test('a reader not refreshed for the TTL is forgotten; at most MAX_READERS are followed', () => {
  const w = new ReadWindows(100);
  w.set('old', 1, 2, 0);
  w.set('new', 5, 6, 5_000);
  expect(w.expire(WINDOW_TTL_MS)).toBe(false);
  expect(w.expire(WINDOW_TTL_MS + 1)).toBe(true);
  expect(w.size).toBe(1);
  expect(w.urgent(have(100))).toEqual([5, 6]);
  for (let r = 0; r < MAX_READERS + 3; r++) w.set(`r${r}`, r, r, 6_000);
  expect(w.size).toBe(MAX_READERS);
  expect(w.urgent(have(100))).not.toContain(0); // r0 went first
});

test('a seek: the player\'s new reader goes before the window its old reader still holds, even as the old one reads on; other players keep their turns', () => {
  const w = new ReadWindows(100);
  w.set('old', 6, 9, 0, 'tab1:0');
  w.set('other', 40, 41, 10, 'tab2:0');
  w.set('new', 80, 82, 20, 'tab1:0'); // tab1's element seeked; its old request is still open
  expect(w.urgent(have(100))).toEqual([40, 80, 41, 81, 82, 6, 7, 8, 9]);
  // The browser reads the old request on for its cache: the new reader stays first.
  w.set('old', 7, 10, 30, 'tab1:0');
  expect(w.urgent(have(100))).toEqual([40, 80, 41, 81, 82, 7, 8, 9, 10]);
  // The new reader stops being refreshed (the element went back to the old request): once it
  // expires, the old reader is the player's newest again.
  w.set('old', 8, 11, 20 + WINDOW_TTL_MS + 1, 'tab1:0');
  w.set('other', 40, 41, 20 + WINDOW_TTL_MS + 1, 'tab2:0');
  expect(w.expire(20 + WINDOW_TTL_MS + 1)).toBe(true);
  expect(w.urgent(have(100, 8))).toEqual([40, 9, 41, 10, 11]);
});
