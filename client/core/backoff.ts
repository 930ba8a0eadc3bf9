/**
 * Reconnect delay: exponential from `baseMs`, capped at `maxMs`, with "equal jitter"
 * (half fixed, half random) so that many tabs dropped at once do not return in step.
 */
export function backoffDelay(attempt: number, rng: () => number, baseMs = 500, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + rng() * (ceiling / 2));
}
