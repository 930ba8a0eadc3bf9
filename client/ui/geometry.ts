/** Plane geometry the drawings share (the DHT ring, the overlay network): points, boxes, circles, label widths. Pure. */

export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box, (x0, y0) its top left corner. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Circle {
  x: number;
  y: number;
  r: number;
}

/** Width of a label in the drawings' monospace font (0.6 em per character). */
export function labelWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** Whether the circle comes within `slack` px of the box. */
export function circleHitsBox(c: Circle, b: Box, slack: number): boolean {
  const nx = Math.min(b.x1, Math.max(b.x0, c.x));
  const ny = Math.min(b.y1, Math.max(b.y0, c.y));
  return Math.hypot(c.x - nx, c.y - ny) < c.r + slack;
}
