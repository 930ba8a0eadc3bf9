/**
 * A raw RTCDataChannel between two pages, signalled through the bench script itself (no STUN,
 * host candidates): the machine's limit for one data channel, with the usual bufferedAmount
 * flow control. Used by bench:link and bench:bigfile.
 */
import type { Page } from '@playwright/test';

const MESSAGE = 64 * 1024;

declare global {
  interface Window {
    bench: { pc: RTCPeerConnection; dc: Promise<RTCDataChannel>; gathered: () => Promise<RTCSessionDescriptionInit> };
  }
}

/** A raw RTCPeerConnection pair, signalled through this script (no STUN, host candidates). */
export async function rawPair(a: Page, b: Page): Promise<void> {
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
export async function rawTransfer(from: Page, to: Page, TOTAL: number): Promise<number> {
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

