/**
 * Pure parts of an overlay search: which local files answer a query, and how the query hits
 * that come back are merged into one result list.
 */
import { keywords } from '../../protocol/keywords';
import type { HitResult, OverlayFile, QueryHitMsg } from '../../protocol/overlay';
import { OVERLAY_LIMITS } from '../../protocol/overlay';

/** Files whose names contain every one of `words` (as whole keywords, like the Napster index). */
export function matchFiles<F extends OverlayFile>(files: Iterable<F>, words: readonly string[]): F[] {
  const out: F[] = [];
  for (const f of files) {
    const kw = keywords(f.name);
    if (words.every((w) => kw.includes(w))) out.push(f);
  }
  return out;
}

/** Files of several holders merged into hit results: one per info hash, with its holders. */
export function hitResults(byHolder: Iterable<readonly [string, Iterable<OverlayFile>]>, words: readonly string[]): HitResult[] {
  const out = new Map<string, HitResult>();
  for (const [holder, files] of byHolder) {
    for (const f of matchFiles(files, words)) {
      const r = out.get(f.infoHash) ?? { infoHash: f.infoHash, name: f.name, size: f.size, peers: [] };
      if (r.peers.length < OVERLAY_LIMITS.holders && !r.peers.includes(holder)) r.peers.push(holder);
      out.set(f.infoHash, r);
    }
  }
  return [...out.values()].slice(0, OVERLAY_LIMITS.results);
}

export interface MergedHit {
  infoHash: string;
  name: string;
  size: number;
  peers: string[];
  /** Fewest hops to an answer naming this file. */
  hops: number;
  /** When the first answer naming this file arrived (ms since the search began). */
  ms: number;
}

/**
 * Fold one query hit into the results so far. `self` is removed from holder lists (a tab does
 * not download from itself); a result left without holders is not listed.
 */
export function mergeHit(results: Map<string, MergedHit>, hit: QueryHitMsg, elapsedMs: number, self: string): void {
  for (const r of hit.results) {
    const peers = r.peers.filter((p) => p !== self);
    if (peers.length === 0) continue;
    const cur = results.get(r.infoHash);
    if (!cur) {
      results.set(r.infoHash, { infoHash: r.infoHash, name: r.name, size: r.size, peers, hops: hit.dist, ms: elapsedMs });
      continue;
    }
    for (const p of peers) if (!cur.peers.includes(p)) cur.peers.push(p);
    cur.hops = Math.min(cur.hops, hit.dist);
  }
}

/** Results ranked: most holders first, then fewest hops, then name. */
export function rankHits(results: Iterable<MergedHit>): MergedHit[] {
  return [...results].sort((a, b) => b.peers.length - a.peers.length || a.hops - b.hops || a.name.localeCompare(b.name));
}
