/**
 * A byte range of a torrent's file as a stream that pulls its pieces from storage one at a
 * time (the reader's pace: nothing is read ahead of what the consumer takes, so memory stays at
 * one piece whatever the file's size). Used by the service worker's file responses and by
 * `Torrent.stream()`; a Range request (a later feature) is a range other than the whole file.
 */

export interface FileLayout {
  length: number;
  pieceLength: number;
}

/** Half-open byte range [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

/** The pieces a range covers, first and last (inclusive); none for an empty range. */
export function piecesOf(layout: FileLayout, range: ByteRange): { first: number; last: number } | null {
  if (range.end <= range.start) return null;
  return { first: Math.floor(range.start / layout.pieceLength), last: Math.floor((range.end - 1) / layout.pieceLength) };
}

/** The part of piece `index` (its bytes [from, to)) that falls in the range. */
export function spanOf(layout: FileLayout, range: ByteRange, index: number): { from: number; to: number } {
  const base = index * layout.pieceLength;
  return { from: Math.max(0, range.start - base), to: Math.min(layout.pieceLength, range.end - base, layout.length - base) };
}

export function pieceStream(
  layout: FileLayout,
  range: ByteRange,
  read: (index: number) => Promise<Uint8Array | undefined>,
  describe: (index: number) => string = (i) => `piece ${i} is not stored`,
): ReadableStream<Uint8Array> {
  const span = piecesOf(layout, range);
  let next = span?.first ?? 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!span || next > span.last) {
          controller.close();
          return;
        }
        const index = next++;
        const piece = await read(index);
        if (!piece) throw new Error(describe(index));
        const { from, to } = spanOf(layout, range, index);
        if (piece.length < to) throw new Error(`piece ${index} is shorter than the file says`);
        controller.enqueue(from === 0 && to === piece.length ? piece : piece.subarray(from, to));
      },
    },
    { highWaterMark: 0 },
  );
}
