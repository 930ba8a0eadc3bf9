/**
 * The rate limits card: upload and download limits in KiB/s, applied as typed (after a pause)
 * or on change, kept for a reload of the tab in sessionStorage.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { P2P } from '../api';
import { island } from './island';
import { LIMITS_ERROR, limitBytes, limitsText, parseKib, parseSavedLimits } from './rate-limits';

const SESSION_LIMITS = 'p2p.rateLimits';
/** A limit being typed is applied after this pause. */
const TYPING_MS = 600;

function savedLimits(): { up?: string; down?: string } | null {
  try {
    return parseSavedLimits(sessionStorage.getItem(SESSION_LIMITS));
  } catch {
    return null; // Storage may be unavailable: no saved limits.
  }
}

function LimitsCard({ p2p }: { p2p: P2P }) {
  const [fields, setFields] = useState(() => {
    const saved = savedLimits();
    return { up: saved?.up ?? '', down: saved?.down ?? '' };
  });
  const [status, setStatus] = useState(limitsText(Infinity, Infinity));
  const [error, setError] = useState(false);
  const applied = useRef('');
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const apply = (f: { up: string; down: string }) => {
    clearTimeout(typing.current);
    const up = parseKib(f.up);
    const down = parseKib(f.down);
    if (Number.isNaN(up) || Number.isNaN(down)) return setError(true);
    setError(false);
    const key = `${up}/${down}`;
    if (key === applied.current) return;
    applied.current = key;
    p2p.setRateLimits({ up: limitBytes(up), down: limitBytes(down) });
    setStatus(limitsText(up, down));
    try {
      sessionStorage.setItem(SESSION_LIMITS, JSON.stringify({ up: f.up.trim(), down: f.down.trim() }));
    } catch {
      // Storage may be unavailable; the limits still apply to this tab.
    }
  };
  // A reload of the tab keeps its limits (like its peer id).
  useEffect(() => {
    if (fields.up || fields.down) apply(fields);
    return () => clearTimeout(typing.current);
  }, []);

  const field = (which: 'up' | 'down', label: string) => (
    <input
      id={`limit-${which}`}
      type="number"
      min="0"
      step="any"
      inputMode="decimal"
      placeholder="unlimited"
      aria-label={label}
      value={fields[which]}
      onInput={(e) => {
        const next = { ...fields, [which]: e.currentTarget.value };
        setFields(next);
        clearTimeout(typing.current);
        typing.current = setTimeout(() => apply(next), TYPING_MS);
      }}
      onChange={(e) => apply({ ...fields, [which]: e.currentTarget.value })}
    />
  );
  return (
    <section class="card" id="limits-card">
      <h2>Rate limits</h2>
      <div class="limits">
        <label for="limit-up">↑ Upload</label>
        {field('up', 'upload limit in KiB/s')}
        <span class="muted">KiB/s</span>
        <label for="limit-down">↓ Download</label>
        {field('down', 'download limit in KiB/s')}
        <span class="muted">KiB/s</span>
      </div>
      <p class="muted" id="limits-status">
        {status}
      </p>
      <p class="field-error" id="limits-error" role="alert" hidden={!error}>
        {LIMITS_ERROR}
      </p>
    </section>
  );
}

export function createLimitsCard(p2p: P2P): HTMLElement {
  return island(<LimitsCard p2p={p2p} />);
}
