/**
 * Lobby: one per room. Presence (worker/core/presence.ts: up to PRESENCE.fullUpTo members
 * everyone sees everyone; beyond it each member has a partial view and the room's count), the
 * bootstrap list (a random sample of live peers, Gnutella's GnuCache), and the room's
 * super-peers (worker/core/superpeers.ts), re-elected on every join, leave, prune and capacity
 * report. Members, views and the super-peer list live in SQLite so a restarted object keeps
 * its room, and in memory so that no event reads the whole room: one join or leave costs
 * O(view) messages and rows whatever the room's size. Members that no gateway holds any more
 * are pruned whenever a delivery finds them missing.
 *
 * Requests come batched: each gateway sends what its sockets asked of the room (LobbyOp) in one
 * call at a time, at most every EDGE_BATCHING.gapMs, and the Lobby's deliveries to each gateway
 * shard are batched the same way (worker/core/batcher.ts). The object's request rate is bounded
 * by the gateway count, not by the crowd's join rate.
 *
 * Super-peers in a large room: the list goes to the super-peers (they link among themselves);
 * a leaf is told only its PRESENCE.supersPerLeaf rendezvous choices, when it joins and when it
 * asks for a fresh view. A small room's members all get the whole list whenever it changes.
 *
 * The Lobby is also the room's certificate authority for DHT signatures: it holds one ECDSA
 * P-256 key pair (made once, kept in SQLite) and signs, for each joining peer that sent a public
 * key, certText(room, peer id, pk) (protocol/dht-sign.ts). Peers trust the room key that their
 * own edge socket delivers.
 */
import { DurableObject } from 'cloudflare:workers';
import { BOOTSTRAP_SAMPLE, MAX_ROSTER, PRESENCE } from '../../protocol/constants';
import { rendezvousOrder } from '../../protocol/rendezvous';
import { SUPERPEER_LIMITS, type ServerMessage } from '../../protocol/signaling';
import { ECDSA, ECDSA_SIGN, PUBLIC_KEY_RE, certText, toBase64url, utf8 } from '../../protocol/dht-sign';
import { gatewayStub, type Env } from '../env';
import { Presence, type PresenceTuning } from '../core/presence';
import { electSupers } from '../core/superpeers';
import { ADDRESS_ROOM_LIMITS, TokenBucket, addressJoinRefusal, bucketOf } from '../core/rate-limit';
import { Batchers, EDGE_BATCHING, settleEach, type Settled } from '../core/batcher';
import type { Delivery, JoinReply, LobbyOp, LobbyResults, ViewReply } from './lobby-ops';

type Member = {
  id: string;
  shard: number;
  conn: string;
  joined: number;
  bandwidth: number;
  links: number;
  /** The client's address (CF-Connecting-IP), for the per-address limits. */
  addr: string;
};

/** Candidates sampled for an election in a large room (besides the current super-peers). */
const ELECTION_SAMPLE = 64;

