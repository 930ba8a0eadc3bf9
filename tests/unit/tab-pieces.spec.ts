/** The service worker's side of playing while downloading: asking the tabs, waiting for pieces. */
import { expect, test } from '@playwright/test';
import type { ContentMessage } from '../../client/bittorrent/content-channel';
import { TabPieces } from '../../client/files/tab-pieces';

const hash = 'cd'.repeat(20);
const fast = { answerMs: 80, pollMs: 30 };

test('want: told to the tabs; true when one says it fetches them, false when none answers in time', async () => {
  const sent: ContentMessage[] = [];
  const tabs = new TabPieces((m) => sent.push(m), async () => false, fast);
  const answered = tabs.want(hash, 'r1', 3, 7);
  expect(sent).toEqual([{ type: 'want', infoHash: hash, reader: 'r1', first: 3, last: 7 }]);
  tabs.onMessage({ type: 'wanting', infoHash: hash, reader: 'other' }); // another reader's answer
  tabs.onMessage({ type: 'wanting', infoHash: hash, reader: 'r1' });
  expect(await answered).toBe(true);
  expect(await tabs.want(hash, 'r2', 0, 0)).toBe(false);
});

test('stored: at once when the have record says so, on a tab\'s word, by a later look at the record, or false at the deadline', async () => {
  const here = new Set<number>([1]);
  const tabs = new TabPieces(() => undefined, async (_h, i) => here.has(i), fast);
  expect(await tabs.stored(hash, 1, 1_000)).toBe(true);
  // A tab's word.
  const two = tabs.stored(hash, 2, 1_000);
  setTimeout(() => tabs.onMessage({ type: 'stored', infoHash: hash, index: 2 }), 10);
  expect(await two).toBe(true);
  // A word missed: the record, looked at again, says it.
  const three = tabs.stored(hash, 3, 1_000);
  setTimeout(() => here.add(3), 40);
  expect(await three).toBe(true);
  // Never: false once the time is up.
  const t0 = Date.now();
  expect(await tabs.stored(hash, 4, 120)).toBe(false);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
  // A storage that fails counts as not stored, not as an error.
  const broken = new TabPieces(() => undefined, async () => Promise.reject(new Error('disk gone')), fast);
  expect(await broken.stored(hash, 0, 50)).toBe(false);
});
