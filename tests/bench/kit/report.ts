/** The lines around a benchmark's figures: the machine's load, and the problems met. */
import { cpus, loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages, "1.2 0.9 0.7". */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

/** "machine: 2 cores, load average A at start, B at the end" (`now`: how B is named). */
export function machineLine(loadAtStart: string, now = 'at the end'): string {
  return `machine: ${cpus().length} cores, load average ${loadAtStart} at start, ${loadAverage()} ${now}`;
}

/** A blank line, "problems:" and each one indented; nothing when there are none. */
export function problemLines(problems: readonly string[]): string[] {
  return problems.length ? ['', 'problems:', ...problems.map((p) => `  ${p}`)] : [];
}
