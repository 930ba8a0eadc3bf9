import { expect, test } from './fixtures';
import { downloadSha, shareRandom } from './torrents';

const MiB = 1024 * 1024;

test('the seeder leaves once one full copy is out in the swarm: every leecher still finishes', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(240_000);
  const seeder = await peer(await browser.newContext());
  const other = await launchBrowser();
  const leechers = [await peer(await browser.newContext()), await peer(await browser.newContext()), await peer(await other.newContext())];
  // Slow uplinks, so that one distributed copy exists long before any leecher is done.
  await seeder.evaluate(() => window.p2p.setRateLimits({ up: 1024 * 1024 }));
  for (const l of leechers) await l.evaluate(() => window.p2p.setRateLimits({ up: 64 * 1024 }));
  const { magnet, sha256 } = await shareRandom(seeder, 8 * MiB, 'seeder-leaves.bin');
  const results = leechers.map((l) => downloadSha(l, magnet));
  // Wait until the leechers together hold every piece: one distributed copy.
  const pieceMaps = () => Promise.all(leechers.map((l) => l.evaluate(() => Array.from(window.p2p.torrents()[0]?.pieceMap().state ?? []))));
  await expect
    .poll(async () => {
      const maps = await pieceMaps();
      const n = maps[0]?.length ?? 0;
      return n > 0 && Array.from({ length: n }, (_, i) => maps.some((m) => m[i] === 2)).every(Boolean);
    }, { timeout: 120_000, intervals: [250] })
    .toBe(true);
  const doneBefore = await Promise.all(leechers.map((l) => l.evaluate(() => window.p2p.torrents()[0]!.progress().done)));
  expect(doneBefore.every(Boolean)).toBe(false);
  await seeder.close();
  for (const l of leechers) await l.evaluate(() => window.p2p.setRateLimits({ up: 0 }));
  for (const r of await Promise.all(results)) expect(r).toBe(sha256);
});

test('a peer that serves corrupt blocks is banned and the download completes intact', async ({ browser, peer }) => {
  test.setTimeout(240_000);
  const honest = await peer(await browser.newContext());
  const liar = await peer(await browser.newContext());
  const leecher = await peer(await browser.newContext());
  const { magnet, sha256 } = await shareRandom(honest, 8 * MiB, 'corrupt.bin');
  // The liar holds the same file (same info hash) but flips a byte in every block it serves.
  await liar.evaluate(async (magnet) => {
    window.p2p.debug.corruptUploads(true);
    await (await window.p2p.download(magnet)).done;
  }, magnet);
  // Slow the honest seeder so the liar gets to serve pieces.
  await honest.evaluate(() => window.p2p.setRateLimits({ up: 1024 * 1024 }));
  expect(await downloadSha(leecher, magnet)).toBe(sha256);
  const p = await leecher.evaluate(() => window.p2p.torrents()[0]!.progress());
  expect(p.corruptPieces).toBeGreaterThanOrEqual(3);
  expect(p.banned).toBe(1);
  const liarPeerIds = await leecher.evaluate(() => window.p2p.torrents()[0]!.peers().map((x) => x.id));
  expect(liarPeerIds).toHaveLength(1); // only the honest seeder is still connected
});

test('a leecher reloaded at about 50% resumes without re-fetching verified pieces, and completes', async ({ browser, peer }) => {
  test.setTimeout(240_000);
  const seeder = await peer(await browser.newContext());
  const leecher = await peer(await browser.newContext());
  const F = 8 * MiB;
  await seeder.evaluate(() => window.p2p.setRateLimits({ up: 2 * 1024 * 1024 }));
  const { magnet, sha256 } = await shareRandom(seeder, F, 'resume.bin');
  await leecher.evaluate((magnet) => void window.p2p.download(magnet), magnet);
  await leecher.waitForFunction(() => {
    const t = window.p2p.torrents()[0];
    return !!t && t.progress().pieces > 0 && t.progress().have >= t.progress().pieces / 2;
  }, undefined, { timeout: 120_000, polling: 100 });
  await leecher.reload();
  await leecher.waitForFunction(() => !!window.p2p && window.p2p.id !== '' && window.p2p.torrents().length === 1 && window.p2p.torrents()[0]!.progress().pieces > 0);
  const after = await leecher.evaluate(() => window.p2p.torrents()[0]!.progress());
  expect(after.have).toBeGreaterThanOrEqual(after.pieces / 2 - 1);
  const got = await leecher.evaluate(async () => {
    const t = window.p2p.torrents()[0]!;
    await t.done;
    const digest = await crypto.subtle.digest('SHA-256', (await t.bytes()) as Uint8Array<ArrayBuffer>);
    return { sha: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''), fetched: t.progress().fetched };
  });
  expect(got.sha).toBe(sha256);
  // Only the missing pieces were fetched after the reload (a few blocks of slack for endgame duplicates).
  const missingBytes = ((after.pieces - after.have) * F) / after.pieces;
  expect(got.fetched).toBeLessThanOrEqual(missingBytes + 16 * 16384);
  expect(got.fetched).toBeGreaterThanOrEqual(missingBytes - 262144);
});
