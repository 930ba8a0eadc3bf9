import { expect, test } from '@playwright/test';
import { TokenBucket } from '../../worker/core/rate-limit';
import { OfferBudget, TRACKER_LIMITS, joinRateRefusal, peerIdRefusal, scrapeCost, swarmRefusal, type OfferLimits } from '../../worker/core/tracker-budget';

test('a socket speaks for at most 2 peer ids; one it already uses is always fine', () => {
  expect(peerIdRefusal([], 'a')).toBeNull();
  expect(peerIdRefusal(['a'], 'b')).toBeNull();
  expect(peerIdRefusal(['a', 'b'], 'a')).toBeNull();
  expect(peerIdRefusal(['a', 'b'], 'c')).toBe('this connection already announces 2 peer_ids (at most 2 per connection)');
});

test('a socket joins at most 200 swarms; scrapes cost by their size', () => {
  expect(swarmRefusal(199)).toBeNull();
  expect(swarmRefusal(200)).toBe('this connection is in 200 swarms already (at most 200 per connection)');
  expect([1, 9, 10, 100].map((n) => scrapeCost(n))).toEqual([1, 1, 2, 11]);
  expect(joinRateRefusal()).toMatch(/a burst of 400, then 2 per second/);
});

test('offers come out of the socket bucket and the address bucket; refunds return unused ones', () => {
  const limits: OfferLimits = { socketOfferBurst: 10, socketOffersPerSecond: 1, addressOfferBurst: 15, addressOffersPerSecond: 2 };
  const address = new TokenBucket(limits.addressOfferBurst, limits.addressOffersPerSecond, 0);
  const a = OfferBudget.forSocket(address, 0, limits);
  const b = OfferBudget.forSocket(address, 0, limits);
  expect(a.grant(0, 50)).toBe(10); // the socket's burst
  expect(a.grant(0, 1)).toBe(0);
  expect(b.grant(0, 50)).toBe(5); // what is left of the address's
  b.refund(3); // nobody to relay 3 of them to
  expect(b.grant(0, 50)).toBe(3);
  expect(a.grant(1_000, 50)).toBe(1); // one second: the socket refilled 1, the address 2
  expect(b.grant(1_000, 50)).toBe(1);
  expect(TRACKER_LIMITS.socketOfferBurst).toBeLessThan(TRACKER_LIMITS.addressOfferBurst);
});
