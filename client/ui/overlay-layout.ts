/**
 * Where the network view draws each peer: pure geometry, no DOM. Super-peers sit on an inner
 * ring (one super-peer: the centre); each super-peer's leaves fan out in its own sector of an
 * outer ring, and the remaining peers (the flat Gnutella overlay, leaves without a super-peer)
 * share the outer ring after them. The outer ring is an ellipse that fills the drawing; when
 * its nodes would touch it splits into staggered rows. Everything is ordered by id, so the same
 * snapshot always gives the same picture. Labels are placed afterwards, where they collide with
 * no node and no other label, or not at all (the node keeps its tooltip).
 */
import type { OverlayEdgeView, OverlayNodeView, OverlaySnapshot } from '../api';
import type { OverlayRole } from '../../protocol/overlay';
import { boxesOverlap, circleHitsBox, labelWidth, type Point } from './geometry';

/** A node of the drawing: the snapshot's node, or one only an edge or the super list named. */
export interface LayoutNode extends OverlayNodeView {
  /** Not in `snapshot.nodes`: known only as an edge's end or an elected super-peer (files unknown). */
  implied: boolean;
}

/** Radius of a node's circle, by role (CSS px). */
export const NODE_RADIUS: Readonly<Record<OverlayRole, number>> = { super: 14, peer: 9.5, leaf: 8 };

/** Gap kept between two circles, and between two rows of the outer ring. */
const NODE_GAP = 6;
const ROW_GAP = 24;
/** Empty slots between two sectors of the outer ring. */
const SECTOR_GAP = 1;

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The snapshot's nodes by id, completed with the peers its edges and super list name but its
 * node list lacks (role `super` when elected, else `peer`). A node whose role is unknown
 * (`peer`) but that the edge elected is drawn as a super-peer.
 */
export function overlayNodes(snapshot: OverlaySnapshot): Map<string, LayoutNode> {
  const supers = new Set(snapshot.supers ?? []);
  const nodes = new Map<string, LayoutNode>();
  for (const n of snapshot.nodes ?? []) {
    if (!n || typeof n.id !== 'string' || !n.id || nodes.has(n.id)) continue;
    const role: OverlayRole = n.role === 'super' || n.role === 'leaf' ? n.role : supers.has(n.id) ? 'super' : 'peer';
    nodes.set(n.id, { ...n, role, self: n.self || n.id === snapshot.self, implied: false });
  }
  const imply = (id: string) => {
    if (!id || nodes.has(id)) return;
    nodes.set(id, { id, role: supers.has(id) ? 'super' : 'peer', files: 0, self: id === snapshot.self, implied: true });
  };
  if (snapshot.self) imply(snapshot.self);
  for (const e of snapshot.edges ?? []) {
    imply(e.a);
    imply(e.b);
  }
  for (const id of supers) imply(id);
  return nodes;
}

/** The snapshot's edges without self-loops and duplicates (a-b and b-a are one edge per overlay), sorted. */
export function overlayEdges(snapshot: OverlaySnapshot): OverlayEdgeView[] {
  const seen = new Map<string, OverlayEdgeView>();
  for (const e of snapshot.edges ?? []) {
    if (!e || !e.a || !e.b || e.a === e.b) continue;
    const [a, b] = e.a < e.b ? [e.a, e.b] : [e.b, e.a];
    const overlay = e.overlay === 'superpeer' ? 'superpeer' : 'gnutella';
    const key = `${overlay} ${a} ${b}`;
    if (!seen.has(key)) seen.set(key, { a, b, overlay });
  }
  return [...seen.entries()].sort(([x], [y]) => byId(x, y)).map(([, e]) => e);
}

/**
 * The two-tier structure: super-peers (sorted), each one's leaves (a `leaf` joined to it by a
 * `superpeer` edge; a leaf joined to several goes with the first by id), and the other peers.
 */
