import { expect, test } from '@playwright/test';
import { capacityScore, electSupers, maxSupers, neededSupers, type SuperCandidate } from '../../worker/core/superpeers';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

/** A member that joined `agoMs` before NOW, with optional declared capacity. */
function peer(id: string, agoMs: number, bandwidth = 0, links = 0): SuperCandidate {
  return { id, joined: NOW - agoMs, bandwidth, links };
}

/** Members p00, p01, ... where a lower number joined earlier (p00 is the oldest). */
function room(n: number): SuperCandidate[] {
  return Array.from({ length: n }, (_, i) => peer(`p${String(i).padStart(2, '0')}`, (n - i) * MIN));
}

test.describe('neededSupers', () => {
  test('none for an empty room, one below 6 peers, then max(2, ceil(n / 20))', () => {
    expect(neededSupers(0)).toBe(0);
    for (const n of [1, 2, 5]) expect(neededSupers(n)).toBe(1);
    for (const n of [6, 7, 20, 39, 40]) expect(neededSupers(n)).toBe(2);
    expect(neededSupers(41)).toBe(3);
    expect(neededSupers(60)).toBe(3);
    expect(neededSupers(61)).toBe(4);
    expect(neededSupers(200)).toBe(10);
    expect(neededSupers(2000)).toBe(100);
  });

  test('never more than 100 (the longest supers message), never negative', () => {
    expect(neededSupers(2001)).toBe(100);
    expect(neededSupers(1_000_000)).toBe(100);
    expect(neededSupers(-3)).toBe(0);
    expect(neededSupers(Number.NaN)).toBe(0);
  });
});

test.describe('maxSupers', () => {
  test('max(needed, ceil(n / 10)): the band in which no one is promoted or demoted', () => {
    expect(maxSupers(0)).toBe(0);
    expect(maxSupers(5)).toBe(1);
    expect(maxSupers(6)).toBe(2);
    expect(maxSupers(20)).toBe(2);
    expect(maxSupers(21)).toBe(3);
    expect(maxSupers(30)).toBe(3);
    expect(maxSupers(100)).toBe(10);
    expect(maxSupers(5000)).toBe(100);
  });
});

test.describe('capacityScore', () => {
  test('log2(1 + bandwidth) + log2(1 + uptime in s) + log2(1 + links)', () => {
    expect(capacityScore({ joined: NOW, bandwidth: 0, links: 0 }, NOW)).toBe(0);
    expect(capacityScore({ joined: NOW - 1000, bandwidth: 1, links: 3 }, NOW)).toBe(1 + 1 + 2);
    expect(capacityScore({ joined: NOW - 7000, bandwidth: 1023, links: 0 }, NOW)).toBe(3 + 10);
    expect(capacityScore({ joined: NOW, bandwidth: 0, links: 1000 }, NOW)).toBeCloseTo(Math.log2(1001), 12);
  });

  test('each doubling is worth a point: 1 MB/s declared outweighs a day of uptime', () => {
    const day = capacityScore({ joined: NOW - 86_400_000, bandwidth: 0, links: 0 }, NOW);
    const fast = capacityScore({ joined: NOW, bandwidth: 1_000_000, links: 0 }, NOW);
    expect(day).toBeCloseTo(16.4, 1);
    expect(fast).toBeGreaterThan(day);
  });

  test('a join time in the future and negative or non-finite figures count as 0', () => {
    expect(capacityScore({ joined: NOW + 10_000, bandwidth: -5, links: Number.NaN }, NOW)).toBe(0);
    expect(capacityScore({ joined: Number.NaN, bandwidth: Number.POSITIVE_INFINITY, links: -1 }, NOW)).toBe(0);
  });
});

