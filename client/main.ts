/** Entry point of the page: one tab = one peer. */
import { DEFAULT_ROOM, ROOM_RE } from '../protocol/constants';
import { createPeer } from './peer';
import type { Identity, IdentityStore } from './net/signaling-socket';
import { renderPage } from './ui/page';
import { pagePieceFiles } from './store/content-files';
import { storedPieceLength } from './bittorrent/piece-store';
import { CONTENT_DB, IdbKV } from './store/idb';

const IDENTITY_KEY = 'p2p.identity';

/** sessionStorage: per tab, kept across reloads; a new tab is a new peer. */
const sessionIdentity: IdentityStore = {
  load() {
    try {
      const v = JSON.parse(sessionStorage.getItem(IDENTITY_KEY) ?? 'null') as Identity | null;
      return v && typeof v.id === 'string' && typeof v.token === 'string' ? v : null;
    } catch {
      return null;
    }
  },
  save(identity) {
    sessionStorage.setItem(IDENTITY_KEY, JSON.stringify(identity));
  },
  clear() {
    sessionStorage.removeItem(IDENTITY_KEY);
  },
};

async function loadIceServers(): Promise<RTCIceServer[]> {
  try {
    const res = await fetch('/api/ice');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { iceServers?: RTCIceServer[] };
    return Array.isArray(body.iceServers) ? body.iceServers : [];
  } catch (err) {
    console.warn('could not load ICE servers, using host candidates only', err);
    return [];
  }
}

function degreeParam(v: string | null): { degree?: { min: number; max?: number } } {
  const m = v ? /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(v) : null;
  if (!m) return {};
  return { degree: { min: Number(m[1]), ...(m[2] ? { max: Number(m[2]) } : {}) } };
}

async function main(): Promise<void> {
  const params = new URL(location.href).searchParams;
  const requested = params.get('room') ?? DEFAULT_ROOM;
  const room = ROOM_RE.test(requested) ? requested : DEFAULT_ROOM;
  const ws = new URL(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  // ?full=<n>&view=<k>: smaller presence sizes for this room (honoured only by an edge that
  // allows it, as the tests' does), so that a few tabs behave as a large room.
  for (const k of ['full', 'view']) if (/^\d{1,3}$/.test(params.get(k) ?? '')) ws.searchParams.set(k, params.get(k) as string);
  const wsUrl = ws.toString();
  const trackerUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/announce`;
  const contentKV = new IdbKV(CONTENT_DB.db, CONTENT_DB.store);
  const p2p = createPeer({
    wsUrl,
    room,
    identity: sessionIdentity,
    iceServers: await loadIceServers(),
    trackerUrl,
    // Content (torrents and pieces) is shared by all tabs of the browser.
    kv: contentKV,
    // Pieces an earlier version kept in IndexedDB move to OPFS, each at its torrent's piece length.
    files: pagePieceFiles(contentKV, (file) => storedPieceLength(contentKV, file)),
    // ?bw=<bytes/s>: the upload bandwidth this tab declares for super-peer election.
    ...(Number(params.get('bw')) > 0 ? { bandwidth: Number(params.get('bw')) } : {}),
    // ?degree=<min>-<max> (or ?degree=0: no automatic neighbours): the Gnutella target degree.
    ...degreeParam(params.get('degree')),
    // ?overlays=0: a bare peer (no Gnutella, super-peer tier or DHT), for a room of bare peers.
    ...(params.get('overlays') === '0' ? { overlays: false } : {}),
    // ?fingers=0: the DHT node keeps no finger table (to compare lookups with and without).
    ...(params.get('fingers') === '0' ? { dhtFingers: false } : {}),
  });
  window.p2p = p2p;
  const root = document.getElementById('app');
  if (root) renderPage(root, p2p, room !== requested ? `"${requested}" is not a valid room name; joined "${room}".` : null);
}

/**
 * The service worker that streams stored files to disk (/files/<infoHash>/<name>, client/sw.ts).
 * Browsers give none to insecure origins: there, Save falls back to a Blob.
 */
function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => console.warn('the service worker could not be registered; Save uses a Blob instead', err));
}

registerServiceWorker();
void main();
