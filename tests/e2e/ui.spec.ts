import { expect, idOf, test, waitForPeers } from './fixtures';

test('the first page shows id, who is online, links with bytes, and the connection state', { tag: '@engines' }, async ({ browser, peer }, info) => {
  const me = await peer(await browser.newContext({ viewport: { width: 1200, height: 760 } }));
  const others = [await peer(await browser.newContext()), await peer(await browser.newContext())];
  const otherIds = await Promise.all(others.map(idOf));
  await waitForPeers(me, otherIds);

  await expect(me.locator('#my-id')).toHaveText(await idOf(me));
  await expect(me.locator('#state')).toHaveText('Connected to the edge');
  await expect(me.locator('#peer-count')).toHaveText('2');
  await expect(me.locator('#peers li')).toHaveCount(2);

  // Connect through the UI, then say hello through the UI.
  await me.locator(`button[data-peer="${otherIds[0]}"]`).click();
  await expect(me.locator(`button[data-peer="${otherIds[0]}"]`)).toHaveText('Send hello');
  await me.locator(`button[data-peer="${otherIds[0]}"]`).click();
  await expect(others[0]!.locator('#log')).toContainText('says: hello from');
  await me.evaluate((id) => window.p2p.send(id, 'bulk', new Uint8Array(300_000)), otherIds[1]!);
  await expect(me.locator('#links tr')).toHaveCount(2);
  await expect(me.locator('#links')).toContainText('open');
  await expect(me.locator('#links')).toContainText('KiB');
  await me.screenshot({ path: info.outputPath('first-page.png'), fullPage: true });
});
