import { expect, test } from '@playwright/test';
import { bucketOf, TokenBucket } from '../../protocol/token-bucket';

test('starts full, allows its capacity at once, then refills at its rate up to the capacity', () => {
  const b = new TokenBucket(4, 2, 1_000);
  expect(b.available(1_000)).toBe(4);
  for (let i = 0; i < 4; i++) expect(b.take(1_000)).toBe(true);
  expect(b.take(1_000)).toBe(false);
  // 2 a second: one token every 500 ms.
  expect(b.take(1_499)).toBe(false);
  expect(b.take(1_500)).toBe(true);
  expect(b.available(1_500)).toBe(0);
  expect(b.available(2_250)).toBe(1.5);
  // Never above the capacity, however long it rests.
  expect(b.available(1_000_000)).toBe(4);
});

test('take spends a cost only when the bucket holds all of it', () => {
  const b = new TokenBucket(10, 10, 0);
  expect(b.take(0, 11)).toBe(false);
  expect(b.available(0)).toBe(10);
  expect(b.take(0, 7)).toBe(true);
  expect(b.take(0, 4)).toBe(false);
  expect(b.available(0)).toBe(3);
});

test('spend may go into debt, which the refill pays back before new tokens count', () => {
  const b = new TokenBucket(100, 100, 0);
  expect(b.spend(0, 250)).toBe(-150);
  expect(b.take(0)).toBe(false);
  expect(b.available(1_000)).toBe(-50);
  expect(b.available(1_500)).toBe(0);
  expect(b.take(1_520)).toBe(true);
});

test('put gives tokens back, never above the capacity', () => {
  const b = new TokenBucket(3, 1, 0);
  b.take(0, 3);
  b.put(2);
  expect(b.available(0)).toBe(2);
  b.put(5);
  expect(b.available(0)).toBe(3);
});

test('a clock that steps back refills nothing and does not count the interval twice', () => {
  const b = new TokenBucket(10, 1, 10_000);
  b.take(10_000, 10);
  expect(b.available(5_000)).toBe(0);
  expect(b.available(10_000)).toBe(0);
  expect(b.available(12_000)).toBe(2);
});

test('bucketOf makes a full bucket per key at first sight and keeps it; the map stays bounded', () => {
  const buckets = new Map<string, TokenBucket>();
  const a = bucketOf(buckets, 'a', 2, 1, 0);
  expect(a.take(0, 2)).toBe(true);
  expect(bucketOf(buckets, 'a', 2, 1, 0)).toBe(a);
  expect(bucketOf(buckets, 'a', 2, 1, 0).take(0)).toBe(false);
  expect(bucketOf(buckets, 'b', 2, 1, 0).take(0)).toBe(true);
  for (let i = 0; i < 10_000; i++) bucketOf(buckets, `spray-${i}`, 2, 1, 0);
  expect(buckets.size).toBeLessThanOrEqual(10_000);
  // Past the bound every bucket starts full again.
  expect(bucketOf(buckets, 'a', 2, 1, 0).available(0)).toBe(2);
});
