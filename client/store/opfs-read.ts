/**
 * Reading pieces from the Origin Private File System without a worker (the service worker has
 * none): a snapshot of each file (`getFile`) kept while it serves, the piece sliced out of it.
 * A snapshot that is stale (the file changed since: a tab wrote more of it, or it was deleted
 * and written again) is taken afresh, once per read.
 */
import { fileName, PIECES_DIR } from './opfs-messages';

/** Snapshots kept (a stream reads one file at a time; a few streams at once). */
const KEEP = 8;

export class OpfsReader {
  private readonly snapshots = new Map<string, Promise<File | undefined>>();

  async read(file: string, at: number, length: number): Promise<Uint8Array | undefined> {
    for (let fresh = false; ; fresh = true) {
      const f = await this.snapshot(file, fresh);
      // No such file, or one too short, when the snapshot was taken: it may have been written since.
      if (!f || at + length > f.size) {
        if (fresh) return undefined;
        continue;
      }
      try {
        return new Uint8Array(await f.slice(at, at + length).arrayBuffer());
      } catch (err) {
        if ((err as Error).name !== 'NotReadableError' || fresh) throw err;
      }
    }
  }

  /** Bytes [start, end) of the file as it is now, or undefined when it is shorter (or absent). */
  async slice(file: string, start: number, end: number): Promise<Blob | undefined> {
    const f = await this.snapshot(file, true);
    return f && end <= f.size ? f.slice(start, end) : undefined;
  }

  private snapshot(file: string, fresh: boolean): Promise<File | undefined> {
    const held = this.snapshots.get(file);
    if (held && !fresh) return held;
    const taken = this.take(file);
    this.snapshots.delete(file);
    this.snapshots.set(file, taken);
    while (this.snapshots.size > KEEP) this.snapshots.delete(this.snapshots.keys().next().value as string);
    taken.catch(() => this.snapshots.get(file) === taken && this.snapshots.delete(file));
    return taken;
  }

  private async take(file: string): Promise<File | undefined> {
    try {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(PIECES_DIR);
      return await (await dir.getFileHandle(fileName(file))).getFile();
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'NotFoundError' || name === 'TypeMismatchError') return undefined;
      throw err;
    }
  }
}
