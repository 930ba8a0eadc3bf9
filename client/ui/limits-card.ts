/**
 * The rate limits card: upload and download limits in KiB/s, applied as typed (after a pause)
 * or on change, kept for a reload of the tab in sessionStorage.
 */
import type { P2P } from '../api';
import { el } from './dom';
import { LIMITS_ERROR, limitBytes, limitsText, parseKib, parseSavedLimits } from './rate-limits';

const SESSION_LIMITS = 'p2p.rateLimits';

export function createLimitsCard(p2p: P2P): HTMLElement {
  const limitInput = (id: string, label: string) =>
    el('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', placeholder: 'unlimited', 'aria-label': label });
  const upInput = limitInput('limit-up', 'upload limit in KiB/s');
  const downInput = limitInput('limit-down', 'download limit in KiB/s');
  const limitsStatus = el('p', { class: 'muted', id: 'limits-status' });
  const limitsError = el('p', { class: 'field-error', id: 'limits-error', role: 'alert', hidden: '' });
  const card = el(
    'section',
    { class: 'card', id: 'limits-card' },
    el('h2', {}, 'Rate limits'),
    el(
      'div',
      { class: 'limits' },
      el('label', { for: 'limit-up' }, '↑ Upload'),
      upInput,
      el('span', { class: 'muted' }, 'KiB/s'),
      el('label', { for: 'limit-down' }, '↓ Download'),
      downInput,
      el('span', { class: 'muted' }, 'KiB/s'),
    ),
    limitsStatus,
    limitsError,
  );

  let applied = '';
  function applyLimits(): void {
    const up = parseKib(upInput.value);
    const down = parseKib(downInput.value);
    if (Number.isNaN(up) || Number.isNaN(down)) {
      limitsError.textContent = LIMITS_ERROR;
      limitsError.hidden = false;
      return;
    }
    limitsError.hidden = true;
    const key = `${up}/${down}`;
    if (key === applied) return;
    applied = key;
    p2p.setRateLimits({ up: limitBytes(up), down: limitBytes(down) });
    limitsStatus.textContent = limitsText(up, down);
    try {
      sessionStorage.setItem(SESSION_LIMITS, JSON.stringify({ up: upInput.value.trim(), down: downInput.value.trim() }));
    } catch {
      // Storage may be unavailable; the limits still apply to this tab.
    }
  }
  let limitTimer: ReturnType<typeof setTimeout> | undefined;
  for (const input of [upInput, downInput]) {
    input.addEventListener('change', () => {
      clearTimeout(limitTimer);
      applyLimits();
    });
    input.addEventListener('input', () => {
      clearTimeout(limitTimer);
      limitTimer = setTimeout(applyLimits, 600);
    });
  }
  // A reload of the tab keeps its limits (like its peer id).
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(SESSION_LIMITS);
  } catch {
    // Storage may be unavailable: no saved limits.
  }
  const saved = parseSavedLimits(stored);
  if (saved?.up !== undefined) upInput.value = saved.up;
  if (saved?.down !== undefined) downInput.value = saved.down;
  if (upInput.value || downInput.value) applyLimits();
  else limitsStatus.textContent = limitsText(Infinity, Infinity);
  return card;
}
