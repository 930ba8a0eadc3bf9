/**
 * What the search card says: the mechanisms offered, the TTL rule of the overlay searches, the
 * status line after a search, and each hit's Via cell and its tooltip. Pure: no DOM.
 */
import type { SearchHit, SearchVia } from '../api';
import { plural } from './dom';

export const MECHANISMS: { via: SearchVia; label: string }[] = [
  { via: 'napster', label: 'Napster (central index on the edge)' },
  { via: 'gnutella', label: 'Gnutella (query flooding)' },
  { via: 'superpeer', label: 'Super-peers (two-tier flooding)' },
  { via: 'dht', label: 'DHT (Chord ring lookups)' },
];

/** Overlay searches: default TTL (as the engine's), and what the mechanism does, for the hint. */
export const OVERLAY: Partial<Record<SearchVia, { ttl: number; hint: string }>> = {
  gnutella: { ttl: 4, hint: 'Floods the query to your Gnutella neighbours, and theirs, up to TTL hops.' },
  superpeer: { ttl: 7, hint: 'Sends the query to your super-peer, which floods it among super-peers up to TTL hops.' },
};
const NAME: Record<SearchVia, string> = { napster: 'Napster', gnutella: 'Gnutella', superpeer: 'Super-peer', dht: 'DHT' };
export const MIN_TTL = 1;
export const MAX_TTL = 7;
export const TTL_RULE = `TTL must be a whole number from ${MIN_TTL} to ${MAX_TTL}.`;

/** The TTL field as a whole number 1-7, or null if it is not one. */
export function parseTtl(value: string): number | null {
  const raw = value.trim();
  const n = Number(raw);
  return raw === '' || !Number.isInteger(n) || n < MIN_TTL || n > MAX_TTL ? null : n;
}

/** The status line while a search runs. */
export function searchingText(via: SearchVia, ttl: number | undefined): string {
  return ttl === undefined ? `Searching ${via}…` : `Searching ${via} (ttl ${ttl}), collecting answers…`;
}

/** The status line after a search: what was found, how fast, and (overlays) what it cost. */
export function resultText(hits: SearchHit[], query: string, via: SearchVia, ttl: number | undefined): string {
  if (ttl === undefined) {
    return hits.length ? `${plural(hits.length, 'file')} via ${via} in ${hits[0]!.ms} ms` : `No file matches every word of "${query}" (${via}).`;
  }
  if (!hits.length) return `No peer within ${plural(ttl, 'hop')} answered for "${query}" (${via}, ttl ${ttl}).`;
  // The time until the last distinct file was found; the messages are counted for the whole search.
  const ms = Math.max(...hits.map((h) => h.ms));
  const messages = Math.max(0, ...hits.map((h) => h.messages ?? 0));
  return `${plural(hits.length, 'result')} via ${via} in ${ms} ms · ${plural(messages, 'message')} · ttl ${ttl}`;
}

/** The status line of a failed search. */
export function failureText(message: string, via: SearchVia, ttl: number | undefined): string {
  return ttl === undefined ? message : `${NAME[via]} search failed: ${message}`;
}

/** A hit's Via cell: the mechanism, hops where it has them, the time. */
export function viaText(h: SearchHit): string {
  const parts: string[] = [h.via];
  if (h.hops !== undefined) parts.push(plural(h.hops, 'hop'));
  parts.push(`${h.ms} ms`);
  return parts.join(' · ');
}

/** The Via cell's tooltip: how far the answer came, what the search cost, its query guid ('' when none). */
export function viaTitle(h: SearchHit): string {
  return [
    h.hops !== undefined ? `nearest holder's answer travelled ${plural(h.hops, 'hop')}` : '',
    h.messages !== undefined ? `${plural(h.messages, 'message')} sent and received for this search` : '',
    h.guid ? `query guid ${h.guid}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
