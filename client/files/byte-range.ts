/**
 * The `Range` header of a request for a file of `size` bytes (RFC 9110 §14): which bytes to
 * answer with. Pure.
 *
 * - no header, or a unit other than bytes: the whole file (200), as the RFC asks;
 * - `bytes=first-last`, `bytes=first-` and the suffix `bytes=-n` (the last n bytes), `last`
 *   clamped to the file's end: one range (206 with Content-Range);
 * - several ranges: coalesced into the one range that covers them all (a media element asks for
 *   one; a single part is a valid answer to several);
 * - a range that starts at or past the end, a suffix of 0, `last` before `first`, or words that
 *   are not a range: unsatisfiable (416 with `Content-Range: bytes *\/size`), with the reason.
 */
import type { ByteRange } from './piece-stream';

export type RangeAnswer = { kind: 'whole' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable'; reason: string };

const SPEC_RE = /^(\d*)-(\d*)$/;

function one(spec: string, size: number): ByteRange | string {
  const m = SPEC_RE.exec(spec.trim());
  if (!m || (m[1] === '' && m[2] === '')) return `“${spec.trim()}” is not a byte range`;
  const [first, last] = [m[1] as string, m[2] as string];
  if (first === '') {
    const n = Number(last);
    if (n === 0) return 'a suffix range of 0 bytes is empty';
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(first);
  if (start >= size) return `the range starts at byte ${start}, and the file has ${size} bytes`;
  if (last === '') return { start, end: size };
  const end = Number(last) + 1;
  if (end <= start) return `“${spec.trim()}” ends before it starts`;
  return { start, end: Math.min(end, size) };
}

export function parseRange(header: string | null, size: number): RangeAnswer {
  if (header === null) return { kind: 'whole' };
  const eq = header.indexOf('=');
  if (eq < 0) return { kind: 'unsatisfiable', reason: `“${header}” is not a Range header` };
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'whole' };
  const specs = header.slice(eq + 1).split(',');
  let start = Infinity;
  let end = -Infinity;
  for (const spec of specs) {
    const r = one(spec, size);
    if (typeof r === 'string') return { kind: 'unsatisfiable', reason: r };
    start = Math.min(start, r.start);
    end = Math.max(end, r.end);
  }
  return { kind: 'range', range: { start, end } };
}
