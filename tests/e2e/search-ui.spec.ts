/**
 * The search card as a user drives it: the mechanism list, the TTL of the overlay searches (its
 * default, its rule, kept per mechanism), a Gnutella search through the page with its hops and
 * messages, and one click that starts the download.
 */
import { expect, test } from './fixtures';
import { shareRandom } from './torrents';

test('the search card: a TTL per overlay search with its rule, a Gnutella search showing hops and cost, one click to download', async ({ browser, peer }) => {
  const pages = [await peer(await browser.newContext()), await peer(await browser.newContext())];
  const [holder, me] = pages as [(typeof pages)[0], (typeof pages)[0]];
  for (const p of pages) await p.waitForFunction(() => window.p2p.overlay.gnutella.neighbours().length === 1, undefined, { timeout: 30_000 });
  const file = await shareRandom(holder, 300 * 1024, 'Lecture Notes Week 3.pdf');

  const ttl = me.getByTestId('search-ttl');
  const hint = me.getByTestId('search-hint');
  // Napster has no TTL.
  await expect(ttl).toBeHidden();
  await expect(hint).toBeHidden();
  await me.selectOption('#search-via', 'gnutella');
  await expect(ttl).toBeVisible();
  await expect(ttl).toHaveValue('4');
  await expect(hint).toHaveText('Floods the query to your Gnutella neighbours, and theirs, up to TTL hops.');
  // A TTL out of range is refused in plain words, and the field says so.
  await me.fill('#search-query', 'lecture notes');
  await ttl.fill('9');
  await me.click('#search-go');
  await expect(me.locator('#search-status')).toHaveText('TTL must be a whole number from 1 to 7.');
  await expect(me.locator('#search-status')).toHaveClass('search-error');
  await expect(ttl).toHaveAttribute('aria-invalid', 'true');
  await expect(ttl).toBeFocused();
  // Each overlay keeps the TTL chosen for it.
  await me.selectOption('#search-via', 'superpeer');
  await expect(ttl).toHaveValue('7');
  await expect(ttl).not.toHaveAttribute('aria-invalid');
  await me.selectOption('#search-via', 'gnutella');
  await expect(ttl).toHaveValue('9');
  await ttl.fill('2');
  await expect(ttl).not.toHaveAttribute('aria-invalid');

  // The neighbour holds it: one hop away.
  const row = me.locator('#search-results tr');
  await expect(async () => {
    await me.click('#search-go');
    await expect(row).toHaveCount(1, { timeout: 4_000 });
  }).toPass({ timeout: 30_000 });
  await expect(me.locator('#search-status')).toHaveText(/^1 result via gnutella in \d+ ms · \d+ messages? · ttl 2$/);
  const viaCell = me.getByTestId('search-hit-via');
  await expect(viaCell).toHaveAttribute('data-hops', '1');
  await expect(viaCell).toHaveText(/^gnutella · 1 hop · \d+ ms$/);
  await expect(viaCell).toHaveAttribute('title', /nearest holder's answer travelled 1 hop/);
  await expect(row.locator('td.name')).toHaveText('Lecture Notes Week 3.pdf');

  const get = row.locator(`button[data-info-hash="${file.infoHash}"]`);
  await get.click();
  await expect(get).toHaveText('Added below');
  await expect(get).toBeDisabled();
  const torrentRow = me.locator(`#torrent-rows tr[data-infohash="${file.infoHash}"]`);
  await expect(torrentRow.locator('.pct')).toHaveText('100%', { timeout: 30_000 });
  await expect(me.locator('#log')).toContainText('found by gnutella');

  // On a phone a hit is a card: its name across the card (not a letter a line), its button on screen.
  await me.setViewportSize({ width: 390, height: 844 });
  const name = await row.locator('td.name').boundingBox();
  const button = await get.boundingBox();
  expect(name && name.width).toBeGreaterThan(250);
  expect(button && button.x + button.width).toBeLessThanOrEqual(390);
});
