/**
 * The ring card's put / get form: a key and a text value, Put and Get (Enter in the key field
 * alone: a get), the result line (`dht-result`, `data-state` pending/ok/missing/error). A later
 * operation supersedes an earlier one's result. What was put or got is marked on the ring.
 */
import type { DhtApi } from '../api';
import { keyId, utf8Length } from '../../protocol/dht';
import { safe } from './svg';
import { el, formatBytes, plural } from './dom';
import { clip, hopsBetween, precheck, readableDhtError, short6 } from './dht-text';
import type { MarkedKey } from './ring-inputs';

type Result = { state: 'pending' | 'ok' | 'missing' | 'error'; parts: (Node | string)[] };

export interface DhtFormDeps {
  /** The DHT, or null while it is not there. */
  dht(): DhtApi | null;
  /** This tab's peer id (a put stored here says "(you)"). */
  selfPeer(): string;
  /** A put or get went through: mark its key on the ring. */
  marked(marker: MarkedKey): void;
}

export class DhtForm {
  readonly element: HTMLFormElement;
  private readonly keyInput: HTMLInputElement;
  private readonly valueInput: HTMLTextAreaElement;
  private readonly putButton: HTMLButtonElement;
  private readonly getButton: HTMLButtonElement;
  private readonly result: HTMLElement;
  private ticket = 0;

  constructor(private readonly deps: DhtFormDeps) {
    this.keyInput = el('input', { type: 'text', name: 'key', 'data-testid': 'dht-key', placeholder: 'greeting', autocomplete: 'off', spellcheck: 'false' });
    this.valueInput = el('textarea', { name: 'value', rows: '2', 'data-testid': 'dht-value', placeholder: 'hello', spellcheck: 'false' });
    this.putButton = el('button', { type: 'submit', 'data-testid': 'dht-put' }, 'Put');
    this.getButton = el('button', { type: 'button', class: 'small', 'data-testid': 'dht-get' }, 'Get');
    this.result = el('div', { class: 'dht-result', 'data-testid': 'dht-result', role: 'status', 'aria-live': 'polite' });
    this.result.hidden = true;
    this.element = el(
      'form',
      { class: 'dht-form', 'data-testid': 'dht-form', novalidate: '' },
      el('label', { class: 'label' }, el('span', {}, 'Key'), this.keyInput),
      el('label', { class: 'label' }, el('span', {}, 'Value ', el('span', { class: 'muted' }, '(text up to 16 KiB, for Put)')), this.valueInput),
      el('div', { class: 'dht-buttons' }, this.putButton, this.getButton),
      this.result,
    );
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run('put');
    });
    this.getButton.addEventListener('click', () => void this.run('get'));
    this.keyInput.addEventListener('keydown', (e) => {
      // Enter in the key field alone: a get (a put needs the value too).
      if (e.key === 'Enter' && this.valueInput.value === '') {
        e.preventDefault();
        void this.run('get');
      }
    });
  }

  /** Put and Get work only while this tab is on the ring. */
  setEnabled(on: boolean): void {
    this.putButton.disabled = this.getButton.disabled = !on;
  }

  private show(r: Result): void {
    this.result.hidden = false;
    this.result.dataset.state = r.state;
    this.result.className = `dht-result state-${r.state}`;
    this.result.replaceChildren(...r.parts);
  }

  private async run(op: 'put' | 'get'): Promise<void> {
    const dht = this.deps.dht();
    const key = this.keyInput.value;
    const value = op === 'put' ? this.valueInput.value : null;
    const mine = ++this.ticket;
    const problem = precheck(key, value);
    if (problem) {
      this.show({ state: 'error', parts: [problem] });
      (key.length === 0 || op === 'get' ? this.keyInput : this.valueInput).focus();
      return;
    }
    if (!dht) {
      this.show({ state: 'error', parts: ['The DHT is not running in this tab.'] });
      return;
    }
    const quoted = el('code', {}, clip(key, 60));
    this.show({ state: 'pending', parts: [op === 'put' ? 'Storing ' : 'Looking up ', quoted, '…'] });
    try {
      if (op === 'put') {
        const r = await dht.put(key, value ?? '');
        if (mine !== this.ticket) return;
        const you = r.owner === this.deps.selfPeer();
        this.show({
          state: 'ok',
          parts: ['Stored ', quoted, ' at ', el('code', { title: r.owner, 'data-owner': r.owner }, you ? `${short6(r.owner)} (you)` : short6(r.owner)), ` in ${plural(r.hops, 'hop')} · ${r.ms} ms`],
        });
        this.deps.marked({ key, id: keyId(key), owner: r.owner });
      } else {
        // get() tells no hops: read them off this tab's lookup counters around the call.
        const before = safe(() => dht.stats());
        const v = await dht.get(key);
        const after = safe(() => dht.stats());
        if (mine !== this.ticket) return;
        const hops = hopsBetween(before, after);
        const hopText = hops === null ? '' : ` · ${plural(hops, 'hop')}`;
        if (v === null) this.show({ state: 'missing', parts: [quoted, ': not found', hopText] });
        else {
          this.show({
            state: 'ok',
            parts: [quoted, ` = (${formatBytes(utf8Length(v))}${hopText})`, el('pre', { class: 'dht-value-out', 'data-testid': 'dht-value-out' }, v)],
          });
        }
        this.deps.marked({ key, id: keyId(key) });
      }
    } catch (err) {
      if (mine !== this.ticket) return;
      this.show({ state: 'error', parts: [readableDhtError(err)] });
    }
  }
}
