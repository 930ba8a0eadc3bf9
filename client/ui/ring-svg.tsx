/**
 * The SVG of a ring picture (ring-picture.ts), keyed by peer so that a redraw moves what moved
 * and keeps the rest (and its tooltip). Pointing at a node highlights its range and chord.
 */
import { useState } from 'preact/hooks';
import type { Segment, Text as TextShape, RingPicture } from './ring-picture';

function Label({ t }: { t: TextShape }) {
  return (
    <text x={t.x} y={t.y} class={t.cls} text-anchor={t.anchor} font-size={t.size}>
      {t.text}
    </text>
  );
}

const Line = ({ s, cls }: { s: Segment; cls: string }) => <line x1={s.x1} y1={s.y1} x2={s.x2} y2={s.y2} class={cls} />;

const hot = (on: boolean, cls: string) => (on ? `${cls} hot` : cls);

export function RingSvg({ picture: p }: { picture: RingPicture }) {
  const [pointed, setPointed] = useState<string | null>(null);
  // A node that left the ring while pointed at highlights nothing.
  const focus = pointed !== null && p.nodes.some((n) => n.peer === pointed) ? pointed : null;
  return (
    <svg
      class={focus ? 'dht-svg focus' : 'dht-svg'}
      data-testid="dht-svg"
      viewBox={`0 0 ${p.width} ${p.height}`}
      width="100%"
      height={p.height}
      role="img"
      aria-label={p.ariaLabel}
    >
      <g class="dht-base">
        <circle cx={p.ring.cx} cy={p.ring.cy} r={p.ring.r} class={p.ring.cls} />
        <Line s={p.zero} cls="dht-zero" />
        <Label t={p.zeroLabel} />
        {p.wedge !== null && <path d={p.wedge} class="dht-own-wedge" />}
      </g>
      <g class="dht-arcs">
        {p.arcs.map((a) => (
          <path key={a.key} d={a.d} class={hot(a.peer === focus, a.cls)} data-testid={a.testId} data-peer={a.peer} data-exact={String(a.exact)}>
            <title>{a.title}</title>
          </path>
        ))}
      </g>
      <g class="dht-ticks">
        {p.ticks.map((t) => (
          <line key={t.peer} x1={t.x1} y1={t.y1} x2={t.x2} y2={t.y2} class="dht-tick" data-peer={t.peer} />
        ))}
      </g>
      <g class="dht-chords">
        {p.chords.map((c) => (
          <line key={c.peer} x1={c.x1} y1={c.y1} x2={c.x2} y2={c.y2} class={hot(c.peer === focus, 'dht-finger')} data-testid="dht-finger" data-peer={c.peer}>
            <title>{c.title}</title>
          </line>
        ))}
      </g>
      <g class="dht-leaders">
        {p.leaders.map((l) => (
          <Line key={l.key} s={l} cls="dht-leader" />
        ))}
      </g>
      <g class="dht-nodes">
        {p.nodes.map((n) => (
          <g
            key={n.peer}
            class={hot(n.peer === focus, n.cls)}
            data-testid={`dht-node-${n.peer}`}
            data-peer={n.peer}
            data-id={n.id}
            data-role={n.role}
            data-self={String(n.self)}
            data-held={n.held === undefined ? undefined : String(n.held)}
            onMouseEnter={() => setPointed(n.peer)}
            onMouseLeave={() => setPointed(null)}
          >
            <title>{n.title}</title>
            {n.halo && <circle cx={n.halo.cx} cy={n.halo.cy} r={n.halo.r} class={n.halo.cls} />}
            <circle cx={n.circle.cx} cy={n.circle.cy} r={n.circle.r} class={n.circle.cls} />
            {n.heldText && <Label t={n.heldText} />}
            {n.label && <Label t={n.label} />}
          </g>
        ))}
      </g>
      {p.marker && (
        <g class="dht-key-marker" data-testid="dht-key-marker" data-id={p.marker.id}>
          <title>{p.marker.title}</title>
          <path d={p.marker.d} class="dht-marker" />
          {p.marker.leader && <Line s={p.marker.leader} cls="dht-leader" />}
          {p.marker.label && <Label t={p.marker.label} />}
        </g>
      )}
    </svg>
  );
}
