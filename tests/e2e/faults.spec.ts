import { expect, idOf, sendRandom, test, waitForPeers } from './fixtures';

test('a peer whose socket drops reconnects with its id and is reachable again', { tag: '@engines' }, async ({ browser, peer }) => {
  const a = await peer(await browser.newContext());
  const b = await peer(await browser.newContext());
  const aId = await idOf(a);
  await waitForPeers(b, [aId]);

  const states = a.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        window.p2p.on('state', (s) => {
          seen.push(s);
          if (s === 'open') resolve(seen);
        });
      }),
  );
  await a.evaluate(() => window.p2p.debug.dropSocket());
  expect(await states).toEqual(['reconnecting', 'open']);
  expect(await idOf(a)).toBe(aId);
  await expect(a.locator('#state')).toHaveText('Connected to the edge');

  // b reaches a through the relay: a new link opens and carries data.
  await b.evaluate((id) => window.p2p.connect(id), aId);
  const r = await sendRandom(b, a, 256 * 1024);
  expect(r.received).toBe(r.sent);
});

test('a closed tab vanishes from the others within 5 s, and its links close', { tag: '@engines' }, async ({ browser, peer }) => {
  const a = await peer(await browser.newContext());
  const b = await peer(await browser.newContext());
  const c = await peer(await browser.newContext());
  const cId = await idOf(c);
  await waitForPeers(a, [await idOf(b), cId]);
  await a.evaluate((id) => window.p2p.connect(id), cId);
  const gone = a.evaluate(
    (id) =>
      new Promise<{ left: number; linkClosed: number }>((resolve) => {
        const out = { left: 0, linkClosed: 0 };
        window.p2p.on('peer-leave', (e) => {
          if (e.id === id) out.left = performance.now();
          if (out.left && out.linkClosed) resolve(out);
        });
        window.p2p.on('link-close', (e) => {
          if (e.peer === id) out.linkClosed = performance.now();
          if (out.left && out.linkClosed) resolve(out);
        });
      }),
    cId,
  );
  const t0 = await a.evaluate(() => performance.now());
  await c.close();
  const t = await gone;
  expect(t.left - t0).toBeLessThan(5_000);
  expect(await a.evaluate((id) => window.p2p.peers().includes(id), cId)).toBe(false);
  await waitForPeers(b, [await idOf(a)]);
});

test('bad input from a page gets a readable error; bad link signals from a peer are counted and dropped', { tag: '@engines' }, async ({ browser, peer }) => {
  const a = await peer(await browser.newContext());
  const b = await peer(await browser.newContext());
  const bId = await idOf(b);
  const code = a.evaluate(() => new Promise<string | undefined>((resolve) => window.p2p.on('error', (e) => resolve(e.code))));
  await a.evaluate(() => window.p2p.debug.sendRaw('definitely not json'));
  expect(await code).toBe('bad-json');
  await expect(a.locator('.error').first()).toContainText('not valid JSON');

  // A signal whose payload is not a link signal reaches b (the edge relays opaque data) and is dropped there.
  await a.evaluate(
    (to) => window.p2p.debug.sendRaw(JSON.stringify({ type: 'signal', to, data: { kind: 'rtc', link: '!', sig: 7 } })),
    bId,
  );
  await b.waitForFunction(() => window.p2p.stats().linkCounters.badSignals === 1);
  // b is unharmed: a link still opens and works.
  const r = await sendRandom(a, b, 64 * 1024);
  expect(r.received).toBe(r.sent);
});

test('a link attempt begun while the socket is down does not block the other peer\'s link after the reconnect', { tag: '@engines' }, async ({ browser, peer }) => {
  const p = await peer(await browser.newContext(), 'overlays=0');
  const q = await peer(await browser.newContext(), 'overlays=0');
  // In glare the smaller id's offer wins: that peer's stale attempt would make it ignore the other's.
  const [low, high] = (await idOf(p)) < (await idOf(q)) ? [p, q] : [q, p];
  const lowId = await idOf(low);
  const highId = await idOf(high);
  await waitForPeers(high, [lowId]);

  const back = low.evaluate(() => new Promise<void>((resolve) => window.p2p.on('state', (s) => s === 'open' && resolve())));
  // low dials high with its socket down: the offer has nowhere to go.
  const dial = low.evaluate((id) => {
    window.p2p.debug.dropSocket();
    return window.p2p.connect(id).then(
      () => 'open',
      (err: Error) => err.message,
    );
  }, highId);
  await back;
  // The attempt does not outlive the outage: its caller hears so at once, not after 30 s.
  expect(await dial).toContain('the signaling socket reconnected');

  // high reaches low now: a stale attempt in low would have ignored high's offer (glare) for 30 s.
  await high.evaluate((id) => window.p2p.connect(id), lowId);
  const r = await sendRandom(high, low, 64 * 1024);
  expect(r.received).toBe(r.sent);
});
