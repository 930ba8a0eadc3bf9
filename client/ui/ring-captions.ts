/**
 * What the ring card says about a laid-out ring (ring-layout.ts): a node's tooltip, the legend
 * kinds a drawing shows, how many labels were left out, the note under the drawing, this tab's
 * share of the ring. Pure.
 */
import type { DhtRingView } from '../api';
import { plural } from './dom';
import { idAngle, sweep } from './ring-angles';
import { MARKER_LABEL, type LaidNode, type RingLayout, type RingRole } from './ring-layout';
import { pct } from './dht-text';
import type { MarkedKey } from './ring-inputs';

const ROLE_NAME: Record<RingRole, string> = {
  self: 'this tab',
  successor: 'successor',
  predecessor: 'predecessor',
  finger: 'finger',
  other: 'known node',
};

/** A node's key range in degrees (a lone node: the whole ring). */
export const spanOf = (n: Pick<LaidNode, 'range'>): number => (n.range.full ? 360 : sweep(n.range.from, n.range.to));

/** This tab's key range (predecessor, self] in degrees: the whole ring without a predecessor. */
export function ownSpan(view: DhtRingView): number {
  return view.predecessor ? sweep(idAngle(view.predecessor.id), idAngle(view.self.id)) : 360;
}

/** A node's tooltip: its peer, ring id, roles, keys held and key range. */
export function nodeTip(n: LaidNode): string {
  const roles = [
    n.self ? 'this tab' : '',
    n.successor === 0 ? 'successor' : n.successor > 0 ? `successor ${n.successor + 1}` : '',
    n.predecessor === 0 ? 'predecessor' : n.predecessor > 0 ? `predecessor ${n.predecessor + 1}` : '',
    n.finger ? 'finger' : '',
  ].filter(Boolean);
  return (
    `${n.peer}\nring id ${n.id.slice(0, 12)}…\n${roles.join(' · ') || ROLE_NAME[n.role]}` +
    `\nkeys held: ${n.held === undefined ? 'not known' : n.held}` +
    `\nkey range: ${pct(spanOf(n))} of the ring${n.range.exact ? '' : ' (as far as this tab knows)'}`
  );
}

/** The legend kinds a drawing of `layout` shows (this tab, its range and the held count always). */
export function legendKinds(layout: Pick<RingLayout, 'nodes' | 'marker'>, marker: MarkedKey | null): Set<string> {
  const shown = new Set<string>(['self', 'own', 'held', ...layout.nodes.map((n) => n.role)]);
  if (layout.nodes.some((n) => n.finger && !n.self)) shown.add('chord');
  if (layout.nodes.length > 1) shown.add('range');
  if (layout.marker) shown.add('marker');
  if (marker?.owner && layout.nodes.some((n) => n.peer === marker.owner)) shown.add('owner');
  return shown;
}

/** Nodes whose label was left out for room. */
export function hiddenLabels(layout: Pick<RingLayout, 'nodes' | 'labels'>): number {
  return layout.nodes.length - [...layout.labels.keys()].filter((k) => k !== MARKER_LABEL).length;
}

/** The note under the drawing: alone on the ring, labels left out; '' when there is nothing to say. */
export function ringNote(aloneInRoom: boolean, hidden: number): string {
  const notes: string[] = [];
  if (aloneInRoom) notes.push('Alone on the ring: this tab owns every key.');
  if (hidden > 0) notes.push(`${plural(hidden, 'label')} left out for room: point at a node for its id.`);
  return notes.join(' ');
}
