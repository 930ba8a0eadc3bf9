/**
 * Gnutella over WebRTC: eight peers in two browser processes build an overlay from the edge's
 * bootstrap list, then queries flood it with a TTL, duplicates are suppressed, query hits come
 * back along the reverse path, and the file downloads.
 */
import type { Page } from '@playwright/test';
import { expect, idOf, test } from './fixtures';
import { downloadHit, shareRandom } from './torrents';
import { distances, edgeCount, eightPeers, gnutellaGraph, pageOf } from './overlay';

type Hit = { infoHash: string; name: string; peers: string[]; hops?: number; messages?: number; guid?: string; via: string };

function search(page: Page, query: string, ttl: number, timeoutMs = 2_500): Promise<Hit[]> {
  return page.evaluate(({ query, ttl, timeoutMs }) => window.p2p.search(query, { via: 'gnutella', ttl, timeoutMs }), { query, ttl, timeoutMs });
}

test('eight peers build a Gnutella overlay; TTL limits the scope; every peer handles a query once; hits return along the path and the file downloads', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(240_000);
  const pages = await eightPeers(browser, await launchBrowser(), peer);
  const ids = await Promise.all(pages.map(idOf));

  // Every peer reaches the target degree (3-5) from the bootstrap list and pongs.
  for (const p of pages) {
    await p.waitForFunction(() => window.p2p.overlay.gnutella.neighbours().length >= 3, undefined, { timeout: 60_000 });
  }
  // Freeze the topology so that distances stay what we measure.
  await Promise.all(pages.map((p) => p.evaluate(() => window.p2p.overlay.gnutella.setDegree({ min: 0 }))));
  let graph = await gnutellaGraph(pages);
  for (const [id, ns] of graph) {
    expect(ns.length, `degree of ${id}`).toBeGreaterThanOrEqual(3);
    expect(ns.length, `degree of ${id}`).toBeLessThanOrEqual(5);
  }
  // A random graph of eight may come out in two parts: join them by hand (a peer may refuse when full).
  for (let tries = 0; distances(graph, ids[0]!).size < ids.length && tries < 10; tries++) {
    const reach = distances(graph, ids[0]!);
    const inside: string[] = ids.filter((id) => reach.has(id) && graph.get(id)!.length < 5);
    const outside: string[] = ids.filter((id) => !reach.has(id) && graph.get(id)!.length < 5);
    await pageOf(pages, ids, inside[0]!).evaluate((id) => window.p2p.overlay.gnutella.connect(id), outside[0]!);
    graph = await gnutellaGraph(pages);
  }
  expect(distances(graph, ids[0]!).size).toBe(ids.length);

  // Limited scope: a file two hops away is found with ttl 2, not with ttl 1.
  const origin = ids[0]!;
  const dist = distances(graph, origin);
  const holder = ids.find((id) => dist.get(id) === 2) as string;
  expect(holder, 'some peer is two hops from the origin').toBeTruthy();
  const file = await shareRandom(pageOf(pages, ids, holder), 200 * 1024, 'Gnutella Two Hops Away.ogg');
  const o = pages[0]!;
  expect(await search(o, 'two hops away', 1)).toEqual([]);
  const hits = await search(o, 'two hops away', 2);
  expect(hits).toHaveLength(1);
  expect(hits[0]).toMatchObject({ infoHash: file.infoHash, peers: [holder], hops: 2, via: 'gnutella' });

  // The hit came back along the reverse path: through a neighbour of both, and no one else.
  const guid = hits[0]!.guid!;
  const traces = await Promise.all(pages.map((p) => p.evaluate((g) => window.p2p.overlay.gnutella.trace(g) ?? null, guid)));
  const relays = ids.filter((id, i) => id !== origin && id !== holder && (traces[i]?.routed ?? 0) > 0);
  expect(relays.length).toBeGreaterThanOrEqual(1);
  for (const r of relays) {
    expect(graph.get(r)).toContain(origin);
    expect(graph.get(r)).toContain(holder);
  }
  expect(traces[ids.indexOf(holder)]!.answered).toBe(1);
  // With ttl 2, peers three hops away never saw the query.
  for (const [i, id] of ids.entries()) if ((dist.get(id) ?? 99) > 2) expect(traces[i], `peer ${id} at distance ${dist.get(id)}`).toBeNull();

  // The file downloads from the holder the hit named.
  const sha = await downloadHit(o, hits[0]!);
  expect(sha).toBe(file.sha256);

  // A full flood (ttl 7): every peer handles the query exactly once, duplicates are dropped,
  // and no more than two query messages cross any link (one each way).
  const wide = await search(o, 'gnutella ogg', 7);
  expect(wide.map((h) => h.infoHash)).toContain(file.infoHash);
  const g7 = wide[0]!.guid!;
  const t7 = await Promise.all(pages.map((p) => p.evaluate((g) => window.p2p.overlay.gnutella.trace(g) ?? null, g7)));
  // trace.received counts every arrival of the guid; duplicates are the arrivals dropped as seen.
  let delivered = 0;
  for (const [i, id] of ids.entries()) {
    const t = t7[i];
    delivered += t?.received ?? 0;
    if (id === origin) continue;
    expect(t, `peer ${id} saw the query`).not.toBeNull();
    expect(t!.received - t!.duplicates, `peer ${id} handled the query once`).toBe(1);
  }
  const links = edgeCount(graph);
  console.log(`flood over ${ids.length} peers and ${links} links: ${delivered} query messages (bound 2 x links = ${2 * links})`);
  expect(delivered).toBeLessThanOrEqual(2 * links);
  expect(delivered).toBeGreaterThanOrEqual(ids.length - 1);
});

