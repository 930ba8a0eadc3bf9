/**
 * Where the DHT ring card draws things: pure geometry, no DOM. The identifier ring (2^160
 * points) is a circle; a node sits at the angle of its id (id / 2^160 · 360°, 0 at the top,
 * clockwise), read from the first 13 hex digits (52 bits: exact in a double, and far finer than
 * a pixel). Nodes whose ids are too close for their circles to stay apart are spread along the
 * ring as little as possible (a tick keeps their true place). Each node's key range
 * (predecessor, node] is an arc; it is `exact` when this tab knows the node's true predecessor
 * (the chain predecessors - self - successors), else it runs from the previous node this tab
 * happens to know. Labels go just outside the ring, where they overlap no circle and no other
 * label, or are left out (the node keeps its tooltip), except this tab's own label.
 */
import type { DhtNodeRef, DhtRingView } from '../api';
import { boxesOverlap, circleHitsBox, labelWidth, type Box, type Circle, type Point } from './geometry';
import { HEX13, idAngle, ringPoint, sweep } from './ring-angles';

export type RingRole = 'self' | 'successor' | 'predecessor' | 'finger' | 'other';

/** A node of the drawing, with everything this tab knows of its place in the ring. */
export interface RingNode {
  peer: string;
  id: string;
  /** Keys it holds, when known (this tab, and what its neighbours said last). */
  held?: number;
  /** The role it is drawn with: self > the successor > the predecessor > other successors > other predecessors > finger > other. */
  role: RingRole;
  self: boolean;
  /** Place in this tab's successor list (0: the successor), or -1. */
  successor: number;
  /** Place in this tab's predecessor list (0: the predecessor), or -1. */
  predecessor: number;
  finger: boolean;
}

/** A node's key range (from, to] as angles in degrees; `full`: the whole ring (a lone node). */
export interface KeyRange {
  from: number;
  to: number;
  full: boolean;
  /** The range starts at the node's true predecessor (else: at the previous node this tab knows). */
  exact: boolean;
}

export interface LaidNode extends RingNode {
  /** True angle of the id, degrees in [0, 360). */
  angle: number;
  /** Angle the circle is drawn at (the true one unless crowded). */
  shown: number;
  x: number;
  y: number;
  r: number;
  range: KeyRange;
}

export interface RingLabel {
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  box: Box;
  /** A thin line from the circle to a label that had to move away from it, or null. */
  leader: [Point, Point] | null;
}

export interface RingMarker {
  id: string;
  text: string;
  angle: number;
  x: number;
  y: number;
}

export interface RingLayout {
  width: number;
  height: number;
  cx: number;
  cy: number;
  radius: number;
  /** In ring order (ascending id). */
  nodes: LaidNode[];
  self: LaidNode | null;
  /** Label of each node by peer id, and of the marker by `marker:`. */
  labels: Map<string, RingLabel>;
  marker: RingMarker | null;
}

/** Radius of a node's circle (CSS px); this tab's is larger. */
export const RING_NODE_RADIUS = 10;
export const RING_SELF_RADIUS = 12;
/** Room kept between two circles along the ring. */
const NODE_GAP = 6;
/** Room for the labels around the ring. */
const MARGIN_X = 62;
const MARGIN_Y = 30;
const MARKER_RADIUS = 5;
export const MARKER_LABEL = 'marker:';

/** Which labels are placed first: this tab, its successor and predecessor, the lists, fingers, others. */
function labelRank(n: RingNode): number {
  if (n.self) return 0;
  if (n.successor === 0) return 1;
  if (n.predecessor === 0) return 2;
  if (n.successor > 0) return 3 + n.successor;
  if (n.predecessor > 0) return 20 + n.predecessor;
  return n.finger ? 40 : 50;
}

/**
 * Every node the view names (self, predecessor, successors, predecessors, fingers, nodes), once
 * each, sorted by id, with its roles. Refs without a usable id are skipped.
 */
