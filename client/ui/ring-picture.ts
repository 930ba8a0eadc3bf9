/**
 * The DHT ring drawing as data: from the card's inputs (ring-inputs.ts) every shape the SVG
 * shows, in drawing order, with its coordinates (rounded to 0.1), classes, test ids and
 * tooltips: the ring line and id 0, this tab's wedge, every node's key range, finger chords,
 * ticks and leader lines for circles moved aside, the nodes with their held-key counts and
 * labels, the marked key; and what goes around it (the count, the legend kinds, the note).
 * Pure: ring-svg.tsx only writes it out.
 */
import { r1 } from './svg';
import { plural } from './dom';
import { arcPath, ringPoint, sectorPath } from './ring-angles';
import { layoutRing, MARKER_LABEL, type LaidNode, type RingLabel, type RingLayout, type RingRole } from './ring-layout';
import { clip, heldText, pct, short6 } from './dht-text';
import { hiddenLabels, legendKinds, nodeTip, ringNote, spanOf } from './ring-captions';
import type { MarkedKey, RingInputs } from './ring-inputs';

export const LABEL_FONT = 10;
/** Longest key shown next to its marker on the ring. */
const MARKER_TEXT = 14;

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
export interface Circle {
  cx: number;
  cy: number;
  r: number;
  cls: string;
}
export interface Text {
  x: number;
  y: number;
  anchor: RingLabel['anchor'];
  size: number;
  cls: string;
  text: string;
}

export interface ArcShape {
  /** The peer whose range it is ('self:' + peer for this tab's). */
  key: string;
  d: string;
  cls: string;
  testId: 'dht-arc' | 'dht-own-range';
  peer: string;
  exact: boolean;
  title: string;
}

export interface NodeShape {
  peer: string;
  id: string;
  role: RingRole;
  self: boolean;
  held: number | undefined;
  cls: string;
  title: string;
  /** The ring around this tab's circle, or the owner's of the marked key; null for others. */
  halo: Circle | null;
  circle: Circle;
  heldText: Text | null;
  label: Text | null;
}

export interface MarkerShape {
  id: string;
  title: string;
  d: string;
  leader: Segment | null;
  label: Text | null;
}

export interface RingPicture {
  width: number;
  height: number;
  ariaLabel: string;
  ring: Circle;
  zero: Segment;
  zeroLabel: Text;
  /** This tab's range as a faint slice of the disc (visible even when it is a sliver). */
  wedge: string | null;
  arcs: ArcShape[];
  ticks: (Segment & { peer: string })[];
  chords: (Segment & { peer: string; title: string })[];
  leaders: (Segment & { key: string })[];
  /** In drawing order: this tab last (on top). */
  nodes: NodeShape[];
  marker: MarkerShape | null;
  /** Nodes on the ring (the card's count). */
  count: number;
  legend: Set<string>;
  note: string;
}

const seg = (a: { x: number; y: number }, b: { x: number; y: number }): Segment => ({ x1: r1(a.x), y1: r1(a.y), x2: r1(b.x), y2: r1(b.y) });

/** Key ranges: each node's (predecessor, node], with a sliver of gap at the start; this tab's last. */
function arcs({ cx, cy, radius, nodes, self: me }: RingLayout): ArcShape[] {
  const gapDeg = Math.min(1.5, (2 / radius) * (180 / Math.PI));
  const out: ArcShape[] = [];
  nodes.forEach((n, i) => {
    if (n.self) return;
    const span = spanOf(n);
    const from = span > 3 * gapDeg ? n.range.from + gapDeg : n.range.from;
    out.push({
      key: n.peer,
      d: arcPath(cx, cy, radius, from, n.range.to, n.range.full),
      cls: `dht-arc alt-${i % 2}${n.range.exact ? '' : ' inexact'}`,
      testId: 'dht-arc',
      peer: n.peer,
      exact: n.range.exact,
      title: `keys of ${short6(n.peer)}: ${pct(span)} of the ring${n.range.exact ? '' : ' (as far as this tab knows)'}`,
    });
  });
  if (me) {
    out.push({
      key: `self:${me.peer}`,
      d: arcPath(cx, cy, radius, me.range.from, me.range.to, me.range.full),
      cls: 'dht-arc self',
      testId: 'dht-own-range',
      peer: me.peer,
      exact: me.range.exact,
      title: `your key range (predecessor, you]: ${pct(spanOf(me))} of the ring`,
    });
  }
  return out;
}

/** The true place of an id whose circle had to move aside for a neighbour: a tick on the ring. */
function ticks({ cx, cy, radius, nodes }: RingLayout): RingPicture['ticks'] {
  return nodes
    .filter((n) => !(Math.abs(((n.shown - n.angle + 540) % 360) - 180) <= 0.5))
    .map((n) => ({ ...seg(ringPoint(cx, cy, radius - 5, n.angle), ringPoint(cx, cy, radius + 5, n.angle)), peer: n.peer }));
}

