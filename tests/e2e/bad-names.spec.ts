/**
 * One bad name must not hide every file. A tab that shares names past the share-time check (as an
 * old or hostile client would) puts them in its Napster publish batch, its Gnutella query hits
 * and its leaf file list: the receivers drop only those entries, count them, and keep the honest
 * files findable. Through the page, a bad name is cleaned and the page says so, and a name with
 * a right-to-left override is shown isolated, never reversing the text around it.
 */
import type { Page } from '@playwright/test';
import { expect, idOf, test } from './fixtures';
import { shareRandom } from './torrents';

type Hit = { infoHash: string; name: string; peers: string[] };

function search(page: Page, query: string, via: 'napster' | 'gnutella' | 'superpeer'): Promise<Hit[]> {
  return page.evaluate(
    ({ q, via }) => window.p2p.search(q, via === 'napster' ? { via } : { via, ttl: 2, timeoutMs: 1_500 }),
    { q: query, via },
  );
}

const found = (hits: Hit[]) => hits.map((h) => `${h.name} @ ${h.peers.join(',')}`);

test('a tab holding honest files and names the parsers refuse is still found by Napster, Gnutella and super-peer searches for its honest files', async ({ browser, peer }) => {
  // The first tab of the room is its super-peer; the second is a leaf attached to it.
  const searcher = await peer(await browser.newContext());
  const holder = await peer(await browser.newContext());
  const [ids, idh] = [await idOf(searcher), await idOf(holder)];
  await expect
    .poll(() => holder.evaluate(() => [window.p2p.overlay.superpeer.superPeer(), window.p2p.overlay.gnutella.neighbours()]), { timeout: 20_000 })
    .toEqual([ids, [ids]]);

  await holder.evaluate(() => window.p2p.debug.uncheckedNames(true));
  const honest = await shareRandom(holder, 64 * 1024, 'quarterly report 2026.pdf');
  await shareRandom(holder, 1024, `quarterly ${'x'.repeat(300)}.pdf`);
  await shareRandom(holder, 1024, 'quarterly\u0007bell.txt');
  const want = [`quarterly report 2026.pdf @ ${idh}`];

  // Napster: each file was published on its own as it completed (the two bad ones were refused);
  // the batch of everything the tab holds, sent again on reconnect, keeps the honest file.
  await expect.poll(() => holder.evaluate(() => window.p2p.stats().napster)).toEqual({ held: 1, dropped: 2 });
  await holder.evaluate(() => window.p2p.debug.dropSocket());
  await expect.poll(() => holder.evaluate(() => window.p2p.stats().napster), { timeout: 15_000 }).toEqual({ held: 1, dropped: 4 });
  expect(found(await search(searcher, 'quarterly', 'napster'))).toEqual(want);

  // Gnutella: the holder's query hit names all three files; the searcher keeps the honest one.
  // (The socket drop above ended their overlay link: the edge reported the holder gone. Wait for it again.)
  await expect.poll(() => searcher.evaluate(() => window.p2p.overlay.gnutella.neighbours()), { timeout: 20_000 }).toEqual([idh]);
  expect(found(await search(searcher, 'quarterly', 'gnutella'))).toEqual(want);
  expect(await searcher.evaluate(() => window.p2p.overlay.gnutella.stats())).toMatchObject({ badEntries: 2, badMessages: 0 });

  // Super-peers: the leaf uploads its whole list again when it re-attaches; its super-peer keeps the honest file.
  const before = await searcher.evaluate(() => window.p2p.overlay.superpeer.stats().badEntries);
  await holder.evaluate((sp) => window.p2p.overlay.superpeer.disconnect(sp), ids);
  await expect.poll(() => holder.evaluate(() => window.p2p.overlay.superpeer.superPeer()), { timeout: 15_000 }).toBe(ids);
  await expect.poll(() => searcher.evaluate(() => window.p2p.overlay.superpeer.stats().badEntries)).toBe(before + 2);
  expect(found(await search(searcher, 'quarterly', 'superpeer'))).toEqual(want);
  expect(await searcher.evaluate(() => window.p2p.overlay.superpeer.stats().badMessages)).toBe(0);

  // The honest file is what it claims to be: it downloads from the holder.
  const got = await searcher.evaluate(async (h) => {
    const t = await window.p2p.download(h.infoHash, { peers: h.peers });
    await t.done;
    const d = await crypto.subtle.digest('SHA-256', (await t.bytes()) as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, { infoHash: honest.infoHash, peers: [idh] });
  expect(got).toBe(honest.sha256);
});

/** Left edges of the characters of `selector`'s text at `indexes`, as the page lays them out. */
function charLefts(page: Page, selector: string, indexes: number[]): Promise<number[]> {
  return page.locator(selector).first().evaluate((node, at) => {
    const text = node.firstChild as Text;
    return at.map((i) => {
      const r = document.createRange();
      r.setStart(text, i);
      r.setEnd(text, i + 1);
      return r.getBoundingClientRect().left;
    });
  }, indexes);
}

test('through the page: a name the parsers refuse is cleaned and the page says so; a right-to-left override shows isolated', async ({ browser, peer }, info) => {
  const page = await peer(await browser.newContext({ viewport: { width: 1280, height: 900 } }));

  // A name with control characters is cleaned at share time, and the share job says how.
  await page.locator('#share-input').setInputFiles({ name: 'minutes\u0007\u001b draft.txt', mimeType: 'text/plain', buffer: Buffer.from('minutes') });
  const renamed = page.getByTestId('share-renamed');
  await expect(renamed).toHaveText('Renamed to “minutes draft.txt”: control characters removed.');
  await expect(page.locator('#torrent-rows .name', { hasText: 'minutes draft.txt' })).toHaveCount(1);
  // p2p.share does the same, and says it.
  const long = await page.evaluate(() => window.p2p.share(new TextEncoder().encode('long'), `${'l'.repeat(300)}.txt`));
  expect(long).toMatchObject({ name: `${'l'.repeat(251)}.txt`, renamed: 'shortened to 255 characters' });
  await expect.poll(() => page.evaluate(() => window.p2p.stats().napster)).toEqual({ held: 2, dropped: 0 });

  // U+202E would show "invoice\u202Efdp.exe" as "invoiceexe.pdf": the page shows it in a <bdi>, the override made visible.
  const evil = 'invoice\u202efdp.exe';
  await page.locator('#share-input').setInputFiles({ name: evil, mimeType: 'application/octet-stream', buffer: Buffer.from('not a pdf') });
  const row = '#torrent-rows tr.torrent .name';
  await expect(page.locator(row, { hasText: 'invoice' })).toHaveCount(1);
  const shown = await page.locator(row, { hasText: 'invoice' }).evaluate((n) => ({ tag: n.tagName, text: n.textContent, bidi: getComputedStyle(n).unicodeBidi }));
  expect(shown).toEqual({ tag: 'BDI', text: 'invoice\ufffdfdp.exe', bidi: 'isolate' });
  // Laid out left to right: "fdp" before "exe", as typed.
  const [f, x] = await charLefts(page, `${row}:text("invoice")`, [8, 13]);
  expect(f!).toBeLessThan(x!);

  // In the search results too, and the log line about it holds no override.
  await page.fill('#search-query', 'invoice');
  await page.click('#search-go');
  const cell = page.locator('#search-results td.name bdi');
  await expect(cell).toHaveText('invoice\ufffdfdp.exe');
  const [f2, x2] = await charLefts(page, '#search-results td.name bdi', [8, 13]);
  expect(f2!).toBeLessThan(x2!);
  await expect(page.locator('#log li', { hasText: /sharing .*invoice/ })).toContainText('sharing \u2068invoice\ufffdfdp.exe\u2069 (9 B)');
  expect(await page.evaluate(() => document.body.innerText.includes('\u202e'))).toBe(false);
  await page.screenshot({ path: info.outputPath('bad-names.png'), fullPage: true });
});
