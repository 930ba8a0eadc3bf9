/**
 * A torrent's peers, by BitTorrent peer id. A wire joins once its handshake names this torrent
 * and the peer is admitted (admit(), pure); then its messages go to the torrent (one that
 * throws closes the connection) until the connection closes and the peer leaves.
 */
import { ProtocolError } from '../../protocol/errors';
import { toHex } from '../../protocol/sha1';
import type { WireMessage } from '../../protocol/wire';
import { keepsNewer } from '../core/links';
import { newPeer, type SwarmPeer } from './swarm-peer';
import type { WireConnection } from './wire-connection';

export const MAX_PEERS = 50;

/** What admission looks at when a peer's handshake comes. */
export interface AdmitInput {
  /** Ours and the one its handshake names, hex. */
  infoHash: string;
  remoteHash: string;
  /** Our peer id and its, hex. */
  self: string;
  key: string;
  /** We opened the new connection. */
  initiator: boolean;
  banned: boolean;
  /** Our connection to the same peer, if any. */
  existing: { initiator: boolean } | undefined;
  /** Peers we have now. */
  peers: number;
}

export type Admission = { join: true; replace: boolean } | { join: false; reason: string };

/**
 * Does the peer join, and does its connection replace an older one to it? Not for another
 * torrent, nor banned; of two connections to one peer (each side answered the other's offer),
 * both sides keep the one opened by the smaller peer id, so that they do not each close a
 * different one; at most MAX_PEERS.
 */
export function admit(a: AdmitInput): Admission {
  if (a.remoteHash !== a.infoHash) return { join: false, reason: 'handshake for another torrent' };
  if (a.banned) return { join: false, reason: 'banned: sent corrupt pieces' };
  if (a.existing && !keepsNewer(a.self, a.key, a.existing.initiator, a.initiator)) return { join: false, reason: 'already connected to this peer' };
  const replace = a.existing !== undefined;
  if (a.peers - (replace ? 1 : 0) >= MAX_PEERS) return { join: false, reason: 'too many peers' };
  return { join: true, replace };
}

/** What the peers ask of their torrent. */
export interface PeersHost {
  readonly infoHash: string;
  /** Our BitTorrent peer id, hex. */
  readonly selfId: string;
  banned(key: string): boolean;
  /** A peer joined; `extensions`: its handshake set the extension protocol's bit. */
  joined(p: SwarmPeer, extensions: boolean): void;
  message(p: SwarmPeer, msg: WireMessage): void;
  left(p: SwarmPeer, reason: string): void;
}

export class SwarmPeers implements Iterable<SwarmPeer> {
  private readonly byKey = new Map<string, SwarmPeer>();
  private stopped = false;

  constructor(private readonly host: PeersHost) {}

  get size(): number {
    return this.byKey.size;
  }

  [Symbol.iterator](): IterableIterator<SwarmPeer> {
    return this.byKey.values();
  }

  get(key: string): SwarmPeer | undefined {
    return this.byKey.get(key);
  }

  /** A wire to a peer (we opened it: `initiator`); it joins once the handshakes are exchanged. */
  add(conn: WireConnection, initiator: boolean): void {
    if (this.stopped) {
      conn.close('torrent removed');
      return;
    }
    conn.on('handshake', (hs) => this.onHandshake(conn, initiator, hs.peerId, hs.extensions));
    conn.peer.once('connect', () => {
      if (initiator) conn.sendHandshake();
    });
    if (initiator && (conn.peer as unknown as { connected: boolean }).connected) conn.sendHandshake();
  }

  /** Close every peer's connection; wires added after are closed at once. */
  closeAll(reason: string): void {
    this.stopped = true;
    for (const p of [...this.byKey.values()]) p.conn.close(reason);
  }

  private onHandshake(conn: WireConnection, initiator: boolean, peerId: Uint8Array, extensions: boolean): void {
    const key = toHex(peerId);
    const existing = this.byKey.get(key);
    const a = admit({
      infoHash: this.host.infoHash,
      remoteHash: toHex(conn.remote?.infoHash ?? new Uint8Array(0)),
      self: this.host.selfId,
      key,
      initiator,
      banned: this.host.banned(key),
      existing,
      peers: this.byKey.size,
    });
    if (!a.join) return conn.close(a.reason);
    if (existing) existing.conn.close('replaced by the connection both sides keep');
    const p = newPeer(key, conn, initiator, new TextDecoder().decode(peerId.subarray(0, 8)));
    this.byKey.set(key, p);
    conn.on('message', (msg) => {
      try {
        this.host.message(p, msg);
      } catch (err) {
        conn.close(err instanceof ProtocolError ? `bad message: ${err.message}` : `failed: ${(err as Error).message}`);
      }
    });
    conn.on('close', ({ reason }) => this.leave(p, reason));
    if (!initiator) conn.sendHandshake();
    this.host.joined(p, extensions);
  }

  private leave(p: SwarmPeer, reason: string): void {
    if (this.byKey.get(p.key) !== p) return;
    this.byKey.delete(p.key);
    this.host.left(p, reason);
  }
}
