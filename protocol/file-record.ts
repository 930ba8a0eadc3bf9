/**
 * One record for a file, whichever mechanism carries it: the signaling socket's Napster publish
 * and search results, the overlays' file lists and query hits, the DHT's keyword sets and every
 * search hit. One parser checks it at the edge of the code that receives it.
 */
import { ProtocolError } from './errors';
import { parseFileName } from './file-name';

export interface FileRecord {
  /** 40 lowercase hex digits. */
  infoHash: string;
  /** A name as the name rule allows (protocol/file-name.ts). */
  name: string;
  size: number;
}

/** A file and the live peers that hold it (a search result, a query hit). */
export interface HeldFileRecord extends FileRecord {
  peers: string[];
}

const HEX40_RE = /^[0-9a-fA-F]{40}$/;
const LOWER_HEX40_RE = /^[0-9a-f]{40}$/;

/**
 * An info hash: 40 hex digits in either case, returned in lowercase; `canonical`: lowercase
 * only (what the edge sends is canonical, and a peer takes nothing else from it).
 */
export function parseInfoHash(v: unknown, field = 'infoHash', canonical = false): string {
  if (typeof v !== 'string' || !(canonical ? LOWER_HEX40_RE : HEX40_RE).test(v)) {
    throw new ProtocolError('bad-field', `field "${field}" must be an info hash of 40 ${canonical ? 'lowercase ' : ''}hex digits`, field);
  }
  return v.toLowerCase();
}

/** A FileRecord from an object's infoHash, name and size (other fields are the caller's); `canonical` as for parseInfoHash. */
export function parseFileRecord(v: Record<string, unknown>, canonical = false): FileRecord {
  const infoHash = parseInfoHash(v.infoHash, 'infoHash', canonical);
  const name = parseFileName(v.name);
  const size = v.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ProtocolError('bad-field', 'field "size" must be a non-negative safe integer', 'size');
  }
  return { infoHash, name, size };
}

/**
 * The DHT's compact form of a FileRecord, a member of a keyword set: `{"i":..,"n":..,"s":..}`
 * (short keys: a member is at most DHT_LIMITS.member characters).
 */
export function fileRecordMember(f: FileRecord): string {
  return JSON.stringify({ i: f.infoHash, n: f.name, s: f.size });
}

/** A keyword set's member back to a FileRecord; null when it is not one (members are anyone's writes). */
export function parseFileRecordMember(m: string): FileRecord | null {
  try {
    const v = JSON.parse(m) as unknown;
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    return parseFileRecord({ infoHash: o.i, name: o.n, size: o.s });
  } catch {
    return null;
  }
}
