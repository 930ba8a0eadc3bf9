/** Where things lie on the DHT ring's drawing: ids as angles (0° at the top, clockwise), points and SVG arcs. Pure. */
import type { Point } from './geometry';

/** The first 13 hex digits of an id: its place on the ring to 52 bits. */
export const HEX13 = /^[0-9a-fA-F]{13}/;

/** Where `id` lies on the ring, as a fraction in [0, 1) (first 13 hex digits; 0 for a malformed id). */
export function idFraction(id: string): number {
  const head = HEX13.exec(id)?.[0];
  if (!head) return 0;
  return parseInt(head, 16) / 2 ** 52;
}

/** Angle of `id` in degrees: 0 at the top, clockwise, in [0, 360). */
export function idAngle(id: string): number {
  return idFraction(id) * 360;
}

/** The point at `deg` on the circle of radius `r` around (cx, cy); 0° is the top, clockwise. */
export function ringPoint(cx: number, cy: number, r: number, deg: number): Point {
  const a = (deg * Math.PI) / 180;
  return { x: cx + r * Math.sin(a), y: cy - r * Math.cos(a) };
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** Clockwise sweep from `from` to `to`, degrees in (0, 360]; equal angles sweep the whole ring. */
export function sweep(from: number, to: number): number {
  const d = (((to - from) % 360) + 360) % 360;
  return d === 0 ? 360 : d;
}

/**
 * An SVG path along the circle, clockwise from `from` to `to` (degrees); the whole circle when
 * they are equal or `full` is set.
 */
export function arcPath(cx: number, cy: number, r: number, from: number, to: number, full = false): string {
  const span = full ? 360 : sweep(from, to);
  const a = ringPoint(cx, cy, r, from);
  if (span >= 360 - 1e-9) {
    const b = ringPoint(cx, cy, r, from + 180);
    return `M${r2(a.x)},${r2(a.y)} A${r2(r)},${r2(r)} 0 1 1 ${r2(b.x)},${r2(b.y)} A${r2(r)},${r2(r)} 0 1 1 ${r2(a.x)},${r2(a.y)}`;
  }
  const b = ringPoint(cx, cy, r, from + span);
  return `M${r2(a.x)},${r2(a.y)} A${r2(r)},${r2(r)} 0 ${span > 180 ? 1 : 0} 1 ${r2(b.x)},${r2(b.y)}`;
}

/** A pie slice from the centre over the arc clockwise from `from` to `to` (the whole disc when `full`). */
export function sectorPath(cx: number, cy: number, r: number, from: number, to: number, full = false): string {
  const span = full ? 360 : sweep(from, to);
  if (span >= 360 - 1e-9) return arcPath(cx, cy, r, from, from, true);
  const a = ringPoint(cx, cy, r, from);
  const b = ringPoint(cx, cy, r, from + span);
  return `M${r2(cx)},${r2(cy)} L${r2(a.x)},${r2(a.y)} A${r2(r)},${r2(r)} 0 ${span > 180 ? 1 : 0} 1 ${r2(b.x)},${r2(b.y)} Z`;
}
