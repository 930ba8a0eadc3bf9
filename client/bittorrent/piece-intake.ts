/**
 * Receiving pieces: each block written into its piece's buffer as it comes (who sent it kept),
 * a complete piece verified against its hash and stored before it counts as here (a piece the
 * store refuses is kept in memory); a corrupt one is dropped to be asked for again and its
 * sender struck (of several senders, the ones whose blocks differ once the piece verifies).
 */
import { pieceSize, verifyPiece } from '../../protocol/metainfo';
import type { PeerRequest } from '../core/requests';
import { liarsOf } from './piece-blame';
import type { PieceStore } from './piece-store';
import type { SwarmState } from './torrent-types';

/** What the intake asks of its torrent. */
export interface IntakeHost {
  readonly infoHash: string;
  readonly store: PieceStore;
  /** The torrent's name (for messages). */
  name(): string;
  /** Cancel a request sent to a peer (its block came from another, or its piece is done). */
  cancel(c: PeerRequest): void;
  /** `peer` sent a bad copy of piece `index`. */
  strike(peer: string, index: number): void;
  /** A corrupt piece was dropped: its blocks can be asked for again. */
  refill(): void;
  /** Piece `index` is verified and stored (or kept in memory): it is here. */
  verified(index: number): void;
  error(message: string): void;
}

export class PieceIntake {
  /** Pieces that failed their hash check. */
  corrupt = 0;
  /** Verified pieces the store refused (quota): kept here so nothing verified is lost. */
  readonly unsaved = new Map<number, Uint8Array>();
  private readonly buffers = new Map<number, Uint8Array>();
  private readonly verifying = new Set<number>();
  /** Who sent each block of the pieces in progress. */
  private readonly senders = new Map<number, string[]>();
  /** Failed pieces that several peers contributed to: kept to find the liar once the piece verifies. */
  private readonly suspects = new Map<number, { data: Uint8Array; senders: string[] }>();

  constructor(private readonly host: IntakeHost) {}

  /** A block `peer` sent: kept if the request book wanted it; the piece verified once all its blocks are here. */
  block(peer: string, index: number, begin: number, block: Uint8Array, s: SwarmState): void {
    const res = s.book.onBlock(peer, index, begin, block.length);
    for (const d of res.duplicates) this.host.cancel(d);
    if (!res.accepted) return;
    let buf = this.buffers.get(index);
    if (!buf) {
      buf = new Uint8Array(pieceSize(s.info, index));
      this.buffers.set(index, buf);
    }
    buf.set(block, begin);
    let who = this.senders.get(index);
    if (!who) {
      who = [];
      this.senders.set(index, who);
    }
    who[Math.floor(begin / s.book.blockLength)] = peer;
    if (res.pieceComplete) void this.verify(index, buf, s);
  }

  private async verify(index: number, data: Uint8Array, s: SwarmState): Promise<void> {
    if (this.verifying.has(index)) return;
    this.verifying.add(index);
    try {
      const ok = await verifyPiece(s.info, index, data);
      this.buffers.delete(index);
      const senders = this.senders.get(index) ?? [];
      this.senders.delete(index);
      if (!ok) {
        this.corrupt++;
        const { cancels, contributors } = s.book.pieceDone(index, false);
        for (const c of cancels) this.host.cancel(c);
        if (contributors.length === 1) this.host.strike(contributors[0] as string, index);
        else this.suspects.set(index, { data, senders });
        this.host.refill();
        return;
      }
      const suspect = this.suspects.get(index);
      if (suspect) {
        this.suspects.delete(index);
        for (const peer of liarsOf(suspect.data, suspect.senders, data, s.book.blockLength)) this.host.strike(peer, index);
      }
      // Persist before announcing: a `have` we send is a piece we can serve after a reload.
      try {
        await this.host.store.putPiece(this.host.infoHash, index, data);
      } catch (err) {
        this.unsaved.set(index, data);
        const quota = (err as Error).name === 'QuotaExceededError';
        this.host.error(
          quota
            ? `Storage is full: piece ${index} of "${this.host.name()}" is kept in memory only. Free some space to keep it across reloads.`
            : `Could not store piece ${index}: ${(err as Error).message}`,
        );
      }
      const { cancels } = s.book.pieceDone(index, true);
      for (const c of cancels) this.host.cancel(c);
      this.host.verified(index);
    } finally {
      this.verifying.delete(index);
    }
  }
}
