/**
 * Node globals that simple-peer 9 and its stream dependencies expect in the browser. The
 * `process` package queues nextTick callbacks behind setTimeout, which browsers clamp to 4 ms
 * once nested: every data-channel message passes through readable-stream's nextTick, so a
 * microtask is used instead.
 */
import processShim from 'process';

export { Buffer } from 'buffer';

export const process = {
  ...processShim,
  nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void {
    queueMicrotask(() => fn(...args));
  },
};
