/**
 * The DHT ring card: an SVG drawing of the Chord ring as this tab knows it (`p2p.dht.ring()`):
 * every node at the angle of its id, this tab highlighted with its own key range, its successors
 * and predecessors, its fingers as chords; this tab's DHT figures (`p2p.dht.stats()`); and a
 * small form to put and get a text value. Refreshed once a second; the drawing is rebuilt only
 * when the ring, the marked key or the card's size changed, so tooltips stay put.
 *
 * Test ids: `dht-ring` (the card), `dht-count`, `dht-joining`, `dht-svg`, `dht-node-<peer>`
 * (one <g> per node, with `data-self`, `data-role` self/successor/predecessor/finger/other,
 * `data-id`, `data-held`), `dht-arc` (one per key range, `data-peer`, `data-exact`),
 * `dht-own-range`, `dht-finger` (one chord per finger, `data-peer`), `dht-key-marker`,
 * `dht-note`, `dht-legend`, `dht-figures` (each figure with `data-fig`), `dht-form`,
 * `dht-key`, `dht-value`, `dht-put`, `dht-get`, `dht-result` (`data-state` pending/ok/missing/error;
 * a put's owner in its `[data-owner]`), `dht-value-out` (the value a get found).
 */
import type { DhtApi, DhtRingView, DhtStats, P2P } from '../api';
import { DHT_LIMITS, keyId, utf8Length } from '../../protocol/dht';
import { r1, safe, svg } from './svg';
import { el, formatBytes, plural } from './dom';
import { arcPath, idAngle, layoutRing, MARKER_LABEL, ringPoint, sectorPath, sweep, type LaidNode, type RingLayout, type RingRole } from './ring-layout';
import { pageClock, type Clock } from './clock';

const LABEL_FONT = 10;
/** Longest key shown next to its marker on the ring. */
const MARKER_TEXT = 14;

const short6 = (id: string) => id.slice(0, 6);
const pct = (deg: number) => `${((deg / 360) * 100).toFixed(deg / 360 < 0.001 ? 3 : 1)} %`;

const ROLE_NAME: Record<RingRole, string> = {
  self: 'this tab',
  successor: 'successor',
  predecessor: 'predecessor',
  finger: 'finger',
  other: 'known node',
};

/** The DHT of `p2p`, or null while the engine is not there (older build, or not started). */
function dhtOf(p2p: P2P): DhtApi | null {
  const d = (p2p as { dht?: DhtApi | null }).dht;
  return d && typeof d.ring === 'function' ? d : null;
}

function heldText(n: { held?: number }): string {
  if (n.held === undefined) return '';
  return n.held >= 10_000 ? `${Math.floor(n.held / 1000)}k` : n.held >= 1000 ? `${(n.held / 1000).toFixed(1)}k` : String(n.held);
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** A sentence for an error of put/get: the API's own reason, without the parser's jargon. */
export function readableDhtError(err: unknown): string {
  const message = ((err as { message?: string } | null)?.message ?? String(err)).trim() || 'Unknown error';
  const field = /^field "([^"]+)" ([\s\S]*)$/.exec(message);
  let text = field ? `The ${field[1]} ${field[2]}` : message;
  text = text.replace(/larger than (\d+) bytes/, (all, n: string) => (Number(n) === DHT_LIMITS.value ? `larger than 16 KiB (${n} bytes)` : all));
  if (/timed out|no route/.test(text)) text += ': the ring may be repairing itself; try again in a moment';
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

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

type Result = { state: 'pending' | 'ok' | 'missing' | 'error'; parts: (Node | string)[] };

