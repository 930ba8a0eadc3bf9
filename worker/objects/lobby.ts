/**
 * Lobby: one per room. Presence (join and leave events), the bootstrap list (a random sample of
 * live peers, Gnutella's GnuCache), and the room's super-peers (worker/core/superpeers.ts),
 * re-elected on every join, leave, prune and capacity report. Members and the super-peer list
 * live in SQLite so a restarted object keeps its room; members that no gateway holds any more
 * are pruned whenever a broadcast finds them missing.
 *
 * The Lobby is also the room's certificate authority for DHT signatures: it holds one ECDSA
 * P-256 key pair (made once, kept in SQLite) and signs, for each joining peer that sent a public
 * key, certText(room, peer id, pk) (protocol/dht-sign.ts). Peers trust the room key that their
 * own edge socket delivers.
 */
import { DurableObject } from 'cloudflare:workers';
import { BOOTSTRAP_SAMPLE, MAX_ROSTER } from '../../protocol/constants';
import { SUPERPEER_LIMITS, type ServerMessage } from '../../protocol/signaling';
import { ECDSA, ECDSA_SIGN, PUBLIC_KEY_RE, certText, toBase64url, utf8 } from '../../protocol/dht-sign';
import { gatewayStub, type Env } from '../env';
import { sample } from '../core/sample';
import { electSupers } from '../core/superpeers';

type Member = {
  id: string;
  shard: number;
  conn: string;
  joined: number;
  bandwidth: number;
  links: number;
};

/** What a joining peer is told: the others (the roster) and the current super-peers. */
export interface JoinReply {
  peers: string[];
  supers: string[];
  /** The room's certificate of the key the peer joined with (when it sent one). */
  cert?: { cert: string; roomKey: string };
}

