/**
 * The network card: an SVG drawing of the Gnutella overlay and the super-peer tier as this tab
 * knows them (`p2p.overlay.snapshot()`), a legend, and this tab's figures in both overlays.
 * Redrawn on every tick of the page clock, and on the overlay's `change` events and the card's
 * resizes at most every 500 ms; the picture is computed again only when the snapshot or the
 * card's width changed (sameSnapshot), and nodes and edges are keyed, so tooltips stay put.
 *
 * Test ids: `network-view` (the card), `network-svg`, `network-node-<id>` (one <g> per peer,
 * with `data-role` super/leaf/peer and `data-self`), `network-edge` (one per edge, with
 * `data-overlay` gnutella/superpeer, `data-a`, `data-b`), `network-empty`, `network-legend`,
 * `network-count`, `network-role` (`data-role` super/leaf/none), `network-stats-gnutella`,
 * `network-stats-superpeer`.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { OverlayApi, OverlaySnapshot, OverlayStats, P2P } from '../api';
import { pageClock, type Clock } from './clock';
import { island } from './island';
import { NetworkDrawing } from './network-drawing';
import { overlayFigures, roleText, type TierRole } from './network-figures';
import { NetworkLegend } from './network-legend';
import { networkPicture, sameSnapshot, type NetworkPicture } from './network-picture';
import { safe } from './svg';

const MIN_REDRAW_MS = 500;

/** The overlay of `p2p`, or null while the engine is not there (older build, or not started). */
function overlayOf(p2p: P2P): OverlayApi | null {
  const ov = (p2p as { overlay?: OverlayApi | null }).overlay;
  return ov && typeof ov.snapshot === 'function' ? ov : null;
}

/**
 * `update` now (`now`), or soon (`soon`: now if the last update was 500 ms ago, else when that
 * time is up; one pending at a time). The pending one is dropped on unmount.
 */
function useThrottled(update: () => void): { now: () => void; soon: () => void } {
  const latest = useRef(update);
  latest.current = update;
  const [api] = useState(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let live = true;
    const now = () => {
      if (!live) return;
      last = Date.now();
      latest.current();
    };
    const soon = () => {
      if (timer || !live) return;
      timer = setTimeout(
        () => {
          timer = null;
          now();
        },
        Math.max(0, last + MIN_REDRAW_MS - Date.now()),
      );
    };
    const stop = () => {
      live = false;
      if (timer) clearTimeout(timer);
      timer = null;
    };
    const drawn = () => {
      last = Date.now();
    };
    return { now, soon, stop, drawn };
  });
  // The first render was an update too: the next one, if soon, waits its 500 ms.
  useEffect(() => {
    api.drawn();
    return api.stop;
  }, [api]);
  return api;
}

type Drawn = { picture: NetworkPicture } | { error: true };

/** The picture of `snap` at `width`, computed again only when either changed. */
function usePicture(snap: OverlaySnapshot | undefined, width: number): Drawn | null {
  const last = useRef<{ snap: OverlaySnapshot; width: number; drawn: Drawn } | null>(null);
  if (!snap) {
    last.current = null;
    return null;
  }
  const had = last.current;
  if (had && had.width === width && sameSnapshot(had.snap, snap)) return had.drawn;
  let drawn: Drawn;
  try {
    drawn = { picture: networkPicture(snap, width) };
  } catch (err) {
    // A snapshot the drawing cannot read: say so rather than break the page.
    console.warn('network view: cannot draw the snapshot', err);
    drawn = { error: true };
  }
  last.current = { snap, width, drawn };
  return drawn;
}

function StatsLine({ testId, title, lead, stats }: { testId: string; title: string; lead?: ComponentChildren; stats: OverlayStats | undefined }) {
  return (
    <p class="net-stats" data-testid={testId}>
      <strong>{title}</strong>
      {lead}
      {stats ? (
        overlayFigures(stats).map((f) => (
          <span key={f.fig} class={f.warn ? 'fig warn-text' : 'fig'} data-fig={f.fig} title={f.title}>
            <b>{String(f.n)}</b>
            {` ${f.label}`}
          </span>
        ))
      ) : (
        <span class="muted">not running</span>
      )}
    </p>
  );
}

