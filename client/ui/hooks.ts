/** Hooks the page's components share: the page clock, a store's version, a memo by comparison. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { pageClock, type Clock } from './clock';

/** Re-render every `everyTicks` ticks of the page clock (none while the page is hidden); the tick count. */
export function useClock(everyTicks = 1, clock: Clock = pageClock()): number {
  const [ticks, setTicks] = useState(0);
  useEffect(() => clock.subscribe(() => setTicks((n) => n + 1), everyTicks), [clock, everyTicks]);
  return ticks;
}

/** Re-render whenever `source` says it changed (a store of the page); its version. */
export function useVersion(source: { version: number; subscribe(listener: () => void): () => void }): number {
  const [version, setVersion] = useState(source.version);
  useEffect(() => {
    const off = source.subscribe(() => setVersion(source.version));
    setVersion(source.version); // a change between the first render and this subscription
    return off;
  }, [source]);
  return version;
}

/**
 * The value made from `inputs`, made again only when `same(previous inputs, inputs)` says they
 * differ (a deep comparison `useMemo`'s identity check cannot do); null inputs: null.
 */
export function useMemoBy<I, V>(inputs: I | null, same: (prev: I | null, next: I) => boolean, make: (inputs: I) => V): V | null {
  const memo = useRef<{ inputs: I; value: V } | null>(null);
  if (inputs === null) {
    memo.current = null;
    return null;
  }
  if (!memo.current || !same(memo.current.inputs, inputs)) memo.current = { inputs, value: make(inputs) };
  return memo.current.value;
}
