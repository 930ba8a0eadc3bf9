import { expect, test } from '@playwright/test';
import { ConnectionBudget, DEFAULT_LIMITS, type BudgetLimits } from '../../client/core/connection-budget';
import { connectionSummary } from '../../client/ui/connection-summary';

const T0 = 1_000_000;
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

/** Limits without the rate cap, unless a test asks for it. */
function budget(over: Partial<BudgetLimits> = {}): ConnectionBudget {
  return new ConnectionBudget({
    ...DEFAULT_LIMITS,
    ratePerSecond: { in: 1e9, out: 1e9 },
    burst: { in: 1e9, out: 1e9 },
    ...over,
  });
}

function admitN(b: ConnectionBudget, torrent: string, n: number, now: number, prefix = 'src'): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = b.admit(torrent, `${prefix}${i}`, 'in', now);
    if (!r.ok) throw new Error(`refused ${i}: ${r.reason}`);
    ids.push(r.id);
  }
  return ids;
}

test('a flood of offers from distinct sources fills the pending slots of the torrent, then is refused', () => {
  const b = budget();
  admitN(b, A, DEFAULT_LIMITS.torrentPendingIn, T0);
  const r = b.admit(A, 'late', 'in', T0 + 10);
  expect(r).toEqual({ ok: false, reason: 'torrent-pending' });
  expect(b.stats()).toMatchObject({ pendingIn: 16, open: 0, refused: { 'torrent-pending': 1 }, displaced: 0 });
  // Another torrent has its own slots.
  expect(b.admit(B, 'late', 'in', T0 + 10).ok).toBe(true);
});

test('one source holds one connection per torrent: its repeated offers are refused until it goes', () => {
  const b = budget();
  const first = b.admit(A, 'sybil', 'in', T0);
  expect(first.ok).toBe(true);
  for (let i = 0; i < 100; i++) expect(b.admit(A, 'sybil', 'in', T0 + i)).toEqual({ ok: false, reason: 'source-busy' });
  expect(b.stats()).toMatchObject({ pendingIn: 1, refused: { 'source-busy': 100 } });
  if (first.ok) b.release(first.id);
  expect(b.admit(A, 'sybil', 'in', T0 + 200).ok).toBe(true);
});

test('an offer finding the torrent full displaces the oldest pending answer once it was held holdMs', () => {
  const b = budget();
  const ids = admitN(b, A, 16, T0);
  // Too soon: every pending answer is younger than holdMs.
  expect(b.admit(A, 'honest', 'in', T0 + 999)).toEqual({ ok: false, reason: 'torrent-pending' });
  const r = b.admit(A, 'honest', 'in', T0 + 1_000);
  expect(r).toMatchObject({ ok: true, displaced: [ids[0]] });
  expect(b.has(ids[0] as number)).toBe(false);
  expect(b.stats()).toMatchObject({ pendingIn: 16, displaced: 1 });
});

test('open connections are never displaced nor expired; only pending ones are', () => {
  const b = budget({ torrentTotal: 4 });
  const ids = admitN(b, A, 4, T0);
  for (const id of ids.slice(0, 3)) b.opened(id);
  // Full torrent: only the one pending slot can go.
  const r = b.admit(A, 'x', 'in', T0 + 5_000);
  expect(r).toMatchObject({ ok: true, displaced: [ids[3]] });
  expect(b.admit(A, 'y', 'in', T0 + 5_001)).toEqual({ ok: false, reason: 'torrent-full' });
  expect(b.expire(T0 + 60_000)).toHaveLength(1); // the newcomer, never handshaken
  expect(b.stats()).toMatchObject({ open: 3, pendingIn: 0, expired: 1 });
});

test('stale pending connections expire after pendingMs and free their slots', () => {
  const b = budget();
  const old = admitN(b, A, 10, T0, 'old');
  admitN(b, A, 6, T0 + 5_000, 'new');
  expect(b.expire(T0 + 9_999)).toEqual([]);
  expect(b.expire(T0 + 10_000).sort()).toEqual(old.sort());
  expect(b.stats()).toMatchObject({ pendingIn: 6, expired: 10 });
  // The freed slots take new offers without displacing anyone.
  expect(b.admit(A, 'honest', 'in', T0 + 10_001)).toMatchObject({ ok: true, displaced: [] });
});

