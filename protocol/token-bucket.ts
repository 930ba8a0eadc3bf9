/**
 * The one token bucket, pure: explicit time (`now`, in ms), no clock of its own. It holds at
 * most `capacity` tokens, starts full, and refills at `perSecond`. A clock that steps back
 * refills nothing and never moves the bucket's time back (the interval is not counted twice).
 *
 * Used by the edge (per-socket and per-address limits) and by the peers (the flood router's
 * per-link limits, the connection budget's rates, transfer rate limits).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Tokens there are at `now` (after refilling); negative while a debt is being paid back. */
  available(now: number): number {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perSecond);
    this.last = Math.max(this.last, now);
    return this.tokens;
  }

  /** Spend `cost` tokens if the bucket holds them (true), else spend nothing (false). */
  take(now: number, cost = 1): boolean {
    if (this.available(now) < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Spend `cost` tokens whatever the bucket holds (it may go into debt); the tokens left. */
  spend(now: number, cost: number): number {
    this.tokens = this.available(now) - cost;
    return this.tokens;
  }

  /** Give back `n` tokens (never above the capacity). */
  put(n: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + n);
  }
}

/**
 * The bucket of `key` in `buckets` (made full at `now` if new). The map is bounded: past 10,000
 * keys it is cleared (every bucket starts full again), so that a spray of keys cannot grow it.
 */
export function bucketOf<K>(buckets: Map<K, TokenBucket>, key: K, burst: number, perSecond: number, now: number): TokenBucket {
  let bucket = buckets.get(key);
  if (!bucket) {
    if (buckets.size >= 10_000) buckets.clear();
    bucket = new TokenBucket(burst, perSecond, now);
    buckets.set(key, bucket);
  }
  return bucket;
}
