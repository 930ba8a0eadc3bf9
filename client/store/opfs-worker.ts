/**
 * The OPFS worker (built to /opfs-worker.js): writes and reads pieces with sync access handles,
 * which only a dedicated worker can hold. One file per piece key in /pieces; a handle stays open
 * while it is used and is closed after IDLE_MS without use, so that another tab's worker, a
 * deletion or the service worker's reads are not kept waiting. Handles are opened
 * "readwrite-unsafe" where the browser has that mode: tabs of one browser may write the same
 * torrent at once (a verified piece is the same bytes whichever tab writes it).
 */
import { fileName, parseOpfsRequest, PIECES_DIR, type OpfsReply, type OpfsRequest } from './opfs-messages';

interface SyncHandle {
  read(buf: Uint8Array, opts: { at: number }): number;
  write(buf: Uint8Array, opts: { at: number }): number;
  getSize(): number;
  flush(): void;
  close(): void;
}
interface SyncFileHandle extends FileSystemFileHandle {
  createSyncAccessHandle(opts?: { mode: string }): Promise<SyncHandle>;
}

const IDLE_MS = 1_000;
/** How long a deletion waits for other holders (another tab's worker) to close the file. */
const REMOVE_WAIT_MS = 10_000;

const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: OpfsReply, transfer?: Transferable[]): void };
let dir: Promise<FileSystemDirectoryHandle> | null = null;
const open = new Map<string, { handle: Promise<SyncHandle>; used: number }>();

const pieces = () => (dir ??= navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(PIECES_DIR, { create: true })));

async function createHandle(file: string, create: boolean): Promise<SyncHandle> {
  const fh = (await (await pieces()).getFileHandle(fileName(file), { create })) as SyncFileHandle;
  try {
    return await fh.createSyncAccessHandle({ mode: 'readwrite-unsafe' });
  } catch (err) {
    // A browser without modes (a TypeError on the options, or the mode refused): the exclusive default.
    if ((err as Error).name === 'NoModificationAllowedError') throw err;
    return fh.createSyncAccessHandle();
  }
}

/** The open handle of `file` (opened now if need be; `create` false: NotFoundError if it does not exist). */
function handle(file: string, create: boolean): Promise<SyncHandle> {
  const now = Date.now();
  const held = open.get(file);
  if (held) {
    held.used = now;
    return held.handle;
  }
  const h = createHandle(file, create);
  open.set(file, { handle: h, used: now });
  h.catch(() => open.get(file)?.handle === h && open.delete(file));
  return h;
}

async function close(file: string): Promise<void> {
  const held = open.get(file);
  if (!held) return;
  open.delete(file);
  try {
    (await held.handle).close();
  } catch {
    // it never opened
  }
}

setInterval(() => {
  const now = Date.now();
  for (const [file, h] of open) if (now - h.used >= IDLE_MS) void close(file);
}, IDLE_MS / 2);

/** The operations on each file, one after the other (a deletion never overtakes a write before it). */
const chains = new Map<string, Promise<unknown>>();

function serial<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const run = (chains.get(file) ?? Promise.resolve()).then(fn, fn);
  const settled = run.catch(() => undefined);
  chains.set(file, settled);
  void settled.then(() => chains.get(file) === settled && chains.delete(file));
  return run;
}

async function write(file: string, writes: { at: number; bytes: Uint8Array }[]): Promise<void> {
  const h = await handle(file, true);
  for (const w of writes) {
    const n = h.write(w.bytes, { at: w.at });
    if (n !== w.bytes.length) throw Object.assign(new Error(`only ${n} of ${w.bytes.length} bytes were written`), { name: 'QuotaExceededError' });
  }
  h.flush();
}

async function read(file: string, at: number, length: number): Promise<Uint8Array | undefined> {
  let h: SyncHandle;
  try {
    h = await handle(file, false);
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return undefined;
    throw err;
  }
  if (at + length > h.getSize()) return undefined;
  const buf = new Uint8Array(length);
  return h.read(buf, { at }) === length ? buf : undefined;
}

async function run(req: OpfsRequest): Promise<Uint8Array | undefined> {
  if (req.op === 'write') {
    const byFile = new Map<string, { at: number; bytes: Uint8Array }[]>();
    for (const w of req.writes) byFile.set(w.file, [...(byFile.get(w.file) ?? []), w]);
    await Promise.all([...byFile].map(([file, writes]) => serial(file, () => write(file, writes))));
    return undefined;
  }
  if (req.op === 'read') return serial(req.file, () => read(req.file, req.at, req.length));
  return serial(req.file, () => remove(req.file));
}

async function remove(file: string): Promise<undefined> {
  await close(file);
  const root = await pieces();
  for (const t0 = Date.now(); ; ) {
    try {
      await root.removeEntry(fileName(file));
      return undefined;
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'NotFoundError') return undefined;
      // Another tab's worker still holds it open (it closes idle files within a second or two).
      if (name !== 'NoModificationAllowedError' || Date.now() - t0 > REMOVE_WAIT_MS) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

scope.onmessage = (e: MessageEvent) => {
  const req = parseOpfsRequest(e.data);
  if (!req) {
    const id = typeof (e.data as { id?: unknown } | null)?.id === 'number' ? (e.data as { id: number }).id : -1;
    scope.postMessage({ id, ok: false, name: 'TypeError', message: 'the OPFS worker got a message it does not understand' });
    return;
  }
  run(req).then(
    (bytes) => scope.postMessage(bytes ? { id: req.id, ok: true, bytes } : { id: req.id, ok: true }, bytes ? [bytes.buffer] : []),
    (err: unknown) => scope.postMessage({ id: req.id, ok: false, name: (err as Error).name || 'Error', message: (err as Error).message || String(err) }),
  );
};
