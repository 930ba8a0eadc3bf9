/**
 * Watching while it downloads: a page records a real WebM video (a canvas through MediaRecorder,
 * so no fixture file is needed) and shares it; another page, its download capped so the whole
 * file takes as long as the video plays (about 20 s), presses the row's ▶ Play and the video
 * plays from the swarm through the service worker's media URL while the torrent is still far
 * from complete.
 */
import { recordAndShare } from '../helpers/recorded-video';
import { expect, test } from './fixtures';

/** The video's length, and the download's time under the cap. */
const SECONDS = 20;

test('a recorded WebM video plays in the page from the swarm while it downloads: past 2 s of it with under half the torrent here', async ({ browser, peer }) => {
  test.setTimeout(150_000);
  const seeder = await peer(await browser.newContext());
  const shared = await seeder.evaluate(recordAndShare, SECONDS);
  expect(shared.size).toBeGreaterThan(512 * 1024);

  const viewer = await peer(await browser.newContext());
  await viewer.waitForFunction(() => !!navigator.serviceWorker.controller);
  // The whole download takes as long as the video: the cap at the file's size over its length.
  await viewer.evaluate(({ magnet, rate }) => {
    window.p2p.setRateLimits({ down: rate });
    (window as unknown as { addedAt: number }).addedAt = performance.now();
    return window.p2p.download(magnet).then(() => undefined);
  }, { magnet: shared.magnet, rate: Math.round(shared.size / SECONDS) });
  const row = viewer.locator(`#torrent-rows tr[data-infohash="${shared.infoHash}"]`);
  await row.getByTestId('row-play').click();
  const video = viewer.locator('#torrent-details video[data-testid="media-player"]');
  await expect(video).toBeVisible();
  const startup = await viewer.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('#torrent-details video');
    return v && v.currentTime > 0 ? performance.now() - (window as unknown as { addedAt: number }).addedAt : null;
  }, undefined, { timeout: 30_000, polling: 50 });
  console.log(`first frame played ${Math.round((await startup.jsonValue())!)} ms after the magnet was added`);
  // Past 2 s of the video while less than half of the torrent is here.
  const seen = await viewer.waitForFunction(
    (hash) => {
      const v = document.querySelector<HTMLVideoElement>('#torrent-details video');
      const t = window.p2p.torrents().find((x) => x.infoHash === hash);
      if (!t) return null;
      // The piece map marks the pieces the player waits for, ahead of its playhead.
      const w = window as unknown as { waitedFor?: number };
      w.waitedFor = Math.max(w.waitedFor ?? 0, t.pieceMap().reading.reduce((n, r) => n + r, 0));
      if (!v || v.currentTime < 2) return null;
      const p = t.progress();
      return { currentTime: v.currentTime, have: p.have, pieces: p.pieces, error: v.error?.message ?? null, waitedFor: w.waitedFor };
    },
    shared.infoHash,
    { timeout: 60_000, polling: 100 },
  );
  const at = (await seen.jsonValue())!;
  console.log(`played past ${at.currentTime.toFixed(1)} s of the video with ${at.have} of ${at.pieces} pieces here`);
  expect(at.error).toBeNull();
  expect(at.have / at.pieces).toBeLessThan(0.5);
  console.log(`the piece map marked up to ${at.waitedFor} pieces as waited for by the player`);
  expect(at.waitedFor).toBeGreaterThan(0);
  await viewer.locator('#torrent-details').screenshot({ path: test.info().outputPath('playing.png') });
  // The cap lifted, the rest arrives and the video plays on.
  await viewer.evaluate(() => window.p2p.setRateLimits({ down: 0 }));
  await expect(row.locator('.pct')).toHaveText('100%', { timeout: 30_000 });
  await viewer.waitForFunction((t) => {
    const v = document.querySelector<HTMLVideoElement>('#torrent-details video');
    return !!v && !v.error && !v.paused && v.currentTime > t + 1;
  }, at.currentTime, { timeout: 30_000 });
});
