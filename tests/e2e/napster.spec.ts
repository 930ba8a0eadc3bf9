import type { Page } from '@playwright/test';
import { expect, idOf, test } from './fixtures';
import { downloadHit, downloadSha, shareRandom } from './torrents';

const KiB = 1024;

type Hit = { infoHash: string; name: string; size: number; peers: string[]; via: string; ms: number };

function search(page: Page, query: string): Promise<Hit[]> {
  return page.evaluate((q) => window.p2p.search(q, { via: 'napster' }), query);
}

test('six peers in two browser processes publish their files; every search finds the others with the right holders', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(180_000);
  const other = await launchBrowser();
  const pages = [
    await peer(await browser.newContext()),
    await peer(await browser.newContext()),
    await peer(await browser.newContext()),
    await peer(await other.newContext()),
    await peer(await other.newContext()),
    await peer(await other.newContext()),
  ];
  const ids = await Promise.all(pages.map(idOf));
  const shared = await Promise.all(pages.map((p, i) => shareRandom(p, 64 * KiB + i, `Napster Café Track ${i} Élan.mp3`)));
  // The same file shared by two peers has two holders.
  await pages[5]!.evaluate((magnet) => window.p2p.download(magnet).then((t) => t.done), shared[0]!.magnet);

  for (const [i, p] of pages.entries()) {
    const j = (i + 1) % pages.length;
    let hits: Hit[] = [];
    await expect.poll(async () => (hits = await search(p, `cafe track ${j} elan`)).length).toBe(1);
    expect(hits[0]).toMatchObject({ infoHash: shared[j]!.infoHash, name: `Napster Café Track ${j} Élan.mp3`, size: 64 * KiB + j, via: 'napster' });
    expect(hits[0]!.peers.sort()).toEqual((j === 0 ? [ids[0]!, ids[5]!] : [ids[j]!]).sort());
  }
  const all = await search(pages[2]!, 'napster mp3');
  expect(all).toHaveLength(6);
  expect(all[0]!.infoHash).toBe(shared[0]!.infoHash); // two holders rank first
});

test('a holder that closes its tab is gone from results within 5 s', async ({ browser, peer }) => {
  const a = await peer(await browser.newContext());
  const b = await peer(await browser.newContext());
  const { infoHash } = await shareRandom(b, 32 * KiB, 'vanishing-holder.txt');
  await expect.poll(async () => (await search(a, 'vanishing holder')).map((h) => h.infoHash)).toEqual([infoHash]);
  const t0 = Date.now();
  await b.close();
  await expect.poll(async () => (await search(a, 'vanishing holder')).length, { timeout: 5_000, intervals: [200] }).toBe(0);
  expect(Date.now() - t0).toBeLessThan(5_000);
});

test('search, then one click downloads through the swarm from the holders; a name with HTML shows as text', { tag: '@engines' }, async ({ browser, peer }, info) => {
  const holder = await peer(await browser.newContext());
  const me = await peer(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
  const evil = '<img src=x onerror="window.__pwned=1"> Sonata.flac';
  const { sha256 } = await shareRandom(holder, 1024 * KiB, evil);
  await me.fill('#search-query', 'sonata flac');
  await expect(async () => {
    await me.click('#search-go');
    await expect(me.locator('#search-results tr')).toHaveCount(1, { timeout: 2_000 });
  }).toPass();
  await expect(me.locator('#search-results td.name')).toHaveText(evil);
  await expect(me.locator('#search-status')).toContainText('via napster in');
  await me.locator('#search-results button').click();
  const got = await me.evaluate(async () => {
    while (window.p2p.torrents().length === 0) await new Promise((r) => setTimeout(r, 50));
    const t = window.p2p.torrents()[0]!;
    await t.done;
    const d = await crypto.subtle.digest('SHA-256', (await t.bytes()) as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  });
  expect(got).toBe(sha256);
  expect(await me.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(me.locator('#torrents')).toContainText(evil);
  await me.screenshot({ path: info.outputPath('search.png'), fullPage: true });
});

test("Napster's weakness: without the index the search says so plainly, and downloads in progress go on", async ({ browser, peer }) => {
  const seeder = await peer(await browser.newContext());
  const leecher = await peer(await browser.newContext());
  await seeder.evaluate(() => window.p2p.setRateLimits({ up: 512 * 1024 }));
  const { magnet, sha256 } = await shareRandom(seeder, 3 * 1024 * KiB, 'keeps-going.bin');
  const download = downloadSha(leecher, magnet);
  await leecher.waitForFunction(() => (window.p2p.torrents()[0]?.progress().have ?? 0) > 0);
  // The edge's index becomes unreachable for this tab: its socket drops and cannot come back.
  await leecher.routeWebSocket(/\/ws\?/, (ws) => ws.close({ code: 1011, reason: 'index down for a test' }));
  await leecher.evaluate(() => window.p2p.debug.dropSocket());
  const err = await leecher.evaluate(() => window.p2p.search('anything', { via: 'napster' }).then(() => 'answered', (e: Error) => e.message));
  expect(err).toMatch(/Napster index cannot be reached/);
  await leecher.fill('#search-query', 'keeps going');
  await leecher.click('#search-go');
  await expect(leecher.locator('#search-status')).toContainText('cannot be reached');
  expect(await download).toBe(sha256);
});

test('holders found by a search are reached through the signaling relay, even with no tracker', async ({ browser, peer, room }) => {
  const holder = await peer(await browser.newContext());
  const { infoHash, sha256 } = await shareRandom(holder, 2 * 1024 * KiB, 'relay only.bin');
  // This tab cannot reach the tracker at all: its only way to the holder is the relay.
  const me = await (await browser.newContext()).newPage();
  await me.routeWebSocket(/\/announce/, (ws) => ws.close({ code: 1011, reason: 'no tracker for this test' }));
  await me.goto(`/?room=${room}`);
  await me.waitForFunction(() => !!window.p2p && window.p2p.id !== '');
  let hits: Hit[] = [];
  await expect.poll(async () => (hits = await search(me, 'relay only')).length).toBe(1);
  const got = await downloadHit(me, hits[0]!);
  expect(got).toBe(sha256);
  expect(hits[0]!.infoHash).toBe(infoHash);
});
