/**
 * window.p2p: the documented programmatic API of a peer. The page's UI, the tests and the
 * benchmarks use only this. Open the browser console and try:
 *
 *   p2p.id                                  // this tab's peer id (assigned by the edge)
 *   p2p.peers()                             // ids of the other peers online in the room
 *   await p2p.connect(p2p.peers()[0])       // open a WebRTC link through the signaling relay
 *   await p2p.send(peer, 'chat', new TextEncoder().encode('hi'))
 *   p2p.on('data', ({ from, channel, bytes }) => console.log(from, channel, bytes))
 *   p2p.stats()                             // links, bytes, messages
 *   p2p.stats().torrentConnections          // torrent connections: open, pending, offers refused
 */
import type { SearchHit, SearchOptions } from './discovery/discovery';
import type { BudgetLimits, Refusal } from './core/connection-budget';
import type { ProtocolErrorCode } from '../protocol/errors';
import type { Emitter } from './core/emitter';
import type { SocketState } from './net/signaling-socket';
import type { PeerView, TorrentFileView, TorrentProgress } from './bittorrent/torrent';
import type { HeldTorrent } from './bittorrent/client';
import type { OverlayApi } from './overlay/overlay-types';
import type { DhtApi, DhtSignerApi } from './dht/dht-api';

export type { PeerView, TorrentFileView, TorrentProgress, HeldTorrent };

/**
 * A torrent of this tab: a download in progress, or a file (or set of files) being seeded.
 * A multi-file torrent's files are named by their path in it, elements joined by "/"
 * ("day 1/beach.jpg"), or by their index in `files()`:
 *
 *   const t = await p2p.download(magnet)       // a magnet's so=0,2,4-6 preselects files
 *   t.files()                                  // [{ index, path, length, progress, selected }]
 *   t.select(['notes.txt', 3])                 // fetch only these files
 *   await t.done                               // the selected files are here
 *   location.href = t.saveUrl('notes.txt')     // saved through the service worker, streamed
 *   video.src = t.mediaUrl('talk.webm')        // played in place, Range requests answered
 */
export interface TorrentHandle {
  readonly infoHash: string;
  readonly magnet: string;
  name(): string;
  /** `done`: every selected file is here; `complete`: every piece; `selectedLength`/`selectedHave`: bytes of the selected files. */
  progress(): TorrentProgress;
  /**
   * The torrent's files in order (a single-file torrent: one, its name as path), each with its
   * length, the fraction of it here (0-1) and whether it is selected; [] until the metadata is here.
   */
  files(): TorrentFileView[];
  /**
   * Fetch only these files (paths or indexes): pieces wholly inside the others are never
   * requested, pieces a selected file shares with its neighbour are. Made before the metadata
   * came, it applies when it comes. Throws a RangeError naming a path or index the torrent lacks.
   */
  select(files: readonly (string | number)[]): void;
  /** Connected peers with their choke and interest state and rates. */
  peers(): PeerView[];
  /**
   * Per piece: `state` 0 missing, 1 in flight (asked for, or some of it here), 2 have; `availability`, how many connected peers
   * have it; `reading` 1 for a piece a player or preview is waiting for (ahead of its playhead,
   * fetched before the others), else 0.
   */
  pieceMap(): { state: Uint8Array; availability: Uint16Array; reading: Uint8Array };
  /** Resolves when every piece of the selected files (by default: every piece) is verified and stored. */
  readonly done: Promise<void>;
  /**
   * A file's bytes in one buffer (`path` or index; none: the whole torrent), once its pieces
   * are here: small files only — rejects above 256 MiB (BYTES_LIMIT), where blob(), stream()
   * or saveUrl() do without holding the file in memory.
   */
  bytes(path?: string | number): Promise<Uint8Array>;
  /** A file (none: the whole torrent's content) as a Blob of one part per piece, read one piece at a time, once its pieces are here. */
  blob(path?: string | number): Promise<Blob>;
  /** A file (none: the whole content) as a stream pulling one piece at a time from storage, once its pieces are here (throws before). */
  stream(path?: string | number): ReadableStream<Uint8Array>;
  /**
   * A same-origin URL (`/files/<infoHash>/<name>`; a file of a multi-file torrent:
   * `/files/<infoHash>/<path>`, each element percent-encoded) the service worker (sw.js)
   * answers with the stored file, streamed with `Content-Disposition: attachment` of the
   * file's own name: a link to it saves the file without assembling it in memory. Answered 404
   * for a torrent the browser does not hold or a path it lacks, and 409 while pieces of the file
   * are missing. A multi-file torrent needs `path` (it throws without one). Needs the service
   * worker to control the page (`navigator.serviceWorker.controller`; not on insecure origins
   * such as http://192.168.x.y). Range requests are answered (206) for bytes whose pieces are here.
   */
  saveUrl(path?: string | number): string;
  /**
   * The file's media URL (saveUrl() with `?stream`): the same bytes shown in place, with the
   * Content-Type of its extension (video/webm, audio/mpeg, image/png, text/plain, …; unknown
   * ones as application/octet-stream), for a `<video>`, `<audio>` or `<img>` src. Answers Range
   * requests (206 with Content-Range, `Accept-Ranges: bytes`; 416 for a range outside the file).
   * Bytes not here yet are waited for while a tab of this browser downloads the torrent, the
   * pieces being read fetched before any other (a video plays while it downloads); a 503 when
   * no tab does. Same service-worker needs and 404s as saveUrl().
   */
  mediaUrl(path?: string | number): string;
  on(event: 'progress', fn: (p: TorrentProgress) => void): () => void;
  on(event: 'warning' | 'error', fn: (e: { message: string }) => void): () => void;
  remove(): void;
  /**
   * Super-seed (BEP 16) or not: while on, each peer that joins is offered a few pieces no one has
   * yet, more as it passes them on, so the whole file leaves this browser about once however many
   * download it. Only a complete torrent super-seeds; a new share does by default (ShareOptions);
   * turned off, every peer is told the pieces it was not. Returns whether it is on (progress().superSeeding).
   */
  superSeed(on: boolean): boolean;
}

