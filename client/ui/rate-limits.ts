/** The rate limit fields' values: parsing KiB/s, the bytes the API takes, the status line. Pure. */

/** KiB/s typed in a field: NaN when invalid, Infinity when empty (unlimited). */
export function parseKib(text: string): number {
  const t = text.trim();
  if (t === '') return Infinity;
  const v = Number(t);
  return Number.isFinite(v) && v >= 0 ? v : NaN;
}

/** A limit in words: "12 KiB/s", or "unlimited" (empty or 0). */
export function describeLimit(kib: number): string {
  return Number.isFinite(kib) && kib > 0 ? `${kib} KiB/s` : 'unlimited';
}

/** Bytes per second for the API (at least 1), Infinity when unlimited. */
export function limitBytes(kib: number): number {
  return Number.isFinite(kib) && kib > 0 ? Math.max(1, Math.round(kib * 1024)) : Infinity;
}

export function limitsText(up: number, down: number): string {
  return `Upload ${describeLimit(up)} · download ${describeLimit(down)}`;
}

export const LIMITS_ERROR = 'A limit is a number of KiB/s, 0 or more (empty or 0: unlimited).';

/** The fields as saved for a reload of the tab (sessionStorage), or null when unreadable. */
export function parseSavedLimits(json: string | null): { up?: string; down?: string } | null {
  try {
    const saved = JSON.parse(json ?? 'null') as { up?: unknown; down?: unknown } | null;
    if (!saved || typeof saved !== 'object') return null;
    return {
      ...(typeof saved.up === 'string' ? { up: saved.up } : {}),
      ...(typeof saved.down === 'string' ? { down: saved.down } : {}),
    };
  } catch {
    return null;
  }
}
