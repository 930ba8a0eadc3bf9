/**
 * The ring card's put / get form: a key and a text value, Put and Get (Enter in the key field
 * alone: a get), the result line (`dht-result`, `data-state` pending/ok/missing/error). A later
 * operation supersedes an earlier one's result. What was put or got is marked on the ring.
 */
import { useRef, useState } from 'preact/hooks';
import type { DhtApi } from '../api';
import { formatBytes, plural } from './dom';
import { clip, short6 } from './dht-text';
import { checkOp, runOp, type DhtOpKind, type DhtResult } from './dht-ops';
import type { MarkedKey } from './ring-inputs';

const hopText = (hops: number | null) => (hops === null ? '' : ` · ${plural(hops, 'hop')}`);

function ResultLine({ result: r }: { result: DhtResult | null }) {
  if (!r) return <div class="dht-result" data-testid="dht-result" role="status" aria-live="polite" hidden />;
  const quoted = r.state === 'error' ? null : <code>{clip(r.key, 60)}</code>;
  let parts;
  if (r.state === 'error') parts = r.text;
  else if (r.state === 'pending') parts = [r.op === 'put' ? 'Storing ' : 'Looking up ', quoted, '…'];
  else if (r.state === 'missing') parts = [quoted, ': not found', hopText(r.hops)];
  else if (r.op === 'put') {
    parts = [
      'Stored ',
      quoted,
      ' at ',
      <code title={r.owner} data-owner={r.owner}>
        {r.you ? `${short6(r.owner)} (you)` : short6(r.owner)}
      </code>,
      ` in ${plural(r.hops, 'hop')} · ${r.ms} ms`,
    ];
  } else {
    parts = [
      quoted,
      ` = (${formatBytes(r.bytes)}${hopText(r.hops)})`,
      <pre class="dht-value-out" data-testid="dht-value-out">
        {r.value}
      </pre>,
    ];
  }
  return (
    <div class={`dht-result state-${r.state}`} data-testid="dht-result" role="status" aria-live="polite" data-state={r.state}>
      {parts}
    </div>
  );
}

export interface DhtFormProps {
  /** The DHT, or null while it is not there. */
  dht: () => DhtApi | null;
  /** This tab's peer id (a put stored here says "(you)"). */
  selfPeer: () => string;
  /** Put and Get work only while this tab is on the ring. */
  enabled: boolean;
  /** A put or get went through: mark its key on the ring. */
  marked: (marker: MarkedKey) => void;
}

export function DhtForm({ dht, selfPeer, enabled, marked }: DhtFormProps) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [result, setResult] = useState<DhtResult | null>(null);
  const ticket = useRef(0);
  const keyField = useRef<HTMLInputElement>(null);
  const valueField = useRef<HTMLTextAreaElement>(null);

  const run = async (op: DhtOpKind) => {
    const mine = ++ticket.current;
    const problem = checkOp(op, key, value);
    if (problem) {
      setResult(problem);
      (problem.state === 'error' && problem.field === 'value' ? valueField : keyField).current?.focus();
      return;
    }
    const d = dht();
    if (d) setResult({ state: 'pending', op, key });
    const done = await runOp(d, op, key, value, selfPeer());
    if (mine !== ticket.current) return;
    setResult(done.result);
    if (done.marker) marked(done.marker);
  };

  return (
    <form
      class="dht-form"
      data-testid="dht-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run('put');
      }}
    >
      <label class="label">
        <span>Key</span>
        <input
          ref={keyField}
          type="text"
          name="key"
          data-testid="dht-key"
          placeholder="greeting"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter in the key field alone: a get (a put needs the value too).
            if (e.key === 'Enter' && value === '') {
              e.preventDefault();
              void run('get');
            }
          }}
        />
      </label>
      <label class="label">
        <span>
          {'Value '}
          <span class="muted">(text up to 16 KiB, for Put)</span>
        </span>
        <textarea
          ref={valueField}
          name="value"
          rows={2}
          data-testid="dht-value"
          placeholder="hello"
          spellcheck={false}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      </label>
      <div class="dht-buttons">
        <button type="submit" data-testid="dht-put" disabled={!enabled}>
          Put
        </button>
        <button type="button" class="small" data-testid="dht-get" disabled={!enabled} onClick={() => void run('get')}>
          Get
        </button>
      </div>
      <ResultLine result={result} />
    </form>
  );
}
