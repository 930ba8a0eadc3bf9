/**
 * Whether the browser's storage can take a file before a share starts writing it (pure: the
 * estimate comes from navigator.storage.estimate()). Pieces take a little more room than their
 * bytes (IndexedDB's own records), and the rest of the page needs some too: a share is refused
 * up front unless the file, plus that margin, fits in what the quota leaves.
 */
import { formatBytes } from '../ui/dom';

export interface StorageEstimateLike {
  usage?: number;
  quota?: number;
}

/** Room a share of `size` bytes needs beyond the bytes themselves. */
export function storageMargin(size: number): number {
  return Math.ceil(size / 50) + 4 * 1024 * 1024;
}

/**
 * null when `size` bytes fit; otherwise why not, in plain words. An estimate without a quota
 * (a browser that does not say) lets the share start: a write refused later is cleaned up.
 */
export function storageProblem(size: number, estimate: StorageEstimateLike | null | undefined, name: string): string | null {
  const quota = estimate?.quota;
  if (quota === undefined || !Number.isFinite(quota)) return null;
  const free = Math.max(0, quota - (estimate?.usage ?? 0));
  if (size + storageMargin(size) <= free) return null;
  return (
    `${name} is ${formatBytes(size)}, but this browser lets the page store only ${formatBytes(free)} more ` +
    `(of ${formatBytes(quota)} it may use): nothing was stored. Free some disk space, or share a smaller file.`
  );
}
