import { expect, test } from '@playwright/test';
import { parseContentMessage } from '../../client/bittorrent/content-channel';

const hash = 'ab'.repeat(20);

test('content messages between tabs: a deletion with an info hash, anything else dropped', () => {
  expect(parseContentMessage({ type: 'deleted', infoHash: hash.toUpperCase() })).toEqual({ type: 'deleted', infoHash: hash });
  for (const bad of [null, undefined, 1, 'deleted', [], {}, { type: 'deleted' }, { type: 'deleted', infoHash: 'xyz' }, { type: 'deleted', infoHash: { toString: () => hash } }, { type: 'other', infoHash: hash }]) {
    expect(parseContentMessage(bad)).toBeNull();
  }
});

test('piece news between the service worker and the tabs: want, wanting and stored, checked field by field', () => {
  expect(parseContentMessage({ type: 'want', infoHash: hash, reader: 'r-1_a', first: 3, last: 7 })).toEqual({ type: 'want', infoHash: hash, reader: 'r-1_a', first: 3, last: 7 });
  const player = '2f0e3a1c-5b7d-4c2e-9a1f-0b3c4d5e6f70:262144';
  expect(parseContentMessage({ type: 'want', infoHash: hash, reader: 'r', first: 0, last: 1, player })).toEqual({ type: 'want', infoHash: hash, reader: 'r', first: 0, last: 1, player });
  expect(parseContentMessage({ type: 'wanting', infoHash: hash, reader: 'r1' })).toEqual({ type: 'wanting', infoHash: hash, reader: 'r1' });
  expect(parseContentMessage({ type: 'stored', infoHash: hash, index: 0 })).toEqual({ type: 'stored', infoHash: hash, index: 0 });
  for (const bad of [
    { type: 'want', infoHash: hash, reader: 'r', first: 7, last: 3 },
    { type: 'want', infoHash: hash, reader: 'r', first: -1, last: 3 },
    { type: 'want', infoHash: hash, reader: 'r', first: 1.5, last: 3 },
    { type: 'want', infoHash: hash, reader: 'r', first: 0, last: 2 ** 30 },
    { type: 'want', infoHash: hash, reader: 'a b', first: 0, last: 1 },
    { type: 'want', infoHash: hash, reader: 'x'.repeat(65), first: 0, last: 1 },
    { type: 'want', infoHash: hash, first: 0, last: 1 },
    { type: 'want', infoHash: hash, reader: 'r', first: 0, last: 1, player: 'a b' },
    { type: 'want', infoHash: hash, reader: 'r', first: 0, last: 1, player: 7 },
    { type: 'want', infoHash: hash, reader: 'r', first: 0, last: 1, player: 'p'.repeat(101) },
    { type: 'wanting', infoHash: hash },
    { type: 'stored', infoHash: hash, index: '3' },
    { type: 'stored', infoHash: 'nothex', index: 3 },
  ]) {
    expect(parseContentMessage(bad)).toBeNull();
  }
});

test('the storage card says how much is used of what, or that the browser does not say', async () => {
  const { usageText, persistText } = await import('../../client/ui/storage-text');
  const MiB = 1024 * 1024;
  expect(usageText({ usage: 12 * MiB, quota: 1024 * MiB })).toBe('12.0 MiB of 1.00 GiB used (1 %) · 1012.0 MiB free');
  expect(usageText({ usage: 1024, quota: 1024 * MiB })).toContain('(<1 %)');
  expect(usageText({ usage: 5, quota: 0 })).toBe('5 B used; the browser does not say how much it allows.');
  expect(usageText(null)).toBe('This browser does not say how much it stores.');
  expect(persistText(true)).toMatch(/^Persistent/);
  expect(persistText(false)).toMatch(/^Not persistent/);
  expect(persistText(null)).toMatch(/cannot/);
});
