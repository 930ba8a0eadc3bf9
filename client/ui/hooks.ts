/** Hooks the page's components share: the page clock. */
import { useEffect, useState } from 'preact/hooks';
import { pageClock, type Clock } from './clock';

/** Re-render every `everyTicks` ticks of the page clock (none while the page is hidden); the tick count. */
export function useClock(everyTicks = 1, clock: Clock = pageClock()): number {
  const [ticks, setTicks] = useState(0);
  useEffect(() => clock.subscribe(() => setTicks((n) => n + 1), everyTicks), [clock, everyTicks]);
  return ticks;
}
