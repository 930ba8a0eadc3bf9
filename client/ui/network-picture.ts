/**
 * What the network card draws, from an overlay snapshot and the card's width: pure, no DOM.
 * Every node with its place, circle, file count, label (or none, when there is no room) and
 * tooltip; every edge with its path and tooltip; each node's neighbours (for the hover focus);
 * which legend entries the drawing needs; and the note under it. `sameSnapshot` says whether a
 * new snapshot would draw the same picture as the last one.
 */
import type { OverlayEdgeView, OverlaySnapshot } from '../api';
import type { OverlayRole } from '../../protocol/overlay';
import { plural } from './dom';
import type { Point } from './geometry';
import { layoutOverlay, NODE_RADIUS, overlayEdges, overlayNodes, placeLabels, type LabelBox, type LayoutNode } from './overlay-layout';
import { r1 } from './svg';

export const LABEL_FONT = 10;

export type EdgeKind = 'gnutella' | 'leaf-super' | 'super-super';

export interface PictureNode {
  id: string;
  role: OverlayRole;
  self: boolean;
  /** Centre, rounded to 0.1 px; the circle's radius. */
  x: number;
  y: number;
  r: number;
  /** The file count as written in the circle ('?' when unknown, '99+' past 99), its font size and baseline. */
  files: string;
  filesSize: number;
  filesY: number;
  /** The label beside the circle (rounded), or null when it was left out for room. */
  label: (LabelBox & { text: string }) | null;
  /** Tooltip: id, role, files, links drawn. */
  tip: string;
}

export interface PictureEdge {
  /** Unique in the picture: overlay and both ends. */
  key: string;
  a: string;
  b: string;
  overlay: OverlayEdgeView['overlay'];
  kind: EdgeKind;
  /** SVG path: a line (super-peer tier), an arc (Gnutella), so that a pair with both shows both. */
  d: string;
  title: string;
}

export interface NetworkPicture {
  width: number;
  height: number;
  /** In drawing order: super-peers last, so they are on top. */
  nodes: PictureNode[];
  edges: PictureEdge[];
  /** Each node's neighbours in the drawing (either overlay). */
  neighbours: ReadonlyMap<string, ReadonlySet<string>>;
  /** Ids of the nodes whose label was left out. */
  hiddenLabels: string[];
  /** Roles and edge kinds drawn: the legend names only those (and always this tab and the file counts). */
  shown: ReadonlySet<string>;
  /** The line under the drawing, or null when there is nothing to say. */
  note: string | null;
  ariaLabel: string;
}

const ROLE_NAME: Record<OverlayRole, string> = { super: 'super-peer', leaf: 'leaf', peer: 'peer' };
const BEND = 0.12;

export const short6 = (id: string): string => id.slice(0, 6);

/** The drawing's height for a card `width` px wide. */
export function drawingHeight(width: number): number {
  return Math.round(Math.min(440, Math.max(260, width * 0.56)));
}

/** Control point of a Gnutella edge's arc (the super-peer tier's edges are straight, so both show when a pair has both). */
function bendOf(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2 - (b.y - a.y) * BEND, y: (a.y + b.y) / 2 + (b.x - a.x) * BEND };
}

function edgePath(a: Point, b: Point, curved: boolean): string {
  if (!curved) return `M${r1(a.x)},${r1(a.y)} L${r1(b.x)},${r1(b.y)}`;
  const c = bendOf(a, b);
  return `M${r1(a.x)},${r1(a.y)} Q${r1(c.x)},${r1(c.y)} ${r1(b.x)},${r1(b.y)}`;
}

/** An edge as a polyline (the arc as four segments), for keeping labels off it. */
function edgeLine(a: Point, b: Point, curved: boolean): Point[] {
  if (!curved) return [a, b];
  const c = bendOf(a, b);
  const at = (t: number) => ({ x: (1 - t) * (1 - t) * a.x + 2 * t * (1 - t) * c.x + t * t * b.x, y: (1 - t) * (1 - t) * a.y + 2 * t * (1 - t) * c.y + t * t * b.y });
  return [0, 0.25, 0.5, 0.75, 1].map(at);
}

function edgeKind(e: OverlayEdgeView, nodes: Map<string, LayoutNode>): EdgeKind {
  if (e.overlay === 'gnutella') return 'gnutella';
  return nodes.get(e.a)?.role === 'super' && nodes.get(e.b)?.role === 'super' ? 'super-super' : 'leaf-super';
}

const EDGE_NAME: Record<EdgeKind, string> = { gnutella: 'Gnutella link', 'super-super': 'super-peer link', 'leaf-super': 'leaf attached to its super-peer' };

