import { expect, test } from './fixtures';
import { downloadSha, shareRandom } from './torrents';

test('one seeder and five leechers across contexts and two browser processes: 16 MiB arrive intact', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(240_000);
  const seeder = await peer(await browser.newContext());
  const other = await launchBrowser();
  const leechers = [
    await peer(await browser.newContext()),
    await peer(await browser.newContext()),
    await peer(await browser.newContext()),
    await peer(await other.newContext()),
    await peer(await other.newContext()),
  ];
  const { magnet, sha256 } = await shareRandom(seeder, 16 * 1024 * 1024, 'swarm-16MiB.bin');
  const results = await Promise.all(leechers.map((l) => downloadSha(l, magnet)));
  for (const r of results) expect(r).toBe(sha256);
  // It was a swarm: leechers uploaded to each other, not only the seeder to each of them.
  const uploadedByLeechers = await Promise.all(leechers.map((l) => l.evaluate(() => window.p2p.torrents()[0]!.progress().uploaded)));
  expect(uploadedByLeechers.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
});
