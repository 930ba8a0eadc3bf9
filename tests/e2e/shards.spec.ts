import { expect, idOf, sendRandom, test } from './fixtures';

test('with two gateway shards, peers on different shards link and exchange data', { tag: '@engines' }, async ({ browser, peer }) => {
  const context = await browser.newContext();
  const pages = [await peer(context)];
  const shardOf = (p: (typeof pages)[number]) => p.evaluate(() => window.p2p.stats().shard);
  // Ids are random, so a handful of tabs lands on both shards.
  while (new Set(await Promise.all(pages.map(shardOf))).size < 2) {
    expect(pages.length).toBeLessThan(12);
    pages.push(await peer(context));
  }
  const shards = await Promise.all(pages.map(shardOf));
  const a = pages[shards.indexOf(0)]!;
  const b = pages[shards.indexOf(1)]!;
  expect(await a.evaluate(() => window.p2p.stats().shards)).toBe(2);
  const bId = await idOf(b);
  await a.evaluate((id) => window.p2p.connect(id), bId);
  const r = await sendRandom(a, b, 1024 * 1024);
  expect(r.received).toBe(r.sent);
});
