import { expect, idOf, test, waitForPeers } from './fixtures';

test('the link cap refuses links beyond it with a readable reason', { tag: '@engines' }, async ({ browser, peer }) => {
  // Bare peers: no overlay opens links of its own before the cap is set.
  const hub = await peer(await browser.newContext(), 'overlays=0');
  const a = await peer(await browser.newContext(), 'overlays=0');
  const b = await peer(await browser.newContext(), 'overlays=0');
  const hubId = await idOf(hub);
  await waitForPeers(hub, [await idOf(a), await idOf(b)]);
  await hub.evaluate(() => window.p2p.setLinkOptions({ maxLinks: 1 }));
  await a.evaluate((id) => window.p2p.connect(id), hubId);
  const refused = await b.evaluate((id) => window.p2p.connect(id).then(() => 'linked', (e: Error) => e.message), hubId);
  expect(refused).toContain('refused by peer: link limit reached');
  await expect(b.locator('.error').first()).toContainText('link limit reached');
  // The hub keeps its one link, and the cap also stops it from opening more itself.
  expect(await hub.evaluate(() => window.p2p.stats().links.length)).toBe(1);
  const own = await hub.evaluate((id) => window.p2p.connect(id).then(() => 'linked', (e: Error) => e.message), await idOf(b));
  expect(own).toBe('link limit reached (1)');
});

test('idle links are closed', { tag: '@engines' }, async ({ browser, peer }) => {
  // Bare peers: no overlay keeps their link busy.
  const a = await peer(await browser.newContext(), 'overlays=0');
  const b = await peer(await browser.newContext(), 'overlays=0');
  const bId = await idOf(b);
  await a.evaluate(() => window.p2p.setLinkOptions({ idleMs: 1_000 }));
  const closed = a.evaluate(() => new Promise<string>((resolve) => window.p2p.on('link-close', (e) => resolve(e.reason))));
  await a.evaluate((id) => window.p2p.connect(id), bId);
  expect(await closed).toBe('idle for 1 s');
  // The other side sees the link close too.
  await b.waitForFunction(() => window.p2p.stats().links.length === 0);
});
