import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { downloadSha, shareRandom } from './torrents';
import { loadWebTorrent } from './webtorrent';

const MiB = 1024 * 1024;

async function webTorrentPage(page: Page): Promise<Page> {
  await loadWebTorrent(page);
  return page;
}

test('WebTorrent seeds and ours downloads (metadata over ut_metadata, pieces over BEP 3)', async ({ browser, peer, baseURL }) => {
  const announce = `${baseURL!.replace('http', 'ws')}/announce`;
  const wt = await webTorrentPage(await peer(await browser.newContext()));
  const ours = await peer(await browser.newContext());
  const { magnet, sha256 } = await wt.evaluate(async (announce) => {
    const bytes = new Uint8Array(5 * 1024 * 1024 + 777);
    for (let o = 0; o < bytes.length; o += 65536) crypto.getRandomValues(bytes.subarray(o, o + 65536));
    const d = await crypto.subtle.digest('SHA-256', bytes);
    return { magnet: await window.wt.seed(bytes, 'from-webtorrent.bin', announce), sha256: [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('') };
  }, announce);
  expect(await downloadSha(ours, magnet)).toBe(sha256);
  const peers = await ours.evaluate(() => window.p2p.torrents()[0]!.peers().map((p) => p.client));
  expect(peers.some((c) => /WebTorrent|-WW/i.test(c))).toBe(true);
});

test('ours seeds and WebTorrent downloads', async ({ browser, peer, launchBrowser, baseURL }) => {
  const announce = `${baseURL!.replace('http', 'ws')}/announce`;
  const ours = await peer(await browser.newContext());
  const wt = await webTorrentPage(await peer(await (await launchBrowser()).newContext()));
  const { magnet, sha256 } = await shareRandom(ours, 5 * MiB + 4321, 'from-ours.bin');
  const got = await wt.evaluate(({ magnet, announce }) => window.wt.add(magnet, announce), { magnet, announce });
  expect(got).toEqual({ sha256, length: 5 * MiB + 4321 });
});

test('a mixed swarm of our peers and WebTorrent clients', async ({ browser, peer, launchBrowser, baseURL }) => {
  test.setTimeout(240_000);
  const announce = `${baseURL!.replace('http', 'ws')}/announce`;
  const other = await launchBrowser();
  const seeder = await peer(await browser.newContext());
  const oursLeechers = [await peer(await browser.newContext()), await peer(await other.newContext())];
  const wtLeechers = [await webTorrentPage(await peer(await browser.newContext())), await webTorrentPage(await peer(await other.newContext()))];
  const { magnet, sha256 } = await shareRandom(seeder, 8 * MiB, 'mixed.bin');
  // A slow seeder, so that the leechers trade pieces with each other across implementations.
  await seeder.evaluate((cap) => window.p2p.setRateLimits({ up: cap }), 2 * MiB);
  const results = await Promise.all([
    ...oursLeechers.map((p) => downloadSha(p, magnet)),
    ...wtLeechers.map((p) => p.evaluate(({ magnet, announce }) => window.wt.add(magnet, announce).then((r) => r.sha256), { magnet, announce })),
  ]);
  for (const r of results) expect(r).toBe(sha256);
  // Our leechers exchanged pieces with WebTorrent peers, not only with the seeder.
  const clients = await Promise.all(oursLeechers.map((p) => p.evaluate(() => window.p2p.torrents()[0]!.peers().map((x) => x.client))));
  expect(clients.flat().some((c) => /WebTorrent|-WW/i.test(c))).toBe(true);
});