test('our own offers have their own pending slots and never displace answers', () => {
  const b = budget();
  admitN(b, A, 16, T0);
  for (let i = 0; i < 10; i++) expect(b.admit(A, null, 'out', T0).ok).toBe(true);
  expect(b.admit(A, null, 'out', T0 + 5_000)).toEqual({ ok: false, reason: 'torrent-pending' });
  expect(b.stats()).toMatchObject({ pendingIn: 16, pendingOut: 10, skipped: { 'torrent-pending': 1 }, refused: { 'torrent-pending': 0 }, displaced: 0 });
});

test('an answer names the remote of our offer: its own offer is then refused as a duplicate', () => {
  const b = budget();
  const ours = b.admit(A, null, 'out', T0);
  if (!ours.ok) throw new Error('refused');
  b.identify(ours.id, 'peer1');
  expect(b.admit(A, 'peer1', 'in', T0 + 1)).toEqual({ ok: false, reason: 'source-busy' });
});

test('the tab holds at most tabPending pending and tabTotal connections over all its torrents', () => {
  const b = budget({ tabPending: 20, tabTotal: 30, holdMs: 1_000 });
  const torrents = ['1', '2', '3'].map((c) => c.repeat(40));
  let refused = 0;
  for (let i = 0; i < 30; i++) {
    const r = b.admit(torrents[i % 3] as string, `s${i}`, 'in', T0);
    if (!r.ok) {
      expect(r.reason).toBe('tab-full');
      refused++;
    }
  }
  expect(refused).toBe(10);
  expect(b.stats().pendingIn).toBe(20);
  // Later, an offer for any torrent displaces the tab's oldest pending answer.
  const r = b.admit(torrents[0] as string, 'later', 'in', T0 + 2_000);
  expect(r.ok && r.displaced.length).toBe(1);
  expect(b.stats().pendingIn).toBe(20);
});

test('new connections come at most at the rate, after the burst; refusals by rate are counted', () => {
  const b = new ConnectionBudget({ ...DEFAULT_LIMITS, ratePerSecond: { in: 5, out: 3 }, burst: { in: 20, out: 20 } });
  let ok = 0;
  for (let i = 0; i < 30; i++) if (b.admit(`${i}`.padStart(40, '0'), 's', 'in', T0).ok) ok++;
  expect(ok).toBe(20);
  expect(b.stats().refused.rate).toBe(10);
  // One second later: 5 more.
  ok = 0;
  for (let i = 0; i < 30; i++) if (b.admit(`${i}`.padStart(40, '1'), 's', 'in', T0 + 1_000).ok) ok++;
  expect(ok).toBe(5);
  // Our own offers have their own bucket.
  expect(b.admit(A, null, 'out', T0 + 1_000).ok).toBe(true);
});

test('under a sustained flood of distinct sources the torrent never exceeds its pending slots, and an honest offer gets in and keeps its slot', () => {
  const b = budget();
  let honest: number | null = null;
  let honestGone = 0;
  for (let t = 0; t < 30_000; t += 100) {
    b.admit(A, `sybil${t}`, 'in', T0 + t); // 10 offers a second, each from a new source
    if (t === 20_000) {
      const r = b.admit(A, 'honest', 'in', T0 + t);
      honest = r.ok ? r.id : null;
    }
    if (honest !== null && !honestGone && !b.has(honest)) honestGone = t;
    b.expire(T0 + t);
    expect(b.stats().pendingIn).toBeLessThanOrEqual(16);
  }
  expect(honest).not.toBeNull();
  // It had 16 slots' worth of offers (1.6 s) to connect before it was displaced.
  expect(honestGone - 20_000).toBeGreaterThanOrEqual(1_600);
  expect(b.stats().displaced).toBeGreaterThan(200);
});

test('the torrents card line: counts, offers refused and stale ones closed; nothing before any connection', () => {
  const b = budget({ torrentPendingIn: 1 });
  const limits = b.limits;
  expect(connectionSummary({ ...b.stats(), refusedByThem: 0, limits })).toBe('');
  b.admit(A, 's1', 'in', T0);
  b.admit(A, 's2', 'in', T0);
  b.admit(A, 's1', 'in', T0);
  b.expire(T0 + 60_000);
  expect(connectionSummary({ ...b.stats(), refusedByThem: 0, limits })).toBe('Connections: 0 open, 0 pending · 2 offers refused (budget) · 1 stale closed');
});
