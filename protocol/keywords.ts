/**
 * Keywords of a file name for the Napster index: case folded, accents removed, split on
 * anything that is not a letter or a digit. Used by the peers (queries) and the edge (index)
 * alike, so both sides agree on what a word is.
 */

/** At most this many keywords are indexed per file name. */
export const MAX_KEYWORDS = 24;
/** Longest keyword kept (longer runs are cut). */
export const MAX_KEYWORD_LENGTH = 40;

export function keywords(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const out: string[] = [];
  for (const w of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (!w) continue;
    const k = w.slice(0, MAX_KEYWORD_LENGTH);
    if (!out.includes(k)) out.push(k);
    if (out.length === MAX_KEYWORDS) break;
  }
  return out;
}
