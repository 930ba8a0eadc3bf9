/**
 * Magnet links (BEP 9): `magnet:?xt=urn:btih:<info hash>&dn=<name>&tr=<tracker>...`, with
 * BEP 53's `so=` (the files of a multi-file torrent to fetch, e.g. `so=0,2,4-6`).
 */
import { ProtocolError } from './errors';
import { toHex } from './sha1';

/** What a magnet link names: a torrent by info hash, with an optional name and trackers. */
export interface MagnetLink {
  /** 40 lowercase hex digits. */
  infoHash: string;
  /** The display name (`dn`), when present. */
  name?: string;
  /** Tracker URLs (`tr`, also `tr.1`, `tr.2`, ...), in order, without repeats. */
  trackers: string[];
  /** BEP 53 `so=`: indexes of the files to fetch, ascending, each once; absent: all of them. */
  select?: number[];
}

/** Most file indexes one `so=` may name (a torrent lists at most this many files: protocol/metainfo.ts). */
export const MAX_SELECT = 100_000;

/** Longest magnet link accepted, in chars. */
export const MAX_MAGNET_LENGTH = 65_536;

const HEX40_RE = /^[0-9a-fA-F]{40}$/;
const BASE32_32_RE = /^[A-Za-z2-7]{32}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function bad(message: string): ProtocolError {
  return new ProtocolError('bad-field', message, 'magnet');
}

/** Bytes of RFC 4648 base32 text whose bit count is a multiple of 8 (no padding). */
function base32Decode(text: string): Uint8Array {
  const upper = text.toUpperCase();
  const out = new Uint8Array(Math.floor((upper.length * 5) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of upper) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw bad('info hash is not base32');
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** An info hash given as 40 hex digits (either case) or 32 base32 chars, as lowercase hex. */
function btihToHex(hash: string): string {
  if (HEX40_RE.test(hash)) return hash.toLowerCase();
  if (BASE32_32_RE.test(hash)) return toHex(base32Decode(hash));
  throw bad('btih must be 40 hex digits or 32 base32 chars');
}

/**
 * A magnet link for a torrent: `magnet:?xt=urn:btih:<40 hex>&dn=<name>&tr=<url>...`, every
 * value URL-encoded. Throws 'bad-field' (field "infoHash") unless the hash is 40 hex digits.
 */
export function formatMagnet(link: { infoHash: string; name?: string; trackers?: string[]; select?: number[] }): string {
  if (!HEX40_RE.test(link.infoHash)) throw new ProtocolError('bad-field', 'infoHash must be 40 hex digits', 'infoHash');
  let out = `magnet:?xt=urn:btih:${link.infoHash.toLowerCase()}`;
  if (link.name !== undefined && link.name !== '') out += `&dn=${encodeURIComponent(link.name)}`;
  for (const tr of link.trackers ?? []) out += `&tr=${encodeURIComponent(tr)}`;
  if (link.select && link.select.length > 0) out += `&so=${formatSelectOnly(link.select)}`;
  return out;
}

/**
 * A BEP 53 file selection, `0,2,4-6`: indexes and inclusive ranges separated by commas, as
 * ascending unique indexes. Throws 'bad-field' on anything else: an empty list or item, a
 * non-decimal index, a range whose end is below its start, more than MAX_SELECT indexes.
 */
export function parseSelectOnly(text: string): number[] {
  if (typeof text !== 'string' || text === '') throw bad('so= names no files');
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(item);
    if (!m) throw bad(`so= item "${item.slice(0, 20)}" is not an index or a range like 4-6`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw bad(`so= range ${item} ends before it starts`);
    if (first >= MAX_SELECT || last >= MAX_SELECT) throw bad(`so= index ${last} is beyond ${MAX_SELECT - 1}`);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** `so=` text of ascending indexes, consecutive runs as ranges (`[0, 2, 4, 5, 6]` → `0,2,4-6`). */
export function formatSelectOnly(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    parts.push(j > k ? `${sorted[k]}-${sorted[j]}` : String(sorted[k]));
    k = j + 1;
  }
  return parts.join(',');
}

function decodeComponent(s: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? s.replace(/\+/g, ' ') : s);
  } catch {
    throw bad('malformed percent-encoding');
  }
}

/**
 * Parses a magnet link, or a bare 40-hex info hash. The `xt=urn:btih:` hash may be 40 hex digits
 * (either case) or 32 base32 chars; it comes back as lowercase hex. `so=` (BEP 53) is parsed by
 * `parseSelectOnly` (a malformed one is refused, not ignored). Unknown parameters are
 * ignored. Throws `ProtocolError('bad-field', ..., 'magnet')` on anything else ('oversize' past
 * `MAX_MAGNET_LENGTH`).
 */
export function parseMagnet(uri: string): MagnetLink {
  if (typeof uri !== 'string') throw bad('magnet link must be a string');
  if (uri.length > MAX_MAGNET_LENGTH) throw new ProtocolError('oversize', `magnet link is longer than ${MAX_MAGNET_LENGTH}`, 'magnet');
  const text = uri.trim();
  if (HEX40_RE.test(text)) return { infoHash: text.toLowerCase(), trackers: [] };
  if (!/^magnet:\?/i.test(text)) throw bad('not a magnet link');

  let infoHash: string | undefined;
  let name: string | undefined;
  const trackers: string[] = [];
  let select: number[] | undefined;
  for (const param of text.slice('magnet:?'.length).split('&')) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const key = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
    const raw = eq < 0 ? '' : param.slice(eq + 1);
    if (key === 'xt' || /^xt\.\d+$/.test(key)) {
      const value = decodeComponent(raw, false);
      const m = /^urn:btih:(.*)$/i.exec(value);
      if (!m) continue; // another kind of topic (such as urn:btmh:, BitTorrent v2)
      const hash = btihToHex(m[1]!);
      if (infoHash !== undefined && infoHash !== hash) throw bad('magnet link names two different info hashes');
      infoHash = hash;
    } else if (key === 'dn') {
      name ??= decodeComponent(raw, true);
    } else if (key === 'tr' || /^tr\.\d+$/.test(key)) {
      const url = decodeComponent(raw, false).trim();
      if (url !== '' && !trackers.includes(url)) trackers.push(url);
    } else if (key === 'so') {
      const more = parseSelectOnly(decodeComponent(raw, false));
      select = select ? [...new Set([...select, ...more])].sort((a, b) => a - b) : more;
    }
  }
  if (infoHash === undefined) throw bad('magnet link has no xt=urn:btih: info hash');
  const out: MagnetLink = { infoHash, trackers };
  if (name !== undefined && name !== '') out.name = name;
  if (select) out.select = select;
  return out;
}
