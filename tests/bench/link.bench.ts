/**
 * npm run bench:link — throughput of one peer link between two headless browser pages:
 * a raw RTCDataChannel (the machine's limit, with the usual bufferedAmount flow control) against
 * PeerLink (framing, fragmentation, backpressure, simple-peer underneath), 64 MiB each way.
 * Prints MB/s of both and their ratio. Figures only: it never fails on speed.
 */
import { chromium, type Page } from '@playwright/test';
import { availableEngines } from '../engines.ts';
import { startDevServer } from '../../scripts/dev-server.ts';

const FULL = 64 * 1024 * 1024;
const MESSAGE = 64 * 1024;
const ROUNDS = 3;
const engine = availableEngines().find((e) => e.browserName === 'chromium');
if (!engine) throw new Error('bench:link needs Chromium (apt-get install -y chromium)');

const server = await startDevServer({ port: Number(process.env.BENCH_PORT ?? 8789) });
const browser = await chromium.launch(engine.launchOptions);

async function openPeer(room: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/?room=${room}`);
  await page.waitForFunction(() => !!window.p2p && window.p2p.id !== '');
  return page;
}

declare global {
  interface Window {
    bench: { pc: RTCPeerConnection; dc: Promise<RTCDataChannel>; gathered: () => Promise<RTCSessionDescriptionInit> };
  }
}

/** A raw RTCPeerConnection pair, signalled through this script (no STUN, host candidates). */
async function rawPair(a: Page, b: Page): Promise<void> {
  const setup = (initiator: boolean) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const dc = initiator
      ? Promise.resolve(pc.createDataChannel('bench', { ordered: true }))
      : new Promise<RTCDataChannel>((resolve) => (pc.ondatachannel = (e) => resolve(e.channel)));
    /** The local description once every candidate is in it (no trickle needed). */
    const gathered = async () => {
      if (pc.iceGatheringState !== 'complete') {
        await new Promise<void>((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
      }
      return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
    };
    window.bench = { pc, dc, gathered };
  };
  await a.evaluate(setup, true);
  await b.evaluate(setup, false);
  const offer = await a.evaluate(async () => {
    await window.bench.pc.setLocalDescription(await window.bench.pc.createOffer());
    return window.bench.gathered();
  });
  const answer = await b.evaluate(async (offer) => {
    await window.bench.pc.setRemoteDescription(offer);
    await window.bench.pc.setLocalDescription(await window.bench.pc.createAnswer());
    return window.bench.gathered();
  }, offer);
  await a.evaluate((answer) => window.bench.pc.setRemoteDescription(answer), answer);
  for (const p of [a, b]) {
    await p.evaluate(async () => {
      const dc = await window.bench.dc;
      dc.binaryType = 'arraybuffer';
      if (dc.readyState !== 'open') await new Promise((r) => dc.addEventListener('open', r, { once: true }));
    });
  }
}

/** Seconds for `total` bytes from `from` to `to` over the raw channel. */
async function rawTransfer(from: Page, to: Page, TOTAL = FULL): Promise<number> {
  const done = to.evaluate(async (total) => {
    const dc = await window.bench.dc;
    let got = 0;
    return new Promise<number>((resolve) => {
      dc.onmessage = (e) => {
        got += (e.data as ArrayBuffer).byteLength;
        if (got >= total) resolve(Date.now());
      };
    });
  }, TOTAL);
  const start = await from.evaluate(
    async ({ total, size }) => {
      const dc = await window.bench.dc;
      dc.bufferedAmountLowThreshold = 256 * 1024;
      const chunk = new Uint8Array(size);
      crypto.getRandomValues(chunk);
      const t0 = Date.now();
      for (let sent = 0; sent < total; sent += size) {
        if (dc.bufferedAmount > 1024 * 1024) await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
        dc.send(chunk);
      }
      return t0;
    },
    { total: TOTAL, size: MESSAGE },
  );
  return ((await done) - start) / 1000;
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

const mbps = (bytes: number, s: number) => bytes / 1e6 / s;

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
    raw.push(mbps(2 * FULL, (await rawTransfer(a, b)) + (await rawTransfer(b, a))));
    link.push(mbps(2 * FULL, (await linkTransfer(a, b)) + (await linkTransfer(b, a))));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  console.log(`bench:link  ${FULL / 1024 / 1024} MiB each way per round, ${MESSAGE / 1024} KiB messages, ${ROUNDS} rounds, ${engine.name}`);
  console.log(`  raw RTCDataChannel   ${raw.map((x) => x.toFixed(1)).join(' / ')} MB/s   median ${median(raw).toFixed(1)} MB/s`);
  console.log(`  PeerLink (framed)    ${link.map((x) => x.toFixed(1)).join(' / ')} MB/s   median ${median(link).toFixed(1)} MB/s`);
  console.log(`  ratio PeerLink/raw   ${(median(link) / median(raw)).toFixed(3)}  (target >= 0.9)`);
} finally {
  await browser.close();
  await server.stop();
}
