import { expect, test } from '@playwright/test';
import { envList, envNumber } from '../bench/kit/env.ts';
import { fixed, MiB, mib, percentage } from '../bench/kit/format.ts';
import { max, mbPerS, mean, median, min, percentile, sum } from '../bench/kit/stats.ts';
import { table } from '../bench/kit/table.ts';
import { retryingThrows, waitFor, waitUntil } from '../bench/kit/wait.ts';

test('bench kit statistics: sum, mean, median, min, max; NaN for no samples', () => {
  expect(sum([1, 2, 3.5])).toBe(6.5);
  expect(sum([])).toBe(0);
  expect(mean([1, 2, 3, 6])).toBe(3);
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(min([3, -1, 2])).toBe(-1);
  expect(max([3, -1, 2])).toBe(3);
  for (const f of [mean, median, min, max]) expect(f([])).toBeNaN();
});

test('bench kit percentile: p from 0 to 100, nearest rank, of unsorted samples', () => {
  const xs = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  expect(percentile(xs, 50)).toBe(5);
  expect(percentile(xs, 95)).toBe(10);
  expect(percentile(xs, 90)).toBe(9);
  expect(percentile(xs, 0)).toBe(1);
  expect(percentile(xs, 100)).toBe(10);
  expect(percentile([7], 99)).toBe(7);
  expect(percentile([], 50)).toBeNaN();
  // p95 of 20 samples is the 19th smallest; of 21, the 20th (ceil(0.95 * 21) = 20).
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  expect(percentile(upTo(20), 95)).toBe(19);
  expect(percentile(upTo(21), 95)).toBe(20);
  expect(xs[0]).toBe(10); // the samples are not sorted in place
});

test('bench kit rates: MB/s are 10^6 bytes a second', () => {
  expect(mbPerS(64 * MiB, 2)).toBeCloseTo(33.554432, 9);
  expect(mbPerS(5e6, 0.5)).toBe(10);
});

test('bench kit formatting: fixed digits, percentages, MiB; a placeholder for no figure', () => {
  expect(fixed(3.14159, 2)).toBe('3.14');
  expect(fixed(2, 0)).toBe('2');
  expect(fixed(NaN, 1)).toBe('-');
  expect(fixed(Infinity, 1, '—')).toBe('—');
  expect(fixed(null, 1, '')).toBe('');
  expect(percentage(0.25)).toBe('25%');
  expect(percentage(0.0456, 1)).toBe('4.6%');
  expect(percentage(1)).toBe('100%');
  expect(percentage(NaN)).toBe('-');
  expect(mib(3 * MiB, 1)).toBe('3.0');
  expect(mib(1.5 * MiB, 0)).toBe('2');
  expect(mib(null, 0, '')).toBe('');
});

test('bench kit table: right-aligned under a rule, left columns padded, blank rows kept, no trailing spaces', () => {
  expect(table(['a', 'bb'], [['1', '22'], ['333', '4']])).toBe(['  a  bb', '---  --', '  1  22', '333   4'].join('\n'));
  expect(table(['name', 'n'], [['x', '10'], [], ['long', '']], { left: [0], rule: false })).toBe(['name   n', 'x     10', '', 'long'].join('\n'));
  expect(table(['', 'A'], [['row', '1']], { left: [0], rule: false, gap: '   ' })).toBe(['      A', 'row   1'].join('\n'));
  expect(table(['n', 'kind', 'x'], [['8', 'a', '1']], { left: [1] })).toBe(['n  kind  x', '-  ----  -', '8  a     1'].join('\n'));
});

test('bench kit waiting: until a check holds, or its deadline passes with what it said last', async () => {
  let calls = 0;
  const held = await waitUntil(() => (++calls < 3 ? `call ${calls}` : null), 5_000, 1);
  expect(held.seconds).not.toBeNull();
  expect(held.last).toBe('');
  expect(calls).toBe(3);
  const never = await waitUntil(async () => 'still missing', 20, 5);
  expect(never).toEqual({ seconds: null, last: 'still missing' });
  await expect(waitFor('the thing', () => 'not yet', 0, 1)).rejects.toThrow('the thing: not reached within 0 s (not yet)');
  const thrown = await waitUntil(
    retryingThrows(() => {
      throw new Error('page closed\nstack');
    }),
    0,
    1,
  );
  expect(thrown).toEqual({ seconds: null, last: 'page closed' });
});

test('bench kit environment: numbers (positive, or zero when allowed) and trimmed lists', () => {
  const name = 'BENCH_KIT_SPEC_KNOB';
  try {
    delete process.env[name];
    expect(envNumber(name, 8)).toBe(8);
    expect(envList(name, '4, 8')).toEqual(['4', '8']);
    process.env[name] = '2.5';
    expect(envNumber(name, 8)).toBe(2.5);
    process.env[name] = '0';
    expect(() => envNumber(name, 8)).toThrow(`${name} must be a positive number`);
    expect(envNumber(name, 8, { orZero: true })).toBe(0);
    process.env[name] = 'many';
    expect(() => envNumber(name, 8, { orZero: true })).toThrow(`${name} must be a number >= 0`);
    process.env[name] = ' swarm ,cs,';
    expect(envList(name, 'x')).toEqual(['swarm', 'cs', '']);
  } finally {
    delete process.env[name];
  }
});
