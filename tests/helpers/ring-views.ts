/** A small made-up DHT ring for the ring card's tests (no engine needed). */
import type { DhtRingView } from '../../client/api';
import type { RingInputs } from '../../client/ui/ring-inputs';

export const ringRef = (peer: string, id: string, held?: number) => ({ peer, id, ...(held !== undefined ? { held } : {}) });
const ref = ringRef;

/** peerA (this tab, at 2/3 of the ring), its successor and finger peerB (at 0.73), its predecessor peerC (at 0.8). */
export function ringView(): DhtRingView {
  const a = ref('peerA', 'a'.repeat(40), 3);
  const b = ref('peerB', 'b'.repeat(40));
  const c = ref('peerC', 'c'.repeat(40), 1);
  return { self: a, predecessor: c, successors: [b], predecessors: [c], fingers: [b], nodes: [a, b, c], held: 3, owned: 2 };
}

/** The card's inputs for that ring at 420 × 328, with `over` changed. */
export const ringInputs = (over: Partial<RingInputs> = {}): RingInputs => ({ view: ringView(), marker: null, w: 420, h: 328, aloneInRoom: false, ...over });
