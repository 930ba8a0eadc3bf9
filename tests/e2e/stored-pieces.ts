/** What a page's browser holds of pieces: the files in its origin private file system's /pieces (client/store/opfs-worker.ts). */
import type { Page } from '@playwright/test';

export function storedPieceFiles(page: Page): Promise<{ name: string; size: number }[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await root.getDirectoryHandle('pieces');
    } catch {
      return [];
    }
    const out: { name: string; size: number }[] = [];
    for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (h.kind === 'file') out.push({ name, size: (await (h as FileSystemFileHandle).getFile()).size });
    }
    return out;
  });
}
