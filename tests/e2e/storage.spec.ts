import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { downloadSha, shareRandom } from './torrents';

const MiB = 1024 * 1024;

test('a tab opened after a browser restart lists what the browser holds and seeds it without the original file', { tag: '@engines' }, async ({ playwright, browserName, browser, peer }, info) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-p2p-profile-'));
  try {
    const launch = () => playwright[browserName].launchPersistentContext(dir, info.project.use.launchOptions ?? {});
    let ctx = await launch();
    const first = await peer(ctx);
    const { magnet, infoHash, sha256 } = await shareRandom(first, 3 * MiB, 'kept.bin');
    await ctx.close(); // the browser is gone; only its IndexedDB remains

    ctx = await launch();
    const reopened = await peer(ctx);
    await reopened.waitForFunction((ih) => window.p2p.torrents().some((t) => t.infoHash === ih && t.progress().done), infoHash);
    await expect(reopened.locator('#torrents')).toContainText('kept.bin');
    // Another peer downloads it: the only seeder is the reopened tab, serving from IndexedDB.
    const other = await peer(await browser.newContext());
    expect(await downloadSha(other, magnet)).toBe(sha256);
    expect(await reopened.evaluate(() => window.p2p.torrents()[0]!.progress().uploaded)).toBeGreaterThanOrEqual(3 * MiB);
    await ctx.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a full storage quota is shown as a clear error, and nothing verified is lost', async ({ browser, peer, browserName, baseURL }) => {
  test.skip(browserName !== 'chromium', 'the storage quota is set through the Chrome DevTools Protocol');
  const seeder = await peer(await browser.newContext());
  const context = await browser.newContext();
  // The override is set before the tab opens its storage: Chromium applies a quota override only
  // to storage opened after it (the tab opens its key store at start). The session stays attached
  // to a blank tab of the same context for the whole test.
  const cdp = await context.newCDPSession(await context.newPage());
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 1 * MiB });
  const leecher = await peer(context);
  const { magnet, sha256 } = await shareRandom(seeder, 6 * MiB, 'too-big.bin');
  const error = leecher.evaluate(() => new Promise<string>((resolve) => window.p2p.on('error', (e) => resolve(e.message))));
  expect(await downloadSha(leecher, magnet)).toBe(sha256);
  expect(await error).toMatch(/Storage is full/);
  await expect(leecher.locator('.error').first()).toContainText('Storage is full');
});