export function ringNodes(view: DhtRingView): RingNode[] {
  const out = new Map<string, RingNode>();
  const add = (ref: DhtNodeRef | null | undefined): RingNode | null => {
    if (!ref || typeof ref.id !== 'string' || !HEX13.test(ref.id)) return null;
    let n = out.get(ref.id);
    if (!n) {
      n = { peer: typeof ref.peer === 'string' && ref.peer ? ref.peer : ref.id, id: ref.id, role: 'other', self: false, successor: -1, predecessor: -1, finger: false };
      out.set(ref.id, n);
    }
    if (n.held === undefined && typeof ref.held === 'number' && Number.isFinite(ref.held) && ref.held >= 0) n.held = ref.held;
    return n;
  };
  const me = add(view.self);
  if (me) me.self = true;
  const pred = add(view.predecessor);
  if (pred && pred.predecessor < 0) pred.predecessor = 0;
  (view.successors ?? []).forEach((ref, i) => {
    const n = add(ref);
    if (n && n.successor < 0) n.successor = i;
  });
  (view.predecessors ?? []).forEach((ref, i) => {
    const n = add(ref);
    if (n && n.predecessor < 0) n.predecessor = i;
  });
  for (const ref of view.fingers ?? []) {
    const n = add(ref);
    if (n) n.finger = true;
  }
  for (const ref of view.nodes ?? []) add(ref);
  for (const n of out.values()) {
    // The successor and the predecessor first: on a small ring the successor list wraps round
    // to the predecessor.
    n.role = n.self
      ? 'self'
      : n.successor === 0
        ? 'successor'
        : n.predecessor === 0
          ? 'predecessor'
          : n.successor > 0
            ? 'successor'
            : n.predecessor > 0
              ? 'predecessor'
              : n.finger
                ? 'finger'
                : 'other';
  }
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The key range of each node (by id): from the previous node in ring order to the node; this
 * tab's own range starts at its predecessor when it has one. `exact` when the previous node is
 * known to be the node's predecessor: consecutive in predecessors (farthest first), self,
 * successors.
 */
export function keyRanges(view: DhtRingView, nodes: RingNode[]): Map<string, KeyRange> {
  const out = new Map<string, KeyRange>();
  if (nodes.length === 0) return out;
  const selfId = view.self?.id;
  const chain: string[] = [
    ...[...(view.predecessors ?? [])].reverse().map((r) => r.id),
    ...(view.predecessor && view.predecessor.id !== view.predecessors?.[0]?.id ? [view.predecessor.id] : []),
    ...(selfId ? [selfId] : []),
    ...(view.successors ?? []).map((r) => r.id),
  ];
  const truePred = new Map<string, string>();
  for (let i = 1; i < chain.length; i++) if (chain[i] !== chain[i - 1]) truePred.set(chain[i]!, chain[i - 1]!);
  if (selfId && view.predecessor) truePred.set(selfId, view.predecessor.id);
  const known = new Set(nodes.map((n) => n.id));
  nodes.forEach((n, i) => {
    const to = idAngle(n.id);
    if (nodes.length === 1) {
      out.set(n.id, { from: to, to, full: true, exact: n.self && (view.successors ?? []).length === 0 });
      return;
    }
    let prev = nodes[(i - 1 + nodes.length) % nodes.length]!.id;
    const tp = truePred.get(n.id);
    if (n.self && tp && known.has(tp)) prev = tp;
    out.set(n.id, { from: idAngle(prev), to, full: false, exact: tp === prev });
  });
  return out;
}

/**
 * Angles (degrees, in ring order) moved as little as possible (least squares) so that any two
 * neighbours are at least `minSep` apart; the order is kept. The circle is cut at its widest
 * gap; when the nodes need the whole circle they are spaced evenly. Results in [0, 360).
 */
export function spreadAngles(angles: readonly number[], minSep: number): number[] {
  const n = angles.length;
  if (n < 2 || !(minSep > 0)) return angles.map((a) => ((a % 360) + 360) % 360);
  const sep = Math.min(minSep, 360 / n);
  let cut = 0;
  let widest = -Infinity;
  for (let i = 0; i < n; i++) {
    const gap = i === 0 ? angles[0]! + 360 - angles[n - 1]! : angles[i]! - angles[i - 1]!;
    if (gap > widest) {
      widest = gap;
      cut = i;
    }
  }
  const order = Array.from({ length: n }, (_, k) => (cut + k) % n);
  const line = order.map((i) => angles[i]! + (i < cut ? 360 : 0));
  // Pool adjacent violators on b_k = line_k - k·sep: the closest non-decreasing sequence.
  const blocks: { sum: number; count: number }[] = [];
  line.forEach((a, k) => {
    blocks.push({ sum: a - k * sep, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const before = blocks[blocks.length - 2]!;
      if (before.sum / before.count <= last.sum / last.count) break;
      before.sum += last.sum;
      before.count += last.count;
      blocks.pop();
    }
  });
  let placed: number[] = [];
  let k = 0;
  for (const b of blocks) for (let j = 0; j < b.count; j++, k++) placed.push(b.sum / b.count + k * sep);
  if (placed[n - 1]! - placed[0]! > 360 - sep + 1e-9) {
    // Not enough room: even spacing, shifted to stay nearest the true angles.
    const even = 360 / n;
    const shift = line.reduce((s, a, j) => s + a - j * even, 0) / n;
    placed = line.map((_, j) => shift + j * even);
  }
  const out = new Array<number>(n);
  order.forEach((i, j) => (out[i] = ((placed[j]! % 360) + 360) % 360));
  return out;
}

export interface LabelItem {
  /** Key of the label in the result. */
  key: string;
  text: string;
  /** Angle the item is drawn at, and its circle. */
  angle: number;
  x: number;
  y: number;
  r: number;
  /** Placed even when every place overlaps something (this tab's label). */
  must?: boolean;
}

/**
 * Labels for ring items, in priority order (first placed first): just outside the ring along
 * the item's angle; when that place is taken, a little further out or a few degrees aside (with
 * a leader line back to the circle), and last inside the ring. A label never overlaps another
 * label, a circle or the edge of the drawing; one that cannot be placed is left out, unless it
 * is a `must`: then it takes the first place inside the drawing.
 */
export function placeRingLabels(
  items: LabelItem[],
  circles: Circle[],
  geom: { cx: number; cy: number; radius: number; width: number; height: number },
  fontSize = 10,
): Map<string, RingLabel> {
  const out = new Map<string, RingLabel>();
  const placed: Box[] = [];
  const step = fontSize * 1.25;
  const gap = 3;
  type Cand = { label: RingLabel; cost: number };
  for (const it of items) {
    const tw = labelWidth(it.text, fontSize);
    const cands: Cand[] = [];
    for (const side of ['out', 'in'] as const) {
      for (let level = 0; level < (side === 'out' ? 3 : 2); level++) {
        for (const aside of [0, 5, -5, 10, -10, 16, -16, 24, -24]) {
          if (side === 'in' && Math.abs(aside) > 10) continue;
          const sign = side === 'out' ? 1 : -1;
          const deg = it.angle + aside;
          const dist = geom.radius + sign * (it.r + gap + level * step);
          const p = ringPoint(geom.cx, geom.cy, dist, deg);
          // The direction the label grows in: away from the ring (outward, or inward inside it).
          const a = (deg * Math.PI) / 180;
          const ux = sign * Math.sin(a);
          const uy = -sign * Math.cos(a);
          const x0 = p.x - (tw * (1 - ux)) / 2;
          const base = p.y + fontSize * (0.275 + 0.525 * uy);
          const box: Box = { x0: x0 - 1, y0: base - fontSize * 0.8 - 1, x1: x0 + tw + 1, y1: base + fontSize * 0.25 + 1 };
          const anchor = ux > 0.35 ? 'start' : ux < -0.35 ? 'end' : 'middle';
          const x = anchor === 'start' ? x0 : anchor === 'end' ? x0 + tw : x0 + tw / 2;
          const moved = aside !== 0 || level > 0;
          let leader: [Point, Point] | null = null;
          if (moved) {
            const d = Math.hypot(p.x - it.x, p.y - it.y) || 1;
            leader = [{ x: it.x + ((p.x - it.x) / d) * it.r, y: it.y + ((p.y - it.y) / d) * it.r }, p];
          }
          cands.push({ label: { x, y: base, anchor, box, leader }, cost: (side === 'in' ? 4 : 0) + level + Math.abs(aside) / 6 });
        }
      }
    }
    cands.sort((a, b) => a.cost - b.cost);
    const inside = cands.filter(({ label: { box } }) => box.x0 >= 0 && box.y0 >= 0 && box.x1 <= geom.width && box.y1 <= geom.height);
    const leaderClear = (l: RingLabel) => !l.leader || !circles.some((c) => (c.x !== it.x || c.y !== it.y) && Math.hypot(c.x - l.leader![1].x, c.y - l.leader![1].y) < c.r);
    let best = inside.find(
      ({ label }) => !placed.some((b) => boxesOverlap(b, label.box)) && !circles.some((c) => circleHitsBox(c, label.box, 1)) && leaderClear(label),
    );
    if (!best && it.must) best = inside[0];
    if (!best) continue;
    placed.push(best.label.box);
    out.set(it.key, best.label);
  }
  return out;
}

/**
 * The whole drawing for `view` in width × height (CSS px): the ring's centre and radius, each
 * node's circle and key range, the labels, and a marker for a key (`marker.id`, its ring id).
 */
export function layoutRing(
  view: DhtRingView,
  width: number,
  height: number,
  opts: { fontSize?: number; labelOf?: (n: RingNode) => string; marker?: { id: string; text: string } | null } = {},
): RingLayout {
  const w = Math.max(120, Number.isFinite(width) ? width : 420);
  const h = Math.max(120, Number.isFinite(height) ? height : 340);
  const fontSize = opts.fontSize ?? 10;
  const cx = w / 2;
  const cy = h / 2;
  const radius = Math.max(24, Math.min(cx - Math.min(MARGIN_X, w * 0.18), cy - Math.min(MARGIN_Y, h * 0.12)));
  const base = ringNodes(view);
  const ranges = keyRanges(view, base);
  const angles = base.map((n) => idAngle(n.id));
  const minSep = (((RING_SELF_RADIUS + RING_NODE_RADIUS + NODE_GAP) / radius) * 180) / Math.PI;
  const shown = spreadAngles(angles, minSep);
  const nodes: LaidNode[] = base.map((n, i) => {
    const p = ringPoint(cx, cy, radius, shown[i]!);
    return { ...n, angle: angles[i]!, shown: shown[i]!, x: p.x, y: p.y, r: n.self ? RING_SELF_RADIUS : RING_NODE_RADIUS, range: ranges.get(n.id)! };
  });
  const self = nodes.find((n) => n.self) ?? null;

  let marker: RingMarker | null = null;
  if (opts.marker && HEX13.test(opts.marker.id)) {
    const angle = idAngle(opts.marker.id);
    const p = ringPoint(cx, cy, radius, angle);
    marker = { id: opts.marker.id, text: opts.marker.text, angle, x: p.x, y: p.y };
  }

  const circles: Circle[] = nodes.map((n) => ({ x: n.x, y: n.y, r: n.r + (n.self ? 3 : 0) }));
  const labelOf = opts.labelOf ?? ((n: RingNode) => (n.self ? `${n.peer.slice(0, 6)} (you)` : n.peer.slice(0, 6)));
  const items: LabelItem[] = [...nodes]
    .sort((a, b) => labelRank(a) - labelRank(b) || (a.id < b.id ? -1 : 1))
    .map((n) => ({ key: n.peer, text: labelOf(n), angle: n.shown, x: n.x, y: n.y, r: n.r + (n.self ? 3 : 0), must: n.self }));
  if (marker) {
    items.splice(self ? 1 : 0, 0, { key: MARKER_LABEL, text: marker.text, angle: marker.angle, x: marker.x, y: marker.y, r: MARKER_RADIUS });
  }
  const labels = placeRingLabels(items, circles, { cx, cy, radius, width: w, height: h }, fontSize);
  return { width: w, height: h, cx, cy, radius, nodes, self, labels, marker };
}
