/**
 * The Napster side of a Gateway: `publish`, `unpublish` and `search` from peer sockets, routed
 * to the room's Index shards by keyword hash. The gateway remembers, in its own SQLite, which
 * files each connection published and on which shards (for the per-peer cap, for withdrawing
 * and renaming, and for dropping a closed socket's holdings); the Index shards hold the
 * directory. A search's per-shard answers are intersected, merged per file, checked against the
 * gateways for live holders and ranked here.
 */
import { ProtocolError } from '../../protocol/errors';
import { INDEX_LIMITS, SearchRefusedError, queryWords, type PublishedFile, type ServerMessage } from '../../protocol/signaling';
import { gatewayStub, indexStub, type Env } from '../env';
import {
  HOLDER_TTL_MS,
  SHARD_HITS,
  intersectHits,
  liveCheckPlan,
  mergeByFile,
  planPublish,
  rankResults,
  routeQuery,
  routeUnpublish,
  searchResultMessage,
  type Hit,
} from '../core/napster';
import { shardCount } from '../core/shard';

/** The peer socket a request came from. */
export interface NapsterPeer {
  id: string;
  room: string;
  /** The connection: a reload of the same peer id is a new one. */
  conn: string;
  /** The gateway shard holding the socket (this gateway). */
  shard: number;
}

const UNREACHABLE = 'the Napster index cannot be reached right now; try again';

