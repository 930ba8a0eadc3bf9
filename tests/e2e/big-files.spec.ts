/**
 * Real files: a file on disk shared through the page's file input is streamed (hashed and stored
 * piece by piece, with progress), downloaded by another browser profile and saved through the
 * service worker's streamed /files/ response; a cancelled share and a share the quota refuses
 * leave nothing stored; /files/ of an unknown torrent is a 404.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, BrowserType, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { storedPieceFiles } from './stored-pieces';

const MiB = 1024 * 1024;

/** A file of random bytes on disk; resolves with its path and SHA-256. */
async function randomFile(dir: string, name: string, bytes: number): Promise<{ path: string; sha256: string }> {
  const data = randomBytes(bytes);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex') };
}

function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

/** Keys of the content store (torrents, have records, pieces) this browser profile holds. */
function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('edge-p2p');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('content')) return resolve([]);
          const r = db.transaction('content').objectStore('content').getAllKeys();
          r.onsuccess = () => resolve(r.result.map(String));
          r.onerror = () => reject(r.error);
        };
      }),
  );
}

/** Record every status text the share jobs show (hashing progress comes and goes quickly). */
function watchJobStatuses(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { jobStatuses: string[] }).jobStatuses = seen;
    new MutationObserver(() => {
      for (const s of document.querySelectorAll('.share-job .job-status')) if (seen[seen.length - 1] !== s.textContent) seen.push(s.textContent ?? '');
    }).observe(document.getElementById('share-jobs')!, { subtree: true, childList: true, characterData: true });
  });
}

const jobStatuses = (page: Page) => page.evaluate(() => (window as unknown as { jobStatuses: string[] }).jobStatuses);
const percents = (statuses: string[]) => statuses.map((s) => /^hashing (\d+) %/.exec(s)).filter((m) => m).map((m) => Number(m![1]));