test('malformed overlay messages are dropped and counted, never forwarded; strangers cannot inject queries', async ({ browser, peer, launchBrowser }) => {
  const other = await launchBrowser();
  // degree=0: no automatic neighbours, the test draws the topology.
  const [a, b, c]: [Page, Page, Page] = [
    await peer(await browser.newContext(), 'degree=0'),
    await peer(await browser.newContext(), 'degree=0'),
    await peer(await other.newContext(), 'degree=0'),
  ];
  const [ida, idb, idc] = (await Promise.all([a, b, c].map(idOf))) as [string, string, string];
  // A line: a - b - c.
  await a.evaluate((id) => window.p2p.overlay.gnutella.connect(id), idb);
  await b.evaluate((id) => window.p2p.overlay.gnutella.connect(id), idc);
  await expect.poll(() => b.evaluate(() => window.p2p.overlay.gnutella.neighbours().length)).toBe(2);

  const sent = await a.evaluate(async (to) => {
    const enc = new TextEncoder();
    const bad = [
      enc.encode('not json at all'),
      enc.encode('{"type":"query","guid":"short","ttl":3,"hops":0,"words":["x"]}'),
      enc.encode('{"type":"query","guid":"AAAAAAAAAAAAAAAAAAAAAA","ttl":-1,"hops":0,"words":["x"]}'),
      enc.encode('{"type":"query","guid":"AAAAAAAAAAAAAAAAAAAAAB","ttl":3,"hops":0,"words":[]}'),
      enc.encode('{"type":"teleport","guid":"AAAAAAAAAAAAAAAAAAAAAC"}'),
      new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
      enc.encode(JSON.stringify({ type: 'query', guid: 'AAAAAAAAAAAAAAAAAAAAAD', ttl: 3, hops: 0, words: ['x'], pad: 'y'.repeat(70_000) })),
    ];
    for (const bytes of bad) await window.p2p.send(to, 'gnut', bytes);
    return bad.length;
  }, idb);
  await expect.poll(() => b.evaluate(() => window.p2p.overlay.gnutella.stats().badMessages)).toBe(sent);
  // Nothing reached c, and everyone is still healthy: a good query still works end to end.
  expect(await c.evaluate(() => window.p2p.overlay.gnutella.stats().received)).toBe(0);
  const file = await shareRandom(c, 64 * 1024, 'After The Garbage.txt');
  const hits = await search(a, 'after garbage', 2);
  expect(hits.map((h) => h.infoHash)).toEqual([file.infoHash]);

  // A well-formed query from a peer that is not a neighbour (c has no overlay link to a) is not routed.
  const before = await a.evaluate(() => window.p2p.overlay.gnutella.stats().dropped['not-neighbour'] ?? 0);
  await c.evaluate(async (to) => {
    const q = { type: 'query', guid: 'ZZZZZZZZZZZZZZZZZZZZZZ', ttl: 5, hops: 0, words: ['after'] };
    await window.p2p.send(to, 'gnut', new TextEncoder().encode(JSON.stringify(q)));
  }, ida);
  await expect.poll(() => a.evaluate(() => window.p2p.overlay.gnutella.stats().dropped['not-neighbour'] ?? 0)).toBe(before + 1);
  expect(await b.evaluate(() => window.p2p.overlay.gnutella.trace('ZZZZZZZZZZZZZZZZZZZZZZ') ?? null)).toBeNull();
});

test('a full peer refuses a connect and says why', async ({ browser, peer }) => {
  const hub = await peer(await browser.newContext(), 'degree=0-1');
  const x = await peer(await browser.newContext(), 'degree=0');
  const y = await peer(await browser.newContext(), 'degree=0');
  const [idh, idx] = (await Promise.all([hub, x].map(idOf))) as [string, string];
  await x.evaluate((id) => window.p2p.overlay.gnutella.connect(id), idh);
  const err = await y.evaluate((id) => window.p2p.overlay.gnutella.connect(id).then(() => 'accepted', (e: Error) => e.message), idh);
  expect(err).toMatch(/refused by .*: full: 1 neighbours \(max 1\)/);
  expect(await y.evaluate(() => window.p2p.overlay.gnutella.stats().refusedByThem)).toBe(1);
  expect(await hub.evaluate(() => window.p2p.overlay.gnutella.stats().refusedByUs)).toBe(1);
  expect(await hub.evaluate(() => window.p2p.overlay.gnutella.neighbours())).toEqual([idx]);
});

test('a peer whose signaling socket drops keeps a consistent overlay, and its queries still flow', async ({ browser, peer }) => {
  const pages = [await peer(await browser.newContext()), await peer(await browser.newContext()), await peer(await browser.newContext())];
  for (const p of pages) await p.waitForFunction(() => window.p2p.overlay.gnutella.neighbours().length === 2, undefined, { timeout: 30_000 });
  const [a, b, c] = pages as [Page, Page, Page];
  const file = await shareRandom(c, 32 * 1024, 'Survives A Socket Drop.txt');
  const bId = await idOf(b);
  // The edge announces b as gone while its WebRTC links stay open; then b comes back.
  await b.evaluate(() => window.p2p.debug.dropSocket());
  await b.waitForFunction((id) => window.p2p.state() === 'open' && window.p2p.id === id, bId);
  // Whatever each side dropped, both ends agree, and the overlay grows back to full degree.
  await gnutellaGraph(pages);
  for (const p of pages) await p.waitForFunction(() => window.p2p.overlay.gnutella.neighbours().length === 2, undefined, { timeout: 30_000 });
  await gnutellaGraph(pages);
  await expect.poll(async () => (await search(b, 'survives socket drop', 1)).map((h) => h.infoHash)).toEqual([file.infoHash]);
  expect(await search(a, 'survives socket drop', 1)).toHaveLength(1);
});
