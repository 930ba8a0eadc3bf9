/**
 * The SVG drawing of a laid-out ring (ring-layout.ts): the ring line and id 0, this tab's key
 * range as a wedge and an arc, every node's key range, finger chords, ticks and leader lines for
 * circles moved aside, the nodes with their held-key counts and labels, and the marked key.
 * Pointing at a node highlights its range and chord.
 */
import { r1, svg } from './svg';
import { plural } from './dom';
import { arcPath, ringPoint, sectorPath, sweep } from './ring-angles';
import { MARKER_LABEL, type LaidNode, type RingLayout, type RingRole } from './ring-layout';
import { heldText, pct, short6 } from './dht-text';
import type { MarkedKey } from './ring-inputs';

export const LABEL_FONT = 10;

const ROLE_NAME: Record<RingRole, string> = {
  self: 'this tab',
  successor: 'successor',
  predecessor: 'predecessor',
  finger: 'finger',
  other: 'known node',
};

const spanOf = (n: LaidNode) => (n.range.full ? 360 : sweep(n.range.from, n.range.to));

export function drawRing(layout: RingLayout, marker: MarkedKey | null): SVGSVGElement {
  const nodeLayer = svg('g', { class: 'dht-nodes' });
  const drawOrder = [...layout.nodes].sort((a, b) => Number(a.self) - Number(b.self));
  for (const n of drawOrder) nodeLayer.append(nodeGroup(n, layout, marker));

  const layers: SVGElement[] = [baseLayer(layout), arcLayer(layout), tickLayer(layout), chordLayer(layout), leaderLayer(layout), nodeLayer];
  const m = markerLayer(layout, marker);
  if (m) layers.push(m);

  const drawing = svg(
    'svg',
    {
      class: 'dht-svg',
      'data-testid': 'dht-svg',
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      width: '100%',
      height: layout.height,
      role: 'img',
      'aria-label': `DHT ring: ${plural(layout.nodes.length, 'node')} known to this tab`,
    },
    ...layers,
  );
  for (const g of nodeLayer.querySelectorAll<SVGGElement>('.dht-node')) {
    g.addEventListener('mouseenter', () => {
      drawing.classList.add('focus');
      g.classList.add('hot');
      const peer = g.dataset.peer ?? '';
      for (const a of drawing.querySelectorAll<SVGElement>('.dht-arc, .dht-finger')) if (a.dataset.peer === peer) a.classList.add('hot');
    });
    g.addEventListener('mouseleave', () => {
      drawing.classList.remove('focus');
      for (const hot of drawing.querySelectorAll('.hot')) hot.classList.remove('hot');
    });
  }
  return drawing;
}

/** Nodes whose label was left out for room. */
export function hiddenLabels(layout: RingLayout): number {
  return layout.nodes.length - [...layout.labels.keys()].filter((k) => k !== MARKER_LABEL).length;
}

function baseLayer({ cx, cy, radius, self: me }: RingLayout): SVGGElement {
  const base = svg(
    'g',
    { class: 'dht-base' },
    svg('circle', { cx: r1(cx), cy: r1(cy), r: r1(radius), class: 'dht-ring-line' }),
    // Id 0 at the top.
    svg('line', { x1: r1(cx), y1: r1(cy - radius - 5), x2: r1(cx), y2: r1(cy - radius + 5), class: 'dht-zero' }),
    svg('text', { x: r1(cx), y: r1(cy - radius + 28), class: 'dht-zero-label', 'text-anchor': 'middle', 'font-size': 9 }, '0'),
  );
  // This tab's range, also as a faint slice of the disc: visible even when it is a sliver.
  if (me) base.append(svg('path', { d: sectorPath(cx, cy, radius, me.range.from, me.range.to, me.range.full), class: 'dht-own-wedge' }));
  return base;
}

/** Key ranges: each node's (predecessor, node], with a sliver of gap at the start. */
function arcLayer({ cx, cy, radius, nodes, self: me }: RingLayout): SVGGElement {
  const arcs = svg('g', { class: 'dht-arcs' });
  const gapDeg = Math.min(1.5, (2 / radius) * (180 / Math.PI));
  nodes.forEach((n, i) => {
    if (n.self) return;
    const span = spanOf(n);
    const from = span > 3 * gapDeg ? n.range.from + gapDeg : n.range.from;
    arcs.append(
      svg(
        'path',
        {
          d: arcPath(cx, cy, radius, from, n.range.to, n.range.full),
          class: `dht-arc alt-${i % 2}${n.range.exact ? '' : ' inexact'}`,
          'data-testid': 'dht-arc',
          'data-peer': n.peer,
          'data-exact': String(n.range.exact),
        },
        svg('title', {}, `keys of ${short6(n.peer)}: ${pct(span)} of the ring${n.range.exact ? '' : ' (as far as this tab knows)'}`),
      ),
    );
  });
  if (me) {
    arcs.append(
      svg(
        'path',
        {
          d: arcPath(cx, cy, radius, me.range.from, me.range.to, me.range.full),
          class: 'dht-arc self',
          'data-testid': 'dht-own-range',
          'data-peer': me.peer,
          'data-exact': String(me.range.exact),
        },
        svg('title', {}, `your key range (predecessor, you]: ${pct(spanOf(me))} of the ring`),
      ),
    );
  }
  return arcs;
}

