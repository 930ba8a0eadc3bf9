/**
 * What a row of the torrent list shows for a torrent's progress: its status pill, notes, size,
 * percentage, rates and ETA, as texts and titles. Pure: no DOM, no clock (torrent-row.ts puts
 * them in the row's cells).
 */
import type { TorrentProgress } from '../api';
import { formatBytes, formatDuration, formatRate, plural } from './dom';

export type StatusKind = 'ok' | 'warn-pill' | 'muted-pill' | 'info';

export interface RowView {
  status: string;
  statusKind: StatusKind;
  /** Corrupt pieces and banned peers, '' when none. */
  notes: string;
  size: string;
  sizeTitle: string;
  /** 0-100, one decimal; 100 only once every selected piece is verified. */
  percent: number;
  pctTitle: string;
  down: string;
  up: string;
  upTitle: string;
  eta: string;
  etaTitle: string;
  peers: string;
}

type RowProgress = Pick<
  TorrentProgress,
  | 'pieces'
  | 'have'
  | 'length'
  | 'selectedLength'
  | 'selectedHave'
  | 'done'
  | 'complete'
  | 'multiFile'
  | 'files'
  | 'selectedFiles'
  | 'corruptPieces'
  | 'banned'
  | 'downRate'
  | 'upRate'
  | 'uploaded'
  | 'superSeeding'
>;

/** The status pill: super-seeding, seeding, the selected files here, fetching metadata, waiting, downloading. */
export function rowStatus(p: RowProgress, peerCount: number): [string, StatusKind] {
  if (p.complete) return [p.superSeeding ? 'super-seeding' : 'seeding', 'ok'];
  if (p.done) return [`${p.selectedFiles} of ${p.files} files here`, 'ok'];
  if (p.pieces === 0) return ['fetching metadata', 'warn-pill'];
  if (peerCount === 0) return ['waiting for peers', 'muted-pill'];
  return ['downloading', 'info'];
}

/** The percentage of the selected files here: never 100 before the last piece is verified. */
export function rowPercent(p: RowProgress): number {
  const hasMeta = p.pieces > 0;
  const fraction = p.done ? 1 : hasMeta && p.selectedLength > 0 ? p.selectedHave / p.selectedLength : 0;
  return p.done ? 100 : Math.min(99.9, Math.floor(fraction * 1000) / 10);
}

export function rowView(p: RowProgress, peerCount: number): RowView {
  const hasMeta = p.pieces > 0;
  // Of the selected files (every file unless some were unticked).
  const remaining = hasMeta ? p.selectedLength - p.selectedHave : NaN;
  const [status, statusKind] = rowStatus(p, peerCount);
  const notes: string[] = [];
  if (p.corruptPieces) notes.push(plural(p.corruptPieces, 'corrupt piece'));
  if (p.banned) notes.push(`${plural(p.banned, 'peer')} banned`);
  return {
    status,
    statusKind,
    notes: notes.join(' · '),
    size: hasMeta ? formatBytes(p.length) : '—',
    sizeTitle: hasMeta
      ? `${p.length.toLocaleString()} bytes in ${plural(p.pieces, 'piece')}${p.multiFile ? `, ${plural(p.files, 'file')}` : ''}`
      : 'size unknown until the metadata arrives',
    percent: rowPercent(p),
    pctTitle: hasMeta ? `${p.have} of ${plural(p.pieces, 'piece')}` : '',
    down: `↓ ${formatRate(p.downRate)}`,
    up: `↑ ${formatRate(p.upRate)}`,
    upTitle: `${formatBytes(p.uploaded)} uploaded`,
    eta: p.done ? 'done' : p.downRate >= 1 && Number.isFinite(remaining) ? formatDuration(remaining / p.downRate) : '—',
    etaTitle: p.done ? '' : Number.isFinite(remaining) ? `${formatBytes(remaining)} left` : '',
    peers: String(peerCount),
  };
}

/** The card's totals line: summed rates, '' with no torrents. */
export function totalsText(rows: number, down: number, up: number): string {
  return rows ? `↓ ${formatRate(down)} · ↑ ${formatRate(up)}` : '';
}
