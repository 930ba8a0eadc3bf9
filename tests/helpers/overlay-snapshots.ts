/** Made-up overlay snapshots for the network view's tests (layout, picture, the card in a browser). */
import type { OverlayEdgeView, OverlayNodeView, OverlaySnapshot } from '../../client/api';
import { seeded } from './seeded';

/** A peer id like the edge's (21 characters of nanoid's alphabet), from a seeded generator. */
function ids(n: number, rnd: () => number): string[] {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const out = new Set<string>();
  while (out.size < n) out.add(Array.from({ length: 21 }, () => abc[Math.floor(rnd() * abc.length)]).join(''));
  return [...out];
}

/**
 * A made-up room: `supers` super-peers joined in a ring (and a chord or two), each of the other
 * peers a leaf of one of them (the first `unattached` leaves of none), and a Gnutella mesh of
 * degree ~3 over everyone. `flat`: no super-peer tier at all (every role `peer`).
 */
export function fakeSnapshot(n: number, supers: number, seed = 1, opts: { flat?: boolean; unattached?: number } = {}): OverlaySnapshot {
  const rnd = seeded(seed);
  const all = ids(n, rnd);
  const sup = opts.flat ? [] : all.slice(0, supers);
  const rest = opts.flat ? all : all.slice(supers);
  const nodes: OverlayNodeView[] = all.map((id, i) => ({
    id,
    role: opts.flat ? 'peer' : i < supers ? 'super' : 'leaf',
    files: Math.floor(rnd() * (i % 7 === 0 ? 140 : 12)),
    self: i === n - 1,
  }));
  const edges: OverlayEdgeView[] = [];
  for (let i = 0; i < sup.length && sup.length > 1; i++) edges.push({ a: sup[i]!, b: sup[(i + 1) % sup.length]!, overlay: 'superpeer' });
  if (sup.length > 3) edges.push({ a: sup[0]!, b: sup[2]!, overlay: 'superpeer' });
  rest.forEach((id, i) => {
    if (!opts.flat && i >= (opts.unattached ?? 0)) edges.push({ a: id, b: sup[Math.floor(rnd() * sup.length)]!, overlay: 'superpeer' });
  });
  for (const [i, id] of all.entries()) {
    for (let k = 0; k < 2; k++) {
      const j = Math.floor(rnd() * n);
      if (j !== i) edges.push({ a: id, b: all[j]!, overlay: 'gnutella' });
    }
  }
  return { self: nodes.find((x) => x.self)!.id, nodes, edges, supers: sup };
}
