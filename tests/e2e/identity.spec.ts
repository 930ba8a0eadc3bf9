import { expect, idOf, test, waitForPeers } from './fixtures';

test('a reloaded tab comes back with the same id; two tabs of one context have different ids', { tag: '@engines' }, async ({ browser, peer }) => {
  const context = await browser.newContext();
  const tab1 = await peer(context);
  const tab2 = await peer(context);
  const watcher = await peer(await browser.newContext());
  const id1 = await idOf(tab1);
  const id2 = await idOf(tab2);
  expect(id1).not.toBe(id2);
  await waitForPeers(watcher, [id1, id2]);

  await tab1.reload();
  await tab1.waitForFunction(() => !!window.p2p && window.p2p.id !== '');
  expect(await idOf(tab1)).toBe(id1);
  await expect(tab1.locator('#my-id')).toHaveText(id1);
  // The others know it under the same id.
  await waitForPeers(watcher, [id1, id2]);
  await waitForPeers(tab1, [id2, await idOf(watcher)]);

  // A new tab is a new peer.
  const tab3 = await peer(context);
  expect([id1, id2]).not.toContain(await idOf(tab3));
});
