/**
 * The page's one clock. Every card that redraws with time subscribes to it instead of keeping a
 * timer of its own: one interval for the page, none while the page is hidden (a background tab
 * redraws nothing), and one tick as soon as it is shown again. A subscriber may ask for a
 * slower beat (`everyTicks`: every n-th tick).
 */
export interface Clock {
  /** Call `fn` on every `everyTicks`-th tick (1 by default); returns the unsubscribe. */
  subscribe(fn: () => void, everyTicks?: number): () => void;
  /** Stop the timer for good (the page is going away). */
  stop(): void;
}

export interface ClockDeps {
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
  /** Whether the page is shown; `onVisibility` is called whenever that may have changed. */
  visible: () => boolean;
  onVisibility: (fn: () => void) => void;
}

const browserDeps = (): ClockDeps => ({
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  visible: () => document.visibilityState !== 'hidden',
  onVisibility: (fn) => document.addEventListener('visibilitychange', fn),
});

export function createClock(periodMs = 1_000, deps: ClockDeps = browserDeps()): Clock {
  const subs = new Set<{ fn: () => void; every: number }>();
  let ticks = 0;
  let handle: unknown = null;
  let stopped = false;
  const tick = () => {
    ticks++;
    for (const s of [...subs]) if (ticks % s.every === 0) s.fn();
  };
  const run = () => {
    const want = !stopped && subs.size > 0 && deps.visible();
    if (want && handle === null) {
      handle = deps.setInterval(tick, periodMs);
    } else if (!want && handle !== null) {
      deps.clearInterval(handle);
      handle = null;
    }
  };
  deps.onVisibility(() => {
    const wasRunning = handle !== null;
    run();
    // Shown again: everyone redraws at once rather than up to a period later.
    if (!wasRunning && handle !== null) for (const s of [...subs]) s.fn();
  });
  return {
    subscribe(fn, everyTicks = 1) {
      const s = { fn, every: Math.max(1, Math.floor(everyTicks)) };
      subs.add(s);
      run();
      return () => {
        subs.delete(s);
        run();
      };
    },
    stop() {
      stopped = true;
      run();
    },
  };
}

let shared: Clock | null = null;

/** The page's clock (made on first use): the cards' default. */
export function pageClock(): Clock {
  return (shared ??= createClock());
}
