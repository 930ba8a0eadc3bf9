/** What the search card says: the TTL rule, the status lines, a hit's Via cell and its tooltip. */
import { expect, test } from '@playwright/test';
import type { SearchHit } from '../../client/api';
import { failureText, parseTtl, resultText, searchingText, viaText, viaTitle } from '../../client/ui/search-text';

const hit = (over: Partial<SearchHit> = {}): SearchHit => ({ infoHash: 'a'.repeat(40), name: 'a.bin', size: 1, peers: ['p1'], via: 'gnutella', ms: 40, ...over }) as SearchHit;

test('a TTL is a whole number from 1 to 7', () => {
  expect(['1', ' 7 ', '4'].map(parseTtl)).toEqual([1, 7, 4]);
  expect(['', '0', '8', '2.5', 'x', '-1'].map(parseTtl)).toEqual([null, null, null, null, null, null]);
});

test('status lines: searching, found, nothing found, failed; Napster without a TTL, overlays with one', () => {
  expect(searchingText('napster', undefined)).toBe('Searching napster…');
  expect(searchingText('gnutella', 3)).toBe('Searching gnutella (ttl 3), collecting answers…');
  expect(resultText([hit({ via: 'napster', ms: 7 }), hit({ via: 'napster', ms: 9 })], 'x', 'napster', undefined)).toBe('2 files via napster in 7 ms');
  expect(resultText([], 'sonata', 'napster', undefined)).toBe('No file matches every word of "sonata" (napster).');
  // Overlays: the time of the last distinct file, the messages of the whole search.
  expect(resultText([hit({ ms: 40, messages: 6 }), hit({ ms: 90, messages: 9 })], 'x', 'gnutella', 2)).toBe('2 results via gnutella in 90 ms · 9 messages · ttl 2');
  expect(resultText([], 'sonata', 'superpeer', 1)).toBe('No peer within 1 hop answered for "sonata" (superpeer, ttl 1).');
  expect(failureText('the index cannot be reached', 'napster', undefined)).toBe('the index cannot be reached');
  expect(failureText('no super-peer yet', 'superpeer', 7)).toBe('Super-peer search failed: no super-peer yet');
});

test('a hit’s Via cell and tooltip', () => {
  expect(viaText(hit({ hops: 2 }))).toBe('gnutella · 2 hops · 40 ms');
  expect(viaText(hit({ via: 'napster' }))).toBe('napster · 40 ms');
  expect(viaTitle(hit({ hops: 1, messages: 5, guid: 'g1' }))).toBe("nearest holder's answer travelled 1 hop\n5 messages sent and received for this search\nquery guid g1");
  expect(viaTitle(hit({ via: 'napster' }))).toBe('');
});
