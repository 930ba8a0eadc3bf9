/** What the page and its OPFS worker (client/store/opfs-worker.ts) say to each other. */

export type OpfsRequest =
  | { id: number; op: 'write'; writes: { file: string; at: number; bytes: Uint8Array }[] }
  | { id: number; op: 'read'; file: string; at: number; length: number }
  | { id: number; op: 'remove'; file: string };

export type OpfsReply =
  | { id: number; ok: true; bytes?: Uint8Array }
  /** `name` is the DOMException's (QuotaExceededError, NotFoundError, …), kept across the worker boundary. */
  | { id: number; ok: false; name: string; message: string };

/** The directory of the origin's private file system the pieces' files live in. */
export const PIECES_DIR = 'pieces';

/** A piece key made a file name (piece keys are info hashes or share-<base36>-<base36>; anything else is escaped). */
export const fileName = (file: string) => encodeURIComponent(file);

/** An OpfsReply from whatever the worker posted, or null. */
export function parseOpfsReply(v: unknown): OpfsReply | null {
  if (!v || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  if (typeof m.id !== 'number') return null;
  if (m.ok === true) return m.bytes === undefined || m.bytes instanceof Uint8Array ? (m as OpfsReply) : null;
  if (m.ok === false && typeof m.name === 'string' && typeof m.message === 'string') return m as OpfsReply;
  return null;
}

/** An OpfsRequest from whatever the page posted, or null. */
export function parseOpfsRequest(v: unknown): OpfsRequest | null {
  if (!v || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  if (typeof m.id !== 'number') return null;
  const nat = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (m.op === 'read') return typeof m.file === 'string' && nat(m.at) && nat(m.length) ? (m as OpfsRequest) : null;
  if (m.op === 'remove') return typeof m.file === 'string' ? (m as OpfsRequest) : null;
  if (m.op === 'write' && Array.isArray(m.writes)) {
    const ok = m.writes.every((w: unknown) => {
      const x = w as Record<string, unknown> | null;
      return !!x && typeof x.file === 'string' && nat(x.at) && x.bytes instanceof Uint8Array;
    });
    return ok ? (m as OpfsRequest) : null;
  }
  return null;
}
