/**
 * A browser's processes from /proc: its main process (the one started with our profile
 * directory) and all its descendants; their summed resident memory and CPU time.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  ppid: number;
  cmd: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

function processTable(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Fields after "(comm)": state ppid … utime (12th) stime (13th).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of the browser whose profile is `dir`: its main process and every descendant. */
function browserPids(procs: Map<number, Proc>, dir: string): Set<number> {
  const all = new Set([...procs].filter(([, p]) => p.cmd.includes(`--user-data-dir=${dir}`) && !p.cmd.includes('--type=')).map(([pid]) => pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) if (!all.has(pid) && all.has(p.ppid)) (all.add(pid), (grew = true));
  }
  return all;
}

/** The process table is read again after this long: reading all of /proc costs the machine CPU that the browsers measured would use. */
const RESCAN_MS = 2_000;
const known = new Map<string, { pids: Set<number>; at: number }>();

/** Sum of RSS of the processes of the browser whose profile is `dir`, in bytes (its processes found anew every 2 s). */
export function browserRss(dir: string): number {
  const now = Date.now();
  let k = known.get(dir);
  if (!k || now - k.at >= RESCAN_MS) {
    k = { pids: browserPids(processTable(), dir), at: now };
    known.set(dir, k);
  }
  let sum = 0;
  for (const pid of k.pids) sum += rssOf(pid);
  return sum;
}

/**
 * CPU seconds (user + system) the live processes of the browsers whose profiles are `dirs` have
 * used so far; the difference of two readings is what they used between them (processes that
 * ended meanwhile are not counted).
 */
export function browserCpuSeconds(dirs: string[]): number {
  const procs = processTable();
  let ticks = 0;
  for (const dir of dirs) for (const pid of browserPids(procs, dir)) ticks += procs.get(pid)?.ticks ?? 0;
  return ticks / TICKS_PER_S;
}
