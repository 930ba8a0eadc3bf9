/**
 * Reading a torrent's content out, the whole torrent or one file once all its pieces are here:
 * in one buffer (small files only), as a stream one piece at a time, or as a Blob of one part
 * per piece. Which bytes a path names, and the errors before they are all here, are pure
 * (contentRange).
 */
import type { Bitfield } from '../../protocol/bitfield';
import { fileComplete, joinPath, resolveSelection, type FileSpan } from '../../protocol/file-layout';
import type { TorrentInfo } from '../../protocol/metainfo';
import { pieceStream, type ByteRange } from '../files/piece-stream';
import type { PieceStore } from './piece-store';

/** Largest file bytes() assembles in memory (256 MiB). */
export const BYTES_LIMIT = 256 * 1024 * 1024;

/** What the content is read from: the torrent as it is now. */
export interface ContentSource {
  readonly infoHash: string;
  readonly name: string;
  readonly info: TorrentInfo | null;
  readonly have: Bitfield | null;
}

/**
 * The bytes of one file (path joined by "/", or index) or, with none, of the whole torrent,
 * once all their pieces are in `have`; throws a readable Error before, or a RangeError for a
 * file it lacks.
 */
export function contentRange(
  name: string,
  info: TorrentInfo | null,
  have: Bitfield | null,
  layout: readonly FileSpan[],
  path?: string | number,
): { info: TorrentInfo; range: ByteRange; label: string } {
  if (!info || !have) throw new Error(`"${name}" is not complete: its metadata is not here yet`);
  if (path === undefined) {
    if (!have.isComplete()) throw new Error(`"${name}" is not complete: ${have.count()} of ${info.pieces.length} pieces are here`);
    return { info, range: { start: 0, end: info.length }, label: name };
  }
  const index = [...resolveSelection(layout, [path])][0] as number;
  const file = layout[index] as FileSpan;
  const label = joinPath(file.path);
  if (!fileComplete(file, have)) throw new Error(`"${label}" of "${name}" is not complete: some of its pieces are missing`);
  return { info, range: { start: file.offset, end: file.offset + file.length }, label };
}

export class TorrentContent {
  constructor(
    private readonly source: ContentSource,
    /** The torrent's files in order. */
    private readonly files: { readonly layout: readonly FileSpan[] },
    private readonly store: PieceStore,
    /** Verified pieces storage refused, kept in memory. */
    private readonly unsaved: ReadonlyMap<number, Uint8Array>,
  ) {}

  /**
   * The whole content in one buffer, from memory and storage: for small files only (above
   * BYTES_LIMIT it rejects; use blob(), stream() or saveUrl(), which never hold the whole file).
   */
  async bytes(path?: string | number): Promise<Uint8Array> {
    const { info, range, label } = this.rangeOf(path);
    const size = range.end - range.start;
    if (size > BYTES_LIMIT) {
      throw new Error(
        `"${label}" is ${(size / 2 ** 20).toFixed(0)} MiB: bytes() assembles a file in memory and refuses more than ${BYTES_LIMIT / 2 ** 20} MiB. Use blob(), stream() or saveUrl() instead.`,
      );
    }
    const out = new Uint8Array(size);
    let o = 0;
    for await (const chunk of pieceStream(info, range, (i) => this.readPiece(i)) as unknown as AsyncIterable<Uint8Array>) {
      out.set(chunk, o);
      o += chunk.length;
    }
    return out;
  }

  /**
   * The content streamed from storage one piece at a time, as the reader takes it (memory: one
   * piece). Throws when the torrent is not complete; the stream errors if a piece has gone from
   * storage meanwhile.
   */
  stream(path?: string | number): ReadableStream<Uint8Array> {
    const { info, range } = this.rangeOf(path);
    return pieceStream(info, range, (i) => this.readPiece(i));
  }

  /**
   * The content as a Blob made of one Blob per piece, read one at a time: the page's heap holds
   * one piece at a time; the parts live in the browser's blob store, which moves large blobs to
   * disk.
   */
  async blob(path?: string | number): Promise<Blob> {
    const { info, range } = this.rangeOf(path);
    const parts: Blob[] = [];
    // One Blob per piece (its part in the range), read one at a time.
    for await (const chunk of pieceStream(info, range, (i) => this.readPiece(i)) as unknown as AsyncIterable<Uint8Array>) {
      parts.push(new Blob([chunk.slice() as Uint8Array<ArrayBuffer>]));
    }
    return new Blob(parts, { type: 'application/octet-stream' });
  }

  private rangeOf(path?: string | number): { info: TorrentInfo; range: ByteRange; label: string } {
    return contentRange(this.source.name, this.source.info, this.source.have, this.files.layout, path);
  }

  private async readPiece(i: number): Promise<Uint8Array> {
    const piece = this.unsaved.get(i) ?? (await this.store.piece(this.source.infoHash, i));
    if (!piece) throw new Error(`piece ${i} of "${this.source.name}" is missing from storage`);
    return piece;
  }
}
