/**
 * The flat Gnutella overlay against the two-tier super-peer overlay, simulated with the real
 * flood router (tests/bench/flood-sim.ts) for several network sizes and every ttl: what a query
 * costs in messages, and what it finds.
 */
import { flatNetwork, superPeerNetwork, type Rng, type SimResult } from './flood-sim.ts';

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
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;
  const num = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');
  const head = ['overlay', 'N', 'ttl', 'links', 'msgs/query', 'query msgs', 'found', 'hops to 1st', 'reached'];
  const cells = [
    head,
    ...rows.map((r) => [
      r.overlay,
      String(r.n),
      String(r.ttl),
      String(r.links),
      num(r.messagesPerQuery),
      num(r.queryMessagesPerQuery),
      pct(r.successRate),
      num(r.avgHitHops),
      pct(r.reached),
    ]),
  ];
  const widths = head.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const out: string[] = [];
  cells.forEach((row, i) => {
    // A blank line between blocks of one overlay and size.
    const prev = i > 1 ? cells[i - 1]! : null;
    if (prev && (prev[0] !== row[0] || prev[1] !== row[1])) out.push('');
    out.push(line(row));
  });
  return out.join('\n');
}
