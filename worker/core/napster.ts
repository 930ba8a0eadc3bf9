/**
 * The Napster index, pure parts: which Index shard owns a keyword, how a publish is routed
 * and capped, how the per-shard answers of a search are intersected, merged per file and
 * ranked. No cloudflare:* imports: the objects do the I/O, this decides.
 *
 * Sharding: a keyword lives on shard FNV-1a(keyword) mod INDEX_SHARDS. A file's entry (info
 * hash, name, size, all its keywords) and its holders are stored on every shard that owns at
 * least one of its keywords; each shard keeps a posting list only for the keywords it owns.
 * A search asks every shard that owns one of the query's words for the files matching all the
 * words it owns, and the gateway keeps what every shard returned (AND across shards).
 */
import { keywords } from '../../protocol/keywords';
import { INDEX_LIMITS, MAX_SERVER_MESSAGE, type PublishedFile, type SearchResult, type ServerMessage } from '../../protocol/signaling';
import { shardOf } from './shard';

/** A holder not refreshed (re-published) for this long has left the index. */
export const HOLDER_TTL_MS = 150_000;
/** Most entries one shard returns for one search (ranked the same way on every shard). */
export const SHARD_HITS = 200;
/** Most holders one shard returns per entry (the freshest first). */
export const HIT_HOLDERS = 100;

export function keywordShard(word: string, shards: number): number {
  return shardOf(word, shards);
}

/** A file as one Index shard stores it: `own` are the keywords that shard keeps a posting list for. */
export interface IndexItem extends PublishedFile {
  keywords: string[];
  own: string[];
}

/** The shards that own at least one keyword of `words`, ascending. */
export function shardsOf(words: readonly string[], shards: number): number[] {
  return [...new Set(words.map((w) => keywordShard(w, shards)))].sort((a, b) => a - b);
}

/** Split the words of a query by the shard that owns each: shard → its words. */
export function routeQuery(words: readonly string[], shards: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const w of words) {
    const s = keywordShard(w, shards);
    const list = out.get(s) ?? [];
    if (!list.includes(w)) list.push(w);
    out.set(s, list);
  }
  return out;
}

/** Route files to the shards of their keywords: shard → the items it stores. */
export function routeFiles(files: readonly PublishedFile[], shards: number): Map<number, IndexItem[]> {
  const out = new Map<number, IndexItem[]>();
  for (const f of files) {
    const words = keywords(f.name);
    for (const [s, own] of routeQuery(words, shards)) {
      const list = out.get(s) ?? [];
      list.push({ infoHash: f.infoHash, name: f.name, size: f.size, keywords: words, own });
      out.set(s, list);
    }
  }
  return out;
}

export interface PublishPlan {
  refused: false;
  /** What each shard is to store (or refresh). */
  items: Map<number, IndexItem[]>;
  /** Renamed files: shards that stored the old name and do not own any word of the new one. */
  drops: Map<number, string[]>;
  /** What the gateway remembers per file: the shards that hold it. */
  rows: { infoHash: string; shards: number[] }[];
  /** Files this peer holds once the publish is applied. */
  total: number;
}

export interface PublishRefusal {
  refused: true;
  held: number;
  adding: number;
}

/**
 * Plan a publish by a peer that already holds `held` (info hash → shards that store it).
 * Re-publishing a held file refreshes it and costs nothing against the cap; new files beyond
 * `limit` refuse the whole message (nothing is applied).
 */
export function planPublish(
  held: ReadonlyMap<string, readonly number[]>,
  files: readonly PublishedFile[],
  shards: number,
  limit: number = INDEX_LIMITS.perPeer,
): PublishPlan | PublishRefusal {
  const adding = files.filter((f) => !held.has(f.infoHash)).length;
  if (held.size + adding > limit) return { refused: true, held: held.size, adding };
  const drops = new Map<number, string[]>();
  const rows: PublishPlan['rows'] = [];
  for (const f of files) {
    const now = shardsOf(keywords(f.name), shards);
    for (const s of held.get(f.infoHash) ?? []) {
      if (!now.includes(s)) drops.set(s, [...(drops.get(s) ?? []), f.infoHash]);
    }
    rows.push({ infoHash: f.infoHash, shards: now });
  }
  return { refused: false, items: routeFiles(files, shards), drops, rows, total: held.size + adding };
}

/** Group the held files being withdrawn by the shards that store them. */
export function routeUnpublish(held: ReadonlyMap<string, readonly number[]>, infoHashes: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const h of infoHashes) {
    for (const s of held.get(h) ?? []) out.set(s, [...(out.get(s) ?? []), h]);
  }
  return out;
}

export interface Holder {
  peer: string;
  /** The gateway shard that holds the peer's socket. */
  gw: number;
}

/** One shard's answer: an entry (a name a file was published under) and its holders. */
export interface Hit {
  infoHash: string;
  name: string;
  size: number;
  holders: Holder[];
}