export class NapsterDesk {
  constructor(
    private readonly env: Env,
    private readonly sql: SqlStorage,
    /** Which of `ids` have a socket in `room` on this gateway. */
    private readonly presentHere: (room: string, ids: string[]) => string[],
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS index_holdings (
      conn TEXT NOT NULL, info_hash TEXT NOT NULL, shards TEXT NOT NULL, seen INTEGER NOT NULL,
      PRIMARY KEY (conn, info_hash)) WITHOUT ROWID`);
    sql.exec('CREATE TABLE IF NOT EXISTS index_publishers (conn TEXT PRIMARY KEY, peer TEXT NOT NULL, room TEXT NOT NULL)');
  }

  private shards(): number {
    return shardCount(this.env.INDEX_SHARDS);
  }

  /** What connection `conn` holds: info hash → the Index shards storing it (expired rows dropped). */
  private held(conn: string, now: number): Map<string, number[]> {
    this.sql.exec('DELETE FROM index_holdings WHERE conn = ? AND seen <= ?', conn, now - HOLDER_TTL_MS);
    const rows = this.sql.exec<{ info_hash: string; shards: string }>('SELECT info_hash, shards FROM index_holdings WHERE conn = ?', conn);
    const out = new Map<string, number[]>();
    for (const r of rows) out.set(r.info_hash, r.shards === '' ? [] : r.shards.split(',').map(Number));
    return out;
  }

  async publish(p: NapsterPeer, files: PublishedFile[]): Promise<Extract<ServerMessage, { type: 'published' }>> {
    const now = Date.now();
    const held = this.held(p.conn, now);
    const plan = planPublish(held, files, this.shards(), INDEX_LIMITS.perPeer);
    if (plan.refused) {
      throw new ProtocolError(
        'oversize',
        `a peer may hold at most ${INDEX_LIMITS.perPeer} files in the index: this one holds ${plan.held} and the message adds ${plan.adding} more`,
        'files',
      );
    }
    // Recorded before any await, so that concurrent publishes of one socket see each other.
    for (const r of plan.rows) {
      this.sql.exec(
        `INSERT INTO index_holdings (conn, info_hash, shards, seen) VALUES (?, ?, ?, ?)
         ON CONFLICT (conn, info_hash) DO UPDATE SET shards = excluded.shards, seen = excluded.seen`,
        p.conn,
        r.infoHash,
        r.shards.join(','),
        now,
      );
    }
    if (plan.rows.length > 0) this.sql.exec('INSERT OR IGNORE INTO index_publishers (conn, peer, room) VALUES (?, ?, ?)', p.conn, p.id, p.room);
    await this.reach([
      ...[...plan.items].map(([s, items]) => indexStub(this.env, p.room, s).publish(p.id, p.conn, p.shard, now, items)),
      ...[...plan.drops].map(([s, hashes]) => indexStub(this.env, p.room, s).unpublish(p.id, hashes)),
    ]);
    // The socket closed while the index was being written: undo what landed after its drop.
    if (plan.rows.length > 0 && !this.isPublisher(p.conn)) await this.dropEverywhere(p.id, p.room, p.conn);
    return { type: 'published', files: plan.total };
  }

  async unpublish(p: NapsterPeer, infoHashes: string[]): Promise<ServerMessage> {
    const held = this.held(p.conn, Date.now());
    const route = routeUnpublish(held, infoHashes);
    const removed = infoHashes.filter((h) => held.has(h));
    if (removed.length > 0) {
      this.sql.exec('DELETE FROM index_holdings WHERE conn = ? AND info_hash IN (SELECT value FROM json_each(?))', p.conn, JSON.stringify(removed));
    }
    await this.reach([...route].map(([s, hashes]) => indexStub(this.env, p.room, s).unpublish(p.id, hashes)));
    return { type: 'published', files: held.size - removed.length };
  }

  /**
   * Ask every shard that owns a word of the query for the files matching the words it owns,
   * keep what all of them returned (AND), one result per file, live holders only, ranked.
   */
  async search(p: NapsterPeer, ref: number, query: string): Promise<ServerMessage> {
    const t0 = Date.now();
    try {
      const words = queryWords(query);
      const answers: Hit[][] = await Promise.all(
        [...routeQuery(words, this.shards())].map(([s, own]) => indexStub(this.env, p.room, s).match(own, words, SHARD_HITS)),
      );
      const candidates = mergeByFile(intersectHits(answers));
      const dead = await this.deadHolders(p, candidates);
      return searchResultMessage(ref, rankResults(candidates, dead), Date.now() - t0);
    } catch (err) {
      // Every failure of a search is answered, with its ref: the peer never waits in vain.
      if (err instanceof ProtocolError) throw new SearchRefusedError(err, ref);
      console.error('index search failed', err);
      throw new SearchRefusedError(new ProtocolError('unavailable', UNREACHABLE), ref);
    }
  }

  /** Holders of the leading candidates whose gateway no longer has their socket in the room. */
  private async deadHolders(p: NapsterPeer, candidates: Hit[]): Promise<Set<string>> {
    const dead = new Set<string>();
    await Promise.all(
      [...liveCheckPlan(candidates)].map(async ([gw, ids]) => {
        try {
          const present = new Set(gw === p.shard ? this.presentHere(p.room, ids) : await gatewayStub(this.env, gw).present(p.room, ids));
          for (const id of ids) if (!present.has(id)) dead.add(id);
        } catch (err) {
          // Unknown is not dead: the index drops holders on close and expires them anyway.
          console.error('live check failed', err);
        }
      }),
    );
    return dead;
  }

  /** A peer socket closed: forget its holdings here and on every Index shard of its room. */
  async leave(conn: string): Promise<void> {
    const pub = this.sql.exec<{ peer: string; room: string }>('DELETE FROM index_publishers WHERE conn = ? RETURNING peer, room', conn).toArray()[0];
    this.sql.exec('DELETE FROM index_holdings WHERE conn = ?', conn);
    if (pub) await this.dropEverywhere(pub.peer, pub.room, conn);
  }

  /** Connections that published but have no socket any more (their close was never seen). */
  async sweep(liveConns: ReadonlySet<string>): Promise<void> {
    const conns = this.sql.exec<{ conn: string }>('SELECT conn FROM index_publishers').toArray();
    for (const { conn } of conns) if (!liveConns.has(conn)) await this.leave(conn);
  }

  private isPublisher(conn: string): boolean {
    return this.sql.exec('SELECT 1 FROM index_publishers WHERE conn = ?', conn).toArray().length > 0;
  }

  private async dropEverywhere(peer: string, room: string, conn: string): Promise<void> {
    const results = await Promise.allSettled(Array.from({ length: this.shards() }, (_, s) => indexStub(this.env, room, s).dropPeer(peer, conn)));
    for (const r of results) if (r.status === 'rejected') console.error('index drop failed', r.reason);
  }

  /** Await index calls; a failure is reported to the peer as `unavailable`. */
  private async reach(calls: Promise<unknown>[]): Promise<void> {
    try {
      await Promise.all(calls);
    } catch (err) {
      console.error('index call failed', err);
      throw new ProtocolError('unavailable', UNREACHABLE);
    }
  }
}
