/** A token bucket with explicit time: `take(now)` spends one token if there is one. */
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

  take(now: number, cost = 1): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perSecond);
    this.last = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return true;
    }
    return false;
  }
}

/**
 * Per-socket message limit: one bucket for the allowed rate; each refused message spends a
 * strike from a second, slowly refilling bucket, and a socket out of strikes is to be closed.
 */
export type LimitVerdict = 'ok' | 'refuse' | 'close';

export class SocketLimiter {
  private readonly bucket: TokenBucket;
  private readonly strikes: TokenBucket;
  constructor(capacity: number, perSecond: number, strikes: number, now: number) {
    this.bucket = new TokenBucket(capacity, perSecond, now);
    this.strikes = new TokenBucket(strikes, strikes / 60, now);
  }

  check(now: number): LimitVerdict {
    if (this.bucket.take(now)) return 'ok';
    return this.strikes.take(now) ? 'refuse' : 'close';
  }
}
