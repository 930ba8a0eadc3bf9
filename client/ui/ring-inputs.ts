/**
 * What the ring drawing is made of: the ring view, the marked key, the drawing's size and whether
 * the tab is alone in the room. The drawing is rebuilt only when these changed (so that tooltips
 * stay put): sameRingInputs() says so, field by field. Pure.
 */
import type { DhtNodeRef, DhtRingView } from '../api';

export interface MarkedKey {
  key: string;
  id: string;
  /** The peer a put stored the key at. */
  owner?: string;
}

export interface RingInputs {
  view: DhtRingView;
  marker: MarkedKey | null;
  w: number;
  h: number;
  aloneInRoom: boolean;
}

function sameRef(a: DhtNodeRef | null, b: DhtNodeRef | null): boolean {
  if (a === null || b === null) return a === b;
  return a.peer === b.peer && a.id === b.id && a.held === b.held;
}

function sameRefs(a: readonly DhtNodeRef[], b: readonly DhtNodeRef[]): boolean {
  return a.length === b.length && a.every((r, i) => sameRef(r, b[i]!));
}

export function sameView(a: DhtRingView, b: DhtRingView): boolean {
  return (
    a.held === b.held &&
    a.owned === b.owned &&
    sameRef(a.self, b.self) &&
    sameRef(a.predecessor, b.predecessor) &&
    sameRefs(a.successors, b.successors) &&
    sameRefs(a.predecessors, b.predecessors) &&
    sameRefs(a.fingers, b.fingers) &&
    sameRefs(a.nodes, b.nodes)
  );
}

export function sameMarker(a: MarkedKey | null, b: MarkedKey | null): boolean {
  if (a === null || b === null) return a === b;
  return a.key === b.key && a.id === b.id && a.owner === b.owner;
}

/** Whether a drawing of `prev` still shows `next` (no previous drawing: false). */
export function sameRingInputs(prev: RingInputs | null, next: RingInputs): boolean {
  return (
    prev !== null &&
    prev.w === next.w &&
    prev.h === next.h &&
    prev.aloneInRoom === next.aloneInRoom &&
    sameMarker(prev.marker, next.marker) &&
    sameView(prev.view, next.view)
  );
}
