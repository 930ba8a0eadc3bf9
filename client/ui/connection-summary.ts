/** One line about the tab's torrent connections and the offers its budget refused (the torrents card). */
import type { TorrentConnectionStats } from '../api';
import { plural } from './dom';

/** e.g. "Connections: 3 open, 2 pending · 120 offers refused (budget) · 40 stale closed"; '' when there is nothing to say. */
export function connectionSummary(s: TorrentConnectionStats): string {
  const refused = Object.values(s.refused).reduce((a, b) => a + b, 0);
  if (s.open + s.pendingIn + s.pendingOut + refused + s.expired + s.displaced === 0) return '';
  const parts = [`Connections: ${s.open} open, ${s.pendingIn + s.pendingOut} pending`];
  if (refused > 0) parts.push(`${plural(refused, 'offer')} refused (budget)`);
  if (s.expired > 0) parts.push(`${s.expired} stale closed`);
  if (s.displaced > 0) parts.push(`${s.displaced} displaced by newer offers`);
  return parts.join(' · ');
}