export function createDhtRingUI(p2p: P2P, clock: Clock = pageClock()): HTMLElement {
  const count = el('span', { class: 'count', 'data-testid': 'dht-count' }, '0');
  const box = el('div', { class: 'dht-box' });
  const joining = el('p', { class: 'muted empty dht-joining', 'data-testid': 'dht-joining' }, 'joining the ring…');
  const note = el('p', { class: 'net-note muted', 'data-testid': 'dht-note' });
  const legend = el(
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
  const figures = el('dl', { class: 'dht-figures', 'data-testid': 'dht-figures' });

  const keyInput = el('input', { type: 'text', name: 'key', 'data-testid': 'dht-key', placeholder: 'greeting', autocomplete: 'off', spellcheck: 'false' });
  const valueInput = el('textarea', { name: 'value', rows: '2', 'data-testid': 'dht-value', placeholder: 'hello', spellcheck: 'false' });
  const putButton = el('button', { type: 'submit', 'data-testid': 'dht-put' }, 'Put');
  const getButton = el('button', { type: 'button', class: 'small', 'data-testid': 'dht-get' }, 'Get');
  const result = el('div', { class: 'dht-result', 'data-testid': 'dht-result', role: 'status', 'aria-live': 'polite' });
  result.hidden = true;
  const form = el(
    'form',
    { class: 'dht-form', 'data-testid': 'dht-form', novalidate: '' },
    el('label', { class: 'label' }, el('span', {}, 'Key'), keyInput),
    el('label', { class: 'label' }, el('span', {}, 'Value ', el('span', { class: 'muted' }, '(text up to 16 KiB, for Put)')), valueInput),
    el('div', { class: 'dht-buttons' }, putButton, getButton),
    result,
  );

  const card = el(
    'section',
    { class: 'card', id: 'dht-card', 'data-testid': 'dht-ring' },
    el('h2', {}, 'DHT ring ', count),
    el(
      'div',
      { class: 'dht-body' },
      el('div', { class: 'dht-drawing' }, box, joining, note, legend),
      el('div', { class: 'dht-side' }, el('h3', {}, 'This node'), figures, el('h3', {}, 'Put / get'), form),
    ),
  );

  let lastKey = '';
  let size = { w: 0, h: 0 };
  let marker: { key: string; id: string; owner?: string } | null = null;
  let ticket = 0;

  function measure(): { w: number; h: number } {
    const w = Math.round(box.clientWidth || 420);
    return { w, h: Math.round(Math.min(400, Math.max(240, w * 0.78))) };
  }

  function update(): void {
    const dht = dhtOf(p2p);
    const view = dht ? safe(() => dht.ring()) : undefined;
    const stats = dht ? safe(() => dht.stats()) : undefined;
    renderFigures(view ?? null, stats);
    const others = safe(() => p2p.peers().length) ?? 0;
    putButton.disabled = getButton.disabled = !view;
    if (!view) {
      lastKey = '';
      box.replaceChildren();
      box.hidden = true;
      legend.hidden = true;
      note.hidden = true;
      joining.hidden = false;
      joining.textContent = dht ? 'joining the ring…' : 'joining the ring… (the DHT has not started yet)';
      count.textContent = '0';
      return;
    }
    const alone = view.successors.length === 0;
    joining.hidden = !(alone && others > 0);
    joining.textContent = 'joining the ring…';
    box.hidden = false;
    legend.hidden = false;
    const now = measure();
    const key = JSON.stringify([view, marker, now.w, now.h]);
    if (key === lastKey && now.w === size.w && now.h === size.h) return;
    lastKey = key;
    size = now;
    try {
      draw(view, now.w, now.h, alone && others === 0);
    } catch (err) {
      // A ring view the drawing cannot read: say so rather than break the page.
      console.warn('DHT ring view: cannot draw the ring', err);
      box.hidden = true;
      note.hidden = false;
      note.textContent = 'The ring could not be drawn (see the console).';
    }
  }

  function draw(view: DhtRingView, w: number, h: number, aloneInRoom: boolean): void {
    const layout = layoutRing(view, w, h, {
      fontSize: LABEL_FONT,
      marker: marker ? { id: marker.id, text: `“${clip(marker.key, MARKER_TEXT)}”` } : null,
    });
    const { cx, cy, radius } = layout;
    count.textContent = String(layout.nodes.length);

    const base = svg(
      'g',
      { class: 'dht-base' },
      svg('circle', { cx: r1(cx), cy: r1(cy), r: r1(radius), class: 'dht-ring-line' }),
      // Id 0 at the top.
      svg('line', { x1: r1(cx), y1: r1(cy - radius - 5), x2: r1(cx), y2: r1(cy - radius + 5), class: 'dht-zero' }),
      svg('text', { x: r1(cx), y: r1(cy - radius + 28), class: 'dht-zero-label', 'text-anchor': 'middle', 'font-size': 9 }, '0'),
    );
    const me = layout.self;
    // This tab's range, also as a faint slice of the disc: visible even when it is a sliver.
    if (me) base.append(svg('path', { d: sectorPath(cx, cy, radius, me.range.from, me.range.to, me.range.full), class: 'dht-own-wedge' }));

    // Key ranges: each node's (predecessor, node], with a sliver of gap at the start.
    const arcs = svg('g', { class: 'dht-arcs' });
    const gapDeg = Math.min(1.5, (2 / radius) * (180 / Math.PI));
    layout.nodes.forEach((n, i) => {
      if (n.self) return;
      const span = n.range.full ? 360 : sweep(n.range.from, n.range.to);
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
      const span = me.range.full ? 360 : sweep(me.range.from, me.range.to);
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
          svg('title', {}, `your key range (predecessor, you]: ${pct(span)} of the ring`),
        ),
      );
    }

    const chords = svg('g', { class: 'dht-chords' });
    if (me) {
      for (const n of layout.nodes) {
        if (!n.finger || n.self) continue;
        chords.append(
          svg(
            'line',
            { x1: r1(me.x), y1: r1(me.y), x2: r1(n.x), y2: r1(n.y), class: 'dht-finger', 'data-testid': 'dht-finger', 'data-peer': n.peer },
            svg('title', {}, `finger: ${short6(n.peer)}`),
          ),
        );
      }
    }

    // The true place of an id whose circle had to move aside for a neighbour: a tick on the ring
    // and a line to the circle.
    const ticks = svg('g', { class: 'dht-ticks' });
    for (const n of layout.nodes) {
      if (Math.abs(((n.shown - n.angle + 540) % 360) - 180) <= 0.5) continue;
      const a = ringPoint(cx, cy, radius - 5, n.angle);
      const b = ringPoint(cx, cy, radius + 5, n.angle);
      ticks.append(svg('line', { x1: r1(a.x), y1: r1(a.y), x2: r1(b.x), y2: r1(b.y), class: 'dht-tick', 'data-peer': n.peer }));
    }
    const leaders = svg('g', { class: 'dht-leaders' });
    for (const l of layout.labels.values()) {
      if (l.leader) leaders.append(svg('line', { x1: r1(l.leader[0].x), y1: r1(l.leader[0].y), x2: r1(l.leader[1].x), y2: r1(l.leader[1].y), class: 'dht-leader' }));
    }

    const nodeLayer = svg('g', { class: 'dht-nodes' });
    const drawOrder = [...layout.nodes].sort((a, b) => Number(a.self) - Number(b.self));
    for (const n of drawOrder) nodeLayer.append(nodeGroup(n, layout));

    const layers: SVGElement[] = [base, arcs, ticks, chords, leaders, nodeLayer];
    if (layout.marker && marker) {
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
      layers.push(g);
    }

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
    box.replaceChildren(drawing);

    const shown = new Set<string>(layout.nodes.map((n) => n.role));
    if (layout.nodes.some((n) => n.finger && !n.self)) shown.add('chord');
    if (layout.nodes.length > 1) shown.add('range');
    if (layout.marker) shown.add('marker');
    if (marker?.owner && layout.nodes.some((n) => n.peer === marker?.owner)) shown.add('owner');
    for (const li of legend.querySelectorAll<HTMLLIElement>('li[data-kind]')) {
      const kind = li.dataset.kind ?? '';
      li.hidden = !['self', 'own', 'held'].includes(kind) && !shown.has(kind);
    }

    const hidden = layout.nodes.length - [...layout.labels.keys()].filter((k) => k !== MARKER_LABEL).length;
    const notes: string[] = [];
    if (aloneInRoom) notes.push('Alone on the ring: this tab owns every key.');
    if (hidden > 0) notes.push(`${plural(hidden, 'label')} left out for room: point at a node for its id.`);
    note.hidden = notes.length === 0;
    note.textContent = notes.join(' ');
  }

  function nodeGroup(n: LaidNode, layout: RingLayout): SVGGElement {
    const span = n.range.full ? 360 : sweep(n.range.from, n.range.to);
    const roles = [
      n.self ? 'this tab' : '',
      n.successor === 0 ? 'successor' : n.successor > 0 ? `successor ${n.successor + 1}` : '',
      n.predecessor === 0 ? 'predecessor' : n.predecessor > 0 ? `predecessor ${n.predecessor + 1}` : '',
      n.finger ? 'finger' : '',
    ].filter(Boolean);
    const tip =
      `${n.peer}\nring id ${n.id.slice(0, 12)}…\n${roles.join(' · ') || ROLE_NAME[n.role]}` +
      `\nkeys held: ${n.held === undefined ? 'not known' : n.held}` +
      `\nkey range: ${pct(span)} of the ring${n.range.exact ? '' : ' (as far as this tab knows)'}`;
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
      svg('title', {}, tip),
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

  function renderFigures(view: DhtRingView | null, s: DhtStats | undefined): void {
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

  function show(r: Result): void {
    result.hidden = false;
    result.dataset.state = r.state;
    result.className = `dht-result state-${r.state}`;
    result.replaceChildren(...r.parts);
  }

  /** The value's own checks, with the sizes a person reads; the API checks again. */
  function precheck(key: string, value: string | null): string | null {
    if (key.length === 0) return 'Type a key first.';
    if ([...key].length > DHT_LIMITS.key) return `The key is ${[...key].length} characters long; a key has at most ${DHT_LIMITS.key}.`;
    if (value !== null) {
      const bytes = utf8Length(value);
      if (bytes > DHT_LIMITS.value) {
        return `The value is too large: ${formatBytes(bytes)} (${bytes} bytes); the DHT stores values of at most 16 KiB (${DHT_LIMITS.value} bytes).`;
      }
    }
    return null;
  }

  async function run(op: 'put' | 'get'): Promise<void> {
    const dht = dhtOf(p2p);
    const key = keyInput.value;
    const value = op === 'put' ? valueInput.value : null;
    const mine = ++ticket;
    const problem = precheck(key, value);
    if (problem) {
      show({ state: 'error', parts: [problem] });
      (key.length === 0 || op === 'get' ? keyInput : valueInput).focus();
      return;
    }
    if (!dht) {
      show({ state: 'error', parts: ['The DHT is not running in this tab.'] });
      return;
    }
    const quoted = el('code', {}, clip(key, 60));
    show({ state: 'pending', parts: [op === 'put' ? 'Storing ' : 'Looking up ', quoted, '…'] });
    try {
      if (op === 'put') {
        const r = await dht.put(key, value ?? '');
        if (mine !== ticket) return;
        marker = { key, id: keyId(key), owner: r.owner };
        show({
          state: 'ok',
          parts: [
            'Stored ',
            quoted,
            ' at ',
            el('code', { title: r.owner, 'data-owner': r.owner }, r.owner === p2p.id ? `${short6(r.owner)} (you)` : short6(r.owner)),
            ` in ${plural(r.hops, 'hop')} · ${r.ms} ms`,
          ],
        });
      } else {
        // get() tells no hops: read them off this tab's lookup counters around the call.
        const before = safe(() => dht.stats());
        const v = await dht.get(key);
        const after = safe(() => dht.stats());
        if (mine !== ticket) return;
        let hops: number | null = null;
        if (before && after && after.lookups - before.lookups === 1) hops = Math.round(after.avgHops * after.lookups - before.avgHops * before.lookups);
        const hopText = hops === null ? '' : ` · ${plural(hops, 'hop')}`;
        marker = { key, id: keyId(key) };
        if (v === null) show({ state: 'missing', parts: [quoted, ': not found', hopText] });
        else {
          show({
            state: 'ok',
            parts: [
              quoted,
              ` = (${formatBytes(utf8Length(v))}${hopText})`,
              el('pre', { class: 'dht-value-out', 'data-testid': 'dht-value-out' }, v),
            ],
          });
        }
      }
      lastKey = '';
      update();
    } catch (err) {
      if (mine !== ticket) return;
      show({ state: 'error', parts: [readableDhtError(err)] });
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run('put');
  });
  getButton.addEventListener('click', () => void run('get'));
  keyInput.addEventListener('keydown', (e) => {
    // Enter in the key field alone: a get (a put needs the value too).
    if (e.key === 'Enter' && valueInput.value === '') {
      e.preventDefault();
      void run('get');
    }
  });

  const resize =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          if (measure().w !== size.w) update();
        })
      : null;
  resize?.observe(box);
  clock.subscribe(update);
  const dht = dhtOf(p2p);
  void dht?.ready?.then(update, () => undefined);
  void p2p.ready?.then(update, () => undefined);
  update();
  return card;
}
