/** Helpers for the overlay scenarios: open eight peers, read and shape the overlay's graph. */
import type { Browser, Page } from '@playwright/test';
import { nodeId } from '../../protocol/dht';
import { DEFAULT_SUCCESSORS, sortIds } from '../../client/core/chord';
import { expect, idOf } from './fixtures';

/**
 * Eight peers: five tabs in the test's browser (two of them in one context: tabs sharing
 * storage) and three in a second browser process (two sharing a context).
 */
export async function eightPeers(browser: Browser, other: Browser, peer: (c: import('@playwright/test').BrowserContext) => Promise<Page>): Promise<Page[]> {
  const a1 = await browser.newContext();
  const a2 = await browser.newContext();
  const a3 = await browser.newContext();
  const b1 = await other.newContext();
  const b2 = await other.newContext();
  const pages: Page[] = [];
  for (const ctx of [a1, a1, a2, a3, a3, b1, b1, b2]) pages.push(await peer(ctx));
  return pages;
}

export type Graph = Map<string, string[]>;

/** Every page's Gnutella neighbours, once the lists agree on both ends of every link. */
export async function gnutellaGraph(pages: Page[]): Promise<Graph> {
  let graph: Graph = new Map();
  await expect
    .poll(
      async () => {
        const lists = await Promise.all(pages.map((p) => p.evaluate(() => [window.p2p.id, window.p2p.overlay.gnutella.neighbours()] as const)));
        graph = new Map(lists.map(([id, n]) => [id, [...n].sort()]));
        for (const [a, ns] of graph) for (const b of ns) if (!graph.get(b)?.includes(a)) return `${a} has ${b} but not the reverse`;
        return true;
      },
      { timeout: 20_000, message: 'neighbour lists agree on both ends' },
    )
    .toBe(true);
  return graph;
}

export function edgeCount(g: Graph): number {
  let n = 0;
  for (const ns of g.values()) n += ns.length;
  return n / 2;
}

/** Hop distances from `from` (breadth-first); unreachable peers are absent. */
export function distances(g: Graph, from: string): Map<string, number> {
  const d = new Map([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const x = queue.shift() as string;
    for (const y of g.get(x) ?? []) {
      if (d.has(y)) continue;
      d.set(y, (d.get(x) as number) + 1);
      queue.push(y);
    }
  }
  return d;
}

/** Pages in the order of `ids`. */
export function pageOf(pages: Page[], ids: string[], id: string): Page {
  return pages[ids.indexOf(id)] as Page;
}

/** Wait until every live page's successor and predecessor, and its lists of r of each, are the true ones. */
export async function ringSettled(pages: Page[], timeout = 60_000): Promise<void> {
  const ids = await Promise.all(pages.map(idOf));
  const ring = sortIds(ids.map(nodeId));
  await expect
    .poll(
      async () => {
        const views = await Promise.all(pages.map((p) => p.evaluate(() => window.p2p.dht.ring())));
        for (const v of views) {
          if (!v) return 'a node has not started';
          const i = ring.indexOf(v.self.id);
          const succ = ring[(i + 1) % ring.length];
          const pred = ring[(i - 1 + ring.length) % ring.length];
          if (v.successors[0]?.id !== succ) return `${v.self.peer}: successor ${v.successors[0]?.peer} is wrong`;
          if (v.predecessor?.id !== pred) return `${v.self.peer}: predecessor ${v.predecessor?.peer ?? 'none'} is wrong`;
          // The successor and predecessor lists too: which replicas a node accepts, and from whom,
          // is decided by them (they converge a round or two after the nearest neighbours).
          const k = Math.min(DEFAULT_SUCCESSORS, ring.length - 1);
          const around = (d: number) => Array.from({ length: k }, (_, j) => ring[(((i + d * (j + 1)) % ring.length) + ring.length) % ring.length]).join();
          if (v.successors.slice(0, k).map((n) => n.id).join() !== around(1)) return `${v.self.peer}: successor list is not settled`;
          if (v.predecessors.slice(0, k).map((n) => n.id).join() !== around(-1)) return `${v.self.peer}: predecessor list is not settled`;
        }
        return 'settled';
      },
      { timeout, message: 'the ring settles' },
    )
    .toBe('settled');
}
