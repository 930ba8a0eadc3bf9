/**
 * Pages of two browser engines in one network: the test's browser (the project's engine, e.g.
 * Debian's Firefox) and a browser of another engine (e.g. Debian's Chromium). They link, form a
 * swarm, answer each other's Gnutella queries and DHT gets, and a reloaded tab keeps its peer id
 * and its stored pieces. Tagged @cross-engine: playwright.config.ts runs these once, in the
 * project of the second engine installed.
 */
import { chromium, firefox, webkit, type Browser } from '@playwright/test';
import { availableEngines, type Engine } from '../engines';
import { expect, idOf, sendRandom, test as base } from './fixtures';
import { ringSettled } from './overlay';
import { storedPieceFiles } from './stored-pieces';
import { downloadHit, downloadSha, shareRandom } from './torrents';

const MiB = 1024 * 1024;
const engines = availableEngines();

/** The first installed engine whose browser differs from `browserName`. */
function otherEngine(browserName: string): Engine | undefined {
  return engines.find((e) => e.browserName !== browserName);
}

const test = base.extend<{ otherBrowser: Browser }>({
  otherBrowser: async ({ browserName }, use) => {
    const other = otherEngine(browserName);
    test.skip(!other, `only one browser engine installed (${engines.map((e) => e.name).join(', ')}); apt-get install firefox-esr adds one`);
    const b = await { chromium, firefox, webkit }[other!.browserName].launch(other!.launchOptions);
    await use(b);
    await b.close();
  },
});

test.describe('two engines', { tag: '@cross-engine' }, () => {
  test('peers of two engines link and move 1 MiB each way intact', async ({ browser, otherBrowser, peer }) => {
    const mine = await peer(await browser.newContext());
    const theirs = await peer(await otherBrowser.newContext());
    expect(browser.browserType().name()).not.toBe(otherBrowser.browserType().name());
    await mine.evaluate((id) => window.p2p.connect(id), await idOf(theirs));
    const there = await sendRandom(mine, theirs, MiB);
    expect(there.received).toBe(there.sent);
    const back = await sendRandom(theirs, mine, MiB);
    expect(back.received).toBe(back.sent);
  });

  test('a swarm with its seeder in one engine and leechers in both: 8 MiB arrive intact everywhere', async ({ browser, otherBrowser, peer }) => {
    test.setTimeout(180_000);
    const seeder = await peer(await browser.newContext());
    const leechers = [
      await peer(await browser.newContext()),
      await peer(await browser.newContext()),
      await peer(await otherBrowser.newContext()),
      await peer(await otherBrowser.newContext()),
    ];
    const { magnet, sha256 } = await shareRandom(seeder, 8 * MiB, 'two-engines-8MiB.bin');
    const results = await Promise.all(leechers.map((l) => downloadSha(l, magnet)));
    expect(results).toEqual(leechers.map(() => sha256));
  });

  test('a Gnutella query and a DHT get each cross from one engine to the other', async ({ browser, otherBrowser, peer }) => {
    // degree=0: the test draws the overlay, one link from this engine to the other.
    const mine = await peer(await browser.newContext(), 'degree=0');
    const theirs = await peer(await otherBrowser.newContext(), 'degree=0');
    await mine.evaluate((id) => window.p2p.overlay.gnutella.connect(id), await idOf(theirs));
    const file = await shareRandom(theirs, 256 * 1024, 'Across Two Engines.txt');
    const hits = await mine.evaluate(() => window.p2p.search('across engines', { via: 'gnutella', ttl: 1, timeoutMs: 2_500 }));
    expect(hits.map((h) => [h.infoHash, h.peers])).toEqual([[file.infoHash, [await idOf(theirs)]]]);
    expect(await downloadHit(mine, hits[0]!)).toBe(file.sha256);

    // The DHT: a ring of these two; a key put in each engine is read in the other.
    await ringSettled([mine, theirs]);
    await mine.evaluate(() => window.p2p.dht.put('put-in-mine', 'from the first engine'));
    await theirs.evaluate(() => window.p2p.dht.put('put-in-theirs', 'from the second engine'));
    expect(await theirs.evaluate(() => window.p2p.dht.get('put-in-mine'))).toBe('from the first engine');
    expect(await mine.evaluate(() => window.p2p.dht.get('put-in-theirs'))).toBe('from the second engine');
  });

  test('a tab reloaded after a download from the other engine keeps its peer id and its pieces, and seeds them', async ({ browser, otherBrowser, peer }) => {
    const seeder = await peer(await otherBrowser.newContext());
    const tab = await peer(await browser.newContext());
    const { magnet, infoHash, sha256 } = await shareRandom(seeder, 3 * MiB, 'kept-across-reload.bin');
    expect(await downloadSha(tab, magnet)).toBe(sha256);
    const id = await idOf(tab);
    const pieces = (await storedPieceFiles(tab)).sort((a, b) => a.name.localeCompare(b.name));
    expect(pieces.reduce((n, p) => n + p.size, 0)).toBe(3 * MiB);
    await seeder.close();

    await tab.reload();
    await tab.waitForFunction(() => !!window.p2p && window.p2p.id !== '');
    expect(await idOf(tab)).toBe(id);
    await tab.waitForFunction((ih) => window.p2p.torrents().some((t) => t.infoHash === ih && t.progress().done), infoHash);
    expect((await storedPieceFiles(tab)).sort((a, b) => a.name.localeCompare(b.name))).toEqual(pieces);
    // A new peer of the other engine gets the whole file from the reloaded tab, its only source.
    const leecher = await peer(await otherBrowser.newContext());
    expect(await downloadSha(leecher, magnet)).toBe(sha256);
  });
});
