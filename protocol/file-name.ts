/**
 * The one rule for file names that travel between peers (Napster publish batches, Gnutella query
 * hits, a leaf's file list, DHT keyword records): 1-255 characters (code points) of well-formed
 * text, no control characters, at least one letter or digit to index. Every parser checks it
 * with `parseFileName`; a tab cleans its own names with `cleanFileName` when it shares a file,
 * and `indexableName` gives the name it may publish for any torrent it holds (one that came
 * from outside, through a magnet's `dn=` or a WebTorrent client's metainfo, included).
 */
import { ProtocolError } from './errors';
import { keywords } from './keywords';

/** Longest file name, in characters (code points). */
export const MAX_FILE_NAME = 255;

const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS_RE = /[\u0000-\u001f\u007f-\u009f]/g;
const WHITESPACE_CONTROLS_RE = /[\t\n\v\f\r\u0085]/g;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** What a torrent's name may not hold (BEP 3 names a file or directory: see protocol/metainfo.ts). */
const PATH_SEPARATORS_RE = /[/\\]/g;
/** An extension kept when a long name is shortened: a dot and 1-16 letters or digits at the end. */
const EXTENSION_RE = /\.[\p{L}\p{N}]{1,16}$/u;

/** Length in code points (what a person calls characters), counting no further than `max + 1`. */
export function codePoints(s: string, max: number): number {
  if (s.length <= max) return s.length;
  let n = 0;
  for (const _ of s) if (++n > max) break;
  return n;
}

/** Why `v` is not a file name the network accepts, or null when it is one. */
export function fileNameProblem(v: unknown): string | null {
  if (typeof v !== 'string' || v.length === 0) return 'must be a non-empty string';
  if (codePoints(v, MAX_FILE_NAME) > MAX_FILE_NAME) return `is longer than ${MAX_FILE_NAME} characters`;
  if (CONTROL_RE.test(v) || LONE_SURROGATE_RE.test(v)) return 'contains control characters or malformed text';
  if (keywords(v).length === 0) return 'has no letters or digits to index';
  return null;
}

/** A file name as a parser takes it: the name itself, or a `bad-field` error naming the problem. */
export function parseFileName(v: unknown): string {
  const problem = fileNameProblem(v);
  if (problem !== null) throw new ProtocolError('bad-field', `field "name" ${problem}`, 'name');
  return v as string;
}

/** A name after share-time cleaning, and what was changed (empty when nothing was). */
export interface CleanedName {
  name: string;
  changes: string[];
}

/** The first whole characters (grapheme clusters) of `s` that fit in `max` code points. */
function cutAt(s: string, max: number): string {
  let out = '';
  let n = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)) {
    const len = [...segment].length;
    if (n + len > max) break;
    out += segment;
    n += len;
  }
  return out;
}

/**
 * The name a tab shares a file under: control characters removed (line breaks and tabs become
 * spaces), malformed text replaced by U+FFFD, "/" and "\" replaced by "_" (a torrent's name is
 * one path element), and a name over 255 characters shortened at a character boundary, its
 * extension kept. What was changed is listed in words, for the page to say so.
 */
export function cleanFileName(raw: string): CleanedName {
  const changes: string[] = [];
  let name = raw;
  if (CONTROL_RE.test(name)) {
    name = name.replace(WHITESPACE_CONTROLS_RE, ' ').replace(CONTROLS_RE, '').trim();
    changes.push('control characters removed');
  }
  if (LONE_SURROGATE_RE.test(name)) {
    name = name.replace(LONE_SURROGATES_RE, '\ufffd');
    changes.push('malformed text replaced');
  }
  if (PATH_SEPARATORS_RE.test(name)) {
    name = name.replace(PATH_SEPARATORS_RE, '_');
    changes.push('"/" and "\\" replaced by "_"');
  }
  if (codePoints(name, MAX_FILE_NAME) > MAX_FILE_NAME) {
    const ext = EXTENSION_RE.exec(name)?.[0] ?? '';
    name = cutAt(name.slice(0, name.length - ext.length), MAX_FILE_NAME - ext.length) + ext;
    changes.push(`shortened to ${MAX_FILE_NAME} characters`);
  }
  if (name === '') {
    name = 'file';
    changes.push('nothing was left of the name');
  }
  return { name, changes };
}

/**
 * The name under which a torrent of this tab is published (Napster, Gnutella, super-peers, DHT):
 * its name cleaned as at share time, or null when even that has no letter or digit to be found by.
 */
export function indexableName(name: string): string | null {
  const cleaned = cleanFileName(name).name;
  return fileNameProblem(cleaned) === null ? cleaned : null;
}

/** A file's path after share-time cleaning (its elements), and what was changed. */
export interface CleanedPath {
  path: string[];
  changes: string[];
}

/**
 * A path inside a shared folder ("holiday/day 1/beach.jpg"), cut at "/" and "\" (empty elements
 * dropped) and each element cleaned as `cleanFileName` cleans a name; "." and ".." (which would
 * leave the download's directory) become "_". What was changed is listed in words.
 */
export function cleanFilePath(raw: string): CleanedPath {
  const changes = new Set<string>();
  const path: string[] = [];
  for (const part of raw.split(/[/\\]/)) {
    if (part === '') continue;
    if (part === '.' || part === '..') {
      path.push('_');
      changes.add(`"${part}" replaced by "_"`);
      continue;
    }
    const cleaned = cleanFileName(part);
    for (const c of cleaned.changes) changes.add(c);
    path.push(cleaned.name);
  }
  if (path.length === 0) {
    path.push('file');
    changes.add('nothing was left of the name');
  }
  return { path, changes: [...changes] };
}
