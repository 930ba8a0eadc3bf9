/**
 * The one table of requests waiting for an answer: each under a key (a request ref, a peer id),
 * each with its timeout. An answer settles its key (`settle` says whether it was still pending,
 * so that a late or unasked-for answer can be told apart); `fail` and `failAll` reject (a
 * refusal, the connection closing). The timer source is injected, so unit tests run on a fake
 * clock.
 */

/** Where timeouts come from: the global timers, or a fake clock in unit tests. */
export interface TimerSource {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: TimerSource = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Entry<V> {
  promise: Promise<V>;
  resolve: (value: V) => void;
  reject: (err: Error) => void;
  timer: unknown;
}

export class PendingTable<K extends string | number, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly timers: TimerSource = systemTimers) {}

  /**
   * Wait for the answer to `key`: the promise fails with `timeout()` after `ms`, or waits without
   * a timeout (`ms` null) until `arm` starts one. A key already pending is a caller's mistake.
   *
   * The promise is marked handled: a timeout may fire while the request is still being sent, and
   * the caller sees the rejection when it awaits, never as an unhandled rejection meanwhile.
   */
  add(key: K, ms: number | null, timeout: () => Error): Promise<V> {
    if (this.entries.has(key)) throw new Error(`a request ${String(key)} is already pending`);
    let resolve!: (value: V) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<V>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.entries.set(key, { promise, resolve, reject, timer: null });
    if (ms !== null) this.arm(key, ms, timeout);
    return promise;
  }

  /** (Re)start the timeout of a pending `key`, from now. False if it is not pending. */
  arm(key: K, ms: number, timeout: () => Error): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (e.timer !== null) this.timers.clearTimeout(e.timer);
    e.timer = this.timers.setTimeout(() => {
      if (this.entries.get(key) === e) this.take(key)?.reject(timeout());
    }, ms);
    return true;
  }

  /** The promise of a pending `key` (to share one request among callers). */
  promise(key: K): Promise<V> | undefined {
    return this.entries.get(key)?.promise;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Answer `key` with `value`. False if it was not pending (timed out, never asked, answered). */
  settle(key: K, value: V): boolean {
    const e = this.take(key);
    e?.resolve(value);
    return e !== undefined;
  }

  /** Reject `key` with `err`. False if it was not pending. */
  fail(key: K, err: Error): boolean {
    const e = this.take(key);
    e?.reject(err);
    return e !== undefined;
  }

  /** Reject every pending key (the connection closed): `err`, or the error made for each key. */
  failAll(err: Error | ((key: K) => Error)): void {
    for (const key of [...this.entries.keys()]) this.fail(key, typeof err === 'function' ? err(key) : err);
  }

  private take(key: K): Entry<V> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.timer !== null) this.timers.clearTimeout(e.timer);
    return e;
  }
}