const hitKey = (h: Hit) => `${h.infoHash}\n${h.size}\n${h.name}`;

/**
 * AND across shards: the entries every shard returned, each with the holders every shard
 * listed (a holder must match the words of every shard). Order follows the first answer.
 */
export function intersectHits(answers: readonly (readonly Hit[])[]): Hit[] {
  const [first, ...rest] = answers;
  if (!first) return [];
  const others = rest.map((a) => new Map(a.map((h) => [hitKey(h), new Set(h.holders.map((x) => x.peer))])));
  const out: Hit[] = [];
  for (const hit of first) {
    const key = hitKey(hit);
    const sets = others.map((m) => m.get(key));
    if (sets.some((s) => s === undefined)) continue;
    const holders = hit.holders.filter((x) => sets.every((s) => s!.has(x.peer)));
    if (holders.length > 0) out.push({ ...hit, holders });
  }
  return out;
}

/**
 * One candidate per info hash: holders that published it under different names are merged;
 * the name and size shown are those most holders published (ties: the smaller name).
 */
export function mergeByFile(hits: readonly Hit[]): Hit[] {
  const groups = new Map<string, Hit[]>();
  for (const h of hits) groups.set(h.infoHash, [...(groups.get(h.infoHash) ?? []), h]);
  const out: Hit[] = [];
  for (const group of groups.values()) {
    const best = [...group].sort((a, b) => b.holders.length - a.holders.length || compareText(a.name, b.name) || a.size - b.size)[0]!;
    const seen = new Set<string>();
    const holders: Holder[] = [];
    for (const h of [best, ...group.filter((g) => g !== best)]) {
      for (const x of h.holders) {
        if (seen.has(x.peer)) continue;
        seen.add(x.peer);
        holders.push(x);
      }
    }
    out.push({ infoHash: best.infoHash, name: best.name, size: best.size, holders });
  }
  return out;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ranking: more holders first, then name, then info hash (a total, stable order). */
export function compareRank(a: { infoHash: string; name: string; holders: number }, b: { infoHash: string; name: string; holders: number }): number {
  return b.holders - a.holders || compareText(a.name, b.name) || compareText(a.infoHash, b.infoHash);
}

const rankOf = (h: Hit) => ({ infoHash: h.infoHash, name: h.name, holders: h.holders.length });

/**
 * Which holders to ask the gateways about, grouped by gateway shard: those of the candidates
 * that can reach the results (the top ones, with some slack), the first few of each.
 */
export function liveCheckPlan(
  candidates: readonly Hit[],
  maxCandidates = INDEX_LIMITS.results + 50,
  perCandidate = INDEX_LIMITS.peersPerResult + 10,
): Map<number, string[]> {
  const top = [...candidates].sort((a, b) => compareRank(rankOf(a), rankOf(b))).slice(0, maxCandidates);
  const out = new Map<number, Set<string>>();
  for (const c of top) {
    for (const h of c.holders.slice(0, perCandidate)) {
      const set = out.get(h.gw) ?? new Set<string>();
      set.add(h.peer);
      out.set(h.gw, set);
    }
  }
  return new Map([...out].map(([gw, set]) => [gw, [...set]]));
}

/**
 * The results: holders known to be gone removed, files without holders dropped, ranked (more
 * holders first, then name), at most `max`, each listing at most `maxPeers` peers.
 */
export function rankResults(
  candidates: readonly Hit[],
  dead: ReadonlySet<string>,
  max: number = INDEX_LIMITS.results,
  maxPeers: number = INDEX_LIMITS.peersPerResult,
): SearchResult[] {
  return candidates
    .map((c) => ({ ...c, holders: c.holders.filter((h) => !dead.has(h.peer)) }))
    .filter((c) => c.holders.length > 0)
    .sort((a, b) => compareRank(rankOf(a), rankOf(b)))
    .slice(0, max)
    .map((c) => ({ infoHash: c.infoHash, name: c.name, size: c.size, peers: c.holders.slice(0, maxPeers).map((h) => h.peer) }));
}

/** The search-result message, the lowest-ranked results left out if it would exceed `maxBytes`. */
export function searchResultMessage(ref: number, results: readonly SearchResult[], ms: number, maxBytes = MAX_SERVER_MESSAGE): ServerMessage {
  const kept = [...results];
  const enc = new TextEncoder();
  for (;;) {
    const msg: ServerMessage = { type: 'search-result', ref, results: kept, ms };
    if (kept.length === 0 || enc.encode(JSON.stringify(msg)).length <= maxBytes) return msg;
    kept.pop();
  }
}

/** True while a holder last refreshed at `seen` is still in the index. */
export function isFresh(seen: number, now: number, ttl = HOLDER_TTL_MS): boolean {
  return seen > now - ttl;
}
