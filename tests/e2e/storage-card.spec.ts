/**
 * The storage card and p2p.storage: what the browser holds, deleted from one tab and gone from
 * every tab (and from the quota's usage); a magnet whose metadata arrived is remembered across a
 * reload before any piece of it is.
 */
import { expect, test } from './fixtures';
import { storedPieceFiles } from './stored-pieces';
import { shareRandom } from './torrents';

const MiB = 1024 * 1024;

test('deleting a torrent in one tab stops it in the browser\'s other tab and frees its storage', { tag: '@engines' }, async ({ browser, peer }, info) => {
  const context = await browser.newContext();
  const a = await peer(context);
  const { infoHash } = await shareRandom(a, 12 * MiB, 'holiday.bin');
  // A second tab of the same browser resumes what the browser holds, and seeds it.
  const b = await peer(context);
  await b.waitForFunction((ih) => window.p2p.torrents().some((t) => t.infoHash === ih && t.progress().done), infoHash);

  const card = a.locator('#storage-card');
  const row = card.locator(`li[data-info-hash="${infoHash}"]`);
  await expect(row).toContainText('holiday.bin');
  await expect(row).toContainText('12.0 MiB');
  await expect(card.locator('#storage-usage')).toContainText(/used \(\S+ %\)/);
  const before = (await a.evaluate(() => window.p2p.storage.estimate()))!;
  expect(before.usage).toBeGreaterThanOrEqual(12 * MiB);
  await a.screenshot({ path: info.outputPath('storage-card.png'), fullPage: true });
  await a.setViewportSize({ width: 390, height: 844 });
  await card.screenshot({ path: info.outputPath('storage-card-phone.png') });

  // Delete asks for a second click.
  await row.locator('button[data-delete]').click();
  await expect(row.locator('button[data-delete]')).toHaveText('Click again to delete');
  await row.locator('button[data-delete]').click();
  await expect(row).toHaveCount(0);
  await expect(card.locator('#storage-held')).toContainText('No torrents stored');
  // The other tab stopped it (its list no longer shows it) without a reload.
  await b.waitForFunction((ih) => !window.p2p.torrents().some((t) => t.infoHash === ih), infoHash);
  await expect(b.locator('#torrents')).not.toContainText('holiday.bin');
  expect(await b.evaluate(() => window.p2p.storage.held())).toEqual([]);
  // The records are gone from IndexedDB, the pieces' file from OPFS, and the usage the browser reports drops.
  const pieceKeys = await a.evaluate(async () => {
    const req = indexedDB.open('edge-p2p');
    const db = await new Promise<IDBDatabase>((res, rej) => ((req.onsuccess = () => res(req.result)), (req.onerror = () => rej(req.error))));
    const names = [...db.objectStoreNames];
    const keys: IDBValidKey[] = [];
    for (const n of names) {
      const r = db.transaction(n).objectStore(n).getAllKeys();
      keys.push(...(await new Promise<IDBValidKey[]>((res) => (r.onsuccess = () => res(r.result)))));
    }
    db.close();
    return keys.map(String);
  });
  expect(pieceKeys.filter((k) => k.startsWith('piece:') || k.startsWith('torrent:') || k.startsWith('have:'))).toEqual([]);
  expect(await storedPieceFiles(a)).toEqual([]);
  await expect
    .poll(async () => (await a.evaluate(() => window.p2p.storage.estimate()))!.usage, { message: 'usage after the delete', timeout: 30_000 })
    .toBeLessThan(before.usage - 8 * MiB);
  console.log(`storage usage before the delete ${(before.usage / MiB).toFixed(1)} MiB, after ${((await a.evaluate(() => window.p2p.storage.estimate()))!.usage / MiB).toFixed(1)} MiB`);
});

test('a magnet whose metadata has arrived is remembered across a reload before it has any piece', { tag: '@engines' }, async ({ browser, peer }) => {
  const seeder = await peer(await browser.newContext());
  const { magnet, infoHash } = await shareRandom(seeder, 6 * MiB, 'slow-one.bin');
  const leecher = await peer(await browser.newContext());
  // One byte a second: the metadata arrives (it is not rate limited), no piece can.
  await leecher.evaluate(async (m) => {
    window.p2p.setRateLimits({ down: 1 });
    await window.p2p.download(m);
  }, magnet);
  await leecher.waitForFunction((ih) => window.p2p.torrents().some((t) => t.infoHash === ih && t.progress().pieces > 0), infoHash);
  await expect(leecher.locator(`#storage-card li[data-info-hash="${infoHash}"]`)).toContainText('0 B of 6.00 MiB');

  await leecher.reload();
  await leecher.waitForFunction(() => !!window.p2p && window.p2p.id !== '');
  // Resumed from its stored record: its metadata is read back from it.
  await leecher.waitForFunction((ih) => window.p2p.torrents().some((t) => t.infoHash === ih && t.progress().pieces > 0), infoHash);
  const after = await leecher.evaluate((ih) => {
    const t = window.p2p.torrents().find((x) => x.infoHash === ih)!;
    return { ...t.progress(), name: t.name() };
  }, infoHash);
  expect(after).toMatchObject({ name: 'slow-one.bin', pieces: 24, done: false });
  await expect(leecher.locator('#torrents')).toContainText('slow-one.bin');
});
