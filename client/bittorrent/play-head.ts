/**
 * What ▶ Play reads first, fetched before the rest so a video starts at once when the user
 * presses it: the first video or audio file of those selected (the one the row's ▶ Play opens),
 * its first READ_AHEAD_BYTES, a player's read window (the header and the first seconds), and for containers whose index
 * may sit at the end (MP4, QuickTime) its last piece too, as streaming clients do ("first and
 * last pieces first"). The request book takes them after the read windows' pieces and before
 * rarest first. Pure.
 */
import type { FileSpan } from '../../protocol/file-layout';
import { READ_AHEAD_BYTES } from '../files/file-response';
import { mediaType } from '../files/media-type';

const INDEX_MAY_END = new Set(['video/mp4', 'video/quicktime', 'audio/mp4']);

/** The pieces to fetch first for ▶ Play, in order; none when no selected file plays. */
export function playHead(layout: readonly FileSpan[], isSelected: (index: number) => boolean, pieceLength: number): number[] {
  const typeOf = (f: FileSpan) => mediaType(f.path[f.path.length - 1] ?? '');
  const file = layout.find((f) => {
    const { kind } = typeOf(f);
    return (kind === 'video' || kind === 'audio') && f.length > 0 && isSelected(f.index);
  });
  if (!file) return [];
  const headEnd = file.offset + Math.min(file.length, READ_AHEAD_BYTES) - 1;
  const out: number[] = [];
  for (let i = file.firstPiece; i <= Math.floor(headEnd / pieceLength); i++) out.push(i);
  if (INDEX_MAY_END.has(typeOf(file).type) && !out.includes(file.lastPiece)) out.push(file.lastPiece);
  return out;
}
