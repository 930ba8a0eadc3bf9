/** Tiny DOM helpers: text is always set as text, never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** A transfer rate: "0 B/s", "12.3 KiB/s", ... */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

/** A duration for an ETA: "8 s", "3 min 05 s", "2 h 07 min", "3 d 4 h"; "—" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s < 100 * 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  return '—';
}

/** A plural: plural(1, 'peer') = "1 peer", plural(3, 'peer') = "3 peers". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * Copy `text` to the clipboard: the async Clipboard API when the page may use it, else select
 * the text of `field` and try the old `execCommand('copy')`. Resolves with what happened:
 * 'copied', or 'selected' when the text is left selected for the user to copy by hand.
 */
export async function copyText(text: string, field?: HTMLInputElement | HTMLTextAreaElement): Promise<'copied' | 'selected'> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch {
    // Denied or unavailable: fall back to selecting the text.
  }
  if (field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    try {
      if (document.execCommand('copy')) return 'copied';
    } catch {
      // execCommand is deprecated and may throw; the text stays selected.
    }
  }
  return 'selected';
}

/** A readable sentence for an error thrown by storage, the file system or a parser. */
export function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string } | null;
  const name = e?.name ?? '';
  const message = (e?.message ?? String(err)).trim();
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return 'The browser has no room left to store it (storage quota exceeded). Free some space or remove stored torrents, then try again.';
  }
  if (name === 'NotReadableError' || name === 'NotFoundError') return `The file could not be read (${message || name}).`;
  if (name === 'NotAllowedError') return `The browser did not allow it (${message || name}).`;
  return message || name || 'Unknown error';
}
