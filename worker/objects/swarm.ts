/**
 * Swarm: the tracker of one torrent (one object per info hash), the shell of worker/core/tracker.ts:
 * it keeps the swarm's peers in SQLite (by BitTorrent peer id: how much each has left, which
 * gateway socket holds it), asks the gateways whether a socket is still open, and delivers the
 * offers and answers the core decides on.
 */
import { DurableObject } from 'cloudflare:workers';
import { ANNOUNCE_INTERVAL } from '../../protocol/tracker';
import { gatewayStub, type Env } from '../env';
import {
  afterDelivery,
  otherHolder,
  planAnnounce,
  planAnswer,
  planExpiry,
  planLeave,
  swarmCounts,
  type AnnounceInput,
  type AnnounceResult,
  type AnswerInput,
  type Send,
  type SwarmChange,
  type SwarmCounts,
  type SwarmPeer,
  type SwarmRows,
} from '../core/tracker';

interface PeerRow {
  peer_id: string;
  sock: string;
  shard: number;
  left_bytes: number;
  uploaded: number;
  downloaded: number;
  last_seen: number;
  [key: string]: SqlStorageValue;
}

const COLUMNS = 'peer_id, sock, shard, left_bytes, uploaded, downloaded, last_seen';

function peerOf(r: PeerRow): SwarmPeer {
  return { peerId: r.peer_id, sock: r.sock, shard: r.shard, left: r.left_bytes, uploaded: r.uploaded, downloaded: r.downloaded, lastSeen: r.last_seen };
}

export class Swarm extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly rows: SwarmRows;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS peers (
      peer_id TEXT PRIMARY KEY, sock TEXT NOT NULL, shard INTEGER NOT NULL,
      left_bytes REAL NOT NULL, uploaded REAL NOT NULL, downloaded REAL NOT NULL, last_seen INTEGER NOT NULL)`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    this.rows = {
      peer: (peerId) => this.sql.exec<PeerRow>(`SELECT ${COLUMNS} FROM peers WHERE peer_id = ?`, peerId).toArray().map(peerOf)[0],
      all: () => this.sql.exec<PeerRow>(`SELECT ${COLUMNS} FROM peers`).toArray().map(peerOf),
    };
  }

  async announce(a: AnnounceInput): Promise<AnnounceResult> {
    // The binding holds only while its socket lives: a client whose socket died without a
    // close (a network drop, a restart of the edge) takes its peer_id back on reconnecting.
    const holder = otherHolder(this.rows, a);
    const holderOpen = holder ? await gatewayStub(this.env, holder.shard).hasTrackerSocket(holder.sock) : false;
    const plan = planAnnounce(this.rows, a, holderOpen, Date.now(), Math.random);
    if (!plan.ok) return plan;
    this.apply(plan.change);
    const relayed = await this.deliver(plan.sends);
    await this.ensureAlarm();
    return { ok: true, ...swarmCounts(this.rows.all()), relayed };
  }

  /** Relay an answer to the peer that made the offer. Returns a failure reason, or null. */
  async answer(a: AnswerInput): Promise<string | null> {
    const plan = planAnswer(this.rows, a);
    if (!plan.ok) return plan.reason;
    return (await this.deliver([plan.send])) > 0 ? null : plan.unreachable;
  }

  /** A tracker socket closed: all its peers leave. */
  leave(sock: string): number {
    const change = planLeave(this.rows, sock);
    this.apply(change);
    return change.drop.length;
  }

  scrape(): SwarmCounts {
    const row = this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'downloaded'").toArray()[0];
    return { ...swarmCounts(this.rows.all()), downloaded: row?.value ?? 0 };
  }

  override async alarm(): Promise<void> {
    this.apply(planExpiry(this.rows, Date.now()));
    await this.ensureAlarm();
  }

  /** Send each message to its peer's socket; the peers whose socket is gone leave. Returns how many were delivered. */
  private async deliver(sends: Send[]): Promise<number> {
    if (sends.length === 0) return 0;
    const delivered = await Promise.all(sends.map((s) => gatewayStub(this.env, s.to.shard).deliverTracker(s.to.sock, JSON.stringify(s.msg))));
    const after = afterDelivery(sends, delivered);
    this.apply(after.change);
    return after.delivered;
  }

  private apply(change: SwarmChange): void {
    for (const p of change.put) {
      this.sql.exec(
        `INSERT INTO peers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(peer_id) DO UPDATE SET sock = excluded.sock, shard = excluded.shard, left_bytes = excluded.left_bytes,
         uploaded = excluded.uploaded, downloaded = excluded.downloaded, last_seen = excluded.last_seen`,
        p.peerId,
        p.sock,
        p.shard,
        p.left,
        p.uploaded,
        p.downloaded,
        p.lastSeen,
      );
    }
    for (const id of change.drop) this.sql.exec('DELETE FROM peers WHERE peer_id = ?', id);
    if (change.completed > 0) {
      this.sql.exec("INSERT INTO meta (key, value) VALUES ('downloaded', ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", change.completed);
    }
  }

  private async ensureAlarm(): Promise<void> {
    const n = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM peers').toArray()[0]?.n ?? 0;
    if (n === 0) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + ANNOUNCE_INTERVAL * 1000);
  }
}
