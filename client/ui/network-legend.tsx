/** The network card's legend: the roles and the edge kinds the drawing shows, this tab's ring, the file counts. */

const ITEMS: readonly { kind: string; text: string }[] = [
  { kind: 'super', text: 'super-peer' },
  { kind: 'leaf', text: 'leaf' },
  { kind: 'peer', text: 'peer (flat overlay)' },
  { kind: 'self', text: 'this tab' },
  { kind: 'gnutella', text: 'Gnutella link' },
  { kind: 'leaf-super', text: 'leaf – super-peer' },
  { kind: 'super-super', text: 'super-peer – super-peer' },
];

function Icon({ kind }: { kind: string }) {
  let shape;
  switch (kind) {
    case 'super':
      shape = <circle cx={11} cy={7} r={6.5} class="net-circle role-super" />;
      break;
    case 'leaf':
      shape = <circle cx={11} cy={7} r={4} class="net-circle role-leaf" />;
      break;
    case 'peer':
      shape = <circle cx={11} cy={7} r={5} class="net-circle role-peer" />;
      break;
    case 'self':
      shape = (
        <>
          <circle cx={11} cy={7} r={6} class="net-self-ring" />
          <circle cx={11} cy={7} r={3.5} class="net-circle role-peer" />
        </>
      );
      break;
    default:
      shape = <path d={kind === 'gnutella' ? 'M1,9 Q11,1 21,9' : 'M1,7 L21,7'} class={`net-edge kind-${kind}`} />;
  }
  return (
    <svg width={22} height={14} viewBox="0 0 22 14" aria-hidden="true" class="net-legend-icon">
      {shape}
    </svg>
  );
}

/** `shown`: the roles and edge kinds drawn (null: no drawing, no legend). */
export function NetworkLegend({ shown }: { shown: ReadonlySet<string> | null }) {
  return (
    <ul class="legend net-legend" data-testid="network-legend" hidden={!shown}>
      {ITEMS.map(({ kind, text }) => (
        <li key={kind} data-kind={kind} hidden={kind !== 'self' && !shown?.has(kind)}>
          <Icon kind={kind} />
          {text}
        </li>
      ))}
      <li data-kind="files">
        <span class="net-legend-num">3</span>files shared
      </li>
    </ul>
  );
}
