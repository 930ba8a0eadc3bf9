/**
 * BitTorrent metainfo (BEP 3): building single- and multi-file torrents, and parsing and validating info
 * dictionaries and .torrent files (single- and multi-file).
 */
import { bbytes, bdict, bget, bint, blist, bstr, decode, decodeDictWithRaw, encode, type BDict, type BValue } from './bencode';
import { PIECE_LENGTH } from './constants';
import { ProtocolError } from './errors';
import { sha1, SHA1_LENGTH, toHex } from './sha1';

/** A validated info dictionary. */
export interface TorrentInfo {
  /** Suggested file name (single-file) or directory name (multi-file). */
  name: string;
  /** Total length in bytes (sum of the files for multi-file torrents). */
  length: number;
  /** Bytes per piece; the last piece may be shorter. */
  pieceLength: number;
  /** SHA-1 of each piece, 20 bytes each. */
  pieces: Uint8Array[];
  /** Multi-file torrents only: each file's path elements and length, in order. */
  files?: { path: string[]; length: number }[];
  /** BEP 27 private flag, when the info dictionary has one. */
  private?: boolean;
}

/** Options of `createTorrent`. */
export interface CreateTorrentOptions {
  /** Bytes per piece (default `PIECE_LENGTH`); a power of two in [16 KiB, 16 MiB]. */
  pieceLength?: number;
  /** Tracker URLs: the first is `announce`, all are `announce-list` (one tier each). */
  announce?: string[];
  /** The "created by" field. */
  createdBy?: string;
  /** The "creation date" field, in seconds since the epoch. */
  creationDate?: number;
  /**
   * A multi-file torrent: its files in order (the data is their concatenation; their lengths
   * add up to it), `name` then being the directory's. Absent: one file named `name`.
   */
  files?: { path: string[]; length: number }[];
}

/** A torrent built by `createTorrent`. */
export interface CreatedTorrent {
  info: TorrentInfo;
  /** The bencoded info dictionary (what the info hash is the SHA-1 of; BEP 9 serves it). */
  infoBytes: Uint8Array;
  /** SHA-1 of `infoBytes`, 40 lowercase hex digits. */
  infoHash: string;
  /** The whole bencoded .torrent file. */
  torrentFile: Uint8Array;
}

/** A parsed .torrent file. */
export interface ParsedTorrent {
  info: TorrentInfo;
  /** SHA-1 of the original bytes of the info dictionary, 40 lowercase hex digits. */
  infoHash: string;
  /** The original bytes of the info dictionary. */
  infoBytes: Uint8Array;
  /** Tracker URLs: announce-list (flattened, tiers in order) then announce, without repeats. */
  announce: string[];
}

/** Smallest and largest accepted piece length. */
export const MIN_PIECE_LENGTH = 16_384;
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024;
/** Most pieces an info dictionary may list. */
export const MAX_PIECES = 1_000_000;
/** Largest accepted info dictionary, in bytes (1,000,000 hashes are 20 MB). */
export const MAX_INFO_BYTES = 32 * 1024 * 1024;
/** Largest accepted .torrent file, in bytes. */
export const MAX_TORRENT_FILE_BYTES = MAX_INFO_BYTES + 1024 * 1024;
/** Most files a multi-file torrent may list. */
export const MAX_FILES = 100_000;

/** Info hashes as accepted by parsers: 40 hex digits, either case. */
export const INFO_HASH_RE = /^[0-9a-fA-F]{40}$/;

/** Refuses names and path elements that could escape a download directory. */
function checkPathElement(s: string, field: string): void {
  if (s.length === 0) throw new ProtocolError('bad-field', `"${field}" must not be empty`, field);
  if (s === '.' || s === '..') throw new ProtocolError('bad-field', `"${field}" must not be "${s}"`, field);
  if (/[/\\\0]/.test(s)) throw new ProtocolError('bad-field', `"${field}" must not contain "/", "\\" or NUL`, field);
}

