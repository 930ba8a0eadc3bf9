/**
 * Which files of a torrent are fetched: every file, or a selection (one made before the
 * metadata came is kept until it does), the pieces the selection needs, the files as the API
 * lists them, and whether every selected piece is here. Pure.
 */
import type { Bitfield } from '../../protocol/bitfield';
import { fileBytesHere, fileLayout, joinPath, resolveSelection, wantedPieces, type FileSpan, type LayoutInput } from '../../protocol/file-layout';
import type { TorrentFileView } from './torrent-types';

/** A selection as asked: file indexes or paths joined by "/"; `lenient` leaves out indexes past the torrent's files. */
export interface SelectionRequest {
  items: (number | string)[];
  lenient: boolean;
}

export class FileSelection {
  /** Files in order with their byte and piece ranges, once the metadata is here. */
  layout: FileSpan[] = [];
  /** The selected files' indexes; null: every file. */
  private selected: Set<number> | null = null;
  /** The pieces of the selected files; null: every piece. */
  wanted: Bitfield | null = null;
  /** A selection made before the metadata came (a magnet's so=, an early select()). */
  private pending: SelectionRequest | null = null;
  private wasDone = false;

  /** Keep a selection until the metadata is here. */
  defer(items: readonly (number | string)[], lenient: boolean): void {
    this.pending = { items: [...items], lenient };
  }

  /** The metadata is here: lay its files out; returns the selection kept for it, if any. */
  install(info: LayoutInput): SelectionRequest | null {
    this.layout = fileLayout(info);
    const pending = this.pending;
    this.pending = null;
    return pending;
  }

  /**
   * Select these files of a torrent of `pieceCount` pieces (after install). Throws a RangeError
   * naming a file the torrent lacks, unless `lenient`: then indexes past its files are left out,
   * said in `warning`, and a selection of none of its files is not applied.
   */
  choose(items: readonly (number | string)[], lenient: boolean, pieceCount: number): { applied: boolean; warning?: string } {
    let chosen: Set<number>;
    let warning: string | undefined;
    if (lenient) {
      const n = this.layout.length;
      const nums = items.filter((i): i is number => typeof i === 'number');
      const beyond = nums.filter((i) => i >= n);
      if (beyond.length) warning = `the selection (a magnet's so=) names files ${beyond.slice(0, 5).join(', ')} of a torrent of ${n}: left out`;
      chosen = new Set(nums.filter((i) => i < n));
      if (chosen.size === 0) return warning === undefined ? { applied: false } : { applied: false, warning };
    } else chosen = resolveSelection(this.layout, items);
    const all = chosen.size === this.layout.length;
    this.selected = all ? null : chosen;
    this.wanted = all ? null : wantedPieces(this.layout, pieceCount, chosen);
    this.wasDone = false;
    return warning === undefined ? { applied: true } : { applied: true, warning };
  }

  /** What the torrent's record keeps: the selected indexes in order, or null for every file. */
  record(): number[] | null {
    return this.selected ? [...this.selected].sort((a, b) => a - b) : null;
  }

  /** Whether file `index` is fetched. */
  isSelected(index: number): boolean {
    return this.selected === null || this.selected.has(index);
  }

  /** How many files are selected. */
  get selectedCount(): number {
    return this.selected?.size ?? this.layout.length;
  }

  /** Every piece of the selected files is in `have`. */
  isDone(have: Bitfield): boolean {
    const wanted = this.wanted;
    if (!wanted) return have.isComplete();
    for (let i = 0; i < wanted.length; i++) if (wanted.get(i) && !have.get(i)) return false;
    return true;
  }

  /** True once when the selection becomes done (and once more after each new selection that is done). */
  becameDone(have: Bitfield): boolean {
    if (this.wasDone || !this.isDone(have)) return false;
    this.wasDone = true;
    return true;
  }

  /** The files, with the fraction of each that is here and whether it is selected. */
  files(pieceLength: number, have: Bitfield): TorrentFileView[] {
    return this.layout.map((f) => ({
      index: f.index,
      path: joinPath(f.path),
      length: f.length,
      progress: f.length === 0 ? 1 : fileBytesHere(f, pieceLength, have) / f.length,
      selected: !this.selected || this.selected.has(f.index),
    }));
  }

  /** Bytes of the selected files, and how many of them are here. */
  bytes(pieceLength: number, have: Bitfield): { selectedLength: number; selectedHave: number } {
    let selectedLength = 0;
    let selectedHave = 0;
    for (const f of this.layout) {
      if (this.selected && !this.selected.has(f.index)) continue;
      selectedLength += f.length;
      selectedHave += fileBytesHere(f, pieceLength, have);
    }
    return { selectedLength, selectedHave };
  }
}