function Figures({ ov }: { ov: OverlayApi | null }) {
  if (!ov) {
    return (
      <p class="net-stats muted" data-testid="network-stats-none">
        No overlay figures yet.
      </p>
    );
  }
  const sp = ov.superpeer;
  const role: TierRole = safe(() => sp.role()) ?? 'none';
  const { text, title } = roleText(role, safe(() => sp.leaves())?.length ?? 0, role === 'leaf' ? (safe(() => sp.superPeer()) ?? null) : null);
  const pill = (
    <span class={`pill net-role role-${role}`} data-testid="network-role" data-role={role} title={title}>
      {text}
    </span>
  );
  return (
    <>
      <StatsLine testId="network-stats-gnutella" title="Gnutella" stats={safe(() => ov.gnutella.stats())} />
      <StatsLine testId="network-stats-superpeer" title="Super-peers" lead={pill} stats={safe(() => sp.stats())} />
    </>
  );
}

function NetworkCard({ p2p, clock }: { p2p: P2P; clock: Clock }) {
  const box = useRef<HTMLDivElement>(null);
  /** The box's width; 640 while it has none (not in the page yet, or hidden). */
  const measure = () => Math.round(box.current?.clientWidth || 640);
  const [width, setWidth] = useState(640);
  // Drawn at the 640 px guess: the box's first real width is drawn at once, not 500 ms later.
  const guessed = useRef(true);
  const [, setVersion] = useState(0);
  const widthNow = useRef(width);
  widthNow.current = width;
  const redraw = useThrottled(() => {
    guessed.current = !box.current?.clientWidth;
    setWidth(measure());
    setVersion((v) => v + 1);
  });

  const ov = overlayOf(p2p);
  const snap = ov ? safe(() => ov.snapshot()) : undefined;
  const drawn = usePicture(snap, width);
  const picture = drawn && 'picture' in drawn ? drawn.picture : null;

  useEffect(() => clock.subscribe(redraw.now), [clock, redraw]);
  useEffect(() => {
    void p2p.ready?.then(redraw.soon, () => undefined);
  }, [p2p, redraw]);
  useEffect(() => {
    if (!ov || typeof ov.on !== 'function') return;
    const off = safe(() => ov.on('change', redraw.soon));
    return () => off?.();
  }, [ov, redraw]);
  useEffect(() => {
    if (typeof ResizeObserver !== 'function' || !box.current) return;
    const resize = new ResizeObserver(() => {
      if (measure() === widthNow.current) return;
      if (guessed.current) redraw.now();
      else redraw.soon();
    });
    resize.observe(box.current);
    return () => resize.disconnect();
  }, [redraw]);
  // The box just appeared (or went): draw at its width now rather than at the next update.
  useLayoutEffect(() => {
    guessed.current = !box.current?.clientWidth;
    const w = measure();
    if (w !== widthNow.current) setWidth(w);
  }, [picture !== null]);

  const empty = !snap
    ? ov
      ? 'The overlay has no picture to show yet.'
      : 'Not connected to the Gnutella or super-peer overlay yet.'
    : !picture
      ? 'The overlay snapshot could not be drawn (see the console).'
      : null;
  return (
    <section class="card" id="network-card" data-testid="network-view">
      <h2>
        {'Overlay network '}
        <span class="count" data-testid="network-count">
          {String(picture?.nodes.length ?? 0)}
        </span>
      </h2>
      <div class="net-box" ref={box} hidden={!picture}>
        {picture && <NetworkDrawing picture={picture} />}
      </div>
      <p class="muted empty" data-testid="network-empty" hidden={empty === null}>
        {empty ?? ''}
      </p>
      <p class="net-note muted" hidden={!picture?.note}>
        {picture?.note ?? ''}
      </p>
      <NetworkLegend shown={picture?.shown ?? null} />
      <div class="net-figures" data-testid="network-figures">
        <Figures ov={ov} />
      </div>
    </section>
  );
}

/** The network card, as an element for the page. */
export function createNetworkUI(p2p: P2P, clock: Clock = pageClock()): HTMLElement {
  return island(<NetworkCard p2p={p2p} clock={clock} />);
}
