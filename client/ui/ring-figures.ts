/** This tab's DHT figures (`p2p.dht.stats()`) in the ring card: node id, keys, range, lookups, failures. */
import type { DhtRingView, DhtStats } from '../api';
import { el } from './dom';
import { idAngle, sweep } from './ring-angles';
import { pct } from './dht-text';

export function renderFigures(figures: HTMLElement, view: DhtRingView | null, s: DhtStats | undefined): void {
  const row = (fig: string, label: string, ...value: (Node | string)[]) => [el('dt', {}, label), el('dd', { 'data-fig': fig }, ...value)];
  if (!view || !s) {
    figures.replaceChildren(...row('node', 'Node id', el('span', { class: 'muted' }, 'not on the ring yet')));
    return;
  }
  const id = s.nodeId || view.self.id;
  const own = view.predecessor ? sweep(idAngle(view.predecessor.id), idAngle(view.self.id)) : 360;
  const num = (n: number) => el('b', {}, String(n));
  figures.replaceChildren(
    ...row('node', 'Node id', el('code', { title: id }, `${id.slice(0, 10)}…`)),
    ...row('keys', 'Keys', num(s.keysHeld), ' held / ', num(s.keysOwned), ' owned'),
    ...row('range', 'Your range', el('b', {}, pct(own)), ' of the ring'),
    ...row('lookups', 'Lookups', num(s.lookups), ' · ', el('b', {}, s.lookups ? s.avgHops.toFixed(2) : '—'), ' avg hops'),
    ...row('routed', 'Routed', num(s.routed), ' for others'),
    ...row('replicas', 'Replicas sent', num(s.replicasSent)),
    ...row('failures', 'Failures', el('b', { class: s.failures ? 'warn-text' : '' }, String(s.failures)), ' nodes found dead'),
    ...row('bad', 'Bad messages', el('b', { class: s.badMessages ? 'warn-text' : '' }, String(s.badMessages))),
  );
}
