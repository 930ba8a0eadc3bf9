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

/** A card of the page: a section (`attrs`: its id, and any others) with its heading (text, or text and a badge) above its contents. */
export function makeCard(attrs: { id: string } & Record<string, string>, title: string | readonly (Node | string)[], ...children: (Node | string)[]): HTMLElement {
  return el('section', { class: 'card', ...attrs }, el('h2', {}, ...(typeof title === 'string' ? [title] : title)), ...children);
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

/**
 * Characters a name shown in the page must not carry as they are: the bidirectional embedding,
 * override and isolate controls (U+202A-U+202E, U+2066-U+2069: "invoice\u202Efdp.exe" would read
 * "invoiceexe.pdf") and the other control characters.
 */
const UNSAFE_IN_NAMES_RE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Embedding and override controls and other control characters: never harmless in a line of text. */
const UNSAFE_IN_TEXT_RE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/g;

/**
 * A sentence to show (a log line, an error) that may hold names from elsewhere: embedding and
 * override controls shown as U+FFFD; the FSI/PDI pairs of `isolatedName` are kept.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT_RE, '\ufffd');
}

/** A name (file, torrent, path) as text to show: each unsafe character shown as U+FFFD. */
export function displayName(name: string): string {
  return name.replace(UNSAFE_IN_NAMES_RE, '\ufffd');
}

/**
 * A name inside a sentence (a log line, a title, an error message): shown as `displayName`
 * between FSI and PDI, so that right-to-left text in it cannot reorder the words around it.
 */
export function isolatedName(name: string): string {
  return `\u2068${displayName(name)}\u2069`;
}

/** A name as an element: a `<bdi>` (the browser isolates its direction) holding `displayName`. */
export function nameElement(name: string, attrs: Record<string, string> = {}): HTMLElement {
  return el('bdi', attrs, displayName(name));
}

/**
 * Set a progress bar's fill to `percent` (0-100). The fill is scaled, not resized: a transform
 * animates on the compositor, where a width transition would lay out and paint the whole page
 * on every frame while a download's progress keeps moving (measured: a third of the main thread).
 */
export function setFill(fill: HTMLElement, percent: number): void {
  fill.style.transform = fillTransform(percent);
}

/** The transform of a progress bar's fill at `percent` (0-100, clamped): see setFill. */
export function fillTransform(percent: number): string {
  return `scaleX(${Math.max(0, Math.min(100, percent)) / 100})`;
}
