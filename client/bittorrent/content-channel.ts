/**
 * What the tabs of one browser and its service worker tell each other about the content they
 * share (one storage): "this torrent's data was deleted", so every tab stops seeding it at once;
 * and, for media read while it downloads, the service worker's "a reader wants these pieces
 * now" (`want`), a downloading tab's "I am fetching them" (`wanting`) and a tab's "this piece is
 * stored" (`stored`). A BroadcastChannel; what arrives is parsed here and anything else is
 * dropped and counted.
 */
import { INFO_HASH_RE } from '../../protocol/metainfo';

export const CONTENT_CHANNEL = 'edge-p2p-content';

/** A reader's id: what the service worker names one response it is streaming. */
const READER_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** A player's id: the page that reads and the file it reads (read-windows.ts). */
const PLAYER_RE = /^[A-Za-z0-9_.:-]{1,100}$/;
/** Pieces of one torrent are numbered below this (a 2^20-piece torrent is 256 GiB in 256 KiB pieces). */
const MAX_PIECE = 2 ** 24;

export type ContentMessage =
  | { type: 'deleted'; infoHash: string }
  /** Reader `reader` (of `player`, when the service worker knows whose) reads pieces [first, last] of the torrent now. */
  | { type: 'want'; infoHash: string; reader: string; first: number; last: number; player?: string }
  /** A tab runs the torrent, lacks some of them, and fetches them first. */
  | { type: 'wanting'; infoHash: string; reader: string }
  | { type: 'stored'; infoHash: string; index: number };

const isPiece = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < MAX_PIECE;

/** The message, or null for anything that is not one. */
export function parseContentMessage(data: unknown): ContentMessage | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const m = data as Record<string, unknown>;
  if (typeof m.infoHash !== 'string' || !INFO_HASH_RE.test(m.infoHash)) return null;
  const infoHash = m.infoHash.toLowerCase();
  const reader = typeof m.reader === 'string' && READER_RE.test(m.reader) ? m.reader : null;
  switch (m.type) {
    case 'deleted':
      return { type: 'deleted', infoHash };
    case 'want': {
      if (!reader || !isPiece(m.first) || !isPiece(m.last) || m.first > m.last) return null;
      if (m.player === undefined) return { type: 'want', infoHash, reader, first: m.first, last: m.last };
      return typeof m.player === 'string' && PLAYER_RE.test(m.player) ? { type: 'want', infoHash, reader, first: m.first, last: m.last, player: m.player } : null;
    }
    case 'wanting':
      return reader ? { type: 'wanting', infoHash, reader } : null;
    case 'stored':
      return isPiece(m.index) ? { type: 'stored', infoHash, index: m.index } : null;
    default:
      return null;
  }
}

export class ContentChannel {
  private readonly channel: BroadcastChannel | null;
  /** Messages from other tabs that were not content messages. */
  dropped = 0;

  constructor(onMessage: (m: ContentMessage) => void) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CONTENT_CHANNEL) : null;
    this.channel?.addEventListener('message', (e: MessageEvent) => {
      const m = parseContentMessage(e.data);
      if (m) onMessage(m);
      else this.dropped++;
    });
  }

  /** Tell the browser's other tabs and its service worker (not this one). */
  post(m: ContentMessage): void {
    this.channel?.postMessage(m);
  }

  close(): void {
    this.channel?.close();
  }
}