function checkPieceLength(n: number): void {
  if (n < MIN_PIECE_LENGTH || n > MAX_PIECE_LENGTH || (n & (n - 1)) !== 0) {
    throw new ProtocolError('bad-field', `piece length ${n} must be a power of two in [${MIN_PIECE_LENGTH}, ${MAX_PIECE_LENGTH}]`, 'piece length');
  }
}

/** Number of pieces of a torrent of `length` bytes. */
export function pieceCount(length: number, pieceLength: number): number {
  return Math.ceil(length / pieceLength);
}

/** Checks the files of a torrent being built: paths, no repeats, lengths adding up to `length`. */
function checkFiles(files: { path: string[]; length: number }[], length: number): void {
  if (files.length === 0) throw new ProtocolError('bad-field', 'a multi-file torrent needs at least one file', 'files');
  if (files.length > MAX_FILES) throw new ProtocolError('oversize', `more than ${MAX_FILES} files`, 'files');
  const seen = new Set<string>();
  let total = 0;
  for (const f of files) {
    if (f.path.length === 0) throw new ProtocolError('bad-field', 'a file has an empty path', 'path');
    for (const part of f.path) checkPathElement(part, 'path');
    if (!Number.isSafeInteger(f.length) || f.length < 0) throw new ProtocolError('bad-field', `file length ${f.length} is not a size`, 'length');
    const key = f.path.join('/');
    if (seen.has(key)) throw new ProtocolError('bad-field', `file "${key}" is listed twice`, 'path');
    seen.add(key);
    total += f.length;
  }
  if (total !== length) throw new ProtocolError('bad-field', `the files hold ${total} bytes, the data ${length}`, 'length');
}

/**
 * Builds a torrent of `data` (single-file, or multi-file with `opts.files`): hashes its pieces and bencodes the info dictionary
 * (length, name, piece length, pieces) and the .torrent file (announce, announce-list, created
 * by, creation date, info).
 */
export async function createTorrent(data: Uint8Array, name: string, opts: CreateTorrentOptions = {}): Promise<CreatedTorrent> {
  checkPathElement(name, 'name');
  const pieceLength = opts.pieceLength ?? PIECE_LENGTH;
  checkPieceLength(pieceLength);
  const count = pieceCount(data.length, pieceLength);
  if (count > MAX_PIECES) throw new ProtocolError('oversize', `more than ${MAX_PIECES} pieces`, 'pieces');
  const joined = new Uint8Array(count * SHA1_LENGTH);
  for (let i = 0; i < count; i++) {
    joined.set(await sha1(data.subarray(i * pieceLength, Math.min(data.length, (i + 1) * pieceLength))), i * SHA1_LENGTH);
  }
  return torrentFromHashes(data.length, name, joined, { ...opts, pieceLength });
}

/**
 * Builds a torrent (single-file, or multi-file with `opts.files`) from its pieces' SHA-1 hashes (`joined`: 20 bytes per piece, in
 * order), for a file hashed piece by piece elsewhere (a streamed share): the same result as
 * `createTorrent` of the whole file.
 */
