/**
 * A line plot as an SVG document (plain string building, no dependencies): distribution time
 * against N, both axes logarithmic (the client-server time grows a thousandfold over the
 * range, the swarm's barely moves: a log y axis shows both), one polyline with markers per
 * series, and a legend.
 */

export interface PlotSeries {
  name: string;
  /** CSS colour. */
  color: string;
  /** Points (N, seconds); null seconds are skipped (not run). */
  points: readonly (readonly [number, number | null])[];
  dashed?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number) => (Math.round(x * 10) / 10).toString();

/** The 1, 2 and 5 × 10^k values within [lo, hi]: ticks of a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** The plot of `series` (x values > 0) as a standalone SVG document. */
export function linePlot(series: readonly PlotSeries[], opts: PlotOptions): string {
  const W = opts.width ?? 760;
  const H = opts.height ?? 460;
  const m = { left: 64, right: 200, top: 40, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const pts = series.flatMap((s) => s.points.filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]) && p[0] > 0));
  const xs = pts.map((p) => p[0]);
  const x0 = Math.log10(Math.min(...xs, 1));
  const x1 = Math.log10(Math.max(...xs, 10));
  const ys = pts.map((p) => p[1]).filter((y) => y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys, 1)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
  const X = (x: number) => m.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * pw;
  const Y = (y: number) => m.top + ph - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * ph;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.left}" y="22" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  // Grid and ticks: y at 1, 2, 5 × 10^k, x at the points' N.
  for (const y of logTicks(yMin, yMax)) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${num(Y(y))}" y2="${num(Y(y))}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${num(Y(y) + 4)}" text-anchor="end">${num(y)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${num(X(x))}" x2="${num(X(x))}" y1="${m.top}" y2="${m.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${num(X(x))}" y="${m.top + ph + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const p = s.points.filter((q): q is readonly [number, number] => q[1] !== null && Number.isFinite(q[1]) && q[0] > 0);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (p.length > 1) {
      const d = p.map((q) => `${num(X(q[0]))},${num(Y(q[1]))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${d}"/>`);
    }
    for (const q of p) out.push(`<circle cx="${num(X(q[0]))}" cy="${num(Y(q[1]))}" r="3" fill="${s.color}"/>`);
    const ly = m.top + 10 + i * 20;
    const lx = m.left + pw + 14;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