test.describe('real files', () => {
  let dir = '';
  const contexts: BrowserContext[] = [];
  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-p2p-files-'));
  });
  test.afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
    await rm(dir, { recursive: true, force: true });
  });
  /** A persistent profile (an incognito context's quota is too small for tens of MiB). */
  async function profile(type: BrowserType, launch: object, name: string) {
    const ctx = await type.launchPersistentContext(join(dir, name), { ...launch, acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    return ctx;
  }

  test('a 40 MiB file shared through the file input shows hashing progress; another browser downloads it and saves it through the streamed /files/ path', async ({ playwright, browserName, peer }, info) => {
    test.setTimeout(180_000);
    const launch = info.project.use.launchOptions ?? {};
    const file = await randomFile(dir, 'holiday-40MiB.bin', 40 * MiB);
    const seeder = await peer(await profile(playwright[browserName], launch, 'seeder'));
    await watchJobStatuses(seeder);
    await seeder.locator('#share-input').setInputFiles(file.path);
    const job = seeder.locator('.share-job', { hasText: 'holiday-40MiB.bin' });
    await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    const seen = percents(await jobStatuses(seeder));
    expect(seen.some((p) => p > 0 && p < 100), `progress shown: ${seen.join(', ')}`).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen); // it only goes up
    const magnet = await job.locator('input.magnet').inputValue();
    expect(magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}/);
    // Nothing of the file was read whole: the page's share kept no copy (its 160 pieces are in one file of OPFS, none in IndexedDB).
    expect(await storedPieceFiles(seeder)).toEqual([{ name: expect.stringMatching(/^share-/), size: 40 * MiB }]);
    expect((await storedKeys(seeder)).filter((k) => k.startsWith('piece:'))).toEqual([]);

    const leecher = await peer(await profile(playwright[browserName], launch, 'leecher'));
    await leecher.waitForFunction(() => !!navigator.serviceWorker.controller);
    await leecher.locator('#download-input').fill(magnet);
    await leecher.locator('#download-button').click();
    const row = leecher.locator('#torrent-rows tr.torrent', { hasText: 'holiday-40MiB.bin' });
    await expect(row.locator('.pct')).toHaveText('100%', { timeout: 120_000 });
    const save = row.locator('a.save-link');
    await expect(save).toHaveAttribute('href', /\/files\/[0-9a-f]{40}\/holiday-40MiB\.bin$/);
    await leecher.screenshot({ path: info.outputPath('saved.png') });
    const [download] = await Promise.all([leecher.waitForEvent('download'), save.click()]);
    expect(download.url()).toMatch(/\/files\/[0-9a-f]{40}\//);
    expect(download.suggestedFilename()).toBe('holiday-40MiB.bin');
    expect(await fileSha256((await download.path())!)).toBe(file.sha256);
  });

  test('a share cancelled while hashing leaves nothing stored', async ({ playwright, browserName, peer }, info) => {
    const file = await randomFile(dir, 'cancelled-64MiB.bin', 64 * MiB);
    const page = await peer(await profile(playwright[browserName], info.project.use.launchOptions ?? {}, 'cancel'));
    await watchJobStatuses(page);
    // Click Cancel in the page as soon as a progress of 10 % or more shows (a test's round trip could miss it).
    await page.evaluate(() => {
      new MutationObserver((_, obs) => {
        const status = document.querySelector('.share-job .job-status')?.textContent ?? '';
        const m = /^hashing (\d+) %/.exec(status);
        if (m && Number(m[1]) >= 10) {
          obs.disconnect();
          document.querySelector<HTMLButtonElement>('.share-job .cancel-share')!.click();
        }
      }).observe(document.getElementById('share-jobs')!, { subtree: true, childList: true, characterData: true });
    });
    await page.locator('#share-input').setInputFiles(file.path);
    const job = page.locator('.share-job', { hasText: 'cancelled-64MiB.bin' });
    await expect(job).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
    await expect(job.locator('.job-status')).toHaveText('Cancelled: nothing of the file was kept.');
    await expect(job.locator('.cancel-share')).toBeHidden();
    expect(Math.max(...percents(await jobStatuses(page)))).toBeLessThan(100);
    expect(await storedKeys(page)).toEqual([]);
    expect(await page.evaluate(() => window.p2p.torrents().length)).toBe(0);
    await page.screenshot({ path: info.outputPath('cancelled.png') });
  });

  test('a file larger than the storage quota is refused before anything is written, in plain words', async ({ browser, peer }, info) => {
    // A real File of 1 TiB (sparse on disk: it takes no room), larger than any quota this browser grants.
    const path = join(dir, 'huge-1TiB.bin');
    const handle = await open(path, 'w');
    await handle.truncate(2 ** 40);
    await handle.close();
    const page = await peer(await browser.newContext());
    await watchJobStatuses(page);
    await page.locator('#share-input').setInputFiles(path);
    const job = page.locator('.share-job', { hasText: 'huge-1TiB.bin' });
    await expect(job).toHaveAttribute('data-state', 'error');
    await expect(job.locator('.field-error')).toContainText(/^“huge-1TiB\.bin” is 1\.00 TiB, but this browser lets the page store only .* more \(of .* it may use\): nothing was stored\. Free some disk space, or share a smaller file\.$/);
    expect(percents(await jobStatuses(page))).toEqual([]); // no hashing started
    expect(await storedKeys(page)).toEqual([]);
    await page.screenshot({ path: info.outputPath('refused.png') });
  });

  test('a quota that runs out part way through a share (one the estimate did not foresee) leaves nothing half-written', async ({ browser, browserName, peer, baseURL }) => {
    test.skip(browserName !== 'chromium', 'the storage quota is set through the Chrome DevTools Protocol');
    const file = await randomFile(dir, 'too-much-24MiB.bin', 24 * MiB);
    const context = await browser.newContext();
    // The override is enforced on writes, but navigator.storage.estimate() does not report it. It
    // is set before the tab opens its storage (it did not hold for storage opened before it), from
    // a blank tab of the same context whose session stays attached.
    const cdp = await context.newCDPSession(await context.newPage());
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 16 * MiB });
    const page = await peer(context);
    await page.locator('#share-input').setInputFiles(file.path);
    const job = page.locator('.share-job', { hasText: 'too-much-24MiB.bin' });
    await expect(job).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
    await expect(job.locator('.field-error')).toHaveText('Storage is full: “too-much-24MiB.bin” could not be stored, and what was written of it was deleted. Free some disk space, or share a smaller file.');
    expect(await storedKeys(page)).toEqual([]);
    expect(await page.evaluate(() => window.p2p.torrents().length)).toBe(0);
  });

  test('/files/ of a torrent this browser does not hold is a 404 with a short text', async ({ browser, peer }) => {
    const page = await peer(await browser.newContext());
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    const res = await page.evaluate(async () => {
      const r = await fetch(`/files/${'ab'.repeat(20)}/nothing.bin`);
      const bad = await fetch('/files/not-a-hash');
      return { status: r.status, text: await r.text(), badStatus: bad.status };
    });
    expect(res.status).toBe(404);
    expect(res.text).toBe(`This browser holds no torrent with info hash ${'ab'.repeat(20)}.\n`);
    expect(res.badStatus).toBe(404);
  });
});
