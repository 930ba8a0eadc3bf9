/** Transfer rates and rate limits, with explicit time (ms). */

/** Bytes per second over a sliding window of `windowMs`, kept in `buckets` slots. */
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
 */
export class RateLimit {
  private tokens = 0;
  private last = 0;

  constructor(
    public bytesPerSecond: number = Infinity,
    readonly burstSeconds = 1,
  ) {}

  private refill(now: number): void {
    const cap = this.bytesPerSecond * this.burstSeconds;
    if (this.last === 0) {
      this.last = now;
      this.tokens = cap;
    }
    this.tokens = Math.min(cap, this.tokens + (Math.max(0, now - this.last) / 1000) * this.bytesPerSecond);
    this.last = Math.max(this.last, now);
  }

  reserve(bytes: number, now: number): number {
    if (!Number.isFinite(this.bytesPerSecond) || this.bytesPerSecond <= 0) return 0;
    this.refill(now);
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }

  /** Spend `amount` if the bucket holds it (true), else spend nothing (false). */
  take(amount: number, now: number): boolean {
    if (!Number.isFinite(this.bytesPerSecond) || this.bytesPerSecond <= 0) return true;
    this.refill(now);
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }

  set(bytesPerSecond: number): void {
    this.bytesPerSecond = bytesPerSecond > 0 ? bytesPerSecond : Infinity;
    this.last = 0;
  }
}
