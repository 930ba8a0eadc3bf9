/** Statistics of a benchmark's samples. Every function of samples gives NaN for none. */

export function sum(samples: readonly number[]): number {
  let total = 0;
  for (const x of samples) total += x;
  return total;
}

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? NaN : sum(samples) / samples.length;
}

/** The middle sample, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

/** The p-th percentile (p from 0 to 100) of samples, nearest rank: percentile(xs, 95) is the p95. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function min(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  let m = Infinity;
  for (const x of samples) m = Math.min(m, x);
  return m;
}

export function max(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  let m = -Infinity;
  for (const x of samples) m = Math.max(m, x);
  return m;
}

/** A rate in MB/s (10^6 bytes a second). */
export function mbPerS(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}