function chords({ nodes, self: me }: RingLayout): RingPicture['chords'] {
  if (!me) return [];
  return nodes.filter((n) => n.finger && !n.self).map((n) => ({ ...seg(me, n), peer: n.peer, title: `finger: ${short6(n.peer)}` }));
}

/** ...and a line from there to the circle (or the marker). */
function leaders({ labels }: RingLayout): RingPicture['leaders'] {
  return [...labels.entries()].flatMap(([key, l]) => (l.leader ? [{ ...seg(l.leader[0], l.leader[1]), key }] : []));
}

const labelText = (l: RingLabel, cls: string, text: string): Text => ({ x: r1(l.x), y: r1(l.y), anchor: l.anchor, size: LABEL_FONT, cls, text });

function node(n: LaidNode, layout: RingLayout, marker: MarkedKey | null): NodeShape {
  const owner = marker?.owner !== undefined && marker.owner === n.peer;
  const first = (n.role === 'successor' && n.successor === 0) || (n.role === 'predecessor' && n.predecessor === 0);
  const held = heldText(n);
  const fs = Math.min(11, n.r * 1.1, (2 * n.r - 3) / (0.6 * held.length));
  const lab = layout.labels.get(n.peer);
  return {
    peer: n.peer,
    id: n.id,
    role: n.role,
    self: n.self,
    held: n.held,
    cls: `dht-node role-${n.role}${n.self ? ' self' : ''}${owner ? ' owner' : ''}${n.successor === 0 || n.predecessor === 0 ? ' first' : ''}`,
    title: nodeTip(n),
    halo: n.self || owner ? { cx: r1(n.x), cy: r1(n.y), r: n.r + 3, cls: n.self ? 'dht-self-ring' : 'dht-owner-ring' } : null,
    circle: { cx: r1(n.x), cy: r1(n.y), r: n.r, cls: `dht-circle role-${n.role}${first ? ' first' : ''}` },
    heldText: held ? { x: r1(n.x), y: r1(n.y + fs * 0.36), anchor: 'middle', size: r1(fs), cls: 'dht-held', text: held } : null,
    label: lab ? labelText(lab, 'dht-label', n.self ? `${short6(n.peer)} (you)` : short6(n.peer)) : null,
  };
}

function markerShape(layout: RingLayout, marker: MarkedKey | null): MarkerShape | null {
  if (!layout.marker || !marker) return null;
  const m = layout.marker;
  const s = 5;
  const lab = layout.labels.get(MARKER_LABEL);
  return {
    id: m.id,
    title: `key “${marker.key}”\nring id ${m.id.slice(0, 12)}…${marker.owner ? `\nstored at ${marker.owner}` : ''}`,
    d: `M${r1(m.x)},${r1(m.y - s)} L${r1(m.x + s)},${r1(m.y)} L${r1(m.x)},${r1(m.y + s)} L${r1(m.x - s)},${r1(m.y)} Z`,
    leader: lab?.leader ? seg(m, lab.leader[1]) : null,
    label: lab ? labelText(lab, 'dht-label marker', m.text) : null,
  };
}

/** The picture of a laid-out ring with `marker` on it. */
export function pictureOf(layout: RingLayout, marker: MarkedKey | null, aloneInRoom: boolean): RingPicture {
  const { cx, cy, radius, self: me } = layout;
  return {
    width: layout.width,
    height: layout.height,
    ariaLabel: `DHT ring: ${plural(layout.nodes.length, 'node')} known to this tab`,
    ring: { cx: r1(cx), cy: r1(cy), r: r1(radius), cls: 'dht-ring-line' },
    // Id 0 at the top.
    zero: { x1: r1(cx), y1: r1(cy - radius - 5), x2: r1(cx), y2: r1(cy - radius + 5) },
    zeroLabel: { x: r1(cx), y: r1(cy - radius + 28), anchor: 'middle', size: 9, cls: 'dht-zero-label', text: '0' },
    wedge: me ? sectorPath(cx, cy, radius, me.range.from, me.range.to, me.range.full) : null,
    arcs: arcs(layout),
    ticks: ticks(layout),
    chords: chords(layout),
    leaders: leaders(layout),
    nodes: [...layout.nodes].sort((a, b) => Number(a.self) - Number(b.self)).map((n) => node(n, layout, marker)),
    marker: markerShape(layout, marker),
    count: layout.nodes.length,
    legend: legendKinds(layout, marker),
    note: ringNote(aloneInRoom, hiddenLabels(layout)),
  };
}

/** The picture the card draws for its inputs: the ring laid out at the card's size, the marked key quoted by its marker. */
export function ringPicture({ view, marker, w, h, aloneInRoom }: RingInputs): RingPicture {
  const layout = layoutRing(view, w, h, {
    fontSize: LABEL_FONT,
    marker: marker ? { id: marker.id, text: `“${clip(marker.key, MARKER_TEXT)}”` } : null,
  });
  return pictureOf(layout, marker, aloneInRoom);
}
