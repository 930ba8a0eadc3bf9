/**
 * Lobby: one per room. Presence (join and leave events), the bootstrap list (a random sample of
 * live peers, Gnutella's GnuCache). Members live in SQLite so a restarted object keeps its room;
 * members that no gateway holds any more are pruned whenever a broadcast finds them missing.
 */
import { DurableObject } from 'cloudflare:workers';
import { BOOTSTRAP_SAMPLE, MAX_ROSTER } from '../../protocol/constants';
import type { ServerMessage } from '../../protocol/signaling';
import { gatewayStub, type Env } from '../env';
import { sample } from '../core/sample';

interface Member {
  id: string;
  shard: number;
}

export class Lobby extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private room = '';

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, shard INTEGER NOT NULL, conn TEXT NOT NULL, joined INTEGER NOT NULL)',
    );
  }

  /** A peer's socket opened: record it, tell the room, and return the others (the roster). */
  async join(room: string, id: string, shard: number, conn: string): Promise<string[]> {
    this.room = room;
    this.sql.exec(
      'INSERT INTO members (id, shard, conn, joined) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET shard = excluded.shard, conn = excluded.conn',
      id,
      shard,
      conn,
      Date.now(),
    );
    const others = this.members().filter((m) => m.id !== id);
    await this.broadcast(others, { type: 'peer-join', id });
    return this.members()
      .filter((m) => m.id !== id)
      .slice(0, MAX_ROSTER)
      .map((m) => m.id);
  }

  /** A peer's socket closed. Only the connection that joined last can remove the peer. */
  async leave(room: string, id: string, conn: string): Promise<void> {
    this.room = room;
    const removed = this.sql.exec('DELETE FROM members WHERE id = ? AND conn = ? RETURNING id', id, conn).toArray();
    if (removed.length > 0) await this.broadcast(this.members(), { type: 'peer-leave', id });
  }

  /** A random sample of at most BOOTSTRAP_SAMPLE live peers other than `id`. */
  bootstrap(id: string): string[] {
    const ids = this.members().filter((m) => m.id !== id).map((m) => m.id);
    return sample(ids, BOOTSTRAP_SAMPLE, Math.random);
  }

  size(): number {
    return this.members().length;
  }

  private members(): Member[] {
    return this.sql.exec<{ id: string; shard: number }>('SELECT id, shard FROM members ORDER BY joined').toArray();
  }

  /** Send to members through their gateways; prune (and announce) those no gateway holds. */
  private async broadcast(to: Member[], msg: ServerMessage): Promise<void> {
    const byShard = new Map<number, string[]>();
    for (const m of to) byShard.set(m.shard, [...(byShard.get(m.shard) ?? []), m.id]);
    const text = JSON.stringify(msg);
    const missing = (
      await Promise.all([...byShard].map(([shard, ids]) => gatewayStub(this.env, shard).deliver(this.room, ids, text)))
    ).flat();
    if (missing.length === 0) return;
    for (const id of missing) this.sql.exec('DELETE FROM members WHERE id = ?', id);
    const rest = this.members();
    for (const id of missing) await this.broadcast(rest, { type: 'peer-leave', id });
  }
}
