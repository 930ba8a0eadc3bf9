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
 * Per-socket message limit: a bucket for the allowed rate, and a count of refusals in a row;
 * a socket that keeps sending far past its limit is to be closed.
 */
export type LimitVerdict = 'ok' | 'refuse' | 'close';

export class SocketLimiter {
  private readonly bucket: TokenBucket;
  private refusedInRow = 0;
  constructor(
    capacity: number,
    perSecond: number,
    private readonly closeAfterRefusals: number,
    now: number,
  ) {
    this.bucket = new TokenBucket(capacity, perSecond, now);
  }

  check(now: number): LimitVerdict {
    if (this.bucket.take(now)) {
      this.refusedInRow = 0;
      return 'ok';
    }
    this.refusedInRow++;
    return this.refusedInRow >= this.closeAfterRefusals ? 'close' : 'refuse';
  }
}
