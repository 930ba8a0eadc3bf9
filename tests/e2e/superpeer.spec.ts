/**
 * The hierarchical overlay: the edge elects super-peers among eight tabs in two browser
 * processes; leaves attach to one and upload their file lists; queries flood among super-peers
 * only; when a super-peer leaves, its leaves re-attach within 5 s and upload again.
 */
import type { Page } from '@playwright/test';
import { expect, idOf, test } from './fixtures';
import { downloadHit, shareRandom } from './torrents';
import { eightPeers, pageOf } from './overlay';

type Hit = { infoHash: string; name: string; peers: string[]; hops?: number; guid?: string; via: string };

function search(page: Page, query: string): Promise<Hit[]> {
  return page.evaluate((q) => window.p2p.search(q, { via: 'superpeer', timeoutMs: 2_000 }), query);
}

interface TierView {
  id: string;
  role: string;
  supers: string[];
  superPeer: string | null;
  leaves: string[];
  neighbours: string[];
}

function views(pages: Page[]): Promise<TierView[]> {
  return Promise.all(
    pages.map((p) =>
      p.evaluate(() => {
        const t = window.p2p.overlay.superpeer;
        return { id: window.p2p.id, role: t.role(), supers: t.supers(), superPeer: t.superPeer(), leaves: t.leaves(), neighbours: t.neighbours() };
      }),
    ),
  );
}

/** Wait until the tier is settled: `n` super-peers everyone agrees on, every leaf attached to one. */
async function settled(pages: Page[], n: number): Promise<TierView[]> {
  let v: TierView[] = [];
  await expect
    .poll(
      async () => {
        v = await views(pages);
        const supers = v[0]!.supers;
        if (supers.length !== n) return `super-peers: ${supers.length}`;
        for (const x of v) {
          if (x.supers.join() !== supers.join()) return `${x.id} sees other super-peers`;
          if (supers.includes(x.id)) {
            if (x.role !== 'super') return `${x.id} not yet super`;
            if (supers.some((s) => s !== x.id && !x.neighbours.includes(s))) return `${x.id} not linked to every super-peer`;
          } else if (x.role !== 'leaf' || !x.superPeer || !supers.includes(x.superPeer)) return `${x.id} not attached`;
          else if (x.neighbours.length !== 1) return `${x.id} has ${x.neighbours.length} links in the tier`;
        }
        return 'settled';
      },
      { timeout: 45_000, message: 'the two-tier overlay settles' },
    )
    .toBe('settled');
  return v;
}

test('super-peers are elected, leaves attach and upload their lists, queries flood among super-peers only, and a super-peer departure is survived', async ({ browser, peer, launchBrowser }) => {
  test.setTimeout(240_000);
  const pages = await eightPeers(browser, await launchBrowser(), peer);
  const ids = await Promise.all(pages.map(idOf));

  // Eight peers: at least two super-peers; every leaf holds exactly one link in this tier.
  let v = await settled(pages, 2);
  const [s1, s2] = v[0]!.supers as [string, string];
  const leavesOf = (s: string) => v.filter((x) => x.superPeer === s).map((x) => x.id).sort();
  expect(leavesOf(s1).length + leavesOf(s2).length).toBe(6);
  expect(v[ids.indexOf(s1)]!.leaves.sort()).toEqual(leavesOf(s1));

  // A leaf of one super-peer finds a file of a leaf of the other: leaf -> super -> super.
  // (If one super-peer has all the leaves, the holder is that other super-peer itself.)
  const searcher = leavesOf(s1)[0] ?? leavesOf(s2)[0]!;
  const mySuper = v[ids.indexOf(searcher)]!.superPeer!;
  const otherSuper = mySuper === s1 ? s2 : s1;
  const holder = leavesOf(otherSuper)[0] ?? otherSuper;
  const file = await shareRandom(pageOf(pages, ids, holder), 128 * 1024, 'Hierarchical Overlay Demo.flac');
  let hits: Hit[] = [];
  await expect.poll(async () => (hits = await search(pageOf(pages, ids, searcher), 'hierarchical demo')).length).toBe(1);
  expect(hits[0]).toMatchObject({ infoHash: file.infoHash, peers: [holder], via: 'superpeer' });
  expect(hits[0]!.hops).toBe(2);
  // Leaves never see a query: only super-peers handled it.
  const guid = hits[0]!.guid!;
  const traces = await Promise.all(pages.map((p) => p.evaluate((g) => window.p2p.overlay.superpeer.trace(g) ?? null, guid)));
  for (const [i, id] of ids.entries()) {
    if (id === s1 || id === s2) expect(traces[i]?.received, `super-peer ${id}`).toBe(1);
    else if (id !== searcher) expect(traces[i], `leaf ${id}`).toBeNull();
  }
  const sha = await downloadHit(pageOf(pages, ids, searcher), hits[0]!);
  expect(sha).toBe(file.sha256);

  // The super-peer with more leaves closes its tab: its leaves re-attach within 5 s and upload again.
  const gone = leavesOf(s1).length >= leavesOf(s2).length ? s1 : s2;
  const orphans = leavesOf(gone);
  const orphanPages = orphans.map((id) => pageOf(pages, ids, id));
  // Each orphan notes the wall-clock time at which it is attached to another super-peer (or,
  // if the edge promoted it in the departed one's place, at which it became a super-peer).
  // After 20 s it gives up and says so (Infinity), rather than leaving the test to time out.
  type Watch = { __reattached?: Promise<number> };
  await Promise.all(
    orphanPages.map((p) =>
      p.evaluate((gone) => {
        (window as unknown as Watch).__reattached = new Promise<number>((resolve) => {
          const t0 = Date.now();
          const timer = setInterval(() => {
            const tier = window.p2p.overlay.superpeer;
            const sp = tier.superPeer();
            const done = (sp !== null && sp !== gone) || tier.role() === 'super';
            if (done || Date.now() - t0 > 20_000) {
              clearInterval(timer);
              resolve(done ? Date.now() : Infinity);
            }
          }, 20);
        });
      }, gone),
    ),
  );
  const t0 = Date.now();
  await pageOf(pages, ids, gone).close();
  const rest = pages.filter((_, i) => ids[i] !== gone);
  const ms = (await Promise.all(orphanPages.map((p) => p.evaluate(() => (window as unknown as Watch).__reattached!)))).map((t) => t - t0);
  console.log(`re-attached ${orphans.length} leaves ${ms.join(', ')} ms after their super-peer closed`);
  for (const m of ms) expect(m).toBeLessThan(5_000);

  // The edge promotes a replacement (7 peers still need 2), and files of re-attached leaves are found.
  v = await settled(rest, 2);
  expect(v[0]!.supers).not.toContain(gone);
  const orphan = orphans.find((id) => id !== searcher && id !== holder);
  if (orphan) {
    const f2 = await shareRandom(pageOf(pages, ids, orphan), 64 * 1024, 'Orphan Leaf Uploads Again.txt');
    const asker = rest.find((p) => p !== pageOf(pages, ids, orphan))!;
    await expect.poll(async () => (await search(asker, 'orphan leaf again')).map((h) => h.infoHash)).toEqual([f2.infoHash]);
  }
  // The file shared before the departure is found again too (its holder re-uploaded if it moved).
  if (holder !== gone) {
    const asker = rest.find((p) => p !== pageOf(pages, ids, holder))!;
    await expect.poll(async () => (await search(asker, 'hierarchical demo')).map((h) => h.infoHash)).toEqual([file.infoHash]);
  }
});
