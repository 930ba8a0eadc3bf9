/**
 * The DHT ring card: an SVG drawing of the Chord ring as this tab knows it (`p2p.dht.ring()`):
 * every node at the angle of its id, this tab highlighted with its own key range, its successors
 * and predecessors, its fingers as chords (ring-picture.ts, drawn by ring-svg.tsx, with its
 * legend: ring-legend.tsx); this tab's DHT figures (`p2p.dht.stats()`, ring-figures.tsx); and a
 * small form to put and get a text value (dht-form.tsx). Refreshed by the page clock (the DHT
 * has no events of its own) and once the DHT and the page are ready; the picture is made again
 * only when its inputs changed (ring-inputs.ts: the ring, the marked key, the card's size).
 *
 * Test ids: `dht-ring` (the card), `dht-count`, `dht-joining`, `dht-svg`, `dht-node-<peer>`
 * (one <g> per node, with `data-self`, `data-role` self/successor/predecessor/finger/other,
 * `data-id`, `data-held`), `dht-arc` (one per key range, `data-peer`, `data-exact`),
 * `dht-own-range`, `dht-finger` (one chord per finger, `data-peer`), `dht-key-marker`,
 * `dht-note`, `dht-legend`, `dht-figures` (each figure with `data-fig`), `dht-form`,
 * `dht-key`, `dht-value`, `dht-put`, `dht-get`, `dht-result` (`data-state` pending/ok/missing/error;
 * a put's owner in its `[data-owner]`), `dht-value-out` (the value a get found).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DhtApi, P2P } from '../api';
import { safe } from './svg';
import { pageClock, type Clock } from './clock';
import { useClock, useMemoBy } from './hooks';
import { island } from './island';
import { DhtForm } from './dht-form';
import { RingFigures } from './ring-figures';
import { RingLegend } from './ring-legend';
import { ringPicture, type RingPicture } from './ring-picture';
import { RingSvg } from './ring-svg';
import { sameRingInputs, type MarkedKey, type RingInputs } from './ring-inputs';

/** The DHT of `p2p`, or null while the engine is not there (older build, or not started). */
function dhtOf(p2p: P2P): DhtApi | null {
  const d = (p2p as { dht?: DhtApi | null }).dht;
  return d && typeof d.ring === 'function' ? d : null;
}

/** The drawing's height for its width. */
const heightFor = (w: number) => Math.round(Math.min(400, Math.max(240, w * 0.78)));

/** The picture, or null when the view cannot be drawn (said once per view, in the console). */
function pictureOrNull(inputs: RingInputs): RingPicture | null {
  try {
    return ringPicture(inputs);
  } catch (err) {
    console.warn('DHT ring view: cannot draw the ring', err);
    return null;
  }
}

/** The width of the drawing's box (`box`), measured after each render and on resize (420 until it has a box). */
function useBoxWidth(box: { current: HTMLElement | null }): number {
  const [w, setW] = useState(420);
  const measure = () => {
    const el = box.current;
    if (el && !el.hidden) setW(Math.round(el.clientWidth || 420));
  };
  useLayoutEffect(measure);
  useEffect(() => {
    if (typeof ResizeObserver !== 'function' || !box.current) return;
    const resize = new ResizeObserver(measure);
    resize.observe(box.current);
    return () => resize.disconnect();
  }, []);
  return w;
}

/** Re-render once `p2p` and its DHT are ready. */
function useReady(p2p: P2P): void {
  const [, bump] = useState(0);
  useEffect(() => {
    let live = true;
    const again = () => live && bump((n) => n + 1);
    void dhtOf(p2p)?.ready?.then(again, () => undefined);
    void p2p.ready?.then(again, () => undefined);
    return () => {
      live = false;
    };
  }, [p2p]);
}

export function DhtRingCard({ p2p, clock = pageClock() }: { p2p: P2P; clock?: Clock }) {
  useClock(1, clock);
  useReady(p2p);
  const [marker, setMarker] = useState<MarkedKey | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const w = useBoxWidth(box);
  const dht = dhtOf(p2p);
  const view = (dht ? safe(() => dht.ring()) : undefined) ?? null;
  const stats = dht ? safe(() => dht.stats()) : undefined;
  const others = safe(() => p2p.peers().length) ?? 0;
  const alone = view !== null && view.successors.length === 0;
  const inputs: RingInputs | null = view && { view, marker, w, h: heightFor(w), aloneInRoom: alone && others === 0 };
  const picture = useMemoBy(inputs, sameRingInputs, pictureOrNull);
  const failed = view !== null && picture === null;
  const joining = view === null || (alone && others > 0);
  const note = failed ? 'The ring could not be drawn (see the console).' : (picture?.note ?? '');
  return (
    <section class="card" id="dht-card" data-testid="dht-ring">
      <h2>
        {'DHT ring '}
        <span class="count" data-testid="dht-count">
          {String(picture?.count ?? 0)}
        </span>
      </h2>
      <div class="dht-body">
        <div class="dht-drawing">
          <div class="dht-box" ref={box} hidden={view === null || failed}>
            {picture && <RingSvg picture={picture} />}
          </div>
          <p class="muted empty dht-joining" data-testid="dht-joining" hidden={!joining}>
            {view === null && !dht ? 'joining the ring… (the DHT has not started yet)' : 'joining the ring…'}
          </p>
          <p class="net-note muted" data-testid="dht-note" hidden={view === null || note === ''}>
            {note}
          </p>
          <RingLegend shown={picture?.legend ?? null} />
        </div>
        <div class="dht-side">
          <h3>This node</h3>
          <RingFigures view={view} stats={stats} />
          <h3>Put / get</h3>
          <DhtForm dht={() => dhtOf(p2p)} selfPeer={() => p2p.id} enabled={view !== null} marked={setMarker} />
        </div>
      </div>
    </section>
  );
}

/** The card as an element of its own (the page and the card's browser test place it). */
export function createDhtRingUI(p2p: P2P, clock: Clock = pageClock()): HTMLElement {
  return island(<DhtRingCard p2p={p2p} clock={clock} />);
}
