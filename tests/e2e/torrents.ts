/** Helpers for torrent scenarios: pages share and download through window.p2p. */
import type { Page } from '@playwright/test';
import { evaluateHeld } from './held';

/** Random bytes made in the page, shared as a torrent; returns the magnet and the SHA-256. */
export async function shareRandom(page: Page, bytes: number, name: string): Promise<{ magnet: string; infoHash: string; sha256: string }> {
  return evaluateHeld(
    page,
    async ({ bytes, name }: { bytes: number; name: string }) => {
      const data = new Uint8Array(bytes);
      for (let o = 0; o < bytes; o += 65_536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65_536)));
      const digest = await crypto.subtle.digest('SHA-256', data);
      const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const { magnet, infoHash } = await window.p2p.share(data, name);
      return { magnet, infoHash, sha256 };
    },
    { bytes, name },
  );
}

/** Download a magnet in the page; resolves with the SHA-256 of what arrived. */
export function downloadSha(page: Page, magnet: string): Promise<string> {
  return evaluateHeld(page, async (magnet: string) => {
    const t = await window.p2p.download(magnet);
    await t.done;
    const digest = await crypto.subtle.digest('SHA-256', (await t.bytes()) as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, magnet);
}

/** Download what a search found, from the holders it named; resolves with the SHA-256 of what arrived. */
export function downloadHit(page: Page, hit: { infoHash: string; name: string; peers: string[] }): Promise<string> {
  return evaluateHeld(page, async (h: { infoHash: string; name: string; peers: string[] }) => {
    const t = await window.p2p.download(h.infoHash, { peers: h.peers, name: h.name });
    await t.done;
    const d = await crypto.subtle.digest('SHA-256', (await t.bytes()) as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, { infoHash: hit.infoHash, name: hit.name, peers: hit.peers });
}
