/** Waiting: a pause, and polling a condition until it holds or a deadline passes. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A condition: null once it holds, else what is still missing (shown on a timeout). */
export type Check = () => Promise<string | null> | string | null;

export interface Waited {
  /** Seconds until the condition held; null: it did not within the time. */
  seconds: number | null;
  /** What the check said last (empty once it held). */
  last: string;
}

/** Run `check` every `everyMs` until it holds, or until `timeoutMs` have passed. */
export async function waitUntil(check: Check, timeoutMs: number, everyMs = 500): Promise<Waited> {
  const t0 = performance.now();
  for (;;) {
    const why = await check();
    if (why === null) return { seconds: (performance.now() - t0) / 1000, last: '' };
    if (performance.now() - t0 > timeoutMs) return { seconds: null, last: why };
    await sleep(everyMs);
  }
}

/** waitUntil that throws "`what`: not reached within N s (what was missing)" on a timeout. */
export async function waitFor(what: string, check: Check, timeoutMs: number, everyMs = 500): Promise<void> {
  const { seconds, last } = await waitUntil(check, timeoutMs, everyMs);
  if (seconds === null) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s (${last})`);
}

/** The check, a throw counting as not yet (its message's first line as what is missing): a page busy or reloading. */
export function retryingThrows(check: Check): Check {
  return async () => {
    try {
      return await check();
    } catch (err) {
      return (err as Error).message.split('\n')[0] as string;
    }
  };
}