export class Lobby extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private room = '';
  /** Connections whose join() has not returned: they get the super-peer list in its reply. */
  private readonly joining = new Set<string>();
  /** `supers` broadcasts go out one after another, so that every peer sees the lists in order. */
  private announcing: Promise<unknown> = Promise.resolve();
  private roomKey: Promise<{ privateKey: CryptoKey; publicKey: string }> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, shard INTEGER NOT NULL, conn TEXT NOT NULL, joined INTEGER NOT NULL)',
    );
    // Rooms created before super-peers have a members table without the capacity columns.
    const columns = new Set(this.sql.exec<{ name: string }>('PRAGMA table_info(members)').toArray().map((c) => c.name));
    for (const col of ['bandwidth', 'links']) {
      if (!columns.has(col)) this.sql.exec(`ALTER TABLE members ADD COLUMN ${col} INTEGER NOT NULL DEFAULT 0`);
    }
    this.sql.exec('CREATE TABLE IF NOT EXISTS supers (pos INTEGER PRIMARY KEY, id TEXT NOT NULL)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS room_key (one INTEGER PRIMARY KEY CHECK (one = 1), jwk TEXT NOT NULL, pk TEXT NOT NULL)');
  }

  /** The room's signing key: the stored one, or a new one stored for good. */
  private key(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
    this.roomKey ??= (async () => {
      const row = this.sql.exec<{ jwk: string; pk: string }>('SELECT jwk, pk FROM room_key').toArray()[0];
      if (row) return { privateKey: await crypto.subtle.importKey('jwk', JSON.parse(row.jwk) as JsonWebKey, ECDSA, false, ['sign']), publicKey: row.pk };
      const pair = (await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
      const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
      const pk = toBase64url(new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer));
      this.sql.exec('INSERT OR IGNORE INTO room_key (one, jwk, pk) VALUES (1, ?, ?)', JSON.stringify(jwk), pk);
      this.roomKey = null;
      return this.key();
    })();
    return this.roomKey;
  }

  /** The room's certificate that `id` holds `pk` (null for a malformed key). */
  private async certify(room: string, id: string, pk: string): Promise<{ cert: string; roomKey: string } | null> {
    if (!PUBLIC_KEY_RE.test(pk)) return null;
    const key = await this.key();
    const sig = await crypto.subtle.sign(ECDSA_SIGN, key.privateKey, utf8(certText(room, id, pk)));
    return { cert: toBase64url(new Uint8Array(sig as ArrayBuffer)), roomKey: key.publicKey };
  }

  /** A peer's socket opened: record it, tell the room, and return the others and the super-peers. */
  async join(room: string, id: string, shard: number, conn: string, pk?: string): Promise<JoinReply> {
    this.room = room;
    this.joining.add(conn);
    try {
      this.sql.exec(
        'INSERT INTO members (id, shard, conn, joined) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET shard = excluded.shard, conn = excluded.conn',
        id,
        shard,
        conn,
        Date.now(),
      );
      const others = this.members().filter((m) => m.id !== id);
      await this.broadcast(others, { type: 'peer-join', id });
      await this.reelect();
      const cert = pk ? await this.certify(room, id, pk) : null;
      return {
        ...(cert ? { cert } : {}),
        peers: this.members()
          .filter((m) => m.id !== id)
          .slice(0, MAX_ROSTER)
          .map((m) => m.id),
        supers: this.supers(),
      };
    } finally {
      this.joining.delete(conn);
    }
  }

  /** A peer's socket closed. Only the connection that joined last can remove the peer. */
  async leave(room: string, id: string, conn: string): Promise<void> {
    this.room = room;
    const removed = this.sql.exec('DELETE FROM members WHERE id = ? AND conn = ? RETURNING id', id, conn).toArray();
    if (removed.length === 0) return;
    await this.broadcast(this.members(), { type: 'peer-leave', id });
    await this.reelect();
  }

  /**
   * A peer declared its capacity (already parsed by the gateway; anything out of range is
   * ignored here all the same). Only the peer's current connection counts, and only a change
   * calls an election.
   */
  async capacity(room: string, id: string, conn: string, bandwidth: number, links: number): Promise<void> {
    this.room = room;
    if (!inRange(bandwidth, SUPERPEER_LIMITS.bandwidth) || !inRange(links, SUPERPEER_LIMITS.links)) return;
    const updated = this.sql
      .exec(
        'UPDATE members SET bandwidth = ?, links = ? WHERE id = ? AND conn = ? AND (bandwidth != ? OR links != ?) RETURNING id',
        bandwidth,
        links,
        id,
        conn,
        bandwidth,
        links,
      )
      .toArray();
    if (updated.length > 0) await this.reelect();
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
    return this.sql.exec<Member>('SELECT id, shard, conn, joined, bandwidth, links FROM members ORDER BY joined').toArray();
  }

  private supers(): string[] {
    return this.sql.exec<{ id: string }>('SELECT id FROM supers ORDER BY pos').toArray().map((r) => r.id);
  }

  /**
   * Elect again; when the list changes, store it and announce it to every member but those
   * still joining (their join reply carries the list).
   */
  private async reelect(): Promise<void> {
    const members = this.members();
    const current = this.supers();
    const next = electSupers(members, current, Date.now());
    if (next.length === current.length && next.every((id, i) => id === current[i])) return;
    this.sql.exec('DELETE FROM supers');
    next.forEach((id, pos) => this.sql.exec('INSERT INTO supers (pos, id) VALUES (?, ?)', pos, id));
    const to = members.filter((m) => !this.joining.has(m.conn));
    const sent = this.announcing.then(() => this.send(to, { type: 'supers', supers: next }));
    this.announcing = sent.catch(() => undefined);
    await this.prune(to, await sent);
  }

  /** Send to members through their gateways; prune (and announce) those no gateway holds. */
  private async broadcast(to: Member[], msg: ServerMessage): Promise<void> {
    await this.prune(to, await this.send(to, msg));
  }

  /** Deliver through the gateways; returns the ids that no gateway holds any more. */
  private async send(to: Member[], msg: ServerMessage): Promise<string[]> {
    const byShard = new Map<number, string[]>();
    for (const m of to) byShard.set(m.shard, [...(byShard.get(m.shard) ?? []), m.id]);
    const text = JSON.stringify(msg);
    return (
      await Promise.all([...byShard].map(([shard, ids]) => gatewayStub(this.env, shard).deliver(this.room, ids, text)))
    ).flat();
  }

  /**
   * Remove members found missing (only the connection that was sent to: the peer may have
   * joined again since), announce their leave, and elect again.
   */
  private async prune(sentTo: Member[], missing: string[]): Promise<void> {
    if (missing.length === 0) return;
    const gone = new Set(missing);
    const removed: string[] = [];
    for (const m of sentTo) {
      if (!gone.has(m.id)) continue;
      if (this.sql.exec('DELETE FROM members WHERE id = ? AND conn = ? RETURNING id', m.id, m.conn).toArray().length > 0) removed.push(m.id);
    }
    if (removed.length === 0) return;
    const rest = this.members();
    for (const id of removed) await this.broadcast(rest, { type: 'peer-leave', id });
    await this.reelect();
  }
}

function inRange(v: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}
