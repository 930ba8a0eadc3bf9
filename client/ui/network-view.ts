/**
 * The network card: an SVG drawing of the Gnutella overlay and the super-peer tier as this tab
 * knows them (`p2p.overlay.snapshot()`), a legend, and this tab's figures in both overlays.
 * Redrawn on the overlay's `change` event (at most every 500 ms) and once a second anyway; the
 * drawing is rebuilt only when the snapshot or the card's size changed, so tooltips stay put.
 *
 * Test ids: `network-view` (the card), `network-svg`, `network-node-<id>` (one <g> per peer,
 * with `data-role` super/leaf/peer and `data-self`), `network-edge` (one per edge, with
 * `data-overlay` gnutella/superpeer, `data-a`, `data-b`), `network-empty`, `network-legend`,
 * `network-count`, `network-role` (`data-role` super/leaf/none), `network-stats-gnutella`,
 * `network-stats-superpeer`.
 */
import type { OverlayApi, OverlayEdgeView, OverlaySnapshot, OverlayStats, P2P } from '../api';
import type { OverlayRole } from '../../protocol/overlay';
import { r1, safe, svg } from './svg';
import { makeCard, el, plural } from './dom';
import type { Point } from './geometry';
import { layoutOverlay, NODE_RADIUS, overlayEdges, overlayNodes, placeLabels, type LayoutNode } from './overlay-layout';
import { pageClock, type Clock } from './clock';

const MIN_REDRAW_MS = 500;
const LABEL_FONT = 10;

const ROLE_NAME: Record<OverlayRole, string> = { super: 'super-peer', leaf: 'leaf', peer: 'peer' };

const short6 = (id: string) => id.slice(0, 6);

/** The overlay of `p2p`, or null while the engine is not there (older build, or not started). */
function overlayOf(p2p: P2P): OverlayApi | null {
  const ov = (p2p as { overlay?: OverlayApi | null }).overlay;
  return ov && typeof ov.snapshot === 'function' ? ov : null;
}

const BEND = 0.12;

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

function edgeKind(e: OverlayEdgeView, nodes: Map<string, LayoutNode>): 'gnutella' | 'leaf-super' | 'super-super' {
  if (e.overlay === 'gnutella') return 'gnutella';
  return nodes.get(e.a)?.role === 'super' && nodes.get(e.b)?.role === 'super' ? 'super-super' : 'leaf-super';
}

function filesText(n: LayoutNode): string {
  if (n.implied || !Number.isFinite(n.files) || n.files < 0) return '?';
  return n.files > 99 ? '99+' : String(Math.floor(n.files));
}

function legendItem(kind: string, text: string): HTMLLIElement {
  const icon = svg('svg', { width: 22, height: 14, viewBox: '0 0 22 14', 'aria-hidden': 'true', class: 'net-legend-icon' });
  switch (kind) {
    case 'super':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 6.5, class: 'net-circle role-super' }));
      break;
    case 'leaf':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 4, class: 'net-circle role-leaf' }));
      break;
    case 'peer':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 5, class: 'net-circle role-peer' }));
      break;
    case 'self':
      icon.append(svg('circle', { cx: 11, cy: 7, r: 6, class: 'net-self-ring' }), svg('circle', { cx: 11, cy: 7, r: 3.5, class: 'net-circle role-peer' }));
      break;
    default:
      icon.append(svg('path', { d: kind === 'gnutella' ? 'M1,9 Q11,1 21,9' : 'M1,7 L21,7', class: `net-edge kind-${kind}` }));
  }
  return el('li', { 'data-kind': kind }, icon, text);
}

