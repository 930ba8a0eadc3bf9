/**
 * The DHT ring's legend: one item per kind of thing the drawing shows; the kinds this drawing
 * does not show are hidden (legendKinds in ring-captions.ts decides).
 */
import type { ComponentChildren } from 'preact';

function Icon({ children }: { children: ComponentChildren }) {
  return (
    <svg width={22} height={14} viewBox="0 0 22 14" aria-hidden="true" class="net-legend-icon">
      {children}
    </svg>
  );
}

const ITEMS: readonly { kind: string; text: string; icon: ComponentChildren }[] = [
  {
    kind: 'self',
    text: 'this tab',
    icon: (
      <>
        <circle cx={11} cy={7} r={6} class="dht-self-ring" />
        <circle cx={11} cy={7} r={4} class="dht-circle role-self" />
      </>
    ),
  },
  // The immediate one, then a paler one further down the list.
  {
    kind: 'successor',
    text: 'successor, next successors',
    icon: (
      <>
        <circle cx={6.5} cy={7} r={5} class="dht-circle role-successor first" />
        <circle cx={16.5} cy={7} r={4} class="dht-circle role-successor" />
      </>
    ),
  },
  {
    kind: 'predecessor',
    text: 'predecessor, earlier ones',
    icon: (
      <>
        <circle cx={6.5} cy={7} r={5} class="dht-circle role-predecessor first" />
        <circle cx={16.5} cy={7} r={4} class="dht-circle role-predecessor" />
      </>
    ),
  },
  { kind: 'finger', text: 'finger', icon: <circle cx={11} cy={7} r={5} class="dht-circle role-finger" /> },
  { kind: 'other', text: 'other node', icon: <circle cx={11} cy={7} r={5} class="dht-circle role-other" /> },
  { kind: 'own', text: 'your key range', icon: <path d="M2,10 Q11,1 20,10" class="dht-arc self" /> },
  { kind: 'range', text: 'a node’s key range (dashed: as far as known)', icon: <path d="M2,10 Q11,1 20,10" class="dht-arc alt-0" /> },
  { kind: 'chord', text: 'finger pointer', icon: <path d="M2,11 L20,3" class="dht-finger" /> },
  { kind: 'marker', text: 'last key', icon: <path d="M11,2 L16,7 L11,12 L6,7 Z" class="dht-marker" /> },
  {
    kind: 'owner',
    text: 'its owner',
    icon: (
      <>
        <circle cx={11} cy={7} r={6} class="dht-owner-ring" />
        <circle cx={11} cy={7} r={3.5} class="dht-circle role-other" />
      </>
    ),
  },
];

/** The legend; `shown`: the kinds the drawing shows (null: the legend is hidden, nothing drawn). */
export function RingLegend({ shown }: { shown: ReadonlySet<string> | null }) {
  return (
    <ul class="legend net-legend" data-testid="dht-legend" hidden={shown === null}>
      {ITEMS.map((item) => (
        <li key={item.kind} data-kind={item.kind} hidden={shown !== null && !shown.has(item.kind)}>
          <Icon>{item.icon}</Icon>
          {item.text}
        </li>
      ))}
      <li data-kind="held" hidden={shown !== null && !shown.has('held')}>
        <span class="net-legend-num">3</span>
        keys held
      </li>
    </ul>
  );
}
