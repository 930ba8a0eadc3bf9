/**
 * Where each file of a torrent lies in its byte stream and its pieces (BEP 3: the files of a
 * multi-file torrent are concatenated in order, and pieces run across file boundaries), which
 * pieces a selection of files needs, and how much of each file is here. Pure.
 */
import { Bitfield } from './bitfield';

/** What a layout is computed from (a TorrentInfo has these fields). */
export interface LayoutInput {
  name: string;
  length: number;
  pieceLength: number;
  /** Multi-file torrents only; absent: one file named `name`. */
  files?: { path: string[]; length: number }[];
}

/** One file of a torrent, placed. */
export interface FileSpan {
  index: number;
  /** Path elements below the torrent's directory (single-file torrents: `[name]`). */
  path: string[];
  length: number;
  /** Its first byte in the torrent's byte stream. */
  offset: number;
  /** First and last piece it touches (inclusive); an empty file touches none (`last < first`). */
  firstPiece: number;
  lastPiece: number;
}

/** The files of a torrent in order, each with its byte offset and piece range. */
export function fileLayout(info: LayoutInput): FileSpan[] {
  const entries = info.files ?? [{ path: [info.name], length: info.length }];
  const out: FileSpan[] = [];
  let offset = 0;
  entries.forEach((f, index) => {
    const firstPiece = Math.floor(offset / info.pieceLength);
    const lastPiece = f.length === 0 ? firstPiece - 1 : Math.floor((offset + f.length - 1) / info.pieceLength);
    out.push({ index, path: f.path, length: f.length, offset, firstPiece, lastPiece });
    offset += f.length;
  });
  return out;
}

/** A file's path as one string, elements joined by "/" (how the API and the page name it). */
export function joinPath(path: readonly string[]): string {
  return path.join('/');
}

/**
 * The pieces a selection of files needs: every piece that holds a byte of a selected file
 * (a piece shared with an unselected neighbour included); pieces wholly inside unselected
 * files are not wanted.
 */
export function wantedPieces(layout: readonly FileSpan[], pieceCount: number, selected: ReadonlySet<number>): Bitfield {
  const bf = new Bitfield(pieceCount);
  for (const f of layout) {
    if (!selected.has(f.index)) continue;
    for (let i = f.firstPiece; i <= f.lastPiece && i < pieceCount; i++) bf.set(i);
  }
  return bf;
}

/** Bytes of `file` that lie in pieces `have` holds. */
export function fileBytesHere(file: FileSpan, pieceLength: number, have: Bitfield): number {
  let bytes = 0;
  const end = file.offset + file.length;
  for (let i = file.firstPiece; i <= file.lastPiece; i++) {
    if (!have.get(i)) continue;
    bytes += Math.min(end, (i + 1) * pieceLength) - Math.max(file.offset, i * pieceLength);
  }
  return bytes;
}

/** True when every piece `file` touches is in `have` (an empty file always is). */
export function fileComplete(file: FileSpan, have: Bitfield): boolean {
  for (let i = file.firstPiece; i <= file.lastPiece; i++) if (!have.get(i)) return false;
  return true;
}

/**
 * The file indexes a selection names: each item an index or a path (elements joined by "/").
 * Throws a RangeError naming the first item that is no file of the torrent.
 */
export function resolveSelection(layout: readonly FileSpan[], items: readonly (number | string)[]): Set<number> {
  const byPath = new Map(layout.map((f) => [joinPath(f.path), f.index]));
  const out = new Set<number>();
  for (const item of items) {
    if (typeof item === 'number') {
      if (!Number.isInteger(item) || item < 0 || item >= layout.length) throw new RangeError(`file index ${item} is not in [0, ${layout.length})`);
      out.add(item);
    } else {
      const index = byPath.get(item);
      if (index === undefined) throw new RangeError(`the torrent has no file "${item}"`);
      out.add(index);
    }
  }
  return out;
}
