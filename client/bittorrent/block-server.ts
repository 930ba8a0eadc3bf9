/**
 * Serving blocks to peers: a peer's requests are queued while we unchoke it, then sent in
 * order within the upload limit and the channel's buffer. Blocks of pieces in memory go out
 * without a pause (they leave in one data-channel message per 64 KiB); a piece read from
 * storage brings the next requested pieces' reads along.
 */
import { ProtocolError } from '../../protocol/errors';
import { pieceSize } from '../../protocol/metainfo';
import type { RateLimit } from '../core/rate';
import type { BlockRequest } from '../core/requests';
import type { PieceStore } from './piece-store';
import type { SwarmPeer } from './swarm-peer';
import type { SwarmState } from './torrent-types';

/** Bytes queued to a peer before serving waits for its channel to drain. */
const UPLOAD_BUFFER = 1024 * 1024;
/** Pieces read from storage ahead of a peer's turn (each 256 KiB in a torrent of ours). */
const READ_AHEAD_PIECES = 2;

export interface BlockServerDeps {
  infoHash: string;
  store: PieceStore;
  limits: { readonly up: RateLimit };
  /** Test hook: flip a byte of every block we upload. */
  corruptUploads: () => boolean;
  /** Verified pieces storage refused, kept in memory: served from there. */
  unsaved: ReadonlyMap<number, Uint8Array>;
}

export class BlockServer {
  /** Payload bytes sent. */
  uploaded = 0;

  constructor(private readonly deps: BlockServerDeps) {}

  /** A peer's request: queued when we unchoke it and have the piece; one beyond the piece is a ProtocolError. */
  request(p: SwarmPeer, r: BlockRequest, s: SwarmState | null): void {
    if (p.amChoking || !s || !s.have.get(r.index)) return;
    if (r.begin + r.length > pieceSize(s.info, r.index)) throw new ProtocolError('bad-frame', 'request beyond the piece');
    if (!p.uploads.push({ index: r.index, begin: r.begin, length: r.length })) return;
    void this.serve(p);
  }

  /** Send the peer's requested blocks, in order, until its queue is empty, it chokes or it is gone. */
  private async serve(p: SwarmPeer): Promise<void> {
    if (p.uploading) return;
    p.uploading = true;
    const { infoHash, store, limits, unsaved } = this.deps;
    try {
      while (p.uploads.length > 0 && !p.conn.closed && !p.amChoking) {
        if (p.conn.buffered() >= UPLOAD_BUFFER) {
          await p.conn.whenBelow(UPLOAD_BUFFER);
          continue;
        }
        const r = p.uploads.first() as BlockRequest;
        const wait = limits.up.reserve(r.length, Date.now());
        if (wait > 0) await sleep(wait);
        if (p.uploads.first() !== r) continue; // cancelled meanwhile
        p.uploads.shift();
        let piece = unsaved.get(r.index) ?? store.cachedPiece(infoHash, r.index);
        if (!piece) {
          for (const i of p.uploads.readAhead(r.index, unsaved, READ_AHEAD_PIECES)) void store.piece(infoHash, i).catch(() => undefined);
          piece = await store.piece(infoHash, r.index);
        }
        if (!piece) continue;
        let block = piece.subarray(r.begin, r.begin + r.length);
        if (this.deps.corruptUploads()) {
          block = block.slice();
          block[0] = (block[0] ?? 0) ^ 0xff;
        }
        p.conn.send({ type: 'piece', index: r.index, begin: r.begin, block });
        this.uploaded += r.length;
      }
    } finally {
      p.uploading = false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
