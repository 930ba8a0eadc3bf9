/**
 * What was dropped on the page: files, and folders walked to their files (the File and
 * Directory Entries API: `DataTransferItem.webkitGetAsEntry`), each with its path in the drop
 * ("holiday/day 1/beach.jpg"). The entries must be taken while the drop event runs (`entries`);
 * walking them (`walk`) may come later.
 */

/** A dropped file with its path ("folder/sub/name" or its bare name). */
export interface DroppedFile {
  path: string;
  file: File;
}

/** The entries of a drop, taken synchronously; null when the browser has none for it (use `dt.files`). */
export function entriesOf(dt: DataTransfer): FileSystemEntry[] | null {
  const items = [...dt.items].filter((i) => i.kind === 'file');
  if (items.length === 0 || typeof items[0]?.webkitGetAsEntry !== 'function') return null;
  const entries = items.map((i) => i.webkitGetAsEntry());
  // A drop made by a script (a DataTransfer built in the page) has files but no entries.
  return entries.every((e): e is FileSystemEntry => e !== null) ? entries : null;
}

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/** Every batch of a directory reader (each call returns some entries; an empty one ends it). */
async function children(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

/** The files under the dropped entries, folders walked depth first; `folder` when a folder was among them. */
export async function walk(entries: readonly FileSystemEntry[]): Promise<{ files: DroppedFile[]; folder: boolean }> {
  const files: DroppedFile[] = [];
  let folder = false;
  const visit = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) files.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    else if (entry.isDirectory) {
      folder = true;
      for (const child of await children(entry as FileSystemDirectoryEntry)) await visit(child, path);
    }
  };
  for (const e of entries) await visit(e, '');
  return { files, folder };
}
