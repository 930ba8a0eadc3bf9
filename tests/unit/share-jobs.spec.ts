/** The share card's jobs: queued one after another, their states and progress, cancel, errors, at most five kept. */
import { expect, test } from '@playwright/test';
import { ShareJobs } from '../../client/ui/share-jobs';
import type { SharePlan } from '../../client/ui/share-plan';

type Call = { name: string | undefined; signal: AbortSignal; progress: (p: { bytes: number; total: number }) => void; finish: (r: unknown) => void; fail: (e: Error) => void };

function fakeP2P() {
  const calls: Call[] = [];
  const p2p = {
    share: (_source: unknown, name: string | undefined, opts: { signal: AbortSignal; onProgress: Call['progress'] }) =>
      new Promise((finish, fail) => {
        calls.push({ name, signal: opts.signal, progress: opts.onProgress, finish, fail });
        opts.signal.addEventListener('abort', () => fail(Object.assign(new Error('Cancelled'), { name: 'AbortError' })));
      }),
  };
  return { calls, p2p: p2p as never };
}

const file = (name: string, size: number): SharePlan<File> => ({ kind: 'file', file: { name, size } as File, label: name, size, jobLabel: name });
const tick = () => new Promise((r) => setTimeout(r, 0));

test('jobs run one after another: queued, checking, hashing with progress, done with the magnet; the log and the list hear of it', async () => {
  const { calls, p2p } = fakeP2P();
  const log: string[] = [];
  const started: string[] = [];
  const jobs = new ShareJobs(p2p, { log: (t) => log.push(t), started: (h) => started.push(h) });
  let redraws = 0;
  jobs.subscribe(() => redraws++);
  jobs.add(file('a.bin', 1000));
  jobs.add(file('b.bin', 2000));
  await tick();
  expect(jobs.jobs.map((j) => [j.label, j.state])).toEqual([['b.bin', 'queued'], ['a.bin', 'checking']]);
  expect(jobs.jobs[1]).toMatchObject({ progress: null, cancellable: true });
  expect(calls).toHaveLength(1);
  calls[0]!.progress({ bytes: 500, total: 1000 });
  expect(jobs.jobs[1]).toMatchObject({ state: 'hashing', progress: 0.5, status: 'hashing 50 % · 500 B of 1000 B stored' });
  calls[0]!.finish({ infoHash: 'f'.repeat(40), magnet: 'magnet:?xt=urn:btih:ff', name: 'a.bin' });
  await tick();
  await tick();
  expect(jobs.jobs[1]).toMatchObject({ state: 'done', status: `Seeding · info hash ${'f'.repeat(12)}…`, magnet: 'magnet:?xt=urn:btih:ff', name: 'a.bin', renamed: '', cancellable: false, progress: undefined });
  expect(started).toEqual(['f'.repeat(40)]);
  expect(log[0]).toMatch(/^sharing \u2068a\.bin\u2069 \(1000 B\), info hash /);
  expect(calls).toHaveLength(2);
  expect(jobs.jobs[0]!.state).toBe('checking');
  expect(redraws).toBeGreaterThan(4);
});

test('Cancel aborts the share and says nothing was kept; an empty file and a failed share say why; five jobs are kept', async () => {
  const { calls, p2p } = fakeP2P();
  const log: string[] = [];
  const jobs = new ShareJobs(p2p, { log: (t) => log.push(t), started: () => undefined });
  jobs.add(file('big.bin', 5000));
  await tick();
  jobs.cancel(jobs.jobs[0]!.id);
  expect(jobs.jobs[0]!.cancelling).toBe(true);
  expect(calls[0]!.signal.aborted).toBe(true);
  await tick();
  await tick();
  expect(jobs.jobs[0]).toMatchObject({ state: 'cancelled', status: 'Cancelled: nothing of the file was kept.', cancellable: false });
  expect(log).toContain('cancelled the share of \u2068big.bin\u2069');

  jobs.add(file('empty.bin', 0));
  await tick();
  await tick();
  expect(jobs.jobs[0]).toMatchObject({ state: 'error', status: 'Not shared', error: '\u2068empty.bin\u2069 is empty: there is nothing to share.' });
  expect(calls).toHaveLength(1);

  jobs.add(file('full.bin', 10));
  await tick();
  calls[1]!.fail(Object.assign(new Error('Storage is full: nothing was kept.'), { name: 'Error' }));
  await tick();
  await tick();
  expect(jobs.jobs[0]).toMatchObject({ state: 'error', error: 'Storage is full: nothing was kept.' });

  for (let i = 0; i < 4; i++) jobs.add(file(`q${i}.bin`, 0));
  expect(jobs.jobs).toHaveLength(5);
  expect(jobs.jobs[4]!.label).toBe('full.bin');
  jobs.dismiss(jobs.jobs[0]!.id);
  expect(jobs.jobs.map((j) => j.label)).toEqual(['q2.bin', 'q1.bin', 'q0.bin', 'full.bin']);
});
