/** Numbers as a benchmark prints them. */

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** `x` with `digits` decimals; `none` when it is null, NaN or infinite (no figure). */
export function fixed(x: number | null, digits: number, none = '-'): string {
  return x !== null && Number.isFinite(x) ? x.toFixed(digits) : none;
}

/** A fraction (0.25) as a percentage ("25%"), with `digits` decimals; `none` when there is no figure. */
export function percentage(fraction: number, digits = 0, none = '-'): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : none;
}

/** Bytes in MiB with `digits` decimals (no unit); `none` when there is no figure. */
export function mib(bytes: number | null, digits: number, none = '-'): string {
  return fixed(bytes === null ? null : bytes / MiB, digits, none);
}
