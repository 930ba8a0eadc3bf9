/**
 * A torrent's have-state as stored (`have:<infoHash>`): which of its pieces the browser holds,
 * as a BEP 3 bitfield. Pure: the piece store reads and rewrites it inside its transactions.
 */
import { Bitfield } from '../../protocol/bitfield';

export interface HaveRecord {
  pieces: number;
  /** BEP 3 bitfield bytes (piece 0 is the high bit of byte 0). */
  bits: Uint8Array;
}

/** `old` (or nothing) with the pieces `indices` set; a record of another piece count is started afresh. */
export function markHave(old: HaveRecord | undefined, pieces: number, indices: Iterable<number>): HaveRecord {
  const bf = old && old.pieces === pieces && old.bits instanceof Uint8Array && old.bits.length === Math.ceil(pieces / 8) ? new Bitfield(pieces, old.bits) : new Bitfield(pieces);
  for (const i of indices) if (Number.isInteger(i) && i >= 0 && i < pieces) bf.set(i);
  return { pieces, bits: bf.toBytes() };
}

/** The bitfield of a stored record, for a torrent of `pieces` pieces (a mismatched record holds nothing). */
export function haveBitfield(rec: HaveRecord | undefined, pieces: number): Bitfield {
  if (!rec || rec.pieces !== pieces || !(rec.bits instanceof Uint8Array) || rec.bits.length !== Math.ceil(pieces / 8)) return new Bitfield(pieces);
  return new Bitfield(pieces, rec.bits);
}
