/**
 * The piece map of a torrent, drawn on a <canvas>: one cell per piece. Pieces we have are solid
 * green, pieces in flight amber, missing pieces blue shaded by availability (darker = more of
 * the connected peers have it) and red when no connected peer has them; a piece a player waits
 * for (the window ahead of its playhead) is framed in violet. Redrawn only when the map changed,
 * its size changed, or a second passed.
 */
import { el, plural } from './dom';

export interface PieceMapData {
  state: Uint8Array;
  availability: Uint16Array;
  /** 1: a player waits for this piece. */
  reading: Uint8Array;
}

const HAVE = '#2f9e44';
const IN_FLIGHT = '#f59f00';
const NOWHERE = '#e03131';
const READING = '#7048e8';
const GAP_BG = '#ffffff';
/** Lightness of a missing piece held by one peer (light) and by every peer (dark). */
const L_FEW = 86;
const L_ALL = 38;
const MAX_HEIGHT = 168;

export function missingColor(availability: number, peers: number): string {
  if (availability <= 0) return NOWHERE;
  const t = Math.min(1, availability / Math.max(1, peers));
  return `hsl(216, 62%, ${Math.round(L_FEW - (L_FEW - L_ALL) * t)}%)`;
}

/** Cell size (CSS px) and columns for `n` cells in `width` px, at most MAX_HEIGHT px tall. */
export function layoutCells(n: number, width: number): { cell: number; cols: number; rows: number } {
  const w = Math.max(40, Math.floor(width));
  let cell = 20;
  for (; cell > 2; cell--) {
    const cols = Math.max(1, Math.floor(w / cell));
    if (Math.ceil(n / cols) * cell <= MAX_HEIGHT) break;
  }
  const cols = Math.max(1, Math.floor(w / cell));
  return { cell, cols, rows: Math.max(1, Math.ceil(n / cols)) };
}

