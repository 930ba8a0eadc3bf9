import { expect, test } from '@playwright/test';
import { createClock, type ClockDeps } from '../../client/ui/clock';

/** A clock on hand-driven deps: `fire()` runs the interval, `show(v)` flips visibility. */
function fake() {
  let timer: (() => void) | null = null;
  let visible = true;
  let onVis: () => void = () => {};
  const deps: ClockDeps = {
    setInterval: (fn) => ((timer = fn), 'h'),
    clearInterval: () => void (timer = null),
    visible: () => visible,
    onVisibility: (fn) => void (onVis = fn),
  };
  return {
    deps,
    running: () => timer !== null,
    fire: () => timer?.(),
    show: (v: boolean) => {
      visible = v;
      onVis();
    },
  };
}

test('one timer for every subscriber, only while someone listens; slower beats; unsubscribe', () => {
  const f = fake();
  const clock = createClock(1_000, f.deps);
  expect(f.running()).toBe(false);
  const seen: string[] = [];
  const offA = clock.subscribe(() => seen.push('a'));
  clock.subscribe(() => seen.push('b'), 3);
  expect(f.running()).toBe(true);
  for (let i = 0; i < 3; i++) f.fire();
  expect(seen).toEqual(['a', 'a', 'a', 'b']);
  offA();
  f.fire();
  expect(seen).toEqual(['a', 'a', 'a', 'b']);
  clock.stop();
  expect(f.running()).toBe(false);
});

test('a hidden page has no timer; shown again, every subscriber redraws at once', () => {
  const f = fake();
  const clock = createClock(1_000, f.deps);
  let n = 0;
  clock.subscribe(() => n++, 3);
  f.show(false);
  expect(f.running()).toBe(false);
  f.show(true);
  expect(f.running()).toBe(true);
  expect(n).toBe(1);
  f.show(true); // no change: no extra redraw
  expect(n).toBe(1);
});
