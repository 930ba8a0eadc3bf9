/**
 * The network card's SVG: a NetworkPicture drawn as keyed edges and nodes. Pointing at a node
 * focuses it: its links and neighbours stay bright, the rest fades (`focus` on the drawing,
 * `hot` on what stays bright).
 */
import { useState } from 'preact/hooks';
import { LABEL_FONT, type NetworkPicture, type PictureEdge, type PictureNode } from './network-picture';

function Edge({ edge: e, hot }: { edge: PictureEdge; hot: boolean }) {
  return (
    <path d={e.d} class={`net-edge kind-${e.kind}${hot ? ' hot' : ''}`} data-testid="network-edge" data-overlay={e.overlay} data-a={e.a} data-b={e.b}>
      <title>{e.title}</title>
    </path>
  );
}

function Node({ node: n, hot, onFocus }: { node: PictureNode; hot: boolean; onFocus: (id: string | null) => void }) {
  return (
    <g
      class={`net-node role-${n.role}${n.self ? ' self' : ''}${hot ? ' hot' : ''}`}
      data-testid={`network-node-${n.id}`}
      data-id={n.id}
      data-role={n.role}
      data-self={String(n.self)}
      onMouseEnter={() => onFocus(n.id)}
      onMouseLeave={() => onFocus(null)}
    >
      <title>{n.tip}</title>
      {/* This tab: a dark ring around its circle (the circle keeps its role's colour). */}
      {n.self && <circle cx={n.x} cy={n.y} r={n.r + 3} class="net-self-ring" />}
      <circle cx={n.x} cy={n.y} r={n.r} class={`net-circle role-${n.role}`} />
      <text x={n.x} y={n.filesY} class="net-files" font-size={n.filesSize} text-anchor="middle">
        {n.files}
      </text>
      {n.label && (
        <text x={n.label.x} y={n.label.y} class="net-label" text-anchor={n.label.anchor} font-size={LABEL_FONT}>
          {n.label.text}
        </text>
      )}
    </g>
  );
}

export function NetworkDrawing({ picture: p }: { picture: NetworkPicture }) {
  const [focus, setFocus] = useState<string | null>(null);
  // A node that left the drawing focuses nothing.
  const near = focus === null ? null : p.neighbours.get(focus) ?? (p.nodes.some((n) => n.id === focus) ? new Set<string>() : null);
  const on = near !== null;
  return (
    <svg class={`net-svg${on ? ' focus' : ''}`} data-testid="network-svg" viewBox={`0 0 ${p.width} ${p.height}`} width="100%" height={p.height} role="img" aria-label={p.ariaLabel}>
      <g class="net-edges">
        {p.edges.map((e) => (
          <Edge key={e.key} edge={e} hot={on && (e.a === focus || e.b === focus)} />
        ))}
      </g>
      <g class="net-nodes">
        {p.nodes.map((n) => (
          <Node key={n.id} node={n} hot={on && (n.id === focus || near.has(n.id))} onFocus={setFocus} />
        ))}
      </g>
    </svg>
  );
}