function sameBytes(a: ArrayLike<number> | null, b: ArrayLike<number>): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class PieceMapView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly gradient: HTMLElement;
  private readonly gradientLabel: HTMLElement;
  private last: (PieceMapData & { peers: number }) | null = null;
  private lastDraw = 0;
  private dirty = true;
  private layout = { cell: 16, cols: 1, rows: 1 };
  private readonly resize: ResizeObserver | null;

  constructor() {
    this.canvas = el('canvas', { id: 'piece-map', class: 'piece-map', role: 'img', 'aria-label': 'piece map' });
    this.summary = el('p', { class: 'map-summary muted', id: 'piece-summary' });
    this.empty = el('p', { class: 'muted empty' }, 'Waiting for the metadata (the list of pieces) from a peer…');
    this.gradient = el('span', { class: 'swatch gradient' });
    this.gradientLabel = el('span', {}, 'missing: 1 → all peers have it');
    const swatch = (color: string) => {
      const s = el('span', { class: 'swatch' });
      s.style.background = color;
      return s;
    };
    const frame = () => {
      const s = el('span', { class: 'swatch' });
      s.style.boxShadow = `inset 0 0 0 2px ${READING}`;
      return s;
    };
    this.gradient.style.background = `linear-gradient(to right, ${missingColor(1, 4)}, ${missingColor(4, 4)})`;
    const legend = el(
      'ul',
      { class: 'legend', id: 'piece-legend' },
      el('li', {}, swatch(HAVE), 'have'),
      el('li', {}, swatch(IN_FLIGHT), 'in flight'),
      el('li', {}, this.gradient, this.gradientLabel),
      el('li', {}, swatch(NOWHERE), 'no connected peer has it'),
      el('li', {}, frame(), 'a player waits for it'),
    );
    this.element = el('div', { class: 'piece-map-box' }, this.canvas, this.empty, legend, this.summary);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.resize =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => {
            this.dirty = true;
            if (this.last) this.draw();
          })
        : null;
    this.resize?.observe(this.element);
  }

  /** Feed the current map; draws when it changed, when resized, or once a second. */
  update(map: PieceMapData, peers: number, now = Date.now()): void {
    const changed =
      !this.last ||
      this.last.peers !== peers ||
      !sameBytes(this.last.state, map.state) ||
      !sameBytes(this.last.availability, map.availability) ||
      !sameBytes(this.last.reading, map.reading);
    if (!changed && !this.dirty && now - this.lastDraw < 1000) return;
    this.last = { state: map.state.slice(), availability: map.availability.slice(), reading: map.reading.slice(), peers };
    this.draw(now);
  }

  destroy(): void {
    this.resize?.disconnect();
  }

  private draw(now = Date.now()): void {
    const data = this.last;
    if (!data) return;
    this.lastDraw = now;
    this.dirty = false;
    const n = data.state.length;
    this.canvas.hidden = n === 0;
    this.empty.hidden = n !== 0;
    let have = 0;
    let inFlight = 0;
    let nowhere = 0;
    let reading = 0;
    for (let i = 0; i < n; i++) {
      if (data.reading[i]) reading++;
      if (data.state[i] === 2) have++;
      else if (data.state[i] === 1) inFlight++;
      else if ((data.availability[i] ?? 0) === 0) nowhere++;
    }
    const missing = n - have - inFlight;
    this.summary.textContent =
      n === 0
        ? ''
        : `${plural(n, 'piece')}: ${have} have · ${inFlight} in flight · ${missing} missing` +
          (missing ? ` (${nowhere} on no connected peer)` : '') +
          (reading ? ` · ${reading} waited for by a player` : '') +
          ` · ${plural(data.peers, 'connected peer')}`;
    this.gradientLabel.textContent = `missing: 1 → ${data.peers > 1 ? `${data.peers} peers` : 'every peer'} ${data.peers === 1 ? 'has' : 'have'} it`;
    if (n === 0) return;

    const width = this.canvas.parentElement?.clientWidth || 600;
    this.layout = layoutCells(n, width);
    const { cell, cols, rows } = this.layout;
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const cssW = cols * cell;
    const cssH = rows * cell;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.width = `${cssW}px`;
      this.canvas.style.height = `${cssH}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = GAP_BG;
    ctx.fillRect(0, 0, cssW, cssH);
    const gap = cell >= 6 ? 1 : 0;
    // Group by color: fewer fillStyle changes.
    const byColor = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const s = data.state[i];
      const color = s === 2 ? HAVE : s === 1 ? IN_FLIGHT : missingColor(data.availability[i] ?? 0, data.peers);
      let list = byColor.get(color);
      if (!list) byColor.set(color, (list = []));
      list.push(i);
    }
    for (const [color, cells] of byColor) {
      ctx.fillStyle = color;
      for (const i of cells) {
        const x = (i % cols) * cell;
        const y = Math.floor(i / cols) * cell;
        ctx.fillRect(x, y, cell - gap, cell - gap);
      }
    }
    // The pieces a player waits for: framed (a whole cell in violet when cells are too small to frame).
    ctx.strokeStyle = READING;
    ctx.fillStyle = READING;
    const line = Math.max(1, Math.min(3, Math.floor(cell / 5)));
    ctx.lineWidth = line;
    for (let i = 0; i < n; i++) {
      if (!data.reading[i]) continue;
      const x = (i % cols) * cell;
      const y = Math.floor(i / cols) * cell;
      if (cell - gap < 6) ctx.fillRect(x, y, cell - gap, cell - gap);
      else ctx.strokeRect(x + line / 2, y + line / 2, cell - gap - line, cell - gap - line);
    }
  }

  private hover(e: MouseEvent): void {
    const data = this.last;
    if (!data) return;
    const r = this.canvas.getBoundingClientRect();
    const { cell, cols } = this.layout;
    const col = Math.floor((e.clientX - r.left) / cell);
    const i = Math.floor((e.clientY - r.top) / cell) * cols + col;
    if (col < 0 || col >= cols || i < 0 || i >= data.state.length) {
      this.canvas.title = '';
      return;
    }
    const s = data.state[i];
    const a = data.availability[i] ?? 0;
    this.canvas.title = `piece ${i}: ${s === 2 ? 'have' : s === 1 ? 'in flight' : 'missing'}${data.reading[i] ? ' (a player waits for it)' : ''}; ${plural(a, 'connected peer')} ${a === 1 ? 'has' : 'have'} it`;
  }
}
