/**
 * A large room in small: twelve pages in a room whose presence threshold is lowered to 6 (views
 * of 4), as the test server lets a room choose. Past six members each page sees the room's count
 * and a partial view, not everyone; Gnutella, the super-peer tier and the DHT still form from
 * views, and a search by each mechanism finds a file shared by one page.
 */
import type { Page } from '@playwright/test';
import { expect, idOf, test } from './fixtures';
import { gnutellaGraph, distances, ringSettled } from './overlay';
import { shareRandom } from './torrents';

const PAGES = 12;
const PARAMS = 'full=6&view=4';

type Hit = { infoHash: string; peers: string[]; via: string };

test('twelve pages with the threshold lowered to 6: partial views, and Gnutella, super-peers and the DHT form and find a file', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(300_000);
  const other = await launchBrowser();
  const pages: Page[] = [];
  // Six contexts in each of two browser processes (two tabs of one context among them).
  const shared = await browser.newContext();
  for (let i = 0; i < PAGES; i++) {
    const ctx = i < 2 ? shared : await (i % 2 === 0 ? browser : other).newContext();
    pages.push(await peer(ctx, PARAMS));
  }
  const ids = await Promise.all(pages.map(idOf));

  // Every page has a count: the room's at its join at least (a large room's count reaches a
  // member with its view's changes and refreshes, not with every join); the last page's is all
  // twelve. None sees everyone; the page says so.
  const counts = await Promise.all(pages.map((p) => p.evaluate(() => window.p2p.roomSize())));
  for (const [i, c] of counts.entries()) expect(c).toBeGreaterThanOrEqual(i + 1);
  expect(counts[PAGES - 1]).toBe(PAGES);
  const seen = await Promise.all(pages.map((p) => p.evaluate(() => window.p2p.peers().length)));
  console.log(`peers seen per page: ${seen.join(' ')} (of ${PAGES - 1})`);
  for (const n of seen) expect(n).toBeLessThan(PAGES - 1);
  const last = pages[PAGES - 1]!;
  await expect(last.locator('#room-online')).toContainText(`${PAGES} online · this tab sees`);

  // Gnutella: one connected overlay over all twelve.
  // (Pages that joined late see only their views: they find more neighbours through the edge's
  // bootstrap samples, so the overlay may take a few rounds to join up.)
  await expect
    .poll(async () => distances(await gnutellaGraph(pages), ids[0]!).size, { timeout: 90_000, message: 'the Gnutella overlay reaches every page' })
    .toBe(PAGES);

  // The DHT: one ring of twelve, every successor and predecessor right.
  await ringSettled(pages, 90_000);

  // Super-peers: every page has a role, every leaf is attached to a super-peer.
  await expect
    .poll(
      async () => {
        const tiers = await Promise.all(pages.map((p) => p.evaluate(() => ({ role: window.p2p.overlay.superpeer.role(), sp: window.p2p.overlay.superpeer.superPeer() }))));
        if (!tiers.some((t) => t.role === 'super')) return 'no super-peer';
        const loose = tiers.filter((t) => t.role !== 'super' && !(t.role === 'leaf' && t.sp));
        return loose.length === 0 ? 'settled' : `${loose.length} pages not attached`;
      },
      { timeout: 60_000 },
    )
    .toBe('settled');

  // A file on the last page; the first page finds it through each mechanism.
  const file = await shareRandom(last, 96 * 1024, 'Crowd Partial View Demo.txt');
  const me = pages[0]!;
  for (const via of ['napster', 'gnutella', 'superpeer', 'dht'] as const) {
    let hits: Hit[] = [];
    await expect
      .poll(async () => (hits = await me.evaluate(({ v }) => window.p2p.search('crowd partial demo', { via: v, timeoutMs: 3_000 }), { v: via })).length, {
        timeout: 45_000,
        message: `a search via ${via} finds the file`,
      })
      .toBe(1);
    expect(hits[0]).toMatchObject({ infoHash: file.infoHash, peers: [ids[PAGES - 1]] });
  }
});
