/**
 * Requests to one destination sent as one call at a time: while a batch is in flight, or until
 * `gapMs` has passed since the last call, new requests queue and leave together. A lone request
 * after a quiet spell leaves at once (no latency added when the edge is quiet), and under load
 * batches grow with the rate, so that the destination sees at most one call per round trip (and
 * per gap) from each source, however many requests there are. Requests leave in the order they were submitted, and each gets its
 * own result or error (one failed request does not fail the others of its batch).
 *
 * The gateways' calls into a room's Lobby and the Lobby's deliveries to each gateway go through
 * one of these (Cloudflare counts requests per object: a crowd's joins become a few calls).
 */

/**
 * The edge's pacing: a gateway calls a room's Lobby, and a Lobby a gateway, at most every 10 ms
 * (100 calls a second from each source, however many sockets join, leave or ask).
 */
export const EDGE_BATCHING = { gapMs: 10, max: 256 } as const;

/** The outcome of one request of a batch, as the destination reports it. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

/** How a batcher paces its calls. */
export interface BatcherOptions {
  /** Requests a call carries at most (the rest wait for the next call). */
  max?: number;
  /**
   * The least time from one call to the next (ms): a destination hears from this source at
   * most 1000 / gapMs times a second, whatever the request rate. A lone request after a quiet
   * spell still leaves at once.
   */
  gapMs?: number;
  /** Called when the last call has settled, nothing is queued and the gap has passed. */
  onIdle?: () => void;
  now?: () => number;
  later?: (fn: () => void, ms: number) => unknown;
}

export class Batcher<Req, Res> {
  private queue: { req: Req; resolve: (r: Res) => void; reject: (e: Error) => void }[] = [];
  private inFlight = false;
  private waiting = false;
  private lastCall = -Infinity;
  private readonly max: number;
  private readonly gapMs: number;
  private readonly onIdle: () => void;
  private readonly now: () => number;
  private readonly later: (fn: () => void, ms: number) => unknown;
  /** Calls made so far (for the stats: requests against requests-per-object limits). */
  calls = 0;

  private readonly send: (reqs: Req[]) => Promise<Settled<Res>[]>;

  /** `send` delivers one batch and answers with one Settled per request, in order. */
  constructor(send: (reqs: Req[]) => Promise<Settled<Res>[]>, opts: BatcherOptions = {}) {
    this.send = send;
    this.max = opts.max ?? 256;
    this.gapMs = opts.gapMs ?? 0;
    this.onIdle = opts.onIdle ?? (() => undefined);
    this.now = opts.now ?? (() => Date.now());
    // Called as a plain function: workers (and browsers) refuse a setTimeout called on another object.
    this.later = opts.later ?? ((fn, ms) => setTimeout(fn, ms));
  }

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  /** Nothing queued, in flight or waiting out the gap. */
  get idle(): boolean {
    return !this.inFlight && !this.waiting && this.queue.length === 0;
  }

  private pump(): void {
    if (this.inFlight || this.waiting || this.queue.length === 0) return;
    const wait = this.lastCall + this.gapMs - this.now();
    if (wait > 0) {
      this.waiting = true;
      this.later(() => {
        this.waiting = false;
        this.pump();
      }, wait);
      return;
    }
    const batch = this.queue.splice(0, this.max);
    this.inFlight = true;
    this.lastCall = this.now();
    this.calls++;
    let sent: Promise<Settled<Res>[]>;
    try {
      sent = this.send(batch.map((b) => b.req));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent
      .then(
        (results) => {
          batch.forEach((b, i) => {
            const r = results[i];
            if (!r) b.reject(new Error(`the batch's answer has ${results.length} results for ${batch.length} requests`));
            else if (r.ok) b.resolve(r.value);
            else b.reject(new Error(r.error));
          });
        },
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          for (const b of batch) b.reject(e);
        },
      )
      .finally(() => {
        this.inFlight = false;
        this.pump();
        this.whenIdle();
      });
  }

  /** Tell the owner once nothing is queued and the gap since the last call has passed. */
  private whenIdle(): void {
    if (!this.idle) return;
    const wait = this.lastCall + this.gapMs - this.now();
    if (wait > 0) this.later(() => this.whenIdle(), wait);
    else this.onIdle();
  }
}

/** Run each request through `fn`, all at once, reporting each outcome on its own. */
export async function settleEach<Req, Res>(reqs: readonly Req[], fn: (req: Req) => Res | Promise<Res>): Promise<Settled<Res>[]> {
  return Promise.all(
    reqs.map(async (req): Promise<Settled<Res>> => {
      try {
        return { ok: true, value: await fn(req) };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/** One batcher per key (a room, a shard), made on first use and dropped when idle (after its gap: the pace holds across drops). */
export class Batchers<Req, Res> {
  private readonly byKey = new Map<string, Batcher<Req, Res>>();
  /** Calls made by batchers since dropped (the total stays whole). */
  private dropped = 0;

  private readonly send: (key: string, reqs: Req[]) => Promise<Settled<Res>[]>;
  private readonly opts: Omit<BatcherOptions, 'onIdle'>;

  constructor(send: (key: string, reqs: Req[]) => Promise<Settled<Res>[]>, opts: Omit<BatcherOptions, 'onIdle'> = {}) {
    this.send = send;
    this.opts = opts;
  }

  submit(key: string, req: Req): Promise<Res> {
    let b = this.byKey.get(key);
    if (!b) {
      const made: Batcher<Req, Res> = new Batcher<Req, Res>((reqs) => this.send(key, reqs), {
        ...this.opts,
        onIdle: () => {
          if (this.byKey.get(key) !== made) return;
          this.dropped += made.calls;
          this.byKey.delete(key);
        },
      });
      b = made;
      this.byKey.set(key, b);
    }
    return b.submit(req);
  }

  /** Keys with a batch queued or in flight. */
  get size(): number {
    return this.byKey.size;
  }

  /** Calls made so far by all batchers, live and dropped. */
  get calls(): number {
    let n = this.dropped;
    for (const b of this.byKey.values()) n += b.calls;
    return n;
  }
}
