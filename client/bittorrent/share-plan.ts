/**
 * How several files (picked together, or a folder) become one multi-file torrent: each path
 * cleaned by the name rules (protocol/file-name.ts), the folder they share taken as the
 * torrent's name (else the name given, else "N files"), and the files in path order, so the
 * same folder makes the same torrent however the browser listed it. Pure.
 */
import { cleanFileName, cleanFilePath } from '../../protocol/file-name';

/** A file to share: its path in the set ("folder/sub/a.txt", or a bare name) and its size. */
export interface PlanEntry {
  path: string;
  size: number;
}

export interface SharePlan {
  /** The torrent's name (its directory). */
  name: string;
  /** In torrent order; `source` is the entry's index in the list given. */
  files: { path: string[]; length: number; source: number }[];
  /** What cleaning changed, in words (empty when nothing). */
  changes: string[];
}

/** Files per torrent at most (as protocol/metainfo.ts accepts). */
const MAX_FILES = 100_000;

const byPath = (a: string[], b: string[]): number => {
  const x = a.join('/');
  const y = b.join('/');
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The plan of a multi-file share; throws a readable Error for an empty list, too many files, or two files cleaned to one path. */
export function planShare(entries: readonly PlanEntry[], name?: string): SharePlan {
  if (entries.length === 0) throw new Error('There are no files to share.');
  if (entries.length > MAX_FILES) throw new Error(`${entries.length} files are more than one torrent may hold (${MAX_FILES}).`);
  const changes = new Set<string>();
  const cleaned = entries.map((e) => {
    const c = cleanFilePath(e.path);
    for (const x of c.changes) changes.add(x);
    return c.path;
  });
  const root = cleaned[0]![0]!;
  const shared = cleaned.every((p) => p.length >= 2 && p[0] === root);
  const paths = shared ? cleaned.map((p) => p.slice(1)) : cleaned;
  const rawName = name ?? (shared ? root : `${entries.length} files`);
  const named = cleanFileName(rawName);
  for (const x of named.changes) changes.add(x);
  const files = paths.map((path, source) => ({ path, length: entries[source]!.size, source })).sort((a, b) => byPath(a.path, b.path));
  for (let k = 1; k < files.length; k++) {
    if (byPath(files[k - 1]!.path, files[k]!.path) === 0) throw new Error(`Two files would be shared as “${files[k]!.path.join('/')}”: rename one of them.`);
  }
  return { name: named.name, files, changes: [...changes] };
}
