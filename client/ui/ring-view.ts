/**
 * The DHT ring card: an SVG drawing of the Chord ring as this tab knows it (`p2p.dht.ring()`):
 * every node at the angle of its id, this tab highlighted with its own key range, its successors
 * and predecessors, its fingers as chords (ring-drawing.ts, with its legend: ring-legend.ts);
 * this tab's DHT figures (`p2p.dht.stats()`, ring-figures.ts); and a small form to put and get a
 * text value (dht-form.ts). Refreshed by the page clock; the drawing is rebuilt only when its
 * inputs changed (ring-inputs.ts: the ring, the marked key, the card's size), so tooltips stay put.
 *
 * Test ids: `dht-ring` (the card), `dht-count`, `dht-joining`, `dht-svg`, `dht-node-<peer>`
 * (one <g> per node, with `data-self`, `data-role` self/successor/predecessor/finger/other,
 * `data-id`, `data-held`), `dht-arc` (one per key range, `data-peer`, `data-exact`),
 * `dht-own-range`, `dht-finger` (one chord per finger, `data-peer`), `dht-key-marker`,
 * `dht-note`, `dht-legend`, `dht-figures` (each figure with `data-fig`), `dht-form`,
 * `dht-key`, `dht-value`, `dht-put`, `dht-get`, `dht-result` (`data-state` pending/ok/missing/error;
 * a put's owner in its `[data-owner]`), `dht-value-out` (the value a get found).
 */
import type { DhtApi, P2P } from '../api';
import { safe } from './svg';
import { makeCard, el, plural } from './dom';
import { layoutRing } from './ring-layout';
import { pageClock, type Clock } from './clock';
import { clip } from './dht-text';
import { drawRing, hiddenLabels, LABEL_FONT } from './ring-drawing';
import { createRingLegend, legendKinds, showLegendKinds } from './ring-legend';
import { renderFigures } from './ring-figures';
import { DhtForm } from './dht-form';
import { sameRingInputs, type MarkedKey, type RingInputs } from './ring-inputs';

/** Longest key shown next to its marker on the ring. */
const MARKER_TEXT = 14;

/** The DHT of `p2p`, or null while the engine is not there (older build, or not started). */
function dhtOf(p2p: P2P): DhtApi | null {
  const d = (p2p as { dht?: DhtApi | null }).dht;
  return d && typeof d.ring === 'function' ? d : null;
}

export function createDhtRingUI(p2p: P2P, clock: Clock = pageClock()): HTMLElement {
  const count = el('span', { class: 'count', 'data-testid': 'dht-count' }, '0');
  const box = el('div', { class: 'dht-box' });
  const joining = el('p', { class: 'muted empty dht-joining', 'data-testid': 'dht-joining' }, 'joining the ring…');
  const note = el('p', { class: 'net-note muted', 'data-testid': 'dht-note' });
  const legend = createRingLegend();
  const figures = el('dl', { class: 'dht-figures', 'data-testid': 'dht-figures' });
  let marker: MarkedKey | null = null;
  /** What the drawing shows now; null: nothing drawn (or to be redrawn at once). */
  let drawn: RingInputs | null = null;
  let width = 0;
  const form = new DhtForm({
    dht: () => dhtOf(p2p),
    selfPeer: () => p2p.id,
    marked: (m) => {
      marker = m;
      drawn = null;
      update();
    },
  });

  const card = makeCard(
    { id: 'dht-card', 'data-testid': 'dht-ring' },
    ['DHT ring ', count],
    el(
      'div',
      { class: 'dht-body' },
      el('div', { class: 'dht-drawing' }, box, joining, note, legend),
      el('div', { class: 'dht-side' }, el('h3', {}, 'This node'), figures, el('h3', {}, 'Put / get'), form.element),
    ),
  );

  function measure(): { w: number; h: number } {
    const w = Math.round(box.clientWidth || 420);
    return { w, h: Math.round(Math.min(400, Math.max(240, w * 0.78))) };
  }

  function update(): void {
    const dht = dhtOf(p2p);
    const view = dht ? safe(() => dht.ring()) : undefined;
    const stats = dht ? safe(() => dht.stats()) : undefined;
    renderFigures(figures, view ?? null, stats);
    const others = safe(() => p2p.peers().length) ?? 0;
    form.setEnabled(!!view);
    if (!view) {
      drawn = null;
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
    const size = measure();
    const inputs: RingInputs = { view, marker, w: size.w, h: size.h, aloneInRoom: alone && others === 0 };
    if (sameRingInputs(drawn, inputs)) return;
    drawn = inputs;
    width = size.w;
    try {
      draw(inputs);
    } catch (err) {
      // A ring view the drawing cannot read: say so rather than break the page.
      console.warn('DHT ring view: cannot draw the ring', err);
      box.hidden = true;
      note.hidden = false;
      note.textContent = 'The ring could not be drawn (see the console).';
    }
  }

  function draw({ view, marker: m, w, h, aloneInRoom }: RingInputs): void {
    const layout = layoutRing(view, w, h, {
      fontSize: LABEL_FONT,
      marker: m ? { id: m.id, text: `“${clip(m.key, MARKER_TEXT)}”` } : null,
    });
    count.textContent = String(layout.nodes.length);
    box.replaceChildren(drawRing(layout, m));
    showLegendKinds(legend, legendKinds(layout, m));
    const hidden = hiddenLabels(layout);
    const notes: string[] = [];
    if (aloneInRoom) notes.push('Alone on the ring: this tab owns every key.');
    if (hidden > 0) notes.push(`${plural(hidden, 'label')} left out for room: point at a node for its id.`);
    note.hidden = notes.length === 0;
    note.textContent = notes.join(' ');
  }

  const resize =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          if (measure().w !== width) update();
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
