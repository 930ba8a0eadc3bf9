/** The download card: a magnet link or info hash to download, with its error under the field. */
import { useState } from 'preact/hooks';
import type { P2P } from '../api';
import { describeError, isolatedName, shortId } from './dom';
import { island } from './island';

export interface DownloadHooks {
  log(text: string): void;
  /** The torrent started: show it in the list. */
  started(infoHash: string): void;
}

export const EMPTY_DOWNLOAD = 'Paste a magnet link (magnet:?xt=urn:btih:…) or a 40-character hex info hash.';

function DownloadCard({ p2p, hooks }: { p2p: P2P; hooks: DownloadHooks }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    const magnet = text.trim();
    if (!magnet) return setProblem(EMPTY_DOWNLOAD);
    setStarting(true);
    p2p
      .download(magnet)
      .then((h) => {
        setText('');
        setProblem(null);
        hooks.log(`downloading ${isolatedName(h.name())} (${shortId(h.infoHash)})`);
        hooks.started(h.infoHash);
      })
      .catch((err: unknown) => setProblem(`Cannot download this: ${describeError(err)}`))
      .finally(() => setStarting(false));
  };
  return (
    <section class="card" id="download-card">
      <h2>Download</h2>
      <form id="download-form" noValidate onSubmit={submit}>
        <label for="download-input" class="muted label">
          Magnet link or info hash
        </label>
        <div class="field-row">
          <input
            id="download-input"
            type="text"
            placeholder="magnet:?xt=urn:btih:… or info hash"
            autocomplete="off"
            spellcheck={false}
            aria-describedby="download-error"
            aria-invalid={problem ? 'true' : undefined}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setProblem(null);
            }}
          />
          <button type="submit" id="download-button" disabled={starting}>
            {starting ? 'Starting…' : 'Download'}
          </button>
        </div>
        <p class="field-error" id="download-error" role="alert" hidden={!problem}>
          {problem ?? ''}
        </p>
      </form>
      <p class="hint muted">Pieces come from every peer of the swarm at once, rarest first; each is checked against its SHA-1 hash.</p>
    </section>
  );
}

export function createDownloadCard(p2p: P2P, hooks: DownloadHooks): HTMLElement {
  return island(<DownloadCard p2p={p2p} hooks={hooks} />);
}
