import { expect, test } from '@playwright/test';
import { Batcher, Batchers, settleEach, type Settled } from '../../worker/core/batcher';

/** A destination whose calls the test answers by hand. */
function destination() {
  const calls: { reqs: number[]; answer: (r: Settled<string>[]) => void; fail: (e: Error) => void }[] = [];
  const send = (reqs: number[]) =>
    new Promise<Settled<string>[]>((answer, fail) => {
      calls.push({ reqs, answer, fail });
    });
  const echo = (reqs: number[]): Settled<string>[] => reqs.map((r) => ({ ok: true, value: `r${r}` }));
  return { calls, send, echo };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

test('a lone request leaves at once; requests made while a call is in flight leave together, in order, when it settles', async () => {
  const d = destination();
  const b = new Batcher<number, string>(d.send);
  const first = b.submit(1);
  expect(d.calls.map((c) => c.reqs)).toEqual([[1]]);
  const later = [b.submit(2), b.submit(3), b.submit(4)];
  expect(d.calls).toHaveLength(1); // queued behind the call in flight
  d.calls[0]?.answer(d.echo([1]));
  expect(await first).toBe('r1');
  await flush();
  expect(d.calls.map((c) => c.reqs)).toEqual([[1], [2, 3, 4]]);
  d.calls[1]?.answer(d.echo([2, 3, 4]));
  expect(await Promise.all(later)).toEqual(['r2', 'r3', 'r4']);
  expect(b.calls).toBe(2);
  expect(b.idle).toBe(true);
});

test('each request gets its own outcome; a failed call fails only its own batch; a batch is bounded', async () => {
  const d = destination();
  const b = new Batcher<number, string>(d.send, { max: 2 });
  const a = b.submit(1);
  const rest = [b.submit(2), b.submit(3), b.submit(4)];
  d.calls[0]?.fail(new Error('object reset'));
  await expect(a).rejects.toThrow('object reset');
  await flush();
  expect(d.calls[1]?.reqs).toEqual([2, 3]); // at most 2 a call
  d.calls[1]?.answer([{ ok: true, value: 'r2' }, { ok: false, error: 'no such peer' }]);
  await expect(rest[0]).resolves.toBe('r2');
  await expect(rest[1]).rejects.toThrow('no such peer');
  await flush();
  expect(d.calls[2]?.reqs).toEqual([4]);
  d.calls[2]?.answer([]); // a short answer is an error, not a hang
  await expect(rest[2]).rejects.toThrow('0 results for 1 requests');
  expect(b.idle).toBe(true);
});

test('a send that throws at once rejects its batch and the batcher goes on', async () => {
  let n = 0;
  const b = new Batcher<number, number>(async (reqs) => {
    if (n++ === 0) throw new Error('bad stub');
    return reqs.map((r) => ({ ok: true, value: r * 2 }));
  });
  await expect(b.submit(1)).rejects.toThrow('bad stub');
  await expect(b.submit(5)).resolves.toBe(10);
});

test('batchers per key: one call in flight per key, keys apart, dropped when idle, calls counted across drops', async () => {
  const d = destination();
  const keys: string[] = [];
  const bs = new Batchers<number, string>((key, reqs) => {
    keys.push(key);
    return d.send(reqs);
  });
  const x = [bs.submit('room-a', 1), bs.submit('room-b', 2), bs.submit('room-a', 3)];
  expect(keys).toEqual(['room-a', 'room-b']);
  expect(bs.size).toBe(2);
  d.calls[0]?.answer(d.echo([1]));
  d.calls[1]?.answer(d.echo([2]));
  await flush();
  expect(keys).toEqual(['room-a', 'room-b', 'room-a']);
  d.calls[2]?.answer(d.echo([3]));
  expect(await Promise.all(x)).toEqual(['r1', 'r2', 'r3']);
  await flush();
  expect(bs.size).toBe(0);
  expect(bs.calls).toBe(3);
});

test('settleEach runs every request and reports each outcome', async () => {
  const out = await settleEach([1, 2, 3], async (n) => {
    if (n === 2) throw new Error('two is refused');
    return n * 10;
  });
  expect(out).toEqual([
    { ok: true, value: 10 },
    { ok: false, error: 'two is refused' },
    { ok: true, value: 30 },
  ]);
});

test('calls are paced: at most one per gap, whatever the rate; a request after a quiet spell leaves at once', async () => {
  const d = destination();
  let now = 1_000;
  const timers: { at: number; fn: () => void }[] = [];
  const b = new Batcher<number, string>(d.send, { gapMs: 10, now: () => now, later: (fn, ms) => timers.push({ at: now + ms, fn }) });
  const one = b.submit(1);
  expect(d.calls).toHaveLength(1);
  d.calls[0]?.answer(d.echo([1]));
  await one;
  now += 2; // the answer came 2 ms after the call
  const burst = [b.submit(2), b.submit(3)];
  await flush();
  expect(d.calls).toHaveLength(1); // held until 10 ms after the first call
  expect(timers.map((t) => t.at)).toEqual([1_010]);
  expect(b.idle).toBe(false);
  now = 1_010;
  timers.shift()?.fn();
  expect(d.calls[1]?.reqs).toEqual([2, 3]);
  d.calls[1]?.answer(d.echo([2, 3]));
  expect(await Promise.all(burst)).toEqual(['r2', 'r3']);
  now = 5_000;
  await flush();
  void b.submit(4);
  expect(d.calls[2]?.reqs).toEqual([4]);
});

test('a keyed batcher is kept until its gap has passed, so the pace holds across idle spells', async () => {
  const d = destination();
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const bs = new Batchers<number, string>((_key, reqs) => d.send(reqs), { gapMs: 10, now: () => now, later: (fn, ms) => timers.push({ at: now + ms, fn }) });
  const a = bs.submit('room', 1);
  d.calls[0]?.answer(d.echo([1]));
  await a;
  await flush();
  expect(bs.size).toBe(1); // idle, but its last call was under 10 ms ago
  void bs.submit('room', 2);
  expect(d.calls).toHaveLength(1); // paced, not a fresh batcher's immediate call
  now = 10;
  for (const t of timers.splice(0)) t.fn();
  expect(d.calls[1]?.reqs).toEqual([2]);
  d.calls[1]?.answer(d.echo([2]));
  await flush();
  now = 25;
  for (const t of timers.splice(0)) t.fn();
  expect(bs.size).toBe(0);
  expect(bs.calls).toBe(2);
});
