/**
 * One peer of a torrent's swarm: what each side has said (choke, interest), what it has (its
 * bitfield, or before the metadata what it announced), its extension ids, the blocks it asked
 * us for, and its row in the API's list of peers.
 */
import type { Bitfield } from '../../protocol/bitfield';
import { isSnubbed } from '../core/choker';
import type { PeerView } from './torrent-types';
import { UploadQueue } from './upload-queue';
import type { WireConnection } from './wire-connection';

export interface SwarmPeer {
  /** Its BitTorrent peer id, hex. */
  readonly key: string;
  readonly conn: WireConnection;
  /** We opened the connection. */
  readonly initiator: boolean;
  client: string;
  bitfield: Bitfield | null;
  /** Before metadata: what the peer said it has. */
  rawBitfield: Uint8Array | null;
  rawHaves: number[];
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  unchokedAt: number;
  lastPieceAt: number;
  /** Its extended message id for ut_metadata (0: none), and the metadata size it announced (0: none, or it refused). */
  utMetadata: number;
  metadataSize: number;
  /** It said upload_only (BEP 21): a seed that may announce only some pieces; a piece a player reads is asked of it anyway. */
  uploadOnly: boolean;
  /** The blocks it asked us for, and whether they are being sent. */
  readonly uploads: UploadQueue;
  uploading: boolean;
  /** Set while we ask it for nothing more (over the download limit). */
  fillTimer: ReturnType<typeof setTimeout> | null;
}

/** A peer that has just completed its handshake: choked and not interested both ways, nothing known of what it has. */
export function newPeer(key: string, conn: WireConnection, initiator: boolean, client: string): SwarmPeer {
  return {
    key,
    conn,
    initiator,
    client,
    bitfield: null,
    rawBitfield: null,
    rawHaves: [],
    amChoking: true,
    amInterested: false,
    peerChoking: true,
    peerInterested: false,
    unchokedAt: 0,
    lastPieceAt: 0,
    utMetadata: 0,
    metadataSize: 0,
    uploadOnly: false,
    uploads: new UploadQueue(),
    uploading: false,
    fillTimer: null,
  };
}

/** It unchoked us, we want its pieces, and it has sent none for a while. */
export function snubbed(p: SwarmPeer, now: number): boolean {
  return !p.peerChoking && p.amInterested && isSnubbed(Math.max(p.lastPieceAt, p.unchokedAt), now);
}

/** Its row in the API's list of peers; `outstanding`: our requests it has not answered. */
export function peerView(p: SwarmPeer, outstanding: number, now: number): PeerView {
  return {
    id: p.key,
    client: p.client,
    amChoking: p.amChoking,
    amInterested: p.amInterested,
    peerChoking: p.peerChoking,
    peerInterested: p.peerInterested,
    downRate: p.conn.down.rate(now),
    upRate: p.conn.up.rate(now),
    pieces: p.bitfield?.count() ?? 0,
    outstanding,
    snubbed: snubbed(p, now),
  };
}