export function overlayGroups(snapshot: OverlaySnapshot): { supers: string[]; leavesOf: Map<string, string[]>; others: string[] } {
  const nodes = overlayNodes(snapshot);
  const supers = [...nodes.values()].filter((n) => n.role === 'super').map((n) => n.id).sort(byId);
  const superOf = new Map<string, string>();
  for (const e of overlayEdges(snapshot)) {
    if (e.overlay !== 'superpeer') continue;
    for (const [leaf, sup] of [
      [e.a, e.b],
      [e.b, e.a],
    ] as const) {
      if (nodes.get(leaf)?.role !== 'leaf' || nodes.get(sup)?.role !== 'super') continue;
      const had = superOf.get(leaf);
      if (had === undefined || sup < had) superOf.set(leaf, sup);
    }
  }
  const leavesOf = new Map<string, string[]>(supers.map((s) => [s, []]));
  const others: string[] = [];
  for (const id of [...nodes.keys()].sort(byId)) {
    const node = nodes.get(id)!;
    if (node.role === 'super') continue;
    const sup = superOf.get(id);
    if (sup !== undefined) leavesOf.get(sup)!.push(id);
    else others.push(id);
  }
  return { supers, leavesOf, others };
}

/** Point on an ellipse centred in the drawing; angle 0 is the top, clockwise. */
function onEllipse(cx: number, cy: number, rx: number, ry: number, angle: number): Point {
  return { x: cx + rx * Math.sin(angle), y: cy - ry * Math.cos(angle) };
}

/**
 * Positions (CSS px, inside width × height) of every node of the snapshot, edge ends and
 * elected super-peers included.
 */
export function layoutOverlay(snapshot: OverlaySnapshot, width: number, height: number): Map<string, Point> {
  const w = Math.max(120, Number.isFinite(width) ? width : 640);
  const h = Math.max(120, Number.isFinite(height) ? height : 420);
  const nodes = overlayNodes(snapshot);
  const { supers, leavesOf, others } = overlayGroups(snapshot);
  const pos = new Map<string, Point>();
  const cx = w / 2;
  const cy = h / 2;
  // Room at the sides and above/below for the labels of the outer ring.
  const mx = Math.min(64, Math.max(NODE_RADIUS.super + 8, w * 0.09));
  const my = Math.min(30, Math.max(NODE_RADIUS.super + 6, h * 0.07));
  const rx = Math.max(20, cx - mx);
  const ry = Math.max(20, cy - my);

  // The outer ring: one sector per super-peer with leaves, then one for the others.
  const sectors: { sup: string | null; ids: string[] }[] = [
    ...supers.map((s) => ({ sup: s, ids: leavesOf.get(s) ?? [] })),
    ...(others.length ? [{ sup: null, ids: others }] : []),
  ];
  const outerCount = sectors.reduce((n, s) => n + s.ids.length, 0);
  const total = nodes.size;

  if (total === 0) return pos;
  if (total === 1) {
    const only = [...nodes.keys()][0]!;
    pos.set(only, { x: cx, y: cy });
    return pos;
  }

  // Inner ring of super-peers: the centre for one, else an ellipse inside the outer rows.
  const superGap = 2 * NODE_RADIUS.super + NODE_GAP + 4;
  const k = supers.length;
  let rowsGuess = 1;
  let innerRy = 0;
  let innerRx = 0;
  // Each super-peer's sector must be wide enough for it to keep clear of its neighbours on the
  // inner ring; a sector of leaves gets its share of the circle by its number of leaves.
  const innerFor = (rows: number) => {
    const outRy = ry - (rows - 1) * ROW_GAP;
    const outRx = rx - (rows - 1) * ROW_GAP;
    const want = (k * superGap) / (2 * Math.PI);
    const iy = Math.min(outRy * 0.62, Math.max(outRy * 0.42, want));
    return { iy, ix: Math.min(outRx * 0.62, iy * (outRx / outRy)) };
  };
  // One sector (a flat overlay, or one super-peer's leaves): evenly round the ring, no gap.
  const gap = sectors.length > 1 ? SECTOR_GAP : 0;
  const widths = (unit: number, minSuper: number) =>
    sectors.map((s) => (s.ids.length + gap) * unit).map((a, i) => (sectors[i]!.sup ? Math.max(a, minSuper) : a));
  let unit = 0;
  let sectorWidths: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    ({ iy: innerRy, ix: innerRx } = innerFor(rowsGuess));
    const minSuper = k > 1 ? Math.min((2 * Math.PI) / sectors.length, superGap / Math.max(1, innerRy)) : 0;
    // The largest unit angle for which the sectors fill at most the full circle.
    let lo = 0;
    let hi = (2 * Math.PI) / Math.max(1, outerCount);
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (widths(mid, minSuper).reduce((a, b) => a + b, 0) <= 2 * Math.PI) lo = mid;
      else hi = mid;
    }
    unit = lo;
    sectorWidths = widths(unit, minSuper);
    // Spread any slack evenly between the sectors.
    const slack = 2 * Math.PI - sectorWidths.reduce((a, b) => a + b, 0);
    sectorWidths = sectorWidths.map((a) => a + slack / sectorWidths.length);
    // Rows: enough that two nodes of the same row are a circle's width apart (worst case: the
    // ends of the ellipse's long axis, where an angle covers the least distance).
    const outerR = Math.max(...sectors.flatMap((s) => s.ids.map((id) => NODE_RADIUS[nodes.get(id)!.role])), NODE_RADIUS.leaf);
    const need = 2 * outerR + NODE_GAP;
    let rows = 1;
    while (rows < 4 && (ry - (rows - 1) * ROW_GAP) * unit * rows < need) rows++;
    if (rows === rowsGuess) break;
    rowsGuess = rows;
  }
  const rows = rowsGuess;

  let start = 0;
  sectors.forEach((s, i) => {
    const span = sectorWidths[i]!;
    const n = s.ids.length;
    // The sector's nodes, centred in it; a super-peer sits on the inner ring at its middle.
    const first = start + (span - n * unit) / 2;
    s.ids.forEach((id, j) => {
      const row = n > 1 ? j % rows : 0;
      const angle = first + (j + 0.5) * unit;
      pos.set(id, onEllipse(cx, cy, rx - row * ROW_GAP, ry - row * ROW_GAP, angle));
    });
    if (s.sup) pos.set(s.sup, k === 1 ? { x: cx, y: cy } : onEllipse(cx, cy, innerRx, innerRy, start + span / 2));
    start += span;
  });
  // Super-peers with no outer ring at all (only super-peers in the room).
  if (outerCount === 0 && k > 1) supers.forEach((s, i) => pos.set(s, onEllipse(cx, cy, rx * 0.7, ry * 0.7, (2 * Math.PI * i) / k)));

  separate(pos, nodes, w, h);
  return pos;
}

