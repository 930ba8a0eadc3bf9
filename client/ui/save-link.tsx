/**
 * A Save link for a finished file: the service worker's streamed URL (`saveUrl()`: nothing is
 * assembled in memory) when it controls the page; otherwise (an insecure origin, no service
 * worker yet) a Blob of the pieces, made on the first click and dropped a minute later. A link
 * to the service worker's URL has no `download` attribute (the browser would send the download
 * around the service worker); its Content-Disposition names the file instead.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, displayName } from './dom';

/** How long a Blob prepared for Save is kept. */
const BLOB_KEEP_MS = 60_000;

export interface SaveLinkProps {
  /** The service worker's URL of the file. */
  url: string;
  /** The file's bytes, for a browser without the service worker. */
  blob: () => Promise<Blob>;
  /** The name a Blob is saved under. */
  fileName: string;
  class: string;
  title: string;
  hidden?: boolean;
  /** Why it could not be saved, in plain words. */
  failed(message: string): void;
}

export function SaveLink(props: SaveLinkProps) {
  const [objectUrl, setObjectUrl] = useState<string | null>(null);
  const [preparing, setPreparing] = useState(false);
  const anchor = useRef<HTMLAnchorElement>(null);
  const clickWhenReady = useRef(false);
  // The Blob's URL is dropped a while after it was made, and when the link goes.
  useEffect(() => {
    if (!objectUrl) return;
    if (clickWhenReady.current) {
      clickWhenReady.current = false;
      anchor.current?.click();
    }
    const timer = setTimeout(() => setObjectUrl(null), BLOB_KEEP_MS);
    return () => {
      clearTimeout(timer);
      URL.revokeObjectURL(objectUrl);
    };
  }, [objectUrl]);

  const streamed = !!navigator.serviceWorker?.controller;
  const onClick = (e: MouseEvent) => {
    if (streamed || objectUrl) return; // the service worker streams it, or the Blob is ready
    e.preventDefault();
    if (preparing) return;
    setPreparing(true);
    props
      .blob()
      .then((blob) => {
        clickWhenReady.current = true;
        setObjectUrl(URL.createObjectURL(blob));
      })
      .catch((err: unknown) => props.failed(describeError(err)))
      .finally(() => setPreparing(false));
  };
  return (
    <a
      ref={anchor}
      class={props.class}
      title={props.title}
      hidden={props.hidden}
      href={streamed ? props.url : (objectUrl ?? undefined)}
      download={streamed ? undefined : displayName(props.fileName) || 'download.bin'}
      onClick={onClick}
    >
      {preparing ? 'Preparing…' : 'Save'}
    </a>
  );
}
