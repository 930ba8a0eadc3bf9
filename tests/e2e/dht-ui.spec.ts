/**
 * The DHT ring card on real pages: four peers (two contexts here, two in a second browser
 * process) form a ring; one page's card draws its successor and predecessor, a put through its
 * form is read back through another page's form, and an over-size value gets a readable error.
 */
import type { Page } from '@playwright/test';
import { expect, idOf, test } from './fixtures';
import { ringSettled } from './overlay';

test('the DHT ring card: successor and predecessor drawn, put and get through the form, a readable error', async ({ browser, peer, launchBrowser }, info) => {
  test.setTimeout(60_000);
  const other = await launchBrowser();
  const pages = await Promise.all([browser.newContext(), browser.newContext(), other.newContext(), other.newContext()].map(async (c) => peer(await c)));
  const [a, b] = pages as [Page, Page, Page, Page];
  await ringSettled(pages);

  // Page a's card: itself, its successor and its predecessor (on a ring of four, r = 3 covers all).
  const view = (await a.evaluate(() => window.p2p.dht.ring()))!;
  const card = a.getByTestId('dht-ring');
  await card.scrollIntoViewIfNeeded();
  await expect(card.getByTestId('dht-joining')).toBeHidden();
  await expect(card.getByTestId(`dht-node-${view.self.peer}`)).toHaveAttribute('data-self', 'true');
  await expect(card.getByTestId(`dht-node-${view.successors[0]!.peer}`)).toHaveAttribute('data-role', 'successor');
  await expect(card.getByTestId(`dht-node-${view.predecessor!.peer}`)).toHaveAttribute('data-role', 'predecessor');
  await expect(card.locator('[data-testid^="dht-node-"]')).toHaveCount(4);
  // One chord per distinct finger (a node whose successor is over half the ring away has none).
  await expect
    .poll(async () => (await card.getByTestId('dht-finger').count()) === (await a.evaluate(() => window.p2p.dht.ring()!.fingers.length)))
    .toBe(true);
  await expect(card.getByTestId('dht-figures')).toContainText(view.self.id.slice(0, 10));

  // A put through a's form; b reads it back through its own.
  const key = `greeting-${Date.now().toString(36)}`;
  await card.getByTestId('dht-key').fill(key);
  await card.getByTestId('dht-value').fill('hello from the ring card');
  await card.getByTestId('dht-put').click();
  const putResult = card.getByTestId('dht-result');
  await expect(putResult).toHaveAttribute('data-state', 'ok');
  await expect(putResult).toContainText(/Stored .* at .* in \d+ hops?/);
  const owner = await putResult.locator('[data-owner]').getAttribute('data-owner');
  expect(await Promise.all(pages.map(idOf))).toContain(owner);
  await expect(card.getByTestId('dht-key-marker')).toBeAttached();

  const bcard = b.getByTestId('dht-ring');
  await bcard.scrollIntoViewIfNeeded();
  await bcard.getByTestId('dht-key').fill(key);
  await bcard.getByTestId('dht-get').click();
  await expect(bcard.getByTestId('dht-result')).toHaveAttribute('data-state', 'ok');
  await expect(bcard.getByTestId('dht-value-out')).toHaveText('hello from the ring card');
  await expect(bcard.getByTestId('dht-result')).toContainText(/\d+ hops?/);
  await bcard.getByTestId('dht-key').fill(`${key}-missing`);
  await bcard.getByTestId('dht-get').click();
  await expect(bcard.getByTestId('dht-result')).toHaveAttribute('data-state', 'missing');
  await expect(bcard.getByTestId('dht-result')).toContainText('not found');

  // Over 16 KiB: a sentence, not a stack trace; nothing stored.
  await bcard.getByTestId('dht-key').fill(`${key}-big`);
  await bcard.getByTestId('dht-value').fill('x'.repeat(16 * 1024 + 1));
  await bcard.getByTestId('dht-put').click();
  await expect(bcard.getByTestId('dht-result')).toHaveAttribute('data-state', 'error');
  await expect(bcard.getByTestId('dht-result')).toContainText('16 KiB');

  // Figures follow: a made one lookup (the put), b two (the gets; the over-size put never left).
  await expect(card.getByTestId('dht-figures').locator('[data-fig="lookups"]')).toContainText(/^1 ·/);
  await expect(bcard.getByTestId('dht-figures').locator('[data-fig="lookups"]')).toContainText(/^2 ·/);
  await card.screenshot({ path: info.outputPath('dht-card-a.png') });
  await bcard.screenshot({ path: info.outputPath('dht-card-b.png') });
  await a.screenshot({ path: info.outputPath('dht-page-a.png'), fullPage: true });
});
