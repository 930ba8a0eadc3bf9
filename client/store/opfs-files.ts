/**
 * Pieces in the Origin Private File System, written and read by a dedicated worker
 * (client/store/opfs-worker.ts, built to /opfs-worker.js) so that no write blocks the page; one
 * request table pairs the worker's answers with the calls (client/core/pending.ts). Errors keep
 * their DOMException name (QuotaExceededError, …) across the worker boundary.
 */
import { PendingTable } from '../core/pending';
import { parseOpfsReply, type OpfsRequest } from './opfs-messages';
import type { PieceFiles, PieceWrite } from './piece-files';

/** Where the built worker is served (scripts/build-client.mjs). */
export const OPFS_WORKER_URL = '/opfs-worker.js';
/** A request the worker has not answered in this long failed (a wedged disk, a dead worker). */
const REQUEST_MS = 60_000;

/** Whether this browser can keep pieces in OPFS here (a secure context with workers and the file system). */
export function opfsAvailable(): boolean {
  return typeof Worker === 'function' && globalThis.isSecureContext === true && typeof navigator.storage?.getDirectory === 'function';
}

type Body<R> = R extends OpfsRequest ? Omit<R, 'id'> : never;

export class OpfsPieceFiles implements PieceFiles {
  private readonly worker: Worker;
  private readonly pending = new PendingTable<number, Uint8Array | undefined>();
  private nextId = 1;

  constructor(url = OPFS_WORKER_URL) {
    this.worker = new Worker(url);
    this.worker.onmessage = (e: MessageEvent) => {
      const reply = parseOpfsReply(e.data);
      if (!reply) return;
      if (reply.ok) this.pending.settle(reply.id, reply.bytes);
      else this.pending.fail(reply.id, Object.assign(new Error(reply.message), { name: reply.name }));
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.pending.failAll(new Error(`the storage worker failed: ${e.message || 'it could not start'}`));
    };
  }

  async writeMany(writes: readonly PieceWrite[]): Promise<void> {
    await this.call({ op: 'write', writes: writes.map((w) => ({ file: w.file, at: w.at, bytes: w.bytes })) });
  }

  read(file: string, _index: number, at: number, length: number): Promise<Uint8Array | undefined> {
    return this.call({ op: 'read', file, at, length });
  }

  async remove(file: string): Promise<void> {
    await this.call({ op: 'remove', file });
  }

  private call(body: Body<OpfsRequest>): Promise<Uint8Array | undefined> {
    const id = this.nextId++;
    const answer = this.pending.add(id, REQUEST_MS, () => new Error(`the storage worker did not answer a ${body.op} in ${REQUEST_MS / 1000} s`));
    this.worker.postMessage({ ...body, id });
    return answer;
  }
}
