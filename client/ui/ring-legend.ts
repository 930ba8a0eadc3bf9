/**
 * The DHT ring's legend: one item per kind of thing the drawing shows, and which of them a
 * drawing shows (the others are hidden; this tab, its range and the held count always show).
 */
import { svg } from './svg';
import { el } from './dom';
import type { RingLayout } from './ring-layout';
import type { MarkedKey } from './ring-inputs';

function legendItem(kind: string, text: string): HTMLLIElement {
  const icon = svg('svg', { width: 22, height: 14, viewBox: '0 0 22 14', 'aria-hidden': 'true', class: 'net-legend-icon' });
  switch (kind) {
    case 'self':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 6, class: 'dht-self-ring' }), svg('circle', { cx: 11, cy: 7, r: 4, class: 'dht-circle role-self' }));
      break;
    case 'successor':
    case 'predecessor':
      // The immediate one, then a paler one further down the list.
      icon.append(svg('circle', { cx: 6.5, cy: 7, r: 5, class: `dht-circle role-${kind} first` }), svg('circle', { cx: 16.5, cy: 7, r: 4, class: `dht-circle role-${kind}` }));
      break;
    case 'owner':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 6, class: 'dht-owner-ring' }), svg('circle', { cx: 11, cy: 7, r: 3.5, class: 'dht-circle role-other' }));
      break;
    case 'finger':
    case 'other':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 5, class: `dht-circle role-${kind}` }));
      break;
    case 'chord':
      icon.append(svg('path', { d: 'M2,11 L20,3', class: 'dht-finger' }));
      break;
    case 'own':
      icon.append(svg('path', { d: 'M2,10 Q11,1 20,10', class: 'dht-arc self' }));
      break;
    case 'range':
      icon.append(svg('path', { d: 'M2,10 Q11,1 20,10', class: 'dht-arc alt-0' }));
      break;
    case 'marker':
      icon.append(svg('path', { d: 'M11,2 L16,7 L11,12 L6,7 Z', class: 'dht-marker' }));
      break;
  }
  return el('li', { 'data-kind': kind }, icon, text);
}

export function createRingLegend(): HTMLElement {
  return el(
    'ul',
    { class: 'legend net-legend', 'data-testid': 'dht-legend' },
    legendItem('self', 'this tab'),
    legendItem('successor', 'successor, next successors'),
    legendItem('predecessor', 'predecessor, earlier ones'),
    legendItem('finger', 'finger'),
    legendItem('other', 'other node'),
    legendItem('own', 'your key range'),
    legendItem('range', 'a node’s key range (dashed: as far as known)'),
    legendItem('chord', 'finger pointer'),
    legendItem('marker', 'last key'),
    legendItem('owner', 'its owner'),
    el('li', { 'data-kind': 'held' }, el('span', { class: 'net-legend-num' }, '3'), 'keys held'),
  );
}

/** The legend kinds a drawing of `layout` shows. */
export function legendKinds(layout: Pick<RingLayout, 'nodes' | 'marker'>, marker: MarkedKey | null): Set<string> {
  const shown = new Set<string>(['self', 'own', 'held', ...layout.nodes.map((n) => n.role)]);
  if (layout.nodes.some((n) => n.finger && !n.self)) shown.add('chord');
  if (layout.nodes.length > 1) shown.add('range');
  if (layout.marker) shown.add('marker');
  if (marker?.owner && layout.nodes.some((n) => n.peer === marker.owner)) shown.add('owner');
  return shown;
}

export function showLegendKinds(legend: HTMLElement, shown: ReadonlySet<string>): void {
  for (const li of legend.querySelectorAll<HTMLLIElement>('li[data-kind]')) li.hidden = !shown.has(li.dataset.kind ?? '');
}
