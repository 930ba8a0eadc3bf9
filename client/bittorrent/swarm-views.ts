/**
 * What the API shows of a torrent, computed from its state: its progress, its piece map, the
 * bytes left to fetch. Pure (`now` given).
 */
import { pieceSize } from '../../protocol/metainfo';
import type { FileSelection } from './file-selection';
import type { SwarmPeer } from './swarm-peer';
import type { SwarmState, TorrentProgress } from './torrent-types';

/** The torrent's counters, as the torrent keeps them. */
export interface TorrentCounts {
  readonly infoHash: string;
  readonly name: string;
  readonly fetched: number;
  readonly corruptPieces: number;
  readonly uploaded: number;
  readonly superSeeding: boolean;
}

/** The torrent's progress: its counters, what of it and of its selected files is here, and the peers' total rates. */
export function progressOf(
  t: TorrentCounts,
  banned: number,
  s: SwarmState | null,
  selection: FileSelection,
  peers: Iterable<SwarmPeer>,
  now: number,
): TorrentProgress {
  let downRate = 0;
  let upRate = 0;
  for (const p of peers) {
    downRate += p.conn.down.rate(now);
    upRate += p.conn.up.rate(now);
  }
  return {
    infoHash: t.infoHash,
    name: t.name,
    length: s?.info.length ?? 0,
    pieces: s?.info.pieces.length ?? 0,
    have: s?.have.count() ?? 0,
    fetched: t.fetched,
    corruptPieces: t.corruptPieces,
    banned,
    uploaded: t.uploaded,
    downRate,
    upRate,
    done: !!s && selection.isDone(s.have),
    complete: !!s?.have.isComplete(),
    ...(s ? selection.bytes(s.info.pieceLength, s.have) : { selectedLength: 0, selectedHave: 0 }),
    multiFile: s?.info.files !== undefined,
    files: selection.layout.length,
    selectedFiles: selection.selectedCount,
    superSeeding: t.superSeeding,
  };
}

/**
 * Per piece: 0 missing, 1 in flight (asked for, or partly here), 2 have; how many peers have it;
 * whether a player waits for it (`read`: the read windows' pieces not here yet).
 */
export function pieceMapOf(s: SwarmState | null, read: readonly number[]): { state: Uint8Array; availability: Uint16Array; reading: Uint8Array } {
  const n = s?.info.pieces.length ?? 0;
  const state = new Uint8Array(n);
  const availability = new Uint16Array(n);
  const reading = new Uint8Array(n);
  for (let i = 0; s && i < n; i++) {
    state[i] = s.have.get(i) ? 2 : s.book.underWay(i) ? 1 : 0;
    availability[i] = s.availability.count(i);
  }
  for (const i of read) if (i < n) reading[i] = 1;
  return { state, availability, reading };
}

/** Bytes of the pieces we lack (before the metadata: Infinity). */
export function bytesLeft(s: SwarmState | null): number {
  if (!s) return Infinity;
  let left = 0;
  for (let i = 0; i < s.info.pieces.length; i++) if (!s.have.get(i)) left += pieceSize(s.info, i);
  return left;
}
