/**
 * npm run bench:storage — where pieces should live: IndexedDB (a Uint8Array or a Blob per piece,
 * 16 pieces per transaction, as client/bittorrent/piece-store.ts writes them) or the Origin
 * Private File System (one file per torrent, written at offsets with createWritable, read with
 * getFile().slice()). Writes and reads BENCH_STORAGE_MIB (128) MiB of 256 KiB pieces in a
 * persistent Chromium profile on a localhost page (a secure origin, as OPFS needs), and prints
 * MB/s of each. Figures only: it never fails on speed.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumEngine, launchProfile } from './kit/browsers.ts';
import { browserCpuSeconds } from './kit/procs.ts';
import { envNumber } from './kit/env.ts';
import { fixed, KiB, MiB } from './kit/format.ts';
import { table } from './kit/table.ts';

const TOTAL = envNumber('BENCH_STORAGE_MIB', 128) * MiB;
const PIECE = 262_144;
const engine = chromiumEngine('bench:storage');

const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>storage bench</title>'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const dir = await mkdtemp(join(tmpdir(), 'edge-p2p-storage-bench-'));
const { context, page } = await launchProfile(engine, dir);

type Kind = 'idb-bytes' | 'idb-blob' | 'opfs' | 'opfs-sync' | 'opfs-sync-files';

try {
  await page.goto(`http://localhost:${port}/`);
  const rows: { kind: Kind; write: number; read: number; cpu: number }[] = [];
  for (const kind of ['idb-bytes', 'idb-blob', 'opfs', 'opfs-sync', 'opfs-sync-files'] as Kind[]) {
    for (let round = 0; round < 2; round++) {
      const cpu0 = browserCpuSeconds([dir]);
      const r = await page.evaluate(
        async ({ kind, total, piece }) => {
          const n = Math.ceil(total / piece);
          // Random bytes throughout, as a torrent's pieces are (a store that compresses gains nothing).
          const data = new Uint8Array(piece);
          for (let o = 0; o < piece; o += 65_536) crypto.getRandomValues(data.subarray(o, o + 65_536));
          const req = <T>(r: IDBRequest<T>) => new Promise<T>((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))));
          const done = (tx: IDBTransaction) => new Promise<void>((ok, ko) => ((tx.oncomplete = () => ok()), (tx.onerror = () => ko(tx.error)), (tx.onabort = () => ko(tx.error))));
          let write = 0;
          let read = 0;
          if (kind === 'opfs-sync' || kind === 'opfs-sync-files') {
            // A dedicated worker with a sync access handle (the only place one can be had), each
            // piece transferred to it as a torrent's writer would.
            const src = kind === 'opfs-sync-files' ? `onmessage = async (e) => {
              // A file per piece: opened, written, flushed and closed each time.
              const { n, piece, data } = e.data;
              const root = await navigator.storage.getDirectory();
              const dir = await root.getDirectoryHandle('bench-files', { create: true });
              const t0 = performance.now();
              for (let i = 0; i < n; i++) {
                const fh = await dir.getFileHandle(String(i), { create: true });
                const h = await fh.createSyncAccessHandle();
                h.write(new Uint8Array(data), { at: 0 });
                h.flush();
                h.close();
              }
              const write = performance.now() - t0;
              const t1 = performance.now();
              let sum = 0;
              for (let i = 0; i < n; i++) {
                const fh = await dir.getFileHandle(String(i));
                const h = await fh.createSyncAccessHandle();
                const buf = new Uint8Array(h.getSize());
                sum += h.read(buf, { at: 0 });
                h.close();
              }
              const read = performance.now() - t1;
              await root.removeEntry('bench-files', { recursive: true });
              postMessage({ write, read, sum });
            }` : `onmessage = async (e) => {
              const { n, piece, data } = e.data;
              const root = await navigator.storage.getDirectory();
              const fh = await root.getFileHandle('bench-sync.bin', { create: true });
              const h = await fh.createSyncAccessHandle();
              const t0 = performance.now();
              for (let i = 0; i < n; i++) h.write(new Uint8Array(data), { at: i * piece });
              h.flush();
              const write = performance.now() - t0;
              const t1 = performance.now();
              let sum = 0;
              const buf = new Uint8Array(piece);
              for (let i = 0; i < n; i++) sum += h.read(buf, { at: i * piece });
              const read = performance.now() - t1;
              h.close();
              await root.removeEntry('bench-sync.bin');
              postMessage({ write, read, sum });
            }`;
            const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
            const res = await new Promise<{ write: number; read: number; sum: number }>((ok, ko) => {
              worker.onmessage = (e) => ok(e.data);
              worker.onerror = (e) => ko(new Error(e.message));
              worker.postMessage({ n, piece, data: data.buffer });
            });
            worker.terminate();
            if (res.sum !== n * piece) throw new Error('short read');
            write = res.write;
            read = res.read;
          } else if (kind === 'opfs') {
            const root = await navigator.storage.getDirectory();
            const fh = await root.getFileHandle('bench.bin', { create: true });
            const t0 = performance.now();
            const w = await fh.createWritable();
            for (let i = 0; i < n; i++) await w.write({ type: 'write', position: i * piece, data });
            await w.close();
            write = performance.now() - t0;
            const t1 = performance.now();
            const file = await fh.getFile();
            let sum = 0;
            for (let i = 0; i < n; i++) sum += (await file.slice(i * piece, (i + 1) * piece).arrayBuffer()).byteLength;
            read = performance.now() - t1;
            if (sum !== n * piece) throw new Error('short read');
            await root.removeEntry('bench.bin');
          } else {
            const open = indexedDB.open(`bench-${kind}`, 1);
            open.onupgradeneeded = () => open.result.createObjectStore('s');
            const db = await req(open);
            const t0 = performance.now();
            const inFlight: Promise<void>[] = [];
            for (let i = 0; i < n; i += 16) {
              const tx = db.transaction('s', 'readwrite');
              const s = tx.objectStore('s');
              for (let j = i; j < Math.min(n, i + 16); j++) s.put(kind === 'idb-blob' ? new Blob([data]) : data.slice(), `p:${j}`);
              inFlight.push(done(tx));
              if (inFlight.length >= 2) await inFlight.shift();
            }
            await Promise.all(inFlight);
            write = performance.now() - t0;
            const t1 = performance.now();
            let sum = 0;
            for (let i = 0; i < n; i++) {
              const v = await req(db.transaction('s').objectStore('s').get(`p:${i}`));
              sum += v instanceof Blob ? (await v.arrayBuffer()).byteLength : (v as Uint8Array).byteLength;
            }
            read = performance.now() - t1;
            if (sum !== n * piece) throw new Error('short read');
            db.close();
            await req(indexedDB.deleteDatabase(`bench-${kind}`));
          }
          return { write: (n * piece) / 1e6 / (write / 1000), read: (n * piece) / 1e6 / (read / 1000) };
        },
        { kind, total: TOTAL, piece: PIECE },
      );
      const cpu = (browserCpuSeconds([dir]) - cpu0) / ((2 * TOTAL) / (1024 * MiB));
      if (round === 1) rows.push({ kind, ...r, cpu }); // the first round warms the profile up
    }
  }
  console.log(`bench:storage  ${TOTAL / MiB} MiB in ${PIECE / KiB} KiB pieces, persistent ${engine.name} profile, second of two rounds`);
  console.log(table(['store', 'write MB/s', 'read MB/s', 'CPU s/GiB'], rows.map((r) => [r.kind, fixed(r.write, 0), fixed(r.read, 0), fixed(r.cpu, 1)]), { left: [0], rule: false }));
  console.log('CPU s/GiB: user + system seconds of the browser\'s processes per GiB written and read back (the round as a whole).');
} finally {
  await context.close();
  server.close();
  await rm(dir, { recursive: true, force: true });
}