export class Lobby extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private room = '';
  /** Connections whose join() has not returned: they get the super-peer list in its reply. */
  private readonly joining = new Set<string>();
  /** `supers` broadcasts go out one after another, so that every peer sees the lists in order. */
  private announcing: Promise<unknown> = Promise.resolve();
  private roomKey: Promise<{ privateKey: CryptoKey; publicKey: string }> | null = null;
  private readonly presence: Presence;
  /** Requests this object served and made (for /api/stats?room=: what a room costs the edge). */
  private readonly counters = { calls: 0, joins: 0, refused: 0, leaves: 0, views: 0, bootstraps: 0, capacity: 0, messages: 0 };
  /** Every member, by id (the members table, held in memory). */
  private readonly byId = new Map<string, Member>();
  /** Members per client address, and each address's joins (a burst, then a rate; in memory). */
  private readonly perAddress = new Map<string, number>();
  private readonly addressJoins = new Map<string, TokenBucket>();
  /** Deliveries to each gateway shard, one call in flight per shard. */
  private readonly outbox = new Batchers<Delivery, string[]>((shard, items) => gatewayStub(this.env, Number(shard)).deliverMany(this.room, items), EDGE_BATCHING);

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
    if (!columns.has('addr')) this.sql.exec("ALTER TABLE members ADD COLUMN addr TEXT NOT NULL DEFAULT ''");
    this.sql.exec('CREATE TABLE IF NOT EXISTS supers (pos INTEGER PRIMARY KEY, id TEXT NOT NULL)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS views (holder TEXT NOT NULL, peer TEXT NOT NULL, PRIMARY KEY (holder, peer))');
    this.sql.exec('CREATE INDEX IF NOT EXISTS views_by_peer ON views (peer)');
    for (const m of this.sql.exec<Member>('SELECT id, shard, conn, joined, bandwidth, links, addr FROM members ORDER BY joined')) {
      this.byId.set(m.id, { ...m });
      this.perAddress.set(m.addr, (this.perAddress.get(m.addr) ?? 0) + 1);
    }
    this.presence = new Presence({ fullUpTo: PRESENCE.fullUpTo, view: PRESENCE.view }, Math.random);
    const pairs = this.sql.exec<{ holder: string; peer: string }>('SELECT holder, peer FROM views').toArray().map((r) => [r.holder, r.peer] as const);
    this.presence.restore([...this.byId.keys()], pairs);
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

  /**
   * A batch of a gateway's requests, run together as if each had come on its own (each answers
   * on its own; one that fails does not fail the others).
   */
  async run(room: string, ops: LobbyOp[]): Promise<Settled<LobbyResults[LobbyOp['op']]>[]> {
    this.room = room;
    this.counters.calls++;
    return settleEach(ops, (o): LobbyResults[LobbyOp['op']] | Promise<LobbyResults[LobbyOp['op']]> => {
      switch (o.op) {
        case 'join':
          return this.join(room, o.id, o.shard, o.conn, o.pk, o.tuning, o.addr);
        case 'leave':
          return this.leave(room, o.id, o.conn).then(() => null);
        case 'view':
          return this.view(room, o.id, o.conn);
        case 'capacity':
          return this.capacity(room, o.id, o.conn, o.bandwidth, o.links).then(() => null);
        case 'bootstrap':
          return this.bootstrap(o.id);
      }
    });
  }

  /**
   * A peer's socket opened (a `join` of run()): record it, tell the members that should know, and return its view,
   * the count and its super-peers. `tuning`: the room's presence sizes (the defaults unless the
   * edge allows a room to set smaller ones, as the tests do).
   */
  private async join(room: string, id: string, shard: number, conn: string, pk?: string, tuning?: PresenceTuning, addr = ''): Promise<JoinReply | { refused: string }> {
    this.room = room;
    this.counters.joins++;
    if (tuning) this.presence.retune(tuning);
    const prev = this.byId.get(id);
    // A new member (not a peer back on a new socket) counts against its address's limits.
    if (!prev) {
      const refused = addressJoinRefusal(this.perAddress.get(addr) ?? 0, bucketOf(this.addressJoins, addr, ADDRESS_ROOM_LIMITS.joinBurst, ADDRESS_ROOM_LIMITS.joinsPerSecond, Date.now()).take(Date.now()));
      if (refused) {
        this.counters.refused++;
        return { refused };
      }
    }
    this.joining.add(conn);
    try {
      const joined = prev?.joined ?? Date.now();
      this.sql.exec(
        'INSERT INTO members (id, shard, conn, joined, addr) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET shard = excluded.shard, conn = excluded.conn, addr = excluded.addr',
        id,
        shard,
        conn,
        joined,
        addr,
      );
      if (prev) this.countAddress(prev.addr, -1);
      this.countAddress(addr, 1);
      this.byId.set(id, { id, shard, conn, joined, bandwidth: prev?.bandwidth ?? 0, links: prev?.links ?? 0, addr });
      const out = this.presence.join(id);
      this.sql.exec('DELETE FROM views WHERE holder = ?', id);
      this.rememberViews(out.roster.map((p) => [id, p] as const));
      this.rememberViews(out.notify.map((h) => [h, id] as const));
      await this.broadcast(this.membersOf(out.notify), { type: 'peer-join', id, count: out.count });
      // The room just grew past its full-view size: every member (at most fullUpTo + 1) hears
      // that it is now large, once; from here on counts travel with views.
      if (this.presence.size === this.presence.fullUpTo + 1) {
        const told = new Set([id, ...out.notify]);
        await this.broadcast([...this.byId.values()].filter((m) => !told.has(m.id)), { type: 'count', count: out.count });
      }
      await this.reelect();
      const cert = pk ? await this.certify(room, id, pk) : null;
      return { ...(cert ? { cert } : {}), peers: this.ordered(out.roster).slice(0, MAX_ROSTER), count: this.presence.size, supers: this.supersFor(id) };
    } finally {
      this.joining.delete(conn);
    }
  }

  /** A peer's socket closed. Only the connection that joined last can remove the peer. */
  private async leave(room: string, id: string, conn: string): Promise<void> {
    this.room = room;
    this.counters.leaves++;
    if (this.byId.get(id)?.conn !== conn) return;
    await this.remove([id]);
    await this.reelect();
  }

  /** A member asks for a fresh view (a new random sample of the room). */
  private view(room: string, id: string, conn: string): ViewReply | null {
    this.room = room;
    this.counters.views++;
    if (this.byId.get(id)?.conn !== conn) return null;
    const peers = this.presence.refresh(id);
    this.sql.exec('DELETE FROM views WHERE holder = ?', id);
    this.rememberViews(peers.map((p) => [id, p] as const));
    return { peers: this.ordered(peers), count: this.presence.size, supers: this.supersFor(id) };
  }

  /**
   * A peer declared its capacity (already parsed by the gateway; anything out of range is
   * ignored here all the same). Only the peer's current connection counts, and only a change
   * calls an election.
   */
  private async capacity(room: string, id: string, conn: string, bandwidth: number, links: number): Promise<void> {
    this.room = room;
    this.counters.capacity++;
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
    if (updated.length === 0) return;
    const m = this.byId.get(id);
    if (m) Object.assign(m, { bandwidth, links });
    await this.reelect();
  }

  /** A random sample of at most BOOTSTRAP_SAMPLE live peers other than `id`. */
  private bootstrap(id: string): string[] {
    this.counters.bootstraps++;
    return this.presence.sample(BOOTSTRAP_SAMPLE, id);
  }

  /**
   * The room's count and what the object has served (calls: the gateways' batched calls; joins,
   * leaves, views, ...: the requests they carried) and sent (deliveries: calls to gateways;
   * messages: to peers).
   */
  stats(): { members: number; partial: boolean; deliveries: number } & typeof this.counters {
    return { members: this.presence.size, partial: this.presence.partial, ...this.counters, deliveries: this.outbox.calls };
  }

  private countAddress(addr: string, d: number): void {
    const n = (this.perAddress.get(addr) ?? 0) + d;
    if (n > 0) this.perAddress.set(addr, n);
    else this.perAddress.delete(addr);
  }

  /** Record that `holder` was told of each peer of `pairs` (rows of the views table). */
  private rememberViews(pairs: Iterable<readonly [string, string]>): void {
    for (const [holder, peer] of pairs) this.sql.exec('INSERT OR IGNORE INTO views (holder, peer) VALUES (?, ?)', holder, peer);
  }

  private membersOf(ids: readonly string[]): Member[] {
    const out: Member[] = [];
    for (const id of ids) {
      const m = this.byId.get(id);
      if (m) out.push(m);
    }
    return out;
  }

  /** Ids oldest first (a small room's roster order: tabs opened together join the DHT through the same peer). */
  private ordered(ids: readonly string[]): string[] {
    return [...ids].sort((a, b) => (this.byId.get(a)?.joined ?? 0) - (this.byId.get(b)?.joined ?? 0));
  }

  private supers(): string[] {
    return this.sql.exec<{ id: string }>('SELECT id FROM supers ORDER BY pos').toArray().map((r) => r.id);
  }

  /** The super-peers `id` is told of: all of them in a small room or when it is one, else its rendezvous choices. */
  private supersFor(id: string): string[] {
    const all = this.supers();
    if (!this.presence.partial || all.includes(id)) return all;
    return rendezvousOrder(id, all).slice(0, PRESENCE.supersPerLeaf);
  }

  /** Forget members (left, or found missing): tell those that held them, refill their views. */
  private async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (!this.byId.has(id)) continue;
      this.sql.exec('DELETE FROM members WHERE id = ?', id);
      this.countAddress(this.byId.get(id)?.addr ?? '', -1);
      this.byId.delete(id);
      const out = this.presence.leave(id);
      // Two statements, each on its index (an OR of the two would scan the table).
      this.sql.exec('DELETE FROM views WHERE holder = ?', id);
      this.sql.exec('DELETE FROM views WHERE peer = ?', id);
      this.rememberViews(out.refills.map((r) => [r.holder, r.peer] as const));
      // The leave and the replacements leave together (one batched delivery per gateway), the
      // leave first: a holder hears of its new peer right behind the one it lost.
      const sends = [this.broadcast(this.membersOf(out.notify), { type: 'peer-leave', id, count: out.count })];
      for (const r of out.refills) {
        const m = this.byId.get(r.holder);
        if (m) sends.push(this.broadcast([m], { type: 'peer-join', id: r.peer, count: out.count }));
      }
      await Promise.all(sends);
    }
  }

  /**
   * Elect again; when the list changes, store it and announce it: in a small room to every
   * member but those still joining (their join reply carries the list), in a large one to the
   * super-peers old and new. A large room's election weighs the current super-peers and a
   * random sample of the others, not every member.
   */
  private async reelect(): Promise<void> {
    const current = this.supers();
    const partial = this.presence.partial;
    const pool = partial ? new Set([...current, ...this.presence.sample(ELECTION_SAMPLE, '')]) : this.byId.keys();
    const candidates = this.membersOf([...pool]);
    const next = electSupers(candidates, current, Date.now(), this.presence.size);
    if (next.length === current.length && next.every((id, i) => id === current[i])) return;
    this.sql.exec('DELETE FROM supers');
    next.forEach((id, pos) => this.sql.exec('INSERT INTO supers (pos, id) VALUES (?, ?)', pos, id));
    const to = (partial ? this.membersOf([...new Set([...current, ...next])]) : [...this.byId.values()]).filter((m) => !this.joining.has(m.conn));
    const sent = this.announcing.then(() => this.send(to, { type: 'supers', supers: next }));
    this.announcing = sent.catch(() => undefined);
    await this.prune(to, await sent);
  }

  /** Send to members through their gateways; prune (and announce) those no gateway holds. */
  private async broadcast(to: Member[], msg: ServerMessage): Promise<void> {
    if (to.length === 0) return;
    await this.prune(to, await this.send(to, msg));
  }

  /** Deliver through the gateways (batched per shard); returns the ids that no gateway holds any more. */
  private async send(to: Member[], msg: ServerMessage): Promise<string[]> {
    const byShard = new Map<number, string[]>();
    for (const m of to) {
      const ids = byShard.get(m.shard);
      if (ids) ids.push(m.id);
      else byShard.set(m.shard, [m.id]);
    }
    const text = JSON.stringify(msg);
    this.counters.messages += to.length;
    return (await Promise.all([...byShard].map(([shard, ids]) => this.outbox.submit(String(shard), { ids, text })))).flat();
  }

  /**
   * Remove members found missing (only the connection that was sent to: the peer may have
   * joined again since), announce their leave, and elect again.
   */
  private async prune(sentTo: Member[], missing: string[]): Promise<void> {
    if (missing.length === 0) return;
    const gone = new Set(missing);
    const stale = sentTo.filter((m) => gone.has(m.id) && this.byId.get(m.id)?.conn === m.conn).map((m) => m.id);
    if (stale.length === 0) return;
    await this.remove(stale);
    await this.reelect();
  }
}

function inRange(v: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}
