/** A benchmark's knobs from the environment. */

/** A number (`fallback` when unset); throws unless it is above 0 (or 0, with `orZero`). */
export function envNumber(name: string, fallback: number, opts: { orZero?: boolean } = {}): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0 || (v === 0 && !opts.orZero)) throw new Error(`${name} must be ${opts.orZero ? 'a number >= 0' : 'a positive number'}`);
  return v;
}

/** A comma-separated list (`fallback` when unset), each item trimmed. */
export function envList(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback).split(',').map((s) => s.trim());
}
