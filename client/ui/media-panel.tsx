/**
 * Play and preview in a torrent's details: each file the page can show (video and audio in a
 * player, images, the start of text files) gets a button; the player reads the file's media URL
 * (handle.mediaUrl(), the service worker's Range answers), so a video plays while it downloads,
 * its pieces fetched ahead of the playhead (the piece map shows them arriving).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TorrentFileView, TorrentHandle } from '../api';
import { mediaType, type MediaKind } from '../files/media-type';
import { describeError, displayName } from './dom';
import type { TorrentStore } from './torrent-store';

/** How much of a text file the preview shows. */
const TEXT_PREVIEW_BYTES = 64 * 1024;
const ACTION: Record<MediaKind, string> = { video: '▶ Play', audio: '▶ Play', image: 'Preview', text: 'Preview', other: '' };

/** The files of a torrent the page can play or show. */
export function showable(files: readonly TorrentFileView[]): { file: TorrentFileView; kind: MediaKind }[] {
  return files.map((file) => ({ file, kind: mediaType(file.path).kind })).filter((f) => f.kind !== 'other');
}

/** The first video or audio file of a torrent (its row's ▶ Play), if any. */
export function firstPlayable(files: readonly TorrentFileView[]): TorrentFileView | undefined {
  return showable(files).find((f) => f.kind === 'video' || f.kind === 'audio')?.file;
}

export function MediaPanel({ handle, store }: { handle: TorrentHandle; store: TorrentStore }) {
  const items = showable(handle.files());
  if (items.length === 0) return null;
  const controlled = typeof navigator !== 'undefined' && !!navigator.serviceWorker?.controller;
  const playing = items.find((i) => i.file.index === store.playing);
  const multi = handle.progress().multiFile;
  return (
    <div class="media" data-testid="media-panel">
      <h3>Play and preview</h3>
      {!controlled && <p class="muted">Playing needs the page's service worker, which runs on https:// and localhost only: save the file instead.</p>}
      <ul class="media-files">
        {items.slice(0, 50).map(({ file, kind }) => (
          <li key={file.index}>
            <button
              class="small media-play"
              data-testid="media-play"
              data-path={file.path}
              disabled={!controlled}
              aria-pressed={playing?.file.index === file.index ? 'true' : 'false'}
              onClick={() => store.play(handle.infoHash, playing?.file.index === file.index ? null : file.index)}
            >
              {playing?.file.index === file.index ? (kind === 'video' || kind === 'audio' ? '■ Stop' : 'Hide') : ACTION[kind]}
            </button>{' '}
            <bdi>{displayName(file.path)}</bdi> <span class="muted">{kind}</span>
          </li>
        ))}
      </ul>
      {playing && controlled && <Player key={`${handle.infoHash}:${playing.file.index}`} url={handle.mediaUrl(multi ? playing.file.path : undefined)} kind={playing.kind} name={playing.file.path} />}
    </div>
  );
}

function Player({ url, kind, name }: { url: string; kind: MediaKind; name: string }) {
  const [error, setError] = useState<string | null>(null);
  const media = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  // Played at once, not on autoplay: autoplay waits until the browser thinks the download can
  // keep up with the whole file, which a file still coming from the swarm may never show.
  useEffect(() => {
    media.current?.play().catch(() => undefined);
  }, [url]);
  const failed = (e: Event) => {
    const el = e.currentTarget as HTMLMediaElement | HTMLImageElement;
    const why = 'error' in el && el.error ? el.error.message || `media error ${el.error.code}` : 'the browser could not read it';
    setError(`${displayName(name)} cannot be shown here: ${why}. Save it and open it with another program.`);
  };
  return (
    <div class="player-box">
      {kind === 'video' && <video ref={media} class="player" data-testid="media-player" controls playsInline src={url} onError={failed} />}
      {kind === 'audio' && <audio ref={media} class="player" data-testid="media-player" controls src={url} onError={failed} />}
      {kind === 'image' && <img class="preview" data-testid="media-player" src={url} alt={displayName(name)} onError={failed} />}
      {kind === 'text' && <TextPreview url={url} failed={setError} />}
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}

function TextPreview({ url, failed }: { url: string; failed: (message: string) => void }) {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    fetch(url, { headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` }, signal: abort.signal })
      .then(async (r) => {
        if (!r.ok) throw new Error((await r.text()).trim() || `HTTP ${r.status}`);
        const total = Number(/\/(\d+)$/.exec(r.headers.get('content-range') ?? '')?.[1] ?? NaN);
        const body = new TextDecoder().decode(await r.arrayBuffer());
        setText(total > TEXT_PREVIEW_BYTES ? `${body}\n…` : body);
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted) failed(describeError(err));
      });
    return () => abort.abort();
  }, [url]);
  return <pre class="preview-text" data-testid="media-player">{text ?? 'loading…'}</pre>;
}