function filesText(n: LayoutNode): string {
  if (n.implied || !Number.isFinite(n.files) || n.files < 0) return '?';
  return n.files > 99 ? '99+' : String(Math.floor(n.files));
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** This tab first, then the super-peers, then the others. */
const rank = (n: LayoutNode) => (n.self ? 0 : n.role === 'super' ? 1 : 2);
const labelText = (n: LayoutNode) => (n.self ? `${short6(n.id)} (you)` : short6(n.id));

/** The picture of `snap` in a card `width` px wide (throws on a snapshot it cannot read). */
export function networkPicture(snap: OverlaySnapshot, width: number): NetworkPicture {
  const w = width;
  const h = drawingHeight(width);
  const nodes = overlayNodes(snap);
  const edges = overlayEdges(snap).filter((e) => nodes.has(e.a) && nodes.has(e.b));
  const pos = layoutOverlay(snap, w, h);
  const radius = (id: string) => NODE_RADIUS[nodes.get(id)?.role ?? 'peer'] + (nodes.get(id)?.self ? 4 : 0);

  // Labels: this tab first, then the super-peers, then the others, by id.
  const order = [...nodes.values()].sort((a, b) => rank(a) - rank(b) || byId(a.id, b.id)).map((n) => ({ id: n.id, text: labelText(n), must: n.self }));
  const lines = edges.map((e) => edgeLine(pos.get(e.a)!, pos.get(e.b)!, e.overlay === 'gnutella'));
  const labels = placeLabels(order, pos, radius, w, h, LABEL_FONT, lines);

  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (!neighbours.has(a)) neighbours.set(a, new Set());
    neighbours.get(a)!.add(b);
  };
  const shown = new Set<string>([...nodes.values()].map((n) => n.role));
  const pictureEdges = edges.map((e): PictureEdge => {
    const kind = edgeKind(e, nodes);
    link(e.a, e.b);
    link(e.b, e.a);
    shown.add(kind);
    return {
      key: `${e.overlay} ${e.a} ${e.b}`,
      a: e.a,
      b: e.b,
      overlay: e.overlay,
      kind,
      d: edgePath(pos.get(e.a)!, pos.get(e.b)!, e.overlay === 'gnutella'),
      title: `${EDGE_NAME[kind]}: ${short6(e.a)} – ${short6(e.b)}`,
    };
  });

  // Super-peers last, so that they are drawn on top.
  const drawOrder = [...nodes.values()].sort((a, b) => rank(b) - rank(a) || (a.id < b.id ? -1 : 1));
  const pictureNodes = drawOrder.map((n): PictureNode => {
    const p = pos.get(n.id)!;
    const r = NODE_RADIUS[n.role];
    const files = filesText(n);
    // The number of files, as large as fits in the circle (monospace: 0.6 em per character).
    const fs = Math.min(12, r * 1.15, (2 * r - 2) / (0.6 * files.length));
    const lab = labels.get(n.id);
    return {
      id: n.id,
      role: n.role,
      self: n.self,
      x: r1(p.x),
      y: r1(p.y),
      r,
      files,
      filesSize: r1(fs),
      filesY: r1(p.y + fs * 0.36),
      label: lab ? { x: r1(lab.x), y: r1(lab.y), anchor: lab.anchor, text: labelText(n) } : null,
      tip:
        `${n.id}\n${n.self ? 'this tab · ' : ''}${ROLE_NAME[n.role]}` +
        `\n${files === '?' ? 'files shared: unknown' : plural(n.files, 'file') + ' shared'}` +
        `\n${plural(neighbours.get(n.id)?.size ?? 0, 'link')} drawn`,
    };
  });

  const hiddenLabels = order.map((o) => o.id).filter((id) => !labels.has(id));
  const alone = edges.length === 0;
  const note = alone
    ? 'No overlay neighbours yet: this tab is looking for peers.'
    : hiddenLabels.length > 0
      ? `${plural(hiddenLabels.length, 'label')} left out for room: point at a node for its id and role.`
      : null;
  return {
    width: w,
    height: h,
    nodes: pictureNodes,
    edges: pictureEdges,
    neighbours,
    hiddenLabels,
    shown,
    note,
    ariaLabel: `overlay network: ${plural(nodes.size, 'peer')}, ${plural(edges.length, 'link')}`,
  };
}

/** Same length and the same items, by `same`, in the same order (either list may be missing). */
function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}

/**
 * Would `next` draw the same picture as `prev`: the same self, nodes (id, role, files, self),
 * edges and super-peers, in the same order. Either may be undefined (no snapshot).
 */
export function sameSnapshot(prev: OverlaySnapshot | undefined, next: OverlaySnapshot | undefined): boolean {
  if (prev === next) return true;
  if (!prev || !next || prev.self !== next.self) return false;
  return (
    sameList(prev.nodes, next.nodes, (x, y) => x === y || (!!x && !!y && x.id === y.id && x.role === y.role && Object.is(x.files, y.files) && x.self === y.self)) &&
    sameList(prev.edges, next.edges, (x, y) => x === y || (!!x && !!y && x.a === y.a && x.b === y.b && x.overlay === y.overlay)) &&
    sameList(prev.supers, next.supers, (x, y) => x === y)
  );
}