/**
 * Push apart any two circles that still touch (only crowded drawings get here), a few
 * deterministic rounds, keeping every node inside the drawing.
 */
function separate(pos: Map<string, Point>, nodes: Map<string, LayoutNode>, w: number, h: number): void {
  const ids = [...pos.keys()].sort(byId);
  const r = (id: string) => NODE_RADIUS[nodes.get(id)?.role ?? 'peer'];
  const clamp = (id: string, p: Point) => {
    const m = r(id) + 1;
    p.x = Math.min(w - m, Math.max(m, p.x));
    p.y = Math.min(h - m, Math.max(m, p.y));
  };
  for (const id of ids) clamp(id, pos.get(id)!);
  for (let round = 0; round < 60; round++) {
    let moved = false;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = pos.get(ids[i]!)!;
        const b = pos.get(ids[j]!)!;
        const need = r(ids[i]!) + r(ids[j]!) + 2;
        let dx = b.x - a.x;
        let dy = b.y - a.y;
        let d = Math.hypot(dx, dy);
        if (d >= need) continue;
        if (d < 1e-6) {
          // Same spot: split along a direction fixed by the pair's indices.
          const t = (i * 7 + j * 13) % 360;
          dx = Math.cos((t * Math.PI) / 180);
          dy = Math.sin((t * Math.PI) / 180);
          d = 1;
        }
        const push = (need - d) / 2 + 0.5;
        a.x -= (dx / d) * push;
        a.y -= (dy / d) * push;
        b.x += (dx / d) * push;
        b.y += (dy / d) * push;
        clamp(ids[i]!, a);
        clamp(ids[j]!, b);
        moved = true;
      }
    }
    if (!moved) break;
  }
}

export interface LabelBox {
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
}

/**
 * Where to write each node's label: just outside its circle, away from the centre when there is
 * room, else below, above, right or left, preferring a place no line of `lines` (the edges, as
 * polylines) crosses; a label that would overlap a circle, another label or the edge of the
 * drawing is left out, unless it is a `must` (this tab's): then it goes to the first place inside
 * the drawing. `order` gives the priority (first placed first).
 */
