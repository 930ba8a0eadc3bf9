/**
 * BEP 9's bookkeeping: the pieces of the info dictionary received so far, which peer each
 * missing one is asked of, and our answer to a peer's request for a piece of ours. Pure.
 */
import { metadataPieceCount, metadataPieceLength, METADATA_PIECE_LENGTH, type MetadataMessage } from '../../protocol/wire';

/** A peer that announced the size of the metadata (BEP 10 `metadata_size`). */
export interface MetadataSource {
  readonly key: string;
  readonly metadataSize: number;
}

export class MetadataPieces {
  private parts: (Uint8Array | undefined)[] = [];
  /** Piece asked for → the peer it was asked of. */
  private readonly asked = new Map<number, string>();

  /**
   * The pieces to ask for now, and of whom: every piece neither here nor asked of anyone, of
   * the size the first source announced, spread round-robin over the sources that announced
   * that size. They are recorded as asked.
   */
  plan<P extends MetadataSource>(sources: readonly P[]): { piece: number; peer: P }[] {
    const first = sources[0];
    if (!first) return [];
    const size = first.metadataSize;
    const n = metadataPieceCount(size);
    if (this.parts.length !== n) this.parts = new Array(n);
    const candidates = sources.filter((s) => s.metadataSize === size);
    const out: { piece: number; peer: P }[] = [];
    let k = 0;
    for (let piece = 0; piece < n; piece++) {
      if (this.parts[piece] || this.asked.has(piece)) continue;
      const peer = candidates[k++ % candidates.length] as P;
      this.asked.set(piece, peer.key);
      out.push({ piece, peer });
    }
    return out;
  }

  /** `peer` answered for `piece` (data or reject): it is no longer asked of it. */
  answered(piece: number, peer: string): void {
    if (this.asked.get(piece) === peer) this.asked.delete(piece);
  }

  /** `peer` left: what was asked of it can be asked of others. */
  peerGone(peer: string): void {
    for (const [piece, who] of this.asked) if (who === peer) this.asked.delete(piece);
  }

  /** Piece `piece` of an info dictionary of `totalSize` bytes (copied): true when every piece is here. */
  add(piece: number, totalSize: number, data: Uint8Array): boolean {
    if (this.parts.length !== metadataPieceCount(totalSize)) this.parts = new Array(metadataPieceCount(totalSize));
    this.parts[piece] = data.slice();
    // Not every(): it skips the holes of the sparse array, and would assemble missing pieces.
    let all = true;
    for (let i = 0; i < this.parts.length && all; i++) all = !!this.parts[i];
    return all;
  }

  /** The info dictionary of `totalSize` bytes, its pieces joined (call once add() is true); the pieces are dropped. */
  take(totalSize: number): Uint8Array {
    const bytes = new Uint8Array(totalSize);
    let o = 0;
    for (const part of this.parts) {
      bytes.set(part as Uint8Array, o);
      o += (part as Uint8Array).length;
    }
    this.parts = [];
    return bytes;
  }
}

/** Our answer to a request for metadata piece `piece`: its data, or a reject when we lack the metadata or it has no such piece. */
export function metadataAnswer(infoBytes: Uint8Array | null, piece: number): MetadataMessage {
  if (!infoBytes || piece >= metadataPieceCount(infoBytes.length)) return { kind: 'reject', piece };
  const start = piece * METADATA_PIECE_LENGTH;
  const data = infoBytes.subarray(start, start + metadataPieceLength(infoBytes.length, piece));
  return { kind: 'data', piece, totalSize: infoBytes.length, data };
}
