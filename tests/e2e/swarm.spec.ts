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

test('a new share super-seeds: its upload capped, four leechers get the file while it sends about one copy', async ({ browser, peer }) => {
  test.setTimeout(180_000);
  const F = 4 * 1024 * 1024;
  const seeder = await peer(await browser.newContext());
  const leechers = await Promise.all([0, 1, 2, 3].map(async () => peer(await browser.newContext())));
  await seeder.evaluate(() => window.p2p.setRateLimits({ up: 512 * 1024 }));
  const { magnet, sha256 } = await shareRandom(seeder, F, 'super-seed-4MiB.bin');
  expect(await seeder.evaluate(() => window.p2p.torrents()[0]!.progress().superSeeding)).toBe(true);
  const results = await Promise.all(leechers.map((l) => downloadSha(l, magnet)));
  for (const r of results) expect(r).toBe(sha256);
  const uploaded = await seeder.evaluate(() => window.p2p.torrents()[0]!.progress().uploaded);
  const byLeechers = await Promise.all(leechers.map((l) => l.evaluate(() => window.p2p.torrents()[0]!.progress().uploaded)));
  console.log(`super-seeding: the seeder uploaded ${(uploaded / F).toFixed(3)} copies, the leechers ${(byLeechers.reduce((a, b) => a + b, 0) / F).toFixed(2)}`);
  expect(uploaded / F).toBeLessThanOrEqual(1.15);
  expect(await seeder.evaluate(() => window.p2p.torrents()[0]!.progress().superSeeding)).toBe(true);
  expect(await seeder.evaluate(() => window.p2p.torrents()[0]!.superSeed(false))).toBe(false);
});
