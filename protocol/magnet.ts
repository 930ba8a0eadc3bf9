/**
 * Magnet links (BEP 9): `magnet:?xt=urn:btih:<info hash>&dn=<name>&tr=<tracker>...`.
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
}

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
export function formatMagnet(link: { infoHash: string; name?: string; trackers?: string[] }): string {
  if (!HEX40_RE.test(link.infoHash)) throw new ProtocolError('bad-field', 'infoHash must be 40 hex digits', 'infoHash');
  let out = `magnet:?xt=urn:btih:${link.infoHash.toLowerCase()}`;
  if (link.name !== undefined && link.name !== '') out += `&dn=${encodeURIComponent(link.name)}`;
  for (const tr of link.trackers ?? []) out += `&tr=${encodeURIComponent(tr)}`;
  return out;
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
 * (either case) or 32 base32 chars; it comes back as lowercase hex. Unknown parameters are
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
    }
  }
  if (infoHash === undefined) throw bad('magnet link has no xt=urn:btih: info hash');
  const out: MagnetLink = { infoHash, trackers };
  if (name !== undefined && name !== '') out.name = name;
  return out;
}
