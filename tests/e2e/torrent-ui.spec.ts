import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Share a file through the page's file input; returns the magnet shown in its share job. */
async function shareThroughUI(page: Page, name: string, buffer: Buffer): Promise<string> {
  await page.locator('#share-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  const job = page.locator('.share-job').filter({ has: page.locator('.job-name', { hasText: name }) });
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  const magnet = await job.locator('input.magnet').inputValue();
  expect(magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}/);
  return magnet;
}

function rowOf(page: Page, name: string) {
  return page.locator('#torrent-rows tr.torrent').filter({ has: page.locator('.name', { hasText: name }) });
}

test('share, download, save and inspect a torrent through the page', { tag: '@engines' }, async ({ browser, browserName, peer }, info) => {
  test.setTimeout(180_000);
  const viewport = { width: 1280, height: 800 };
  const seederContext = await browser.newContext({ viewport });
  const leecherContext = await browser.newContext({ viewport, acceptDownloads: true });
  if (browserName === 'chromium') await seederContext.grantPermissions(['clipboard-read', 'clipboard-write']);
  const seeder = await peer(seederContext);
  const leecher = await peer(leecherContext);
  const dialogs: string[] = [];
  for (const p of [seeder, leecher]) p.on('dialog', (d) => void d.dismiss().then(() => dialogs.push(d.message())));

  // Share 3 MiB of random bytes through the file input.
  const data = randomBytes(3 * 1024 * 1024);
  const magnet = await shareThroughUI(seeder, 'random-3MiB.bin', data);
  const seedRow = rowOf(seeder, 'random-3MiB.bin');
  await expect(seedRow.locator('.pct')).toHaveText('100%');
  // A new share super-seeds (BEP 16) while no other peer has every piece.
  await expect(seedRow.locator('.pill')).toHaveText('super-seeding');
  await expect(seedRow.locator('td[data-label="Size"]')).toHaveText('3.00 MiB');

  // The Copy button puts the magnet on the clipboard (or at least says it did).
  const copy = seeder.locator('.share-job .copy').first();
  await copy.click();
  await expect(copy).toHaveText('Copied');
  if (browserName === 'chromium') expect(await seeder.evaluate(() => navigator.clipboard.readText())).toBe(magnet);

  // Bad input gets a readable error under the field.
  await leecher.locator('#download-input').fill('not a magnet');
  await leecher.locator('#download-button').click();
  await expect(leecher.locator('#download-error')).toBeVisible();
  await expect(leecher.locator('#download-error')).toContainText('not a magnet link');
  await leecher.locator('#download-input').fill('');
  await expect(leecher.locator('#download-error')).toBeHidden();

  // Paste the magnet and download.
  await leecher.locator('#download-input').fill(magnet);
  await leecher.locator('#download-button').click();
  const row = rowOf(leecher, 'random-3MiB.bin');
  await expect(row).toHaveCount(1);
  await expect(row.locator('.pct')).toHaveText('100%', { timeout: 60_000 });
  await expect(row.locator('[role="progressbar"]')).toHaveAttribute('aria-valuenow', '100');
  await expect(row.locator('td[data-label="ETA"]')).toHaveText('done');
  const save = row.locator('a.save-link');
  await expect(save).toBeVisible();

  // Save writes exactly what was shared.
  const [dl] = await Promise.all([leecher.waitForEvent('download'), save.click()]);
  expect(dl.suggestedFilename()).toBe('random-3MiB.bin');
  expect(sha256(await readFile((await dl.path())!))).toBe(sha256(data));

  // The new download was selected: its details show the peers table and the piece map.
  const details = leecher.locator('#torrent-details');
  await expect(details).toBeVisible();
  await expect(details.locator('#details-name')).toHaveText('random-3MiB.bin');
  await expect(details.locator('#details-magnet')).toHaveValue(magnet);
  await expect(details.locator('#peer-table-body tr[data-peer]')).toHaveCount(1);
  await expect(details.locator('#peer-table-body tr[data-peer]')).toContainText('edge-p2p');
  await expect(details.locator('#peer-table-body tr[data-peer]')).toContainText('12/12 (seed)');
  await expect(details.locator('#piece-map')).toBeVisible();
  await expect(details.locator('#piece-summary')).toContainText('12 pieces: 12 have');
  await expect(details.locator('#piece-legend')).toContainText('in flight');
  // Every cell of a complete torrent is drawn in the "have" color.
  const drawn = await leecher.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('#piece-map')!;
    const px = c.getContext('2d')!.getImageData(2, 2, 1, 1).data;
    return { w: c.width, h: c.height, rgb: [px[0], px[1], px[2]] };
  });
  expect(drawn.w).toBeGreaterThan(0);
  expect(drawn.h).toBeGreaterThan(0);
  expect(drawn.rgb).toEqual([0x2f, 0x9e, 0x44]);
  // Its details turn super-seeding off and on again.
  await expect(seedRow.locator('.pill')).toHaveText('super-seeding');
  const seedToggle = seedRow.locator('.details-toggle');
  if ((await seedToggle.getAttribute('aria-pressed')) !== 'true') await seedToggle.click(); // a new share may be selected already
  await expect(seeder.locator('#details-name')).toHaveText('random-3MiB.bin');
  const superSeed = seeder.locator('#details-super-seed');
  await expect(superSeed).toBeChecked();
  await superSeed.uncheck();
  await expect(seedRow.locator('.pill')).toHaveText('seeding');
  expect(await seeder.evaluate(() => window.p2p.torrents()[0]!.progress().superSeeding)).toBe(false);
  await superSeed.check();
  await expect(seedRow.locator('.pill')).toHaveText('super-seeding');
  // The Details toggle hides and shows them.
  await row.locator('.details-toggle').click();
  await expect(details).toBeHidden();
  await row.locator('.details-toggle').click();
  await expect(details).toBeVisible();

  // A hostile file name is shown as text, never parsed as HTML.
  const evil = '<img src=x onerror=alert(1)>.bin';
  await shareThroughUI(seeder, evil, randomBytes(100_000));
  await expect(rowOf(seeder, evil).locator('.name')).toHaveText(evil);
  await expect(seeder.locator('.share-job .job-name').first()).toHaveText(evil);
  await expect(seeder.locator('#app img')).toHaveCount(0);

  // A file dropped on the drop zone is shared too; an empty file gets a readable error.
  await seeder.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(50_000).fill(7)], 'dropped.bin'));
    const zone = document.getElementById('dropzone')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(seeder.locator('.share-job', { hasText: 'dropped.bin' })).toHaveAttribute('data-state', 'done');
  await expect(rowOf(seeder, 'dropped.bin')).toHaveCount(1);
  await seeder.locator('#share-input').setInputFiles({ name: 'empty.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) });
  const emptyJob = seeder.locator('.share-job', { hasText: 'empty.bin' });
  await expect(emptyJob).toHaveAttribute('data-state', 'error');
  await expect(emptyJob.locator('.field-error')).toHaveText('\u2068empty.bin\u2069 is empty: there is nothing to share.');

  // Rate limits: the inputs call p2p.setRateLimits in bytes/s (empty = unlimited)...
  await leecher.evaluate(() => {
    const calls: string[] = [];
    const original = window.p2p.setRateLimits.bind(window.p2p);
    (window as unknown as { limitCalls: string[] }).limitCalls = calls;
    window.p2p.setRateLimits = (l) => {
      calls.push(`${l.up}/${l.down}`);
      original(l);
    };
  });
  await leecher.locator('#limit-down').fill('128');
  await leecher.locator('#limit-down').press('Enter');
  await expect(leecher.locator('#limits-status')).toHaveText('Upload unlimited · download 128 KiB/s');
  expect(await leecher.evaluate(() => (window as unknown as { limitCalls: string[] }).limitCalls)).toEqual(['Infinity/131072']);

  // ...and the limit applies: 1 MiB at 128 KiB/s cannot take less than ~6 s (a token bucket of
  // one second's burst plus at most one pipeline of requests; only this lower bound is checked).
  const slowMagnet = await shareThroughUI(seeder, 'limited-1MiB.bin', randomBytes(1024 * 1024));
  const started = Date.now();
  await leecher.locator('#download-input').fill(slowMagnet);
  await leecher.locator('#download-button').click();
  const slowRow = rowOf(leecher, 'limited-1MiB.bin');
  await slowRow.locator('.details-toggle').click();
  await expect(leecher.locator('#details-name')).toHaveText('limited-1MiB.bin');
  // Mid-download: the screenshot shows a partial bar, an ETA and a mixed piece map.
  await expect
    .poll(async () => Number(await slowRow.locator('[role="progressbar"]').getAttribute('aria-valuenow')), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(25);
  await expect(slowRow.locator('td[data-label="ETA"]')).not.toHaveText('done');
  await leecher.waitForTimeout(1200); // one refresh of the peers table and the piece map
  await leecher.screenshot({ path: info.outputPath('torrents.png'), fullPage: true });
  await expect(slowRow.locator('.pct')).toHaveText('100%', { timeout: 60_000 });
  expect(Date.now() - started).toBeGreaterThan(4_000);

  await leecher.locator('#limit-down').fill('');
  await leecher.locator('#limit-down').press('Enter');
  await expect(leecher.locator('#limits-status')).toHaveText('Upload unlimited · download unlimited');
  expect(await leecher.evaluate(() => (window as unknown as { limitCalls: string[] }).limitCalls)).toEqual([
    'Infinity/131072',
    'Infinity/Infinity',
  ]);

  // Remove takes the torrent off the list (and its details away).
  await slowRow.locator('button.remove').click();
  await expect(slowRow).toHaveCount(0);
  await expect(details).toBeHidden();

  // A seeder that corrupts its uploads: the row shows the corrupt pieces and the banned peer.
  await seeder.evaluate(() => window.p2p.debug.corruptUploads(true));
  const badMagnet = await shareThroughUI(seeder, 'corrupt-1MiB.bin', randomBytes(1024 * 1024));
  await leecher.locator('#download-input').fill(badMagnet);
  await leecher.locator('#download-button').click();
  const badRow = rowOf(leecher, 'corrupt-1MiB.bin');
  await expect(badRow.locator('.notes')).toHaveText(/^[3-9] corrupt pieces · 1 peer banned$/, { timeout: 30_000 });
  await expect(badRow.locator('.notes')).toHaveClass(/warn-text/);
  await expect(badRow.locator('a.save-link')).toHaveCount(0);
  await expect(leecher.locator('#log')).toContainText('banned peer');
  await seeder.evaluate(() => window.p2p.debug.corruptUploads(false));
  await badRow.locator('button.remove').click();
  await expect(badRow).toHaveCount(0);

  await seeder.screenshot({ path: info.outputPath('torrents-seeder.png'), fullPage: true });
  await row.locator('.details-toggle').click();
  await expect(details).toBeVisible();
  await leecher.setViewportSize({ width: 390, height: 844 });
  await leecher.screenshot({ path: info.outputPath('torrents-narrow.png'), fullPage: true });
  expect(dialogs).toEqual([]);
});

test('without a service worker, Save makes the file from the stored pieces on the click (a single file, and one file of a folder)', async ({ browser, peer }) => {
  const page = await peer(await browser.newContext({ serviceWorkers: 'block' }));
  expect(await page.evaluate(() => !!navigator.serviceWorker?.controller)).toBe(false);
  const single = randomBytes(300_000);
  const inFolder = randomBytes(70_000);
  await page.evaluate(
    async ({ single, inFolder }) => {
      await window.p2p.share(new Uint8Array(single), 'no-worker.bin');
      await window.p2p.share([
        { path: 'kept/a.bin', blob: new Blob([new Uint8Array(inFolder)]) },
        { path: 'kept/b.txt', blob: new Blob(['b']) },
      ]);
    },
    { single: [...single], inFolder: [...inFolder] },
  );
  const save = rowOf(page, 'no-worker.bin').locator('a.save-link');
  await expect(save).toBeVisible();
  expect(await save.getAttribute('href')).toBeNull();
  const [first] = await Promise.all([page.waitForEvent('download'), save.click()]);
  expect(first.suggestedFilename()).toBe('no-worker.bin');
  expect(sha256(await readFile((await first.path())!))).toBe(sha256(single));
  await expect(save).toHaveAttribute('href', /^blob:/);

  const fileSave = page.locator('li.file[data-path="a.bin"] a.file-save');
  await expect(fileSave).toBeVisible();
  const [second] = await Promise.all([page.waitForEvent('download'), fileSave.click()]);
  expect(second.suggestedFilename()).toBe('a.bin');
  expect(sha256(await readFile((await second.path())!))).toBe(sha256(inFolder));
});
