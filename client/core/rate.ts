/** Transfer rates and rate limits, with explicit time (ms). */
import { TokenBucket } from '../../protocol/token-bucket';

/** Bytes per second over a sliding window of `windowMs`, kept in `buckets` slots. */
/** A measured rate as the cores use it: a non-finite or negative one counts as 0. */
export function usableRate(bytesPerSec: number): number {
  return Number.isFinite(bytesPerSec) && bytesPerSec > 0 ? bytesPerSec : 0;
}

export class RateMeter {
  private readonly slots: Float64Array;
  private readonly slotMs: number;
  private head = 0;
  private headTime = 0;
  total = 0;

  constructor(
    readonly windowMs = 5_000,
    buckets = 10,
  ) {
    this.slots = new Float64Array(buckets);
    this.slotMs = windowMs / buckets;
  }

  add(bytes: number, now: number): void {
    this.roll(now);
    this.slots[this.head] = (this.slots[this.head] ?? 0) + bytes;
    this.total += bytes;
  }

  /** Bytes/s over the window (a connection younger than the window is averaged over the window). */
  rate(now: number): number {
    this.roll(now);
    let sum = 0;
    for (const v of this.slots) sum += v;
    return (sum * 1000) / this.windowMs;
  }

  private roll(now: number): void {
    const slot = Math.floor(now / this.slotMs);
    if (this.headTime === 0) {
      this.headTime = slot;
      return;
    }
    const steps = Math.min(this.slots.length, slot - this.headTime);
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.slots.length;
      this.slots[this.head] = 0;
    }
    if (slot > this.headTime) this.headTime = slot;
  }
}

/**
 * A rate limit (token bucket of `burstSeconds` seconds' worth). `reserve` takes `bytes` and says
 * how long the caller must wait before sending them; 0 when unlimited or within the budget.
 * `take` is the budget form: it spends `amount` only if the bucket holds it, else refuses.
 * The bucket starts full at its first use, and again after every `set`.
 */
export class RateLimit {
  private bucket: TokenBucket | null = null;
  private rate: number;

  constructor(
    bytesPerSecond: number = Infinity,
    readonly burstSeconds = 1,
  ) {
    this.rate = bytesPerSecond;
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  reserve(bytes: number, now: number): number {
    const bucket = this.limited(now);
    if (!bucket) return 0;
    const left = bucket.spend(now, bytes);
    return left >= 0 ? 0 : Math.ceil((-left / this.rate) * 1000);
  }

  /** Bytes the budget holds at `now` (negative while in debt); Infinity when unlimited. */
  available(now: number): number {
    return this.limited(now)?.available(now) ?? Infinity;
  }

  /** Spend `amount` if the bucket holds it (true), else spend nothing (false). */
  take(amount: number, now: number): boolean {
    return this.limited(now)?.take(now, amount) ?? true;
  }

  set(bytesPerSecond: number): void {
    this.rate = bytesPerSecond > 0 ? bytesPerSecond : Infinity;
    this.bucket = null;
  }

  /** The bucket, made full at `now` on first use; null when unlimited. */
  private limited(now: number): TokenBucket | null {
    if (!Number.isFinite(this.rate) || this.rate <= 0) return null;
    return (this.bucket ??= new TokenBucket(this.rate * this.burstSeconds, this.rate, now));
  }
}
