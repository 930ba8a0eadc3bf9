/** The texts of the network card's figures lines: this tab's role in the super-peer tier, and its counters in an overlay. Pure. */
import type { OverlayStats } from '../api';
import { plural } from './dom';
import { short6 } from './network-picture';

export type TierRole = 'super' | 'leaf' | 'none';

/** This tab's role as the pill says it, and the pill's tooltip (a leaf's super-peer in full). */
export function roleText(role: TierRole, leaves: number, superPeer: string | null): { text: string; title: string | undefined } {
  if (role === 'super') return { text: `super-peer · ${plural(leaves, 'leaf', 'leaves')}`, title: undefined };
  if (role === 'leaf') return superPeer ? { text: `leaf of ${short6(superPeer)}`, title: `super-peer ${superPeer}` } : { text: 'leaf · looking for a super-peer', title: undefined };
  return { text: 'no role yet', title: undefined };
}

export interface Figure {
  /** The `data-fig` name. */
  fig: string;
  n: number;
  label: string;
  title?: string;
  /** Shown as a warning (bad messages came in). */
  warn?: boolean;
}

function sumDropped(s: OverlayStats): number {
  if (!s.dropped) return 0;
  return Object.values(s.dropped).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

/** The counters of one overlay, in the order they are shown. */
export function overlayFigures(s: OverlayStats): Figure[] {
  const droppedTitle = Object.entries(s.dropped ?? {})
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${why}: ${n}`)
    .join(' · ');
  return [
    { fig: 'neighbours', n: s.neighbours, label: s.neighbours === 1 ? 'neighbour' : 'neighbours' },
    { fig: 'received', n: s.received, label: 'received' },
    { fig: 'forwarded', n: s.forwarded, label: 'forwarded' },
    { fig: 'answered', n: s.answered, label: 'answered' },
    { fig: 'dropped', n: sumDropped(s), label: 'dropped', title: droppedTitle || 'nothing dropped' },
    { fig: 'bad', n: s.badMessages, label: 'bad', title: 'messages that failed to parse (dropped, never forwarded)', warn: !!s.badMessages },
  ];
}