export interface P2PEvents extends Record<string, unknown> {
  /** Another peer came online in the room, or (a large room) entered this tab's view of it. */
  'peer-join': { id: string };
  /**
   * A peer left the room (`left`: tab closed, or its socket died), or (`view`: a large room) is
   * no longer in this tab's view of it though still online; links to it stay open.
   */
  'peer-leave': { id: string; reason: 'left' | 'view' };
  /** The room's count changed (`partial`: this tab sees a view of it, not everyone). */
  room: { count: number; partial: boolean };
  /** A WebRTC link to `peer` is open. */
  'link-open': { peer: string };
  /** A link closed, with the reason. */
  'link-close': { peer: string; reason: string };
  /** A message arrived on a link. `channel` is the sender's channel tag. */
  data: { from: string; channel: string; bytes: Uint8Array };
  /** The signaling socket's state changed. */
  state: SocketState;
  /** Something went wrong that the user should hear of (an error reply of the edge, a failed link). */
  error: { message: string; code?: ProtocolErrorCode };
}

export interface LinkStats {
  peer: string;
  state: 'connecting' | 'open' | 'closed';
  initiator: boolean;
  bytesIn: number;
  bytesOut: number;
  msgsIn: number;
  msgsOut: number;
  buffered: number;
  openedAt: number;
}

/**
 * The tab's torrent connections under its budget (client/core/connection-budget.ts): every
 * WebRTC connection of the tracker's and of relay links takes a slot before it exists; it is
 * `pending` until the BitTorrent handshake, then `open`.
 */
export interface TorrentConnectionStats {
  open: number;
  /** Pending answers to other peers' offers, and pending offers of ours. */
  pendingIn: number;
  pendingOut: number;
  /** Connections the budget let be made (ours and answers). */
  admitted: number;
  /**
   * Offers of other peers not answered (no connection made), by reason: `source-busy` (that peer
   * already has a connection in the torrent), `torrent-pending`, `torrent-full`, `tab-full`,
   * `rate` (new connections come faster than the tab allows).
   */
  refused: Record<'source-busy' | 'torrent-pending' | 'torrent-full' | 'tab-full' | 'rate', number>;
  /** Our own offers not made, by the same reasons. */
  skipped: Record<Refusal, number>;
  /** Pending connections closed as stale (no handshake within `limits.pendingMs`). */
  expired: number;
  /** Pending answers closed to make room for a newer offer (after `limits.holdMs`). */
  displaced: number;
  /** Our relay-link offers the other side refused with a `refuse` signal. */
  refusedByThem: number;
  limits: BudgetLimits;
}