export async function torrentFromHashes(length: number, name: string, joined: Uint8Array, opts: CreateTorrentOptions = {}): Promise<CreatedTorrent> {
  checkPathElement(name, 'name');
  const pieceLength = opts.pieceLength ?? PIECE_LENGTH;
  checkPieceLength(pieceLength);
  const count = pieceCount(length, pieceLength);
  if (count > MAX_PIECES) throw new ProtocolError('oversize', `more than ${MAX_PIECES} pieces`, 'pieces');
  if (joined.length !== count * SHA1_LENGTH) throw new ProtocolError('bad-field', `${joined.length / SHA1_LENGTH} piece hashes for ${count} pieces`, 'pieces');
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < count; i++) pieces.push(joined.subarray(i * SHA1_LENGTH, (i + 1) * SHA1_LENGTH));

  const files = opts.files?.map((f) => ({ path: [...f.path], length: f.length }));
  if (files) checkFiles(files, length);
  // BEP 3: a multi-file info dictionary has `files` (each with `length` and `path`) instead of `length`.
  const infoDict = files ? { files, name, 'piece length': pieceLength, pieces: joined } : { length, name, 'piece length': pieceLength, pieces: joined };
  const infoBytes = encode(infoDict);
  const infoHash = toHex(await sha1(infoBytes));
  const trackers = opts.announce ?? [];
  const torrentFile = encode({
    announce: trackers[0],
    'announce-list': trackers.length > 0 ? trackers.map((t) => [t]) : undefined,
    'created by': opts.createdBy,
    'creation date': opts.creationDate,
    info: infoDict,
  });
  const info: TorrentInfo = { name, length, pieceLength, pieces };
  if (files) info.files = files;
  return { info, infoBytes, infoHash, torrentFile };
}

/** Normalises an info hash given as 40 hex digits to lowercase; 'bad-field' otherwise. */
export function normalizeInfoHash(hash: string, field = 'infoHash'): string {
  if (!INFO_HASH_RE.test(hash)) throw new ProtocolError('bad-field', `"${field}" must be 40 hex digits`, field);
  return hash.toLowerCase();
}

function parseFiles(list: BValue | undefined, name: string): { path: string[]; length: number }[] {
  const entries = blist(list, 'files');
  if (entries.length === 0) throw new ProtocolError('bad-field', 'multi-file torrent lists no files', 'files');
  if (entries.length > MAX_FILES) throw new ProtocolError('oversize', `more than ${MAX_FILES} files`, 'files');
  const seen = new Set<string>();
  const files: { path: string[]; length: number }[] = [];
  for (const entry of entries) {
    const f = bdict(entry, 'files');
    const length = bint(bget(f, 'length'), 'length', 0);
    const parts = blist(bget(f, 'path'), 'path');
    if (parts.length === 0) throw new ProtocolError('bad-field', `a file of "${name}" has an empty path`, 'path');
    const path = parts.map((p) => {
      const s = bstr(p, 'path');
      checkPathElement(s, 'path');
      return s;
    });
    const key = path.join('/');
    if (seen.has(key)) throw new ProtocolError('bad-field', `file "${key}" is listed twice`, 'path');
    seen.add(key);
    files.push({ path, length });
  }
  return files;
}

/** Validates a decoded info dictionary. */
function validateInfo(value: BValue): TorrentInfo {
  const d = bdict(value, 'info');
  const name = bstr(bget(d, 'name'), 'name');
  checkPathElement(name, 'name');
  const pieceLength = bint(bget(d, 'piece length'), 'piece length');
  checkPieceLength(pieceLength);

  const hasLength = bget(d, 'length') !== undefined;
  const hasFiles = bget(d, 'files') !== undefined;
  if (hasLength === hasFiles) {
    throw new ProtocolError('bad-field', 'info must have exactly one of "length" and "files"', hasFiles ? 'files' : 'length');
  }
  let length: number;
  let files: { path: string[]; length: number }[] | undefined;
  if (hasFiles) {
    files = parseFiles(bget(d, 'files'), name);
    length = 0;
    for (const f of files) {
      length += f.length;
      if (!Number.isSafeInteger(length)) throw new ProtocolError('oversize', 'total length exceeds 2^53', 'length');
    }
  } else {
    length = bint(bget(d, 'length'), 'length', 0);
  }

  const joined = bbytes(bget(d, 'pieces'), 'pieces');
  if (joined.length % SHA1_LENGTH !== 0) throw new ProtocolError('bad-field', 'pieces length is not a multiple of 20', 'pieces');
  const count = joined.length / SHA1_LENGTH;
  if (count > MAX_PIECES) throw new ProtocolError('oversize', `more than ${MAX_PIECES} pieces`, 'pieces');
  const expected = pieceCount(length, pieceLength);
  if (count !== expected) throw new ProtocolError('bad-field', `${count} piece hashes for ${expected} pieces`, 'pieces');
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < count; i++) pieces.push(joined.subarray(i * SHA1_LENGTH, (i + 1) * SHA1_LENGTH));

  const info: TorrentInfo = { name, length, pieceLength, pieces };
  if (files) info.files = files;
  const priv = bget(d, 'private');
  if (priv !== undefined) info.private = bint(priv, 'private', 0, 1) === 1;
  return info;
}

