/** What a share of dropped or picked files makes: one file's torrent, or one multi-file torrent. Pure. */
import { plural } from './dom';

export type SharePlan<F extends { size: number }> =
  | { kind: 'file'; file: F; label: string; size: number; jobLabel: string }
  | { kind: 'files'; items: { path: string; blob: F }[]; label: string; size: number; jobLabel: string };

/**
 * One file (not a folder): a torrent of it, named after the file. Several, or a folder: one
 * torrent of them all, labelled with their folder when they all sit in one, else "N files".
 */
export function planShare<F extends { size: number; name: string }>(files: { path: string; file: F }[], folder: boolean): SharePlan<F> | null {
  if (files.length === 0) return null;
  if (files.length === 1 && !folder) {
    const { file } = files[0]!;
    return { kind: 'file', file, label: file.name, size: file.size, jobLabel: file.name };
  }
  const root = files[0]!.path.split('/')[0] ?? '';
  const label = folder && files.every((f) => f.path.startsWith(`${root}/`)) ? root : `${files.length} files`;
  const size = files.reduce((n, f) => n + f.file.size, 0);
  return {
    kind: 'files',
    items: files.map(({ path, file }) => ({ path, blob: file })),
    label,
    size,
    jobLabel: `${label} (${plural(files.length, 'file')})`,
  };
}

/** The hashing line of a share job, and its fraction done. */
export function hashingText(bytes: number, total: number, format: (n: number) => string): { text: string; fraction: number } {
  const f = total > 0 ? bytes / total : 1;
  return { text: `hashing ${Math.floor(f * 100)} % · ${format(bytes)} of ${format(total)} stored`, fraction: f };
}