export interface P2PStats {
  id: string;
  room: string;
  state: SocketState;
  shard: number;
  shards: number;
  peers: number;
  links: LinkStats[];
  signaling: { sent: number; received: number; errors: number; reconnects: number };
  linkCounters: { opened: number; closed: number; glare: number; refused: number; badSignals: number; badFrames: number };
  /** Napster: files the edge's index holds for this tab, and entries of its publishes the index refused. */
  napster: { held: number; dropped: number };
  /** Torrent connections (tracker and relay links): counts, refusals, stale ones closed. */
  torrentConnections: TorrentConnectionStats;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The browser's storage as this page uses it (shared by all its tabs).
 *
 *   await p2p.storage.estimate()        // { usage, quota } in bytes, as the browser says
 *   await p2p.storage.persist()         // true when the browser keeps the data under pressure
 *   await p2p.storage.held()            // every torrent stored, with its stored bytes
 *   await p2p.storage.delete(infoHash)  // stops it in every tab and deletes its pieces
 */
export interface StorageApi {
  /** What the browser says: bytes used by this origin, and how many it may use. null: it does not say. */
  estimate(): Promise<{ usage: number; quota: number } | null>;
  /** Whether the browser has made this origin's storage persistent; null: not supported. */
  persisted(): Promise<boolean | null>;
  /** Ask for persistent storage (the browser may ask the user, or decide itself); its answer. */
  persist(): Promise<boolean | null>;
  held(): Promise<HeldTorrent[]>;
  /** Delete a torrent's data from this browser: every tab stops seeding it; its pieces are deleted. */
  delete(infoHash: string): Promise<void>;
}

export interface P2P {
  /** This tab's peer id; '' until the edge has welcomed us (await `ready`). */
  readonly id: string;
  readonly room: string;
  /** Resolves with the peer id once the edge has welcomed this tab. */
  readonly ready: Promise<string>;
  state(): SocketState;
  /**
   * Ids of the other peers this tab sees: everyone in a room of up to PRESENCE.fullUpTo (32)
   * peers; in a larger room a random partial view of about PRESENCE.view (30) live peers, kept
   * filled by the edge and refreshed every minute or so.
   */
  peers(): string[];
  /** Members of the room online, this tab included (the edge's count; the view may be smaller). */
  roomSize(): number;
  /** Open (or reuse) a link to a peer. Rejects with a readable reason. */
  connect(id: string): Promise<void>;
  disconnect(id: string): void;
  /**
   * Send bytes to a peer on a channel (tag of 1-64 characters [A-Za-z0-9:_.-]); opens a link
   * if there is none. Messages of any size up to 64 MiB; resolves once handed to the channel.
   */
  send(id: string, channel: string, bytes: Uint8Array): Promise<void>;
  on<K extends keyof P2PEvents>(event: K, fn: (payload: P2PEvents[K]) => void): () => void;
  stats(): P2PStats;
  setLinkOptions(opts: { maxLinks?: number; idleMs?: number }): void;
  /**
   * Share a file (or bytes) as a torrent; it is stored in IndexedDB and seeded. A File or Blob is
   * streamed: read 4 MiB at a time with `blob.slice()`, each 256 KiB piece hashed and stored as
   * it is read, so any size the storage quota allows can be shared (memory use does not grow
   * with it). `opts.onProgress` hears the bytes hashed and stored; `opts.signal` cancels (the
   * promise rejects with an AbortError, and every piece written is deleted). Refused up front,
   * with a readable reason and nothing written, when navigator.storage.estimate() says the file
   * does not fit. The name is cleaned first to the rule every peer's parsers apply
   * (protocol/file-name.ts): control characters removed, shortened to 255 characters with its
   * extension kept, "/" and "\\" replaced. `name` is the name it is shared under; `renamed`
   * says what was changed, if anything.
   *
   * An array of files is ONE multi-file torrent (BEP 3 `files`, pieces running across file
   * boundaries, hashed in one stream without reading any file whole): a File counts under its
   * `webkitRelativePath` (a picked folder) or its name, a `{ path, blob }` under `path`
   * ("folder/sub/a.txt"). Each path element is cleaned by the same rule; when every path starts
   * with the same folder, that folder is the torrent's name (else `name`, else "N files"), and
   * the files are in path order.
   */
  share(file: Blob | Uint8Array | readonly ShareItem[], name?: string, opts?: ShareOptions): Promise<SharedFile>;
  /**
   * Download a magnet link (or hex info hash) through its swarm. `peers`: holders found by a
   * search, reached through the signaling relay besides the tracker's peers. `upload: false`
   * makes this peer a pure client that never uploads (the client-server baseline of benchmarks).
   */
  download(magnetOrInfoHash: string, opts?: { upload?: boolean; peers?: string[]; name?: string }): Promise<TorrentHandle>;
  /** The torrents of this tab (shared, downloading, or resumed from storage). */
  torrents(): TorrentHandle[];
  /**
   * Find files by name. `via: 'napster'` asks the edge's central index. Results carry the live
   * holders (`peers`), the mechanism and the time the search took; rejects with a readable
   * reason when the index cannot be reached.
   */
  search(query: string, opts?: SearchOptions): Promise<SearchHit[]>;
  /** The Gnutella overlay, the super-peer tier and a drawing of both (see OverlayApi). */
  readonly overlay: OverlayApi;
  /** The Chord DHT ring of the room's tabs (see DhtApi). */
  readonly dht: DhtApi;
  /** What this browser stores: its quota, persistence, the torrents it holds, deleting them. */
  readonly storage: StorageApi;
  /** Upload and download limits in bytes/s (0 or Infinity: unlimited). */
  setRateLimits(limits: { up?: number; down?: number }): void;
  /** For tests and demonstrations of failure. */
  debug: {
    /** Kill the signaling socket as a network drop would; it reconnects by itself. */
    dropSocket(): void;
    /** Send raw text on the signaling socket (to show how the edge treats bad input). */
    sendRaw(text: string): boolean;
    /** Make this peer flip a byte in every block it uploads (to show that bad peers are banned). */
    corruptUploads(on: boolean): void;
    /**
     * Make this peer share and publish names unchecked, as an old or hostile client would (to
     * show that receivers drop only the entry the name rule refuses, and keep the rest).
     */
    uncheckedNames(on: boolean): void;
    /**
     * This tab's DHT signer (its certified key), once the DHT node runs: attack tests sign their
     * own records with it and forge the rest, as a hostile tab could.
     */
    dhtSigner(): Promise<DhtSignerApi>;
  };
}

export type P2PEmitter = Emitter<P2PEvents>;

/** One file of a multi-file share: a File (under its webkitRelativePath or name), or content with its path in the set. */
export type ShareItem = File | { path: string; blob: Blob };

/** Options of `p2p.share`. */
export interface ShareOptions {
  /** Abort to cancel the share: nothing of the file is kept. */
  signal?: AbortSignal;
  /** Called as pieces are hashed and stored: `bytes` of `total` done. */
  onProgress?: (p: { bytes: number; total: number }) => void;
  /** Super-seed it (BEP 16, see TorrentHandle.superSeed); default true: a new share has no other seeder yet. */
  superSeed?: boolean;
}

/** A file shared by `p2p.share`. */
export interface SharedFile {
  infoHash: string;
  magnet: string;
  /** The name it is shared under (after cleaning). */
  name: string;
  /** What cleaning changed ("control characters removed, shortened to 255 characters"); absent when nothing. */
  renamed?: string;
}

// The discovery mechanisms own their search types (client/discovery/discovery.ts).
export type { SearchVia, SearchOptions, SearchHit } from './discovery/discovery';

// The overlays and the DHT own the types of what they offer (client/overlay/overlay-types.ts, client/dht/dht-api.ts).
export type { OverlayNodeView, OverlayEdgeView, OverlaySnapshot, OverlayStats, OverlayControl, GnutellaControl, SuperPeerControl, OverlayApi } from './overlay/overlay-types';
export type { DhtNodeRef, DhtRingView, DhtStats, DhtSignerApi, DhtApiError, DhtErrorCode, DhtApi } from './dht/dht-api';
declare global {
  interface Window {
    p2p: P2P;
  }
}