/**
 * Parses and validates a bencoded info dictionary (as served by BEP 9 or found in a .torrent).
 * When `expectedInfoHash` is given, SHA-1(infoBytes) must equal it, else
 * `ProtocolError('bad-field', 'info hash mismatch', 'info')`. Refuses: names or path elements
 * that are empty, ".", "..", or hold "/", "\\" or NUL; a piece length that is not a power of two
 * in [16 KiB, 16 MiB]; a piece count that does not match the length; oversize input.
 */
export async function parseInfo(infoBytes: Uint8Array, expectedInfoHash?: string): Promise<{ info: TorrentInfo; infoHash: string }> {
  const expected = expectedInfoHash === undefined ? undefined : normalizeInfoHash(expectedInfoHash);
  if (infoBytes.length > MAX_INFO_BYTES) throw new ProtocolError('oversize', `info is larger than ${MAX_INFO_BYTES} bytes`, 'info');
  const infoHash = toHex(await sha1(infoBytes));
  if (expected !== undefined && infoHash !== expected) throw new ProtocolError('bad-field', 'info hash mismatch', 'info');
  const info = validateInfo(decode(infoBytes));
  return { info, infoHash };
}

function trackerList(meta: BDict): string[] {
  const out: string[] = [];
  const add = (v: BValue | undefined, field: string): void => {
    const url = bstr(v, field).trim();
    if (url.length > 0 && !out.includes(url)) out.push(url);
  };
  const tiers = bget(meta, 'announce-list');
  if (tiers !== undefined) {
    for (const tier of blist(tiers, 'announce-list')) {
      for (const url of blist(tier, 'announce-list')) add(url, 'announce-list');
    }
  }
  const announce = bget(meta, 'announce');
  if (announce !== undefined) add(announce, 'announce');
  return out;
}

/**
 * Parses a .torrent file. The info hash is the SHA-1 of the info dictionary's original bytes,
 * so a file whose info keys are unsorted keeps the hash every other client computes.
 */
export async function parseTorrentFile(bytes: Uint8Array): Promise<ParsedTorrent> {
  const { value, raw } = decodeDictWithRaw(bytes, { maxLength: MAX_TORRENT_FILE_BYTES });
  const span = raw['info'];
  bdict(bget(value, 'info'), 'info');
  if (span === undefined) throw new ProtocolError('bad-field', 'torrent has no info dictionary', 'info');
  const infoBytes = span.slice();
  const announce = trackerList(value);
  const { info, infoHash } = await parseInfo(infoBytes);
  return { info, infoHash, infoBytes, announce };
}

/** Length in bytes of piece `index` (the last piece may be shorter); 'bad-field' out of range. */
export function pieceSize(info: TorrentInfo, index: number): number {
  const count = info.pieces.length;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ProtocolError('bad-field', `piece index ${index} is not in [0, ${count})`, 'index');
  }
  return index < count - 1 ? info.pieceLength : info.length - info.pieceLength * (count - 1);
}

/** True when `data` is piece `index` of the torrent: right size and SHA-1. */
export async function verifyPiece(info: TorrentInfo, index: number, data: Uint8Array): Promise<boolean> {
  if (data.length !== pieceSize(info, index)) return false;
  const want = info.pieces[index]!;
  const got = await sha1(data);
  for (let i = 0; i < SHA1_LENGTH; i++) if (got[i] !== want[i]) return false;
  return true;
}