test.describe('electSupers', () => {
  test('an empty room has none; a lone peer is its super-peer', () => {
    expect(electSupers([], [], NOW)).toEqual([]);
    expect(electSupers([], ['gone'], NOW)).toEqual([]);
    expect(electSupers([peer('solo', 0)], [], NOW)).toEqual(['solo']);
  });

  test('with nothing declared, the longest-lived peers are promoted', () => {
    expect(electSupers(room(5), [], NOW)).toEqual(['p00']);
    expect(electSupers(room(6), [], NOW)).toEqual(['p00', 'p01']);
    expect(electSupers(room(41), [], NOW)).toEqual(['p00', 'p01', 'p02']);
  });

  test('declared bandwidth and links steer who is promoted', () => {
    const members = [...room(5), peer('fast', 0, 50_000_000), peer('linked', 0, 0, 900)];
    // 7 peers need 2: p01 is kept; the fast newcomer beats minutes of uptime.
    expect(electSupers(members, ['p01'], NOW)).toEqual(['p01', 'fast']);
    // From scratch: the fast one, then 900 links (9.8 points) over 5 minutes of uptime (8.2).
    expect(electSupers(members, [], NOW)).toEqual(['fast', 'linked']);
  });

  test('stability: a live super-peer is never demoted because a better peer arrived', () => {
    const members = [...room(4), peer('huge', 0, 10_000_000_000, 1000)];
    expect(electSupers(members, ['p03'], NOW)).toEqual(['p03']);
    // The same at 30 peers, where 2 are needed and up to 3 are kept.
    const big = [...room(29), peer('huge', 0, 10_000_000_000, 1000)];
    expect(electSupers(big, ['p28', 'p27', 'p26'], NOW)).toEqual(['p28', 'p27', 'p26']);
  });

  test('a super-peer that left is replaced by the best remaining member; the others keep their place', () => {
    const members = room(8).filter((m) => m.id !== 'p00');
    expect(electSupers(members, ['p00', 'p05'], NOW)).toEqual(['p05', 'p01']);
    // Nobody missing: the list is returned as it was, in its order.
    expect(electSupers(room(8), ['p05', 'p00'], NOW)).toEqual(['p05', 'p00']);
  });

  test('too many: the lowest-scored are demoted, the rest keep their order', () => {
    // 5 peers keep one: of p04 (newest) and p00 (oldest), p00 stays.
    expect(electSupers(room(5), ['p04', 'p00'], NOW)).toEqual(['p00']);
    // 30 peers keep at most 3: the newest of four goes.
    expect(electSupers(room(30), ['p29', 'p01', 'p10', 'p05'], NOW)).toEqual(['p01', 'p10', 'p05']);
    // A declared capacity can save a newcomer from demotion.
    const members = room(30).map((m) => (m.id === 'p29' ? { ...m, bandwidth: 1_000_000_000 } : m));
    expect(electSupers(members, ['p29', 'p01', 'p10', 'p05'], NOW)).toEqual(['p29', 'p01', 'p05']);
  });

  test('between needed and max nothing changes (no flapping around a threshold)', () => {
    expect(electSupers(room(30), ['p07', 'p09', 'p11'], NOW)).toEqual(['p07', 'p09', 'p11']);
    expect(electSupers(room(30), ['p07'], NOW)).toEqual(['p07', 'p00']);
  });

  test('ties are broken by id, whatever the order of the members', () => {
    const same = ['delta', 'alpha', 'charlie', 'bravo', 'echo', 'foxtrot'].map((id) => peer(id, MIN, 1000, 4));
    expect(electSupers(same, [], NOW)).toEqual(['alpha', 'bravo']);
    expect(electSupers(same.slice().reverse(), [], NOW)).toEqual(['alpha', 'bravo']);
    expect(electSupers(same, ['echo'], NOW)).toEqual(['echo', 'alpha']);
  });

  test('ids in the current list that are not members, or listed twice, are dropped', () => {
    expect(electSupers(room(6), ['ghost', 'p03', 'p03'], NOW)).toEqual(['p03', 'p00']);
    expect(electSupers(room(3), ['ghost'], NOW)).toEqual(['p00']);
  });

  test('the list never exceeds 100, even in a huge room', () => {
    const members = Array.from({ length: 3000 }, (_, i) => peer(`m${String(i).padStart(4, '0')}`, i * 1000));
    const supers = electSupers(members, [], NOW);
    expect(supers).toHaveLength(100);
    expect(new Set(supers).size).toBe(100);
    // The longest-lived come first: m2999 joined earliest.
    expect(supers[0]).toBe('m2999');
  });
});
