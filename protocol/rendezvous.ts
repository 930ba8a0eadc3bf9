/**
 * Rendezvous (highest-random-weight) hashing: which super-peer a leaf attaches to. Every leaf
 * ranks the super-peers by a hash of (leaf, super) and takes the first: leaves spread evenly,
 * and when a super-peer goes, only its own leaves move (each to its next choice).
 */

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche so that ids differing in one character spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The candidates in the order `leaf` should try them (best first). Ties are broken by id. */
export function rendezvousOrder(leaf: string, candidates: readonly string[]): string[] {
  return [...new Set(candidates)]
    .filter((c) => c !== leaf)
    .map((c) => ({ c, w: fnv1a(`${leaf}|${c}`) }))
    .sort((a, b) => b.w - a.w || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .map((x) => x.c);
}
