/**
 * npm run bench:link — throughput of one peer link between two headless browser pages:
 * a raw RTCDataChannel (the machine's limit, with the usual bufferedAmount flow control) against
 * PeerLink (framing, fragmentation, backpressure, simple-peer underneath), 64 MiB each way.
 * Prints MB/s of both and their ratio. Figures only: it never fails on speed.
 */
import type { Page } from '@playwright/test';
import { rawPair, rawTransfer } from './raw-channel.ts';
import { chromiumEngine, launchBrowser, newPage, openRoom } from './kit/browsers.ts';
import { envNumber } from './kit/env.ts';
import { fixed } from './kit/format.ts';
import { startBenchServer } from './kit/server.ts';
import { mbPerS, median } from './kit/stats.ts';

const FULL = 64 * 1024 * 1024;
const MESSAGE = 64 * 1024;
const ROUNDS = 3;
const engine = chromiumEngine('bench:link');

const server = await startBenchServer('link', { port: envNumber('BENCH_PORT', 8789) });
const browser = await launchBrowser(engine);

async function openPeer(room: string): Promise<Page> {
  const { page } = await newPage(browser);
  await openRoom(page, server.url, room);
  return page;
}

/** Seconds for `total` bytes from `from` to `to` through window.p2p (PeerLink). */
async function linkTransfer(from: Page, to: Page, TOTAL = FULL): Promise<number> {
  const fromId = await from.evaluate(() => window.p2p.id);
  const toId = await to.evaluate(() => window.p2p.id);
  const done = to.evaluate(
    ({ total, fromId }) =>
      new Promise<number>((resolve) => {
        let got = 0;
        const off = window.p2p.on('data', (e) => {
          if (e.from !== fromId || e.channel !== 'bench') return;
          got += e.bytes.length;
          if (got >= total) {
            off();
            resolve(Date.now());
          }
        });
      }),
    { total: TOTAL, fromId },
  );
  const start = await from.evaluate(
    async ({ total, size, toId }) => {
      const chunk = new Uint8Array(size);
      crypto.getRandomValues(chunk);
      const t0 = Date.now();
      const pending: Promise<void>[] = [];
      for (let sent = 0; sent < total; sent += size) {
        pending.push(window.p2p.send(toId, 'bench', chunk));
        // Keep a bounded number of sends in flight; PeerLink applies backpressure below that.
        if (pending.length >= 64) await pending.shift();
      }
      await Promise.all(pending);
      return t0;
    },
    { total: TOTAL, size: MESSAGE, toId },
  );
  return ((await done) - start) / 1000;
}

try {
  const room = `bench-${Date.now().toString(36)}`;
  const a = await openPeer(room);
  const b = await openPeer(room);
  await rawPair(a, b);
  await a.evaluate((id) => window.p2p.connect(id), await b.evaluate(() => window.p2p.id));
  // Warm-up (not counted): the first megabytes of a fresh SCTP association are slow for both.
  const WARM = 16 * 1024 * 1024;
  await rawTransfer(a, b, WARM);
  await linkTransfer(a, b, WARM);
  const raw: number[] = [];
  const link: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    raw.push(mbPerS(2 * FULL, (await rawTransfer(a, b, FULL)) + (await rawTransfer(b, a, FULL))));
    link.push(mbPerS(2 * FULL, (await linkTransfer(a, b)) + (await linkTransfer(b, a))));
  }
  const mbs = (xs: number[]) => xs.map((x) => fixed(x, 1)).join(' / ');
  console.log(`bench:link  ${FULL / 1024 / 1024} MiB each way per round, ${MESSAGE / 1024} KiB messages, ${ROUNDS} rounds, ${engine.name}`);
  console.log(`  raw RTCDataChannel   ${mbs(raw)} MB/s   median ${fixed(median(raw), 1)} MB/s`);
  console.log(`  PeerLink (framed)    ${mbs(link)} MB/s   median ${fixed(median(link), 1)} MB/s`);
  console.log(`  ratio PeerLink/raw   ${fixed(median(link) / median(raw), 3)}  (target >= 0.9)`);
} finally {
  await browser.close();
  await server.stop();
}
