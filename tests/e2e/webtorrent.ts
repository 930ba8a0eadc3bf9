/**
 * Real WebTorrent clients in test pages: the browser bundle of the `webtorrent` package, handed
 * to the page by the test and imported from a Blob URL (it is not part of our site).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';

const BUNDLE = 'node_modules/webtorrent/dist/webtorrent.min.js';

declare global {
  interface Window {
    wt: {
      client: unknown;
      seed(bytes: Uint8Array, name: string, announce: string): Promise<string>;
      add(magnet: string, announce: string): Promise<{ sha256: string; length: number }>;
      /** Seed several files as one multi-file torrent named `name`. */
      seedFiles(files: { name: string; bytes: Uint8Array }[], name: string, announce: string): Promise<string>;
      /** Download a torrent whole; every file's path (below the torrent's name), length and SHA-256. */
      addFiles(magnet: string, announce: string): Promise<{ path: string; length: number; sha256: string }[]>;
    };
  }
}

/** Load WebTorrent into `page` (already on our origin) and expose small seed/add helpers. */
export async function loadWebTorrent(page: Page): Promise<void> {
  const code = await readFile(BUNDLE, 'utf8');
  // Imported from a Blob URL made in the page: a request to our origin would go through the
  // service worker once it controls the page, and page.route() does not see those.
  await page.evaluate(async (code) => {
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const mod = (await import(url)) as { default: new (opts: unknown) => any };
    URL.revokeObjectURL(url);
    const client = new mod.default({ tracker: { rtcConfig: { iceServers: [] } }, dht: false, lsd: false, utPex: false });
    const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    window.wt = {
      client,
      seed: (bytes, name, announce) =>
        new Promise((resolve, reject) => {
          client.on('error', reject);
          client.seed(new File([bytes as Uint8Array<ArrayBuffer>], name), { announce: [announce] }, (t: { magnetURI: string }) => resolve(t.magnetURI));
        }),
      add: (magnet, announce) =>
        new Promise((resolve, reject) => {
          client.on('error', reject);
          client.add(magnet, { announce: [announce] }, (t: any) => {
            t.on('done', async () => {
              const buf = await t.files[0].arrayBuffer();
              resolve({ sha256: hex(await crypto.subtle.digest('SHA-256', buf)), length: buf.byteLength });
            });
          });
        }),
      seedFiles: (files, name, announce) =>
        new Promise((resolve, reject) => {
          client.on('error', reject);
          const list = files.map((f) => new File([f.bytes as Uint8Array<ArrayBuffer>], f.name));
          client.seed(list, { name, announce: [announce] }, (t: { magnetURI: string }) => resolve(t.magnetURI));
        }),
      addFiles: (magnet, announce) =>
        new Promise((resolve, reject) => {
          client.on('error', reject);
          client.add(magnet, { announce: [announce] }, (t: any) => {
            t.on('done', async () => {
              const out = [];
              for (const f of t.files) {
                const buf = await f.arrayBuffer();
                out.push({ path: String(f.path).split('/').slice(1).join('/'), length: buf.byteLength, sha256: hex(await crypto.subtle.digest('SHA-256', buf)) });
              }
              resolve(out);
            });
          });
        }),
    };
  }, code);
}
