/**
 * The flat Gnutella overlay against the two-tier super-peer overlay, simulated with the real
 * flood router (tests/bench/flood-sim.ts) for several network sizes and every ttl: what a query
 * costs in messages, and what it finds.
 */
import { flatNetwork, superPeerNetwork, type Rng, type SimResult } from './flood-sim.ts';
import { fixed, percentage } from './kit/format.ts';
import { table } from './kit/table.ts';

export interface SimRow extends SimResult {
  overlay: 'flat' | 'super-peer';
  n: number;
  ttl: number;
  queries: number;
}

export interface SimTableOptions {
  /** Flat overlay: each node keeps degree-1..degree+1 neighbours (the client: 3-5, so 4). */
  degree?: number;
  leavesPerSuper?: number;
  /** Super-peers keep superDegree-1..superDegree+1 super-peer neighbours. */
  superDegree?: number;
  /** Nodes holding each searched file. */
  holders?: number;
  /** Queries per row (default 200). */
  queries?: (n: number) => number;
}

/**
 * The client keeps 3-5 Gnutella neighbours (client/gnutella/gnutella.ts) and links a super-peer to
 * up to 8 others (client/superpeer/superpeer.ts; they link to it too): degree 4, superDegree 6.
 */
export const SIM_DEFAULTS = { degree: 4, leavesPerSuper: 20, superDegree: 6, holders: 5, queries: 200 } as const;

export function simTable(rng: Rng, sizes = [8, 100, 1000, 10000], ttls = [1, 2, 3, 4, 5, 6, 7], opts: SimTableOptions = {}): SimRow[] {
  const { degree, leavesPerSuper, superDegree, holders } = { ...SIM_DEFAULTS, ...opts };
  const queriesOf = opts.queries ?? (() => SIM_DEFAULTS.queries);
  const rows: SimRow[] = [];
  for (const n of sizes) {
    const queries = queriesOf(n);
    const nets = [
      ['flat', flatNetwork(n, degree, rng)],
      ['super-peer', superPeerNetwork(n, leavesPerSuper, superDegree, rng)],
    ] as const;
    for (const [overlay, net] of nets) {
      for (const ttl of ttls) rows.push({ overlay, n, ttl, queries, ...net.run({ ttl, queries, holders, rng }) });
    }
  }
  return rows;
}

export function formatTable(rows: SimRow[]): string {
  const share = (x: number) => percentage(x, x < 0.1 && x > 0 ? 1 : 0);
  const num = (x: number) => fixed(x, x >= 100 ? 0 : 1);
  const head = ['overlay', 'N', 'ttl', 'links', 'msgs/query', 'query msgs', 'found', 'hops to 1st', 'reached'];
  const out: string[][] = [];
  rows.forEach((r, i) => {
    // A blank line between blocks of one overlay and size.
    const prev = rows[i - 1];
    if (prev && (prev.overlay !== r.overlay || prev.n !== r.n)) out.push([]);
    out.push([
      r.overlay,
      String(r.n),
      String(r.ttl),
      String(r.links),
      num(r.messagesPerQuery),
      num(r.queryMessagesPerQuery),
      share(r.successRate),
      num(r.avgHitHops),
      share(r.reached),
    ]);
  });
  return table(head, out, { left: [0], rule: false });
}
