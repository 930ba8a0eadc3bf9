import { expect, idOf, sendRandom, test, waitForPeers } from './fixtures';

test('six peers in three browser processes see each other, link pairwise, and move 8 MiB intact', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(240_000);
  // Process 1: two tabs of one context (sharing storage as a user's tabs do) and two other contexts.
  const shared = await browser.newContext();
  const tab1 = await peer(shared);
  const tab2 = await peer(shared);
  const ctxB = await peer(await browser.newContext());
  const ctxC = await peer(await browser.newContext());
  // Processes 2 and 3: separate browsers.
  const proc2 = await peer(await (await launchBrowser()).newContext());
  const proc3 = await peer(await (await launchBrowser()).newContext());
  const pages = [tab1, tab2, ctxB, ctxC, proc2, proc3];
  const ids = await Promise.all(pages.map(idOf));
  expect(new Set(ids).size).toBe(6);

  // Each sees all the others.
  await Promise.all(pages.map((p, i) => waitForPeers(p, ids.filter((_, j) => j !== i))));

  // Each opens a link to every other, all at once: every pair races (glare) and must end with one link.
  await Promise.all(pages.map((p) => p.evaluate(async () => Promise.all(window.p2p.peers().map((id) => window.p2p.connect(id))))));
  for (const p of pages) {
    await p.waitForFunction(() => window.p2p.stats().links.filter((l) => l.state === 'open').length === 5);
  }
  for (const [i, p] of pages.entries()) {
    const links = await p.evaluate(() => window.p2p.stats().links);
    expect(links.map((l) => l.peer).sort()).toEqual(ids.filter((_, j) => j !== i).sort());
  }

  // 8 MiB of random bytes over several links: tabs of one context, across processes, and back.
  const MiB8 = 8 * 1024 * 1024;
  const results = await Promise.all([sendRandom(tab1, tab2, MiB8), sendRandom(ctxB, proc2, MiB8), sendRandom(proc3, tab1, MiB8)]);
  for (const r of results) expect(r.received).toBe(r.sent);
  const stats = await proc2.evaluate(() => window.p2p.stats());
  expect(stats.bytesIn).toBeGreaterThanOrEqual(MiB8);
});
