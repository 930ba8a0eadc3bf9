/**
 * Swarm: the tracker of one torrent (one object per info hash). It knows the swarm's peers (by
 * BitTorrent peer id), how much each has left, and which gateway socket holds each; it relays
 * WebRTC offers to random peers and answers back to the offerer. A peer id is bound to the
 * socket that first announced it: no other socket can announce, stop or answer as it.
 */
import { DurableObject } from 'cloudflare:workers';
import { ANNOUNCE_INTERVAL, MAX_ANNOUNCE_PEERS, hexToBinary, type Sdp, type TrackerEvent, type TrackerResponse } from '../../protocol/tracker';
import { gatewayStub, type Env } from '../env';
import { sample } from '../core/sample';

/** A peer silent for two intervals (plus slack) has left. */
const EXPIRE_MS = (2 * ANNOUNCE_INTERVAL + 30) * 1000;

export interface AnnounceInput {
  infoHash: string;
  peerId: string;
  sock: string;
  shard: number;
  event: TrackerEvent;
  left: number;
  uploaded: number;
  downloaded: number;
  offers: { offer: Sdp; offerId: string }[];
}

/** `relayed`: how many of the announce's offers went to a peer (the rest had nobody to go to). */
export type AnnounceResult = { ok: true; complete: number; incomplete: number; relayed: number } | { ok: false; reason: string };

export interface SwarmCounts {
  complete: number;
  incomplete: number;
  downloaded: number;
}

interface PeerRow {
  peer_id: string;
  sock: string;
  shard: number;
  [key: string]: SqlStorageValue;
}

export class Swarm extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS peers (
      peer_id TEXT PRIMARY KEY, sock TEXT NOT NULL, shard INTEGER NOT NULL,
      left_bytes REAL NOT NULL, uploaded REAL NOT NULL, downloaded REAL NOT NULL, last_seen INTEGER NOT NULL)`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)');
  }

  async announce(a: AnnounceInput): Promise<AnnounceResult> {
    const existing = this.peer(a.peerId);
    if (existing && existing.sock !== a.sock) {
      // The binding holds only while its socket lives: a client whose socket died without a
      // close (a network drop, a restart of the edge) takes its peer_id back on reconnecting.
      if (await gatewayStub(this.env, existing.shard).hasTrackerSocket(existing.sock)) {
        return { ok: false, reason: 'peer_id is in use by another connection' };
      }
      this.sql.exec('UPDATE peers SET sock = ?, shard = ? WHERE peer_id = ?', a.sock, a.shard, a.peerId);
    }
    if (a.event === 'stopped') {
      this.sql.exec('DELETE FROM peers WHERE peer_id = ?', a.peerId);
      return { ok: true, ...this.counts(), relayed: 0 };
    }
    // Infinity (unknown, e.g. a magnet without metadata yet) is stored as -1.
    const left = a.event === 'completed' ? 0 : Number.isFinite(a.left) ? a.left : -1;
    if (a.event === 'completed' && (!existing || this.leftOf(a.peerId) !== 0)) {
      this.sql.exec("INSERT INTO meta (key, value) VALUES ('downloaded', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1");
    }
    this.sql.exec(
      `INSERT INTO peers (peer_id, sock, shard, left_bytes, uploaded, downloaded, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(peer_id) DO UPDATE SET left_bytes = excluded.left_bytes, uploaded = excluded.uploaded,
       downloaded = excluded.downloaded, last_seen = excluded.last_seen`,
      a.peerId,
      a.sock,
      a.shard,
      left,
      a.uploaded,
      a.downloaded,
      Date.now(),
    );
    const relayed = a.offers.length > 0 ? await this.relayOffers(a) : 0;
    await this.ensureAlarm();
    return { ok: true, ...this.counts(), relayed };
  }

  /** Relay an answer to the peer that made the offer. Returns a failure reason, or null. */
  async answer(a: { infoHash: string; peerId: string; sock: string; toPeerId: string; answer: Sdp; offerId: string }): Promise<string | null> {
    const from = this.peer(a.peerId);
    if (!from || from.sock !== a.sock) return 'peer_id is not announced by this connection';
    const to = this.peer(a.toPeerId);
    if (!to) return 'no peer with that `to_peer_id`';
    const msg: TrackerResponse = {
      action: 'announce',
      answer: a.answer,
      offer_id: hexToBinary(a.offerId),
      peer_id: hexToBinary(a.peerId),
      info_hash: hexToBinary(a.infoHash),
    };
    const delivered = await gatewayStub(this.env, to.shard).deliverTracker(to.sock, JSON.stringify(msg));
    if (!delivered) {
      this.sql.exec('DELETE FROM peers WHERE peer_id = ?', to.peer_id);
      return 'no peer with that `to_peer_id`';
    }
    return null;
  }

  /** A tracker socket closed: all its peers leave. */
  leave(sock: string): number {
    return this.sql.exec('DELETE FROM peers WHERE sock = ? RETURNING peer_id', sock).toArray().length;
  }

  scrape(): SwarmCounts {
    const row = this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'downloaded'").toArray()[0];
    return { ...this.counts(), downloaded: row?.value ?? 0 };
  }

  override async alarm(): Promise<void> {
    this.sql.exec('DELETE FROM peers WHERE last_seen < ?', Date.now() - EXPIRE_MS);
    await this.ensureAlarm();
  }

  /** Relay the offers to random other peers, one each; returns how many were delivered. */
  private async relayOffers(a: AnnounceInput): Promise<number> {
    const others = this.sql.exec<PeerRow>('SELECT peer_id, sock, shard FROM peers WHERE peer_id != ? AND sock != ?', a.peerId, a.sock).toArray();
    const targets = sample(others, Math.min(a.offers.length, MAX_ANNOUNCE_PEERS), Math.random);
    const gone: string[] = [];
    await Promise.all(
      targets.map(async (t, i) => {
        const o = a.offers[i];
        if (!o) return;
        const msg: TrackerResponse = {
          action: 'announce',
          offer: o.offer,
          offer_id: hexToBinary(o.offerId),
          peer_id: hexToBinary(a.peerId),
          info_hash: hexToBinary(a.infoHash),
        };
        if (!(await gatewayStub(this.env, t.shard).deliverTracker(t.sock, JSON.stringify(msg)))) gone.push(t.peer_id);
      }),
    );
    for (const id of gone) this.sql.exec('DELETE FROM peers WHERE peer_id = ?', id);
    return targets.length - gone.length;
  }

  private peer(peerId: string): PeerRow | undefined {
    return this.sql.exec<PeerRow>('SELECT peer_id, sock, shard FROM peers WHERE peer_id = ?', peerId).toArray()[0];
  }

  private leftOf(peerId: string): number | undefined {
    return this.sql.exec<{ left_bytes: number }>('SELECT left_bytes FROM peers WHERE peer_id = ?', peerId).toArray()[0]?.left_bytes;
  }

  private counts(): { complete: number; incomplete: number } {
    const row = this.sql
      .exec<{ complete: number; total: number }>('SELECT SUM(CASE WHEN left_bytes = 0 THEN 1 ELSE 0 END) AS complete, COUNT(*) AS total FROM peers')
      .toArray()[0];
    const complete = row?.complete ?? 0;
    return { complete, incomplete: (row?.total ?? 0) - complete };
  }

  private async ensureAlarm(): Promise<void> {
    const n = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM peers').toArray()[0]?.n ?? 0;
    if (n === 0) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + ANNOUNCE_INTERVAL * 1000);
  }
}
