/** Up to `k` distinct items of `items`, uniformly at random (partial Fisher-Yates). */
export function sample<T>(items: readonly T[], k: number, rng: () => number): T[] {
  const a = items.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a.slice(0, n);
}
