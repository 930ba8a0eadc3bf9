/**
 * Lists inside received messages (a publish batch, a query hit's results, a leaf's file list):
 * one bad entry is dropped and counted, the others are kept. The message itself is refused
 * only for what concerns the whole of it (not a list, too many entries).
 */
import { ProtocolError } from './errors';

/** An entry a parser dropped: the list, its place in it, and why. */
export interface DroppedEntry {
  list: string;
  index: number;
  error: ProtocolError;
}

/**
 * Parse every entry of `entries` with `parse`; an entry it refuses (a ProtocolError) is left
 * out and recorded in `dropped` with its list and index, the rest are returned in order.
 */
export function keepValid<T>(list: string, entries: readonly unknown[], parse: (v: unknown) => T, dropped?: DroppedEntry[]): T[] {
  const out: T[] = [];
  entries.forEach((v, index) => {
    try {
      out.push(parse(v));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      dropped?.push({ list, index, error: new ProtocolError(err.code, `${list}[${index}]: ${err.message}`, err.field) });
    }
  });
  return out;
}
