import { expect, test } from '@playwright/test';
import { PEER_ID_RE } from '../../protocol/constants';
import { iceServers } from '../../worker/core/ice';
import { resolveIdentity, sameToken, signPeerId } from '../../worker/core/identity';
import { ADDRESS_ROOM_LIMITS, SocketLimiter, TokenBucket, addressJoinRefusal } from '../../worker/core/rate-limit';
import { sample } from '../../worker/core/sample';
import { fnv1a, shardCount, shardOf } from '../../worker/core/shard';
import { seeded } from '../helpers/unit';

test.describe('shards', () => {
  test('FNV-1a matches its reference values', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
  test('ids spread over the shards and always map to the same one', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const id = `peer-${i}`.padEnd(21, 'x');
      const s = shardOf(id, 4);
      expect(shardOf(id, 4)).toBe(s);
      counts[s]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
  test('the shard count defaults to 1 and is bounded', () => {
    expect(shardCount(undefined)).toBe(1);
    expect(shardCount('')).toBe(1);
    expect(shardCount('2')).toBe(2);
    expect(shardCount('0')).toBe(1);
    expect(shardCount('abc')).toBe(1);
    expect(shardCount('5000')).toBe(1);
  });
});

test.describe('identity', () => {
  const newId = (() => {
    let n = 0;
    return () => `fresh${String(n++).padStart(16, '0')}`;
  })();

  test('a valid token reclaims its id; a wrong one gets a new id', async () => {
    const id = 'V1StGXR8_Z5jdHi6B-myT';
    const token = await signPeerId('s3cret', 'main', id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await resolveIdentity('s3cret', 'main', id, token, newId, PEER_ID_RE)).toEqual({ id, token, reclaimed: true });
    const forged = await resolveIdentity('s3cret', 'main', id, token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), newId, PEER_ID_RE);
    expect(forged.id).not.toBe(id);
    expect(forged.reclaimed).toBe(false);
    const otherSecret = await resolveIdentity('other', 'main', id, token, newId, PEER_ID_RE);
    expect(otherSecret.id).not.toBe(id);
    const noToken = await resolveIdentity('s3cret', 'main', id, null, newId, PEER_ID_RE);
    expect(noToken.id).not.toBe(id);
    expect(noToken.token).toBe(await signPeerId('s3cret', 'main', noToken.id));
  });

  test('a token of one id does not reclaim another id', async () => {
    const a = 'aaaaaaaaaaaaaaaaaaaaa';
    const b = 'bbbbbbbbbbbbbbbbbbbbb';
    const tokenA = await signPeerId('k', 'main', a);
    expect((await resolveIdentity('k', 'main', b, tokenA, newId, PEER_ID_RE)).id).not.toBe(b);
  });

  test('a token is bound to the room it was issued for', async () => {
    const id = 'V1StGXR8_Z5jdHi6B-myT';
    const token = await signPeerId('k', 'room-a', id);
    expect(await resolveIdentity('k', 'room-a', id, token, newId, PEER_ID_RE)).toEqual({ id, token, reclaimed: true });
    const elsewhere = await resolveIdentity('k', 'room-b', id, token, newId, PEER_ID_RE);
    expect(elsewhere.id).not.toBe(id);
    expect(elsewhere.reclaimed).toBe(false);
  });

  test('token comparison', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'abcd')).toBe(false);
  });
});

test.describe('rate limits', () => {
  test('a token bucket allows a burst, then its rate', () => {
    const b = new TokenBucket(10, 5, 0);
    let ok = 0;
    for (let i = 0; i < 20; i++) if (b.take(0)) ok++;
    expect(ok).toBe(10);
    expect(b.take(100)).toBe(false); // 0.5 token
    expect(b.take(200)).toBe(true); // 1 token after 200 ms
    expect(b.take(200)).toBe(false);
  });

  test('1,000 messages in one second: a burst passes, the rest is refused, then the socket is closed', () => {
    const l = new SocketLimiter(100, 50, 200, 0);
    const verdicts = { ok: 0, refuse: 0, close: 0 };
    for (let i = 0; i < 1000; i++) verdicts[l.check(i)]++;
    expect(verdicts.ok).toBeGreaterThanOrEqual(100);
    expect(verdicts.ok).toBeLessThanOrEqual(160);
    expect(verdicts.refuse).toBeGreaterThan(0);
    expect(verdicts.close).toBeGreaterThan(0);
  });

  test('a polite socket is never refused', () => {
    const l = new SocketLimiter(100, 50, 200, 0);
    for (let t = 0; t < 60_000; t += 25) expect(l.check(t)).toBe('ok');
  });
});

test('bootstrap sample: at most k distinct items, uniform enough', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const rng = seeded(42);
  const hits = new Array(50).fill(0);
  for (let r = 0; r < 2000; r++) {
    const s = sample(items, 20, rng);
    expect(s).toHaveLength(20);
    expect(new Set(s).size).toBe(20);
    for (const i of s) hits[i]++;
  }
  for (const h of hits) expect(h).toBeGreaterThan(600); // expected 800
  expect(sample([1, 2, 3], 20, rng).sort()).toEqual([1, 2, 3]);
  expect(sample([], 20, rng)).toEqual([]);
});

test('ICE servers come from configuration only', () => {
  expect(iceServers({})).toEqual([]);
  expect(iceServers({ STUN_URLS: '' })).toEqual([]);
  expect(iceServers({ STUN_URLS: 'stun:a:3478, stun:b:3478' })).toEqual([{ urls: ['stun:a:3478', 'stun:b:3478'] }]);
  expect(iceServers({ TURN_URLS: 'turn:t:3478' })).toEqual([]); // no credentials, no TURN
  expect(iceServers({ TURN_URLS: 'turn:t:3478', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' })).toEqual([
    { urls: ['turn:t:3478'], username: 'u', credential: 'p' },
  ]);
});

test('an address is refused at its 65th socket in a room, or when it joins faster than its budget, with the reason', () => {
  expect(addressJoinRefusal(0, true)).toBeNull();
  expect(addressJoinRefusal(ADDRESS_ROOM_LIMITS.sockets - 1, true)).toBeNull();
  expect(addressJoinRefusal(ADDRESS_ROOM_LIMITS.sockets, true)).toMatch(/too many connections from your address in this room \(at most 64\)/);
  expect(addressJoinRefusal(3, false)).toMatch(/joined this room too fast \(a burst of 64, then 2 a second\)/);
  // Both reasons fit a close frame's reason and the bye's (at most 123 bytes).
  for (const r of [addressJoinRefusal(64, true), addressJoinRefusal(0, false)]) expect(new TextEncoder().encode(r!).length).toBeLessThanOrEqual(123);
});