export function placeLabels(
  order: { id: string; text: string; must?: boolean }[],
  pos: Map<string, Point>,
  radius: (id: string) => number,
  width: number,
  height: number,
  fontSize = 10,
  lines: Point[][] = [],
): Map<string, LabelBox> {
  const out = new Map<string, LabelBox>();
  const boxes: { x0: number; y0: number; x1: number; y1: number }[] = [];
  const circles = [...pos.entries()].map(([id, p]) => ({ id, x: p.x, y: p.y, r: radius(id) }));
  const cx = width / 2;
  const cy = height / 2;
  for (const { id, text, must } of order) {
    const p = pos.get(id);
    if (!p) continue;
    const r = radius(id);
    const tw = labelWidth(text, fontSize);
    const dx = p.x - cx;
    const dy = p.y - cy;
    const d = Math.hypot(dx, dy);
    const ux = d < 1 ? 0 : dx / d;
    const uy = d < 1 ? 1 : dy / d;
    const gap = 3;
    const candidates: LabelBox[] = [];
    const outward: LabelBox = {
      x: p.x + ux * (r + gap),
      y: p.y + uy * (r + gap) + (uy > 0.5 ? fontSize * 0.8 : uy < -0.5 ? -1 : fontSize * 0.35),
      anchor: Math.abs(ux) < 0.45 ? 'middle' : ux > 0 ? 'start' : 'end',
    };
    candidates.push(outward);
    candidates.push({ x: p.x, y: p.y + r + gap + fontSize * 0.8, anchor: 'middle' });
    candidates.push({ x: p.x, y: p.y - r - gap - 1, anchor: 'middle' });
    candidates.push({ x: p.x + r + gap, y: p.y + fontSize * 0.35, anchor: 'start' });
    candidates.push({ x: p.x - r - gap, y: p.y + fontSize * 0.35, anchor: 'end' });
    // Diagonals, off the corners of the circle.
    const dg = (r + gap) * 0.75;
    candidates.push({ x: p.x + dg, y: p.y - dg - 1, anchor: 'start' });
    candidates.push({ x: p.x + dg, y: p.y + dg + fontSize * 0.8, anchor: 'start' });
    candidates.push({ x: p.x - dg, y: p.y - dg - 1, anchor: 'end' });
    candidates.push({ x: p.x - dg, y: p.y + dg + fontSize * 0.8, anchor: 'end' });
    const inside = candidates
      .map((c) => {
        const x0 = c.anchor === 'start' ? c.x : c.anchor === 'end' ? c.x - tw : c.x - tw / 2;
        return { c, box: { x0: x0 - 1, y0: c.y - fontSize * 0.8 - 1, x1: x0 + tw + 1, y1: c.y + fontSize * 0.25 + 1 } };
      })
      .filter(({ box }) => box.x0 >= 0 && box.y0 >= 0 && box.x1 <= width && box.y1 <= height);
    const fits = inside.filter(({ box }) => {
      if (boxes.some((b) => boxesOverlap(b, box))) return false;
      return !circles.some((k) => k.id !== id && circleHitsBox(k, box, 0.5));
    });
    if (fits.length === 0 && must && inside[0]) fits.push(inside[0]);
    // The first place that no line crosses, else the one fewest lines cross.
    let best: (typeof fits)[number] | undefined;
    let fewest = Infinity;
    for (const f of fits) {
      const n = lines.reduce((k, line) => k + (lineHitsBox(line, f.box) ? 1 : 0), 0);
      if (n < fewest) {
        best = f;
        fewest = n;
      }
      if (n === 0) break;
    }
    if (!best) continue;
    boxes.push(best.box);
    out.set(id, best.c);
  }
  return out;
}

type Box = { x0: number; y0: number; x1: number; y1: number };

/** Does the polyline cross (or run inside) the box? */
function lineHitsBox(line: Point[], b: Box): boolean {
  for (let i = 1; i < line.length; i++) if (segmentHitsBox(line[i - 1]!, line[i]!, b)) return true;
  return false;
}

/** Liang–Barsky clipping: does the segment p–q meet the box? */
function segmentHitsBox(p: Point, q: Point, b: Box): boolean {
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  let t0 = 0;
  let t1 = 1;
  for (const [den, num] of [
    [-dx, p.x - b.x0],
    [dx, b.x1 - p.x],
    [-dy, p.y - b.y0],
    [dy, b.y1 - p.y],
  ] as const) {
    if (den === 0) {
      if (num < 0) return false;
      continue;
    }
    const t = num / den;
    if (den < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
  }
  return t0 <= t1;
}

