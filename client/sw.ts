/**
 * The service worker (built to /sw.js, scope /): answers /files/<infoHash>/<name> with the file
 * this browser stores (client/files/file-response.ts): the bytes of its OPFS file, or piece by piece
 * from IndexedDB where the pages keep them there; a media URL (`?stream`) of a file still
 * downloading streams its pieces as the page's tabs fetch them, those being read first.
 * Every other request goes to the network untouched. It takes control of open pages at once.
 */
import { ContentChannel } from './bittorrent/content-channel';
import { fileResponse } from './files/file-response';
import { pieceStored } from './files/stored-file';
import { TabPieces } from './files/tab-pieces';
import { workerPieces } from './store/content-files';
import { CONTENT_DB, IdbKV } from './store/idb';

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  /** The page that asked ('' for a navigation). */
  readonly clientId: string;
  respondWith(r: Response | Promise<Response>): void;
}
interface SwScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
}

const sw = self as unknown as SwScope;
const kv = new IdbKV(CONTENT_DB.db, CONTENT_DB.store);
const stored = workerPieces(kv);
// A media URL of a file still downloading: the tabs fetch what is read first, told and heard here.
const tabs = new TabPieces((m) => channel.post(m), (infoHash, index) => pieceStored(kv, infoHash, index));
const channel = new ContentChannel((m) => tabs.onMessage(m));

sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));
sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (!url.pathname.startsWith('/files/')) return;
  e.respondWith(
    fileResponse(kv, stored, e.request, tabs, e.clientId || undefined).then(
      (r) => r ?? fetch(e.request),
      (err: unknown) => new Response(`The file could not be served: ${(err as Error).message}\n`, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } }),
    ),
  );
});
