/** Small helpers of the SVG drawings (the network view and the DHT ring). */

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

/** A coordinate rounded to 0.1 (shorter markup, same picture). */
export const r1 = (n: number): number => Math.round(n * 10) / 10;

/** The value of `fn`, or undefined if it throws (a drawing never breaks the page). */
export function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
