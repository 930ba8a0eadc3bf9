/**
 * One conformance suite for the four discovery mechanisms (client/discovery): each is run
 * through the same cases — share, search by words of the name, download from the holders it
 * names, a query that matches nothing, a file the holder removed — with a named skip where a
 * mechanism cannot do a case. Four tabs in four contexts of one room; each mechanism is given
 * time to form (overlay neighbours, super-peers, the ring) by polling its own search.
 */
import type { Page } from '@playwright/test';
import type { SearchVia } from '../../client/api';
import { expect, idOf, test } from './fixtures';
import { downloadHit, shareRandom } from './torrents';
import { ringSettled } from './overlay';

type Hit = { infoHash: string; name: string; size: number; peers: string[]; via: string };

interface Mechanism {
  via: SearchVia;
  /** Cases this mechanism cannot do, and why. */
  skips: Partial<Record<'removed', string>>;
}

const MECHANISMS: Mechanism[] = [
  { via: 'napster', skips: {} },
  { via: 'gnutella', skips: {} },
  { via: 'superpeer', skips: {} },
  // A DHT record is not withdrawn: a removed file's keyword and holder records expire with their TTL.
  { via: 'dht', skips: { removed: "the DHT does not withdraw records: a removed file's keyword and holder entries expire with their TTL" } },
];

const search = (page: Page, via: SearchVia, query: string): Promise<Hit[]> =>
  page.evaluate(({ via, query }) => window.p2p.search(query, { via, timeoutMs: 1_500 }) as Promise<Hit[]>, { via, query });

/** Searches until the mechanism answers (a forming overlay throws "not connected ... yet"). */
async function searchUntil(page: Page, via: SearchVia, query: string, want: (hits: Hit[]) => boolean): Promise<Hit[]> {
  let hits: Hit[] = [];
  await expect
    .poll(
      async () => {
        hits = await search(page, via, query).catch(() => []);
        return want(hits);
      },
      { timeout: 45_000, intervals: [250, 500, 1_000] },
    )
    .toBe(true);
  return hits;
}

test('every discovery mechanism: share, search by words of the name, download from the holders found; nothing for a query that matches nothing; a removed file is not found', async ({ browser, peer }) => {
  test.setTimeout(240_000);
  const pages = await Promise.all(Array.from({ length: 4 }, async () => peer(await browser.newContext())));
  const [holder, searcher] = pages as [Page, Page];
  const holderId = await idOf(holder);
  await ringSettled(pages);
  const file = await shareRandom(holder, 200 * 1024, 'Conformance Suite Lecture Notes.pdf');
  const gone = await shareRandom(holder, 40 * 1024, 'Withdrawn Draft Chapter.txt');

  for (const m of MECHANISMS) {
    await test.step(`${m.via}: share → search → download`, async () => {
      const hits = await searchUntil(searcher, m.via, 'lecture conformance', (h) => h.some((x) => x.infoHash === file.infoHash));
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ infoHash: file.infoHash, name: 'Conformance Suite Lecture Notes.pdf', size: 200 * 1024, via: m.via });
      expect(hits[0]!.peers).toContain(holderId);
      expect(await downloadHit(searcher, hits[0]!)).toBe(file.sha256);
      // Another tab finds it by one word, and the second file by its own words.
      const one = await searchUntil(pages[2]!, m.via, 'conformance', (h) => h.some((x) => x.infoHash === file.infoHash));
      expect(one.map((x) => x.infoHash)).toEqual([file.infoHash]);
      await searchUntil(pages[3]!, m.via, 'withdrawn draft', (h) => h.some((x) => x.infoHash === gone.infoHash && x.peers.includes(holderId)));
    });
    await test.step(`${m.via}: a query that matches nothing`, async () => {
      expect(await search(searcher, m.via, 'zebra quasar nonexistent')).toEqual([]);
    });
  }

  // The holder removes the second file: every mechanism that withdraws stops finding it.
  await holder.evaluate((ih) => window.p2p.torrents().find((x) => x.infoHash === ih)?.remove(), gone.infoHash);
  for (const m of MECHANISMS) {
    const skip = m.skips.removed;
    await test.step(`${m.via}: a removed file is not found${skip ? ` (skipped: ${skip})` : ''}`, async () => {
      if (skip) {
        test.info().annotations.push({ type: 'skip', description: `${m.via}: ${skip}` });
        return;
      }
      // (A search that fails is not an empty answer: errors fail the poll.)
      await expect.poll(async () => (await search(pages[3]!, m.via, 'withdrawn draft')).map((h) => h.infoHash), { timeout: 20_000 }).toEqual([]);
    });
  }
});
