/**
 * Index: one shard of a room's Napster directory (one object per room and shard, named
 * `index-${room}-${shard}`). It stores every file entry that has at least one keyword this
 * shard owns (info hash, name, size, all its keywords), a posting list for the keywords it
 * owns, and the entry's holders (peer id, the gateway shard of the peer's socket, the
 * connection, the last refresh). Holders leave when the gateway says their socket closed, or
 * when they have not re-published for HOLDER_TTL_MS; an entry without holders is deleted.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { HIT_HOLDERS, HOLDER_TTL_MS, type Hit, type IndexItem } from '../core/napster';

/** How often expired holders are swept (searches never return them in between). */
const SWEEP_MS = 30_000;

interface EntryRow {
  id: number;
  info_hash: string;
  name: string;
  size: number;
  [key: string]: SqlStorageValue;
}

export interface IndexStats {
  entries: number;
  holders: number;
  words: number;
}

export class Index extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // `kw` is the name's keywords between spaces (" cafe mozart mp3 "), for the all-words filter.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS entries (
      id INTEGER PRIMARY KEY, info_hash TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, kw TEXT NOT NULL,
      UNIQUE (info_hash, name, size))`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS words (word TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (word, entry)) WITHOUT ROWID');
    this.sql.exec('CREATE INDEX IF NOT EXISTS words_entry ON words (entry)');
    this.sql.exec(`CREATE TABLE IF NOT EXISTS holders (
      peer TEXT NOT NULL, info_hash TEXT NOT NULL, entry INTEGER NOT NULL, gw INTEGER NOT NULL, conn TEXT NOT NULL, seen INTEGER NOT NULL,
      PRIMARY KEY (peer, info_hash)) WITHOUT ROWID`);
    this.sql.exec('CREATE INDEX IF NOT EXISTS holders_entry ON holders (entry, seen)');
    this.sql.exec('CREATE INDEX IF NOT EXISTS holders_seen ON holders (seen)');
  }

  /** Store (or refresh) files held by `peer` over connection `conn`; `now` is the same on every shard. */
  async publish(peer: string, conn: string, gw: number, now: number, items: IndexItem[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      const orphans: number[] = [];
      for (const it of items) {
        const prev = this.sql
          .exec<{ entry: number; name: string; size: number }>(
            'SELECT h.entry AS entry, e.name AS name, e.size AS size FROM holders h JOIN entries e ON e.id = h.entry WHERE h.peer = ? AND h.info_hash = ?',
            peer,
            it.infoHash,
          )
          .toArray()[0];
        if (prev && prev.name === it.name && prev.size === it.size) {
          // The heartbeat: the same file under the same name.
          this.sql.exec('UPDATE holders SET gw = ?, conn = ?, seen = ? WHERE peer = ? AND info_hash = ?', gw, conn, now, peer, it.infoHash);
          continue;
        }
        const id = this.sql
          .exec<{ id: number }>(
            `INSERT INTO entries (info_hash, name, size, kw) VALUES (?, ?, ?, ?)
             ON CONFLICT (info_hash, name, size) DO UPDATE SET kw = excluded.kw RETURNING id`,
            it.infoHash,
            it.name,
            it.size,
            ` ${it.keywords.join(' ')} `,
          )
          .one().id;
        for (const w of it.own) this.sql.exec('INSERT OR IGNORE INTO words (word, entry) VALUES (?, ?)', w, id);
        this.sql.exec(
          `INSERT INTO holders (peer, info_hash, entry, gw, conn, seen) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (peer, info_hash) DO UPDATE SET entry = excluded.entry, gw = excluded.gw, conn = excluded.conn, seen = excluded.seen`,
          peer,
          it.infoHash,
          id,
          gw,
          conn,
          now,
        );
        if (prev) orphans.push(prev.entry);
      }
      this.collect(orphans);
    });
    await this.ensureAlarm();
  }

  /** A peer withdraws files. Returns how many of its holdings this shard removed. */
  unpublish(peer: string, infoHashes: string[]): number {
    const rows = this.sql
      .exec<{ entry: number }>('DELETE FROM holders WHERE peer = ? AND info_hash IN (SELECT value FROM json_each(?)) RETURNING entry', peer, JSON.stringify(infoHashes))
      .toArray();
    this.collect(rows.map((r) => r.entry));
    return rows.length;
  }

  /**
   * A peer's socket closed: drop what it published over that connection. A newer connection of
   * the same peer (a reload) re-published under its own `conn`, and keeps its holdings.
   */
  dropPeer(peer: string, conn: string): number {
    const rows = this.sql.exec<{ entry: number }>('DELETE FROM holders WHERE peer = ? AND conn = ? RETURNING entry', peer, conn).toArray();
    this.collect(rows.map((r) => r.entry));
    return rows.length;
  }

  /**
   * Entries with a posting for every word of `own` (the query's words this shard owns) whose
   * keywords also contain every word of `all` (the whole query: each entry carries all its
   * keywords, so the answer is only what can survive the gateway's intersection), with their
   * fresh holders. Ranked as the gateway ranks (more holders, then name, then info hash), at
   * most `limit` entries and HIT_HOLDERS holders each (the freshest first).
   */
  match(own: string[], all: string[], limit: number): Hit[] {
    const words = [...new Set(own)];
    if (words.length === 0) return [];
    const since = Date.now() - HOLDER_TTL_MS;
    const entries = this.sql
      .exec<EntryRow>(
        `WITH m AS (
           SELECT entry FROM words WHERE word IN (SELECT value FROM json_each(?1)) GROUP BY entry HAVING COUNT(*) = ?2)
         SELECT e.id AS id, e.info_hash AS info_hash, e.name AS name, e.size AS size, COUNT(*) AS n
         FROM m JOIN entries e ON e.id = m.entry JOIN holders h ON h.entry = e.id AND h.seen > ?3
         WHERE NOT EXISTS (SELECT 1 FROM json_each(?4) q WHERE instr(e.kw, ' ' || q.value || ' ') = 0)
         GROUP BY e.id
         ORDER BY n DESC, e.name, e.info_hash
         LIMIT ?5`,
        JSON.stringify(words),
        words.length,
        since,
        JSON.stringify(all),
        Math.max(0, Math.min(limit, 1000)),
      )
      .toArray();
    if (entries.length === 0) return [];
    const holders = new Map<number, { peer: string; gw: number }[]>();
    const rows = this.sql.exec<{ entry: number; peer: string; gw: number }>(
      `SELECT entry, peer, gw FROM (
         SELECT entry, peer, gw, ROW_NUMBER() OVER (PARTITION BY entry ORDER BY seen DESC, peer) AS r
         FROM holders WHERE entry IN (SELECT value FROM json_each(?1)) AND seen > ?2)
       WHERE r <= ?3`,
      JSON.stringify(entries.map((e) => e.id)),
      since,
      HIT_HOLDERS,
    );
    for (const r of rows) holders.set(r.entry, [...(holders.get(r.entry) ?? []), { peer: r.peer, gw: r.gw }]);
    return entries.map((e) => ({ infoHash: e.info_hash, name: e.name, size: e.size, holders: holders.get(e.id) ?? [] }));
  }

  stats(): IndexStats {
    const count = (table: string) => this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return { entries: count('entries'), holders: count('holders'), words: count('words') };
  }

  /** Expire holders that stopped re-publishing. */
  override async alarm(): Promise<void> {
    const rows = this.sql.exec<{ entry: number }>('DELETE FROM holders WHERE seen <= ? RETURNING entry', Date.now() - HOLDER_TTL_MS).toArray();
    this.collect(rows.map((r) => r.entry));
    await this.ensureAlarm();
  }

  /** Delete entries (and their postings) that no holder refers to any more. */
  private collect(entries: number[]): void {
    if (entries.length === 0) return;
    const gone = this.sql
      .exec<{ id: number }>(
        `DELETE FROM entries WHERE id IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM holders h WHERE h.entry = entries.id) RETURNING id`,
        JSON.stringify([...new Set(entries)]),
      )
      .toArray();
    if (gone.length > 0) this.sql.exec('DELETE FROM words WHERE entry IN (SELECT value FROM json_each(?))', JSON.stringify(gone.map((g) => g.id)));
  }

  private async ensureAlarm(): Promise<void> {
    const any = this.sql.exec('SELECT 1 FROM holders LIMIT 1').toArray().length > 0;
    if (any && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SWEEP_MS);
  }
}
