/**
 * The shapes of one torrent that its parts and its users share: what the API shows of it (its
 * progress, peers and files), its events, what the client gives it, and what it holds once its
 * metadata is here.
 */
import type { Bitfield } from '../../protocol/bitfield';
import type { TorrentInfo } from '../../protocol/metainfo';
import type { Availability } from '../core/picker';
import type { RateLimit } from '../core/rate';
import type { RequestBook } from '../core/requests';
import type { PieceStore } from './piece-store';

export interface PeerView {
  id: string;
  client: string;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  downRate: number;
  upRate: number;
  pieces: number;
  outstanding: number;
  snubbed: boolean;
}

export interface TorrentProgress {
  infoHash: string;
  name: string;
  length: number;
  pieces: number;
  have: number;
  /** Payload bytes received from peers (all of them, verified or not). */
  fetched: number;
  /** Pieces that failed their hash check, and peers banned for it. */
  corruptPieces: number;
  banned: number;
  uploaded: number;
  downRate: number;
  upRate: number;
  /** Every piece of the selected files is here (all files selected: the whole torrent). */
  done: boolean;
  /** Every piece of the torrent is here. */
  complete: boolean;
  /** Bytes of the selected files, and how many of them are here. */
  selectedLength: number;
  selectedHave: number;
  /** A multi-file torrent (metadata with a `files` list). */
  multiFile: boolean;
  /** Files the torrent holds, and how many are selected. */
  files: number;
  selectedFiles: number;
  /**
   * We super-seed it (BEP 16): peers are offered a few pieces at a time, so our upload carries
   * each piece about once (until turned off: TorrentHandle.superSeed).
   */
  superSeeding: boolean;
}

/** One file of a torrent, as the API lists it. */
export interface TorrentFileView {
  index: number;
  /** Its path in the torrent, elements joined by "/" (a single-file torrent: its name). */
  path: string;
  length: number;
  /** Fraction of its bytes here, 0-1 (an empty file: 1). */
  progress: number;
  selected: boolean;
}

export interface TorrentEvents extends Record<string, unknown> {
  metadata: TorrentInfo;
  piece: { index: number };
  progress: TorrentProgress;
  done: void;
  /** Every piece of the selected files is here (also fired with `done`). */
  'selection-done': void;
  'peer-add': { id: string };
  'peer-remove': { id: string; reason: string };
  warning: { message: string };
  error: { message: string };
}

export interface TorrentDeps {
  store: PieceStore;
  limits: { up: RateLimit; down: RateLimit };
  rng: () => number;
  /** Called once when the last piece is verified (the client announces `completed`). */
  onComplete: () => void;
  /** Test hook: flip a byte of every block we upload. */
  corruptUploads: () => boolean;
  /** Our BitTorrent peer id, hex (to agree with a peer on which of two connections to keep). */
  peerId: string;
}

/** What a torrent holds once its metadata is installed. */
export interface SwarmState {
  readonly info: TorrentInfo;
  readonly infoBytes: Uint8Array;
  /** The pieces we hold (verified). */
  readonly have: Bitfield;
  /** How many peers hold each piece. */
  readonly availability: Availability;
  readonly book: RequestBook;
}
