import { expect, test } from '@playwright/test';
import { PendingTable, type TimerSource } from '../../client/core/pending';

/** A fake clock: timers fire only when the test advances it. */
class FakeTimers implements TimerSource {
  now = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get armed(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > this.now) break;
      this.timers.delete(id);
      t.fn();
    }
  }
}

/** How a promise ended, once the microtasks have run. */
async function outcome<V>(p: Promise<V>): Promise<{ value?: V; error?: string }> {
  return p.then(
    (value) => ({ value }),
    (err: Error) => ({ error: err.message }),
  );
}

test('settle answers its key once; a second or unknown answer is told apart', async () => {
  const timers = new FakeTimers();
  const t = new PendingTable<number, string>(timers);
  const a = t.add(1, 1_000, () => new Error('timeout'));
  expect(t.has(1)).toBe(true);
  expect(t.size).toBe(1);
  expect(t.settle(1, 'one')).toBe(true);
  expect(t.settle(1, 'again')).toBe(false);
  expect(t.settle(2, 'never asked')).toBe(false);
  expect(await outcome(a)).toEqual({ value: 'one' });
  expect(t.size).toBe(0);
  // The timer went with the answer.
  expect(timers.armed).toBe(0);
});

test('a request not answered in time fails with its timeout error, and a late answer is refused', async () => {
  const timers = new FakeTimers();
  const t = new PendingTable<string, number>(timers);
  const a = t.add('ref-a', 500, () => new Error('no answer within 0.5 s'));
  timers.advance(499);
  expect(t.has('ref-a')).toBe(true);
  timers.advance(1);
  expect(t.has('ref-a')).toBe(false);
  expect(t.settle('ref-a', 7)).toBe(false);
  expect(await outcome(a)).toEqual({ error: 'no answer within 0.5 s' });
});

test('fail rejects one key; failAll rejects the rest, with one error or one per key', async () => {
  const t = new PendingTable<number, void>(new FakeTimers());
  const [a, b, c] = [1, 2, 3].map((k) => t.add(k, 1_000, () => new Error('timeout')));
  expect(t.fail(2, new Error('refused'))).toBe(true);
  expect(t.fail(2, new Error('refused again'))).toBe(false);
  t.failAll((key) => new Error(`closed (${key})`));
  expect(t.size).toBe(0);
  expect(await outcome(a!)).toEqual({ error: 'closed (1)' });
  expect(await outcome(b!)).toEqual({ error: 'refused' });
  expect(await outcome(c!)).toEqual({ error: 'closed (3)' });

  const d = t.add(4, null, () => new Error('timeout'));
  t.failAll(new Error('shutting down'));
  expect(await outcome(d)).toEqual({ error: 'shutting down' });
});

test('a request without a timeout waits until one is armed; arming again restarts it', async () => {
  const timers = new FakeTimers();
  const t = new PendingTable<string, void>(timers);
  const a = t.add('peer', null, () => new Error('late'));
  timers.advance(60_000);
  expect(t.has('peer')).toBe(true);
  expect(t.arm('peer', 4_000, () => new Error('no answer (first link)'))).toBe(true);
  timers.advance(3_000);
  expect(t.arm('peer', 4_000, () => new Error('no answer (second link)'))).toBe(true);
  timers.advance(3_000);
  expect(t.has('peer')).toBe(true);
  timers.advance(1_000);
  expect(t.has('peer')).toBe(false);
  expect(timers.armed).toBe(0);
  expect(await outcome(a)).toEqual({ error: 'no answer (second link)' });
  expect(t.arm('peer', 1_000, () => new Error('x'))).toBe(false);
});

test('one promise per key: it can be shared, and a second add of a pending key is refused', async () => {
  const t = new PendingTable<string, number>(new FakeTimers());
  const a = t.add('k', 1_000, () => new Error('timeout'));
  expect(t.promise('k')).toBe(a);
  expect(t.promise('other')).toBeUndefined();
  expect(() => t.add('k', 1_000, () => new Error('timeout'))).toThrow(/already pending/);
  t.settle('k', 5);
  expect(await outcome(a)).toEqual({ value: 5 });
  // Once settled, the key is free again.
  const b = t.add('k', 1_000, () => new Error('timeout'));
  t.settle('k', 6);
  expect(await outcome(b)).toEqual({ value: 6 });
});

test('a timeout that fires before the caller awaits is no unhandled rejection', async () => {
  const timers = new FakeTimers();
  const t = new PendingTable<number, void>(timers);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const a = t.add(1, 10, () => new Error('timeout while sending'));
    timers.advance(10);
    await new Promise((r) => setTimeout(r, 10));
    expect(unhandled).toEqual([]);
    expect(await outcome(a)).toEqual({ error: 'timeout while sending' });
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
