/** This tab's DHT figures (`p2p.dht.stats()`) in the ring card: node id, keys, range, lookups, failures. */
import type { ComponentChildren } from 'preact';
import type { DhtRingView, DhtStats } from '../api';
import { pct } from './dht-text';
import { ownSpan } from './ring-captions';

function Row({ fig, label, children }: { fig: string; label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-fig={fig}>{children}</dd>
    </>
  );
}

const Num = ({ n, warn }: { n: number; warn?: boolean }) => (warn === undefined ? <b>{String(n)}</b> : <b class={warn ? 'warn-text' : ''}>{String(n)}</b>);

export function RingFigures({ view, stats: s }: { view: DhtRingView | null; stats: DhtStats | undefined }) {
  if (!view || !s) {
    return (
      <dl class="dht-figures" data-testid="dht-figures">
        <Row fig="node" label="Node id">
          <span class="muted">not on the ring yet</span>
        </Row>
      </dl>
    );
  }
  const id = s.nodeId || view.self.id;
  return (
    <dl class="dht-figures" data-testid="dht-figures">
      <Row fig="node" label="Node id">
        <code title={id}>{`${id.slice(0, 10)}…`}</code>
      </Row>
      <Row fig="keys" label="Keys">
        <Num n={s.keysHeld} />
        {' held / '}
        <Num n={s.keysOwned} />
        {' owned'}
      </Row>
      <Row fig="range" label="Your range">
        <b>{pct(ownSpan(view))}</b>
        {' of the ring'}
      </Row>
      <Row fig="lookups" label="Lookups">
        <Num n={s.lookups} />
        {' · '}
        <b>{s.lookups ? s.avgHops.toFixed(2) : '—'}</b>
        {' avg hops'}
      </Row>
      <Row fig="routed" label="Routed">
        <Num n={s.routed} />
        {' for others'}
      </Row>
      <Row fig="replicas" label="Replicas sent">
        <Num n={s.replicasSent} />
      </Row>
      <Row fig="failures" label="Failures">
        <Num n={s.failures} warn={s.failures > 0} />
        {' nodes found dead'}
      </Row>
      <Row fig="bad" label="Bad messages">
        <Num n={s.badMessages} warn={s.badMessages > 0} />
      </Row>
    </dl>
  );
}