function chordLayer({ nodes, self: me }: RingLayout): SVGGElement {
  const chords = svg('g', { class: 'dht-chords' });
  if (!me) return chords;
  for (const n of nodes) {
    if (!n.finger || n.self) continue;
    chords.append(
      svg(
        'line',
        { x1: r1(me.x), y1: r1(me.y), x2: r1(n.x), y2: r1(n.y), class: 'dht-finger', 'data-testid': 'dht-finger', 'data-peer': n.peer },
        svg('title', {}, `finger: ${short6(n.peer)}`),
      ),
    );
  }
  return chords;
}

/** The true place of an id whose circle had to move aside for a neighbour: a tick on the ring. */
function tickLayer({ cx, cy, radius, nodes }: RingLayout): SVGGElement {
  const ticks = svg('g', { class: 'dht-ticks' });
  for (const n of nodes) {
    if (Math.abs(((n.shown - n.angle + 540) % 360) - 180) <= 0.5) continue;
    const a = ringPoint(cx, cy, radius - 5, n.angle);
    const b = ringPoint(cx, cy, radius + 5, n.angle);
    ticks.append(svg('line', { x1: r1(a.x), y1: r1(a.y), x2: r1(b.x), y2: r1(b.y), class: 'dht-tick', 'data-peer': n.peer }));
  }
  return ticks;
}

/** ...and a line from there to the circle. */
function leaderLayer({ labels }: RingLayout): SVGGElement {
  const leaders = svg('g', { class: 'dht-leaders' });
  for (const l of labels.values()) {
    if (l.leader) leaders.append(svg('line', { x1: r1(l.leader[0].x), y1: r1(l.leader[0].y), x2: r1(l.leader[1].x), y2: r1(l.leader[1].y), class: 'dht-leader' }));
  }
  return leaders;
}

function markerLayer(layout: RingLayout, marker: MarkedKey | null): SVGGElement | null {
  if (!layout.marker || !marker) return null;
  const m = layout.marker;
  const s = 5;
  const g = svg(
    'g',
    { class: 'dht-key-marker', 'data-testid': 'dht-key-marker', 'data-id': m.id },
    svg('title', {}, `key “${marker.key}”\nring id ${m.id.slice(0, 12)}…${marker.owner ? `\nstored at ${marker.owner}` : ''}`),
    svg('path', { d: `M${r1(m.x)},${r1(m.y - s)} L${r1(m.x + s)},${r1(m.y)} L${r1(m.x)},${r1(m.y + s)} L${r1(m.x - s)},${r1(m.y)} Z`, class: 'dht-marker' }),
  );
  const lab = layout.labels.get(MARKER_LABEL);
  if (lab) {
    if (lab.leader) g.append(svg('line', { x1: r1(m.x), y1: r1(m.y), x2: r1(lab.leader[1].x), y2: r1(lab.leader[1].y), class: 'dht-leader' }));
    g.append(svg('text', { x: r1(lab.x), y: r1(lab.y), class: 'dht-label marker', 'text-anchor': lab.anchor, 'font-size': LABEL_FONT }, m.text));
  }
  return g;
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

function nodeGroup(n: LaidNode, layout: RingLayout, marker: MarkedKey | null): SVGGElement {
  const owner = marker?.owner !== undefined && marker.owner === n.peer;
  const g = svg(
    'g',
    {
      class: `dht-node role-${n.role}${n.self ? ' self' : ''}${owner ? ' owner' : ''}${n.successor === 0 || n.predecessor === 0 ? ' first' : ''}`,
      'data-testid': `dht-node-${n.peer}`,
      'data-peer': n.peer,
      'data-id': n.id,
      'data-role': n.role,
      'data-self': String(n.self),
      ...(n.held !== undefined ? { 'data-held': String(n.held) } : {}),
    },
    svg('title', {}, nodeTip(n)),
  );
  if (n.self || owner) g.append(svg('circle', { cx: r1(n.x), cy: r1(n.y), r: n.r + 3, class: n.self ? 'dht-self-ring' : 'dht-owner-ring' }));
  const first = (n.role === 'successor' && n.successor === 0) || (n.role === 'predecessor' && n.predecessor === 0);
  g.append(svg('circle', { cx: r1(n.x), cy: r1(n.y), r: n.r, class: `dht-circle role-${n.role}${first ? ' first' : ''}` }));
  const held = heldText(n);
  if (held) {
    const fs = Math.min(11, n.r * 1.1, (2 * n.r - 3) / (0.6 * held.length));
    g.append(svg('text', { x: r1(n.x), y: r1(n.y + fs * 0.36), class: 'dht-held', 'font-size': r1(fs), 'text-anchor': 'middle' }, held));
  }
  const lab = layout.labels.get(n.peer);
  if (lab) {
    g.append(svg('text', { x: r1(lab.x), y: r1(lab.y), class: 'dht-label', 'text-anchor': lab.anchor, 'font-size': LABEL_FONT }, n.self ? `${short6(n.peer)} (you)` : short6(n.peer)));
  }
  return g;
}
