/**
 * page.evaluate for long async work in a page, with the page holding the work's promise until it
 * settles. Chromium's inspector tracks an awaited evaluate promise through a weak handle, and a
 * garbage collection can take it while the work is still under way ("Resulting promise was
 * garbage collected", seen in CI on a share that would have finished). Here the promise is kept
 * in a page global from the start, so it lives until it settles, and a second evaluate awaits it.
 */
import type { Page } from '@playwright/test';

type HeldWindow = { __held?: Map<number, Promise<unknown>>; __heldNext?: number };

export async function evaluateHeld<A, R>(page: Page, fn: (arg: A) => Promise<R>, arg: A): Promise<R> {
  const id = await page.evaluate(
    ({ src, arg }) => {
      const w = window as unknown as HeldWindow;
      const held = (w.__held ??= new Map());
      const id = (w.__heldNext = (w.__heldNext ?? 0) + 1);
      const run = (0, eval)(`(${src})`) as (a: unknown) => Promise<unknown>;
      const work = Promise.resolve().then(() => run(arg));
      work.catch(() => {}); // awaited by the next evaluate; a failure meanwhile is not unhandled
      held.set(id, work);
      return id;
    },
    { src: fn.toString(), arg },
  );
  try {
    return (await page.evaluate((id) => (window as unknown as HeldWindow).__held?.get(id), id)) as R;
  } finally {
    await page.evaluate((id) => (window as unknown as HeldWindow).__held?.delete(id), id).catch(() => {});
  }
}