function sumDropped(s: OverlayStats | undefined): number {
  if (!s?.dropped) return 0;
  return Object.values(s.dropped).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

function statsLine(testId: string, title: string, lead: HTMLElement | null, s: OverlayStats | undefined): HTMLElement {
  const line = el('p', { class: 'net-stats', 'data-testid': testId }, el('strong', {}, title));
  if (lead) line.append(lead);
  if (!s) {
    line.append(el('span', { class: 'muted' }, 'not running'));
    return line;
  }
  const dropped = sumDropped(s);
  const droppedTitle = Object.entries(s.dropped ?? {})
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${why}: ${n}`)
    .join(' · ');
  const fig = (n: number, label: string, attrs: Record<string, string> = {}) =>
    el('span', { class: 'fig', ...attrs }, el('b', {}, String(n)), ` ${label}`);
  line.append(
    fig(s.neighbours, s.neighbours === 1 ? 'neighbour' : 'neighbours', { 'data-fig': 'neighbours' }),
    fig(s.received, 'received', { 'data-fig': 'received' }),
    fig(s.forwarded, 'forwarded', { 'data-fig': 'forwarded' }),
    fig(s.answered, 'answered', { 'data-fig': 'answered' }),
    fig(dropped, 'dropped', { 'data-fig': 'dropped', title: droppedTitle || 'nothing dropped' }),
    fig(s.badMessages, 'bad', { 'data-fig': 'bad', title: 'messages that failed to parse (dropped, never forwarded)', class: s.badMessages ? 'fig warn-text' : 'fig' }),
  );
  return line;
}

export function createNetworkUI(p2p: P2P, clock: Clock = pageClock()): HTMLElement {
  const count = el('span', { class: 'count', 'data-testid': 'network-count' }, '0');
  const box = el('div', { class: 'net-box' });
  const empty = el('p', { class: 'muted empty', 'data-testid': 'network-empty' }, 'Not connected to the Gnutella or super-peer overlay yet.');
  const note = el('p', { class: 'net-note muted' });
  const figures = el('div', { class: 'net-figures', 'data-testid': 'network-figures' });
  const legend = el(
    'ul',
    { class: 'legend net-legend', 'data-testid': 'network-legend' },
    legendItem('super', 'super-peer'),
    legendItem('leaf', 'leaf'),
    legendItem('peer', 'peer (flat overlay)'),
    legendItem('self', 'this tab'),
    legendItem('gnutella', 'Gnutella link'),
    legendItem('leaf-super', 'leaf – super-peer'),
    legendItem('super-super', 'super-peer – super-peer'),
    el('li', { 'data-kind': 'files' }, el('span', { class: 'net-legend-num' }, '3'), 'files shared'),
  );
  const card = makeCard(
    { id: 'network-card', 'data-testid': 'network-view' },
    ['Overlay network ', count],
    box,
    empty,
    note,
    legend,
    figures,
  );

  let lastKey = '';
  let lastDraw = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  let subscribedTo: OverlayApi | null = null;
  let size = { w: 0, h: 0 };

  function measure(): { w: number; h: number } {
    const w = Math.round(box.clientWidth || 640);
    return { w, h: Math.round(Math.min(440, Math.max(260, w * 0.56))) };
  }

  function subscribe(ov: OverlayApi | null): void {
    if (ov === subscribedTo) return;
    unsubscribe?.();
    unsubscribe = null;
    subscribedTo = ov;
    if (ov && typeof ov.on === 'function') unsubscribe = safe(() => ov.on('change', schedule)) ?? null;
  }

  /** A redraw soon: now if the last one was 500 ms ago, else when that time is up. */
  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      update();
    }, Math.max(0, lastDraw + MIN_REDRAW_MS - Date.now()));
  }

  function update(): void {
    lastDraw = Date.now();
    const ov = overlayOf(p2p);
    subscribe(ov);
    const snap = ov ? safe(() => ov.snapshot()) : undefined;
    renderFigures(ov);
    if (!snap) {
      lastKey = '';
      box.replaceChildren();
      box.hidden = true;
      empty.hidden = false;
      empty.textContent = ov ? 'The overlay has no picture to show yet.' : 'Not connected to the Gnutella or super-peer overlay yet.';
      note.hidden = true;
      legend.hidden = true;
      count.textContent = '0';
      return;
    }
    empty.hidden = true;
    box.hidden = false;
    legend.hidden = false;
    const now = measure();
    const key = JSON.stringify([snap.self, snap.nodes, snap.edges, snap.supers]);
    if (key === lastKey && now.w === size.w && now.h === size.h) return;
    lastKey = key;
    size = now;
    try {
      draw(snap, now.w, now.h);
    } catch (err) {
      // A snapshot the drawing cannot read: say so rather than break the page.
      console.warn('network view: cannot draw the snapshot', err);
      box.hidden = true;
      empty.hidden = false;
      empty.textContent = 'The overlay snapshot could not be drawn (see the console).';
    }
  }

  function draw(snap: OverlaySnapshot, w: number, h: number): void {
    const nodes = overlayNodes(snap);
    const edges = overlayEdges(snap).filter((e) => nodes.has(e.a) && nodes.has(e.b));
    const pos = layoutOverlay(snap, w, h);
    const radius = (id: string) => NODE_RADIUS[nodes.get(id)?.role ?? 'peer'] + (nodes.get(id)?.self ? 4 : 0);
    count.textContent = String(nodes.size);

    // Labels: this tab first, then the super-peers, then the others, by id.
    const rank = (n: LayoutNode) => (n.self ? 0 : n.role === 'super' ? 1 : 2);
    const order = [...nodes.values()]
      .sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((n) => ({ id: n.id, text: n.self ? `${short6(n.id)} (you)` : short6(n.id), must: n.self }));
    const lines = edges.map((e) => edgeLine(pos.get(e.a)!, pos.get(e.b)!, e.overlay === 'gnutella'));
    const labels = placeLabels(order, pos, radius, w, h, LABEL_FONT, lines);

    const neighbours = new Map<string, Set<string>>();
    const link = (a: string, b: string) => {
      if (!neighbours.has(a)) neighbours.set(a, new Set());
      neighbours.get(a)!.add(b);
    };
    const edgeLayer = svg('g', { class: 'net-edges' });
    for (const e of edges) {
      const kind = edgeKind(e, nodes);
      link(e.a, e.b);
      link(e.b, e.a);
      edgeLayer.append(
        svg(
          'path',
          {
            d: edgePath(pos.get(e.a)!, pos.get(e.b)!, e.overlay === 'gnutella'),
            class: `net-edge kind-${kind}`,
            'data-testid': 'network-edge',
            'data-overlay': e.overlay,
            'data-a': e.a,
            'data-b': e.b,
          },
          svg('title', {}, `${kind === 'gnutella' ? 'Gnutella link' : kind === 'super-super' ? 'super-peer link' : 'leaf attached to its super-peer'}: ${short6(e.a)} – ${short6(e.b)}`),
        ),
      );
    }

    const nodeLayer = svg('g', { class: 'net-nodes' });
    // Super-peers last, so that they are drawn on top.
    const drawOrder = [...nodes.values()].sort((a, b) => rank(b) - rank(a) || (a.id < b.id ? -1 : 1));
    for (const n of drawOrder) {
      const p = pos.get(n.id)!;
      const r = NODE_RADIUS[n.role];
      const files = filesText(n);
      const tip =
        `${n.id}\n${n.self ? 'this tab · ' : ''}${ROLE_NAME[n.role]}` +
        `\n${files === '?' ? 'files shared: unknown' : plural(n.files, 'file') + ' shared'}` +
        `\n${plural(neighbours.get(n.id)?.size ?? 0, 'link')} drawn`;
      const g = svg(
        'g',
        {
          class: `net-node role-${n.role}${n.self ? ' self' : ''}`,
          'data-testid': `network-node-${n.id}`,
          'data-id': n.id,
          'data-role': n.role,
          'data-self': String(n.self),
        },
        svg('title', {}, tip),
      );
      // This tab: a dark ring around its circle (the circle keeps its role's colour).
      if (n.self) g.append(svg('circle', { cx: r1(p.x), cy: r1(p.y), r: r + 3, class: 'net-self-ring' }));
      g.append(svg('circle', { cx: r1(p.x), cy: r1(p.y), r, class: `net-circle role-${n.role}` }));
      // The number of files, as large as fits in the circle (monospace: 0.6 em per character).
      const fs = Math.min(12, r * 1.15, (2 * r - 2) / (0.6 * files.length));
      g.append(svg('text', { x: r1(p.x), y: r1(p.y + fs * 0.36), class: 'net-files', 'font-size': r1(fs), 'text-anchor': 'middle' }, files));
      const lab = labels.get(n.id);
      if (lab) {
        g.append(
          svg('text', { x: r1(lab.x), y: r1(lab.y), class: 'net-label', 'text-anchor': lab.anchor, 'font-size': LABEL_FONT }, n.self ? `${short6(n.id)} (you)` : short6(n.id)),
        );
      }
      const focus = () => {
        drawing.classList.add('focus');
        g.classList.add('hot');
        const near = neighbours.get(n.id) ?? new Set<string>();
        for (const other of nodeLayer.querySelectorAll<SVGGElement>('.net-node')) {
          if (near.has(other.dataset.id ?? '')) other.classList.add('hot');
        }
        for (const path of edgeLayer.querySelectorAll<SVGPathElement>('.net-edge')) {
          if (path.dataset.a === n.id || path.dataset.b === n.id) path.classList.add('hot');
        }
      };
      const blur = () => {
        drawing.classList.remove('focus');
        for (const hot of drawing.querySelectorAll('.hot')) hot.classList.remove('hot');
      };
      g.addEventListener('mouseenter', focus);
      g.addEventListener('mouseleave', blur);
      nodeLayer.append(g);
    }

    const drawing = svg(
      'svg',
      {
        class: 'net-svg',
        'data-testid': 'network-svg',
        viewBox: `0 0 ${w} ${h}`,
        width: '100%',
        height: h,
        role: 'img',
        'aria-label': `overlay network: ${plural(nodes.size, 'peer')}, ${plural(edges.length, 'link')}`,
      },
      edgeLayer,
      nodeLayer,
    );
    box.replaceChildren(drawing);
    // The legend names only what the drawing shows (and always this tab and the file counts).
    const shown = new Set<string>([...nodes.values()].map((n) => n.role));
    for (const e of edges) shown.add(edgeKind(e, nodes));
    for (const li of legend.querySelectorAll<HTMLLIElement>('li[data-kind]')) {
      const kind = li.dataset.kind ?? '';
      li.hidden = kind !== 'self' && kind !== 'files' && !shown.has(kind);
    }

    const hidden = nodes.size - labels.size;
    const alone = edges.length === 0;
    note.hidden = !alone && hidden === 0;
    note.textContent = alone
      ? 'No overlay neighbours yet: this tab is looking for peers.'
      : `${plural(hidden, 'label')} left out for room: point at a node for its id and role.`;
  }

  function renderFigures(ov: OverlayApi | null): void {
    if (!ov) {
      figures.replaceChildren(el('p', { class: 'net-stats muted', 'data-testid': 'network-stats-none' }, 'No overlay figures yet.'));
      return;
    }
    const sp = ov.superpeer;
    const role = safe(() => sp.role()) ?? 'none';
    let roleText: string;
    if (role === 'super') {
      const leaves = safe(() => sp.leaves())?.length ?? 0;
      roleText = `super-peer · ${plural(leaves, 'leaf', 'leaves')}`;
    } else if (role === 'leaf') {
      const sup = safe(() => sp.superPeer());
      roleText = sup ? `leaf of ${short6(sup)}` : 'leaf · looking for a super-peer';
    } else {
      roleText = 'no role yet';
    }
    const roleEl = el('span', { class: `pill net-role role-${role}`, 'data-testid': 'network-role', 'data-role': role }, roleText);
    if (role === 'leaf') {
      const sup = safe(() => sp.superPeer());
      if (sup) roleEl.title = `super-peer ${sup}`;
    }
    figures.replaceChildren(
      statsLine('network-stats-gnutella', 'Gnutella', null, safe(() => ov.gnutella.stats())),
      statsLine('network-stats-superpeer', 'Super-peers', roleEl, safe(() => sp.stats())),
    );
  }

  const resize =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          if (measure().w !== size.w) schedule();
        })
      : null;
  resize?.observe(box);
  clock.subscribe(update);
  void p2p.ready?.then(schedule, () => undefined);
  update();
  return card;
}
