/** What the storage card says: usage of the quota, and persistence. Pure. */
import { formatBytes } from './dom';

/** "1.20 GiB of 10.0 GiB used (12 %)", or why not known. */
export function usageText(e: { usage: number; quota: number } | null): string {
  if (!e || !(e.quota > 0)) return e ? `${formatBytes(e.usage)} used; the browser does not say how much it allows.` : 'This browser does not say how much it stores.';
  const pct = Math.min(100, (100 * e.usage) / e.quota);
  return `${formatBytes(e.usage)} of ${formatBytes(e.quota)} used (${pct < 1 && e.usage > 0 ? '<1' : Math.round(pct)} %) · ${formatBytes(Math.max(0, e.quota - e.usage))} free`;
}

/** The bar's fill, in percent: the share used, at least 1 when anything is. */
export function usagePercent(e: { usage: number; quota: number } | null): number {
  const pct = e && e.quota > 0 ? Math.min(100, (100 * e.usage) / e.quota) : 0;
  return Math.max(pct, e && e.usage > 0 ? 1 : 0);
}

export function persistText(p: boolean | null): string {
  if (p === null) return 'This browser cannot make storage persistent.';
  return p ? 'Persistent: the browser keeps this data even when space runs low.' : 'Not persistent: the browser may clear this data when space runs low.';
}

export const PERSIST_REFUSED = 'The browser said no: it may still clear this data when space runs low (browsers grant it to sites used often, installed or bookmarked).';

/** What a held torrent's row says of it: its size, or how much of it is stored. */
export function storedText(t: { stored: number; length: number }): string {
  return t.stored >= t.length ? formatBytes(t.length) : `${formatBytes(t.stored)} of ${formatBytes(t.length)}`;
}
