/** Builds one peer: the signaling socket, the link manager, presence, and the window.p2p API. */
import { PRESENCE } from '../protocol/constants';
import { ProtocolError } from '../protocol/errors';
import type { P2P, P2PEvents, P2PStats, ShareItem } from './api';
import { planShare } from './bittorrent/share-plan';
import { TorrentClient } from './bittorrent/client';
import { handleOf } from './bittorrent/torrent-handle';
import type { KV } from './store/kv';
import type { PieceFiles } from './store/piece-files';
import { IndexClient } from './napster/index-client';
import { cleanFileName, indexableName } from '../protocol/file-name';
import { Emitter } from './core/emitter';
import { LinkManager } from './net/link-manager';
import { SignalingSocket, type IdentityStore } from './net/signaling-socket';
import { OVERLAY_CHANNELS, type OverlayFile } from '../protocol/overlay';
import { Gnutella } from './gnutella/gnutella';
import { SuperPeerTier } from './superpeer/superpeer';
import { overlayApi, OverlaySearches } from './overlay/overlay-api';
import { DhtService } from './dht/dht-service';
import { createStorageApi } from './storage/storage-api';
import { loadKeys, saveKeys, type PeerKeys } from './dht/dht-crypto';
import { DHT_CHANNEL } from '../protocol/dht';
import { DiscoveryRegistry } from './discovery/discovery';
import { dhtDiscovery, gnutellaDiscovery, napsterDiscovery, superPeerDiscovery } from './discovery/engines';

export interface PeerOptions {
  wsUrl: string;
  room: string;
  identity: IdentityStore;
  iceServers: RTCIceServer[];
  trackerUrl: string;
  kv: KV;
  /** Where the pieces' bytes live (client/store/content-files.ts). */
  files: PieceFiles;
  /** Upload bandwidth this tab declares to the edge for super-peer election, bytes/s. */
  bandwidth?: number;
  /**
   * false: a bare peer (links, torrents and Napster only; no Gnutella, super-peer tier or DHT),
   * for a room of bare peers: diagnostics, and benchmarks of links without background traffic.
   */
  overlays?: boolean;
  /** false: the DHT node keeps no finger table (benchmarks compare lookups with and without). */
  dhtFingers?: boolean;
  /** Gnutella target degree (default 3-5; min 0: no automatic neighbours). */
  degree?: { min: number; max?: number };
}

/** How often a tab reports its capacity (links, declared bandwidth) to the edge. */
const CAPACITY_MS = 30_000;
/** Declared upload bandwidth when the page does not say (bytes/s). */
const DEFAULT_BANDWIDTH = 1_000_000;

export function createPeer(opts: PeerOptions): P2P {
  const overlaysOn = opts.overlays !== false;
  const events = new Emitter<P2PEvents>();
  const online = new Set<string>();
  let id = '';
  let shard = 0;
  let shards = 1;
  let resolveReady: (id: string) => void = () => {};
  const ready = new Promise<string>((r) => (resolveReady = r));

  // The DHT key pair of this tab's identity (a reload keeps both); the edge certifies its public key.
  let keys: PeerKeys | null = null;
  const keysReady = loadKeys(opts.identity.load()?.id ?? null).then((k) => (keys = k));
  const socket = new SignalingSocket({ url: opts.wsUrl, room: opts.room, identity: opts.identity, publicKey: () => keys?.pk ?? null });
  const links = new LinkManager({
    selfId: () => id,
    signal: (to, data) => socket.send({ type: 'signal', to, data }),
    iceServers: opts.iceServers,
  });

  socket.on('state', (s) => events.emit('state', s));
  socket.on('error', (err) =>
    events.emit('error', { message: err.message, ...(err instanceof ProtocolError ? { code: err.code } : {}) }),
  );
  socket.on('welcome', (w) => {
    if (id && id !== w.id) {
      // We became a new peer (our old id was taken over): old links belong to the old identity.
      links.closeAll();
    } else if (id) {
      // The same peer, back after an outage: attempts begun before it cannot be trusted.
      links.signalingResumed();
    }
    id = w.id;
    if (keys) void saveKeys(w.id, keys);
    shard = w.shard;
    shards = w.shards;
    resolveReady(id);
    if (overlaysOn) reportCapacity();
    discovery.start(id);
  });
  socket.on('message', (msg) => {
    switch (msg.type) {
      case 'roster':
        // A small room's roster is everyone: a peer missing from it left while we were away.
        // A large room's is a sample: one missing from it is only out of our view.
        setCount(msg.count ?? msg.peers.length + 1);
        replaceView(msg.peers, msg.peers.length + 1 < roomCount ? 'view' : 'left');
        return;
      case 'count':
        setCount(msg.count);
        return;
      case 'view':
        setCount(msg.count);
        replaceView(msg.peers, 'view');
        if (overlaysOn) tier.setSupers(msg.supers);
        return;
      case 'peer-join':
        if (msg.count !== undefined) setCount(msg.count);
        join(msg.id);
        return;
      case 'cert':
        dht.certified({ peer: id, cert: msg.cert, roomKey: msg.roomKey });
        return;
      case 'peer-leave':
        if (msg.count !== undefined) setCount(msg.count);
        leave(msg.id);
        return;
      case 'signal':
        if (bt.relay.claims(msg.data)) bt.relay.onSignal(msg.from, msg.data);
        else links.onSignal(msg.from, msg.data);
        return;
      case 'bootstrap':
        if (overlaysOn) gnutella.addCandidates(msg.peers, 'bootstrap');
        return;
      case 'supers':
        if (overlaysOn) tier.setSupers(msg.supers);
        return;
      default:
        return;
    }
  });
  function join(p: string): void {
    if (p === id) return;
    departed.delete(p);
    if (online.has(p)) return;
    online.add(p);
    events.emit('peer-join', { id: p });
  }
  /** Peers seen leaving the room (the most recent ones): no link is opened to them. */
  const departed = new Set<string>();
  function leave(p: string): void {
    departed.add(p);
    if (departed.size > 1_000) departed.delete(departed.values().next().value as string);
    if (!online.delete(p)) return;
    links.peerGone(p);
    discovery.peerLeft(p);
    events.emit('peer-leave', { id: p, reason: 'left' });
  }
  /** Our view becomes `peers`; the others left the room (`left`) or are only out of view (`view`: links to them stay). */
  function replaceView(peers: readonly string[], others: 'left' | 'view'): void {
    const now = new Set(peers);
    for (const p of [...online]) {
      if (now.has(p)) continue;
      if (others === 'left') leave(p);
      else if (online.delete(p)) events.emit('peer-leave', { id: p, reason: 'view' });
    }
    for (const p of peers) join(p);
  }
  /** Members of the room online, this tab included (the edge's count). */
  let roomCount = 1;
  let viewTimer: ReturnType<typeof setTimeout> | null = null;
  function setCount(n: number): void {
    if (n !== roomCount) {
      roomCount = n;
      events.emit('room', { count: n, partial: isPartial() });
    }
    scheduleViewRefresh();
  }
  /** A large room: this tab sees a partial view of it. */
  function isPartial(): boolean {
    return roomCount > online.size + 1;
  }
  /** In a large room, ask for a fresh view now and then (jittered, so a crowd does not ask at once). */
  function scheduleViewRefresh(): void {
    if (viewTimer || !isPartial()) return;
    viewTimer = setTimeout(() => {
      viewTimer = null;
      if (socket.state === 'open' && isPartial()) socket.send({ type: 'view' });
      scheduleViewRefresh();
    }, Math.max(PRESENCE.refreshMs, (1000 * roomCount) / PRESENCE.refreshesPerSecond) * (0.75 + Math.random() / 2));
  }

  links.on('link-open', (e) => events.emit('link-open', e));
  links.on('link-close', (e) => events.emit('link-close', e));
  links.on('data', (e) => events.emit('data', e));
  links.on('bad-signal', ({ from, error }) => events.emit('error', { message: `bad signal from ${from}: ${error.message}` }));

  const bt = new TorrentClient(opts.trackerUrl, opts.kv, opts.files, opts.iceServers, (to, data) => socket.send({ type: 'signal', to, data }));
  bt.on('error', ({ message }) => events.emit('error', { message }));
  // What this tab publishes of a torrent (Napster, Gnutella, super-peers, DHT): its name as the
  // name rule cleans it, so that a torrent named by someone else (a magnet's dn=, a WebTorrent
  // client's metainfo) is published too; a name without a letter or digit is not published.
  let uncheckedNames = false;
  const publishedFile = (infoHash: string): OverlayFile | null => {
    const t = bt.torrents.get(infoHash);
    const name = t && (uncheckedNames ? t.name : indexableName(t.name));
    return t && name ? { infoHash, name, size: t.info?.length ?? 0 } : null;
  };
  const overlayFiles = (): OverlayFile[] => bt.complete().flatMap((t) => publishedFile(t.infoHash) ?? []);
  const napster = new IndexClient(socket, overlayFiles, (count, reason) =>
    events.emit('error', { message: `the Napster index left out ${count === 1 ? '1 file' : `${count} files`} of a publish: ${reason}` }),
  );

  // Gnutella and the super-peer tier share the tab's peer links, each on its own channel.
  const gnutella = new Gnutella({
    selfId: () => id,
    links,
    online: () => online,
    requestBootstrap: () => socket.send({ type: 'bootstrap' }),
    files: overlayFiles,
  });
  if (opts.degree) gnutella.setDegree(opts.degree);
  const tier = new SuperPeerTier({ selfId: () => id, links, files: overlayFiles });
  links.on('data', ({ from, channel, bytes }) => {
    if (!overlaysOn) return;
    if (channel === OVERLAY_CHANNELS.gnutella) gnutella.node.onData(from, bytes);
    else if (channel === OVERLAY_CHANNELS.superpeer) tier.node.onData(from, bytes);
    else if (channel === DHT_CHANNEL) dht.onData(from, bytes);
  });
  const dht = new DhtService({
    room: opts.room,
    links,
    online: () => online,
    // A large room: ring neighbours are often outside our view; any peer not seen leaving will do.
    mayLink: (p) => online.has(p) || (isPartial() && !departed.has(p)),
    files: overlayFiles,
    keys: () => keysReady,
    ...(opts.dhtFingers === false ? { fingers: false } : {}),
  });
  const searches = new OverlaySearches(() => id, gnutella, tier);
  // The four discovery mechanisms, fed from one list of what the tab holds (overlayFiles): each
  // complete torrent is published, and withdrawn when removed. A bare peer has Napster only.
  const discovery = new DiscoveryRegistry()
    .add(napsterDiscovery(napster))
    .add(gnutellaDiscovery(gnutella, searches), overlaysOn)
    .add(superPeerDiscovery(tier, searches), overlaysOn)
    .add(dhtDiscovery(dht, overlayFiles, (message) => events.emit('error', { message })), overlaysOn);
  bt.on('complete', ({ infoHash }) => {
    const f = publishedFile(infoHash);
    if (f) discovery.filesChanged([f], []);
  });
  bt.on('removed', ({ infoHash }) => discovery.filesChanged([], [infoHash]));
  const overlay = overlayApi(() => id, gnutella, tier, () => overlayFiles().length);
  function reportCapacity(): void {
    socket.send({ type: 'capacity', bandwidth: Math.round(opts.bandwidth ?? DEFAULT_BANDWIDTH), links: links.links().length });
  }
  if (!overlaysOn) dht.disable();
  const capacityTimer = setInterval(() => overlaysOn && reportCapacity(), CAPACITY_MS);

  // Connect once the key pair is loaded (a tab without Web Crypto connects without one: no DHT).
  void keysReady.then(
    () => socket.start(),
    () => socket.start(),
  );
  addEventListener('pagehide', () => {
    clearInterval(capacityTimer);
    if (viewTimer) clearTimeout(viewTimer);
    viewTimer = null;
    discovery.stop();
    links.closeAll();
    bt.destroy();
    socket.stop();
  });

  async function linkTo(peer: string) {
    try {
      return await links.connect(peer);
    } catch (err) {
      events.emit('error', { message: (err as Error).message });
      throw err;
    }
  }

  const api: P2P = {
    get id() {
      return id;
    },
    room: opts.room,
    ready,
    state: () => socket.state,
    peers: () => [...online],
    roomSize: () => roomCount,
    connect: async (peer) => {
      await linkTo(peer);
    },
    disconnect: (peer) => links.close(peer),
    send: async (peer, channel, bytes) => {
      const link = links.get(peer) ?? (await linkTo(peer));
      await link.send(channel, bytes);
    },
    on: (event, fn) => events.on(event, fn),
    stats(): P2PStats {
      const ls = links.links().map((l) => ({
        peer: l.remoteId,
        state: l.state,
        initiator: l.initiator,
        bytesIn: l.bytesIn,
        bytesOut: l.bytesOut,
        msgsIn: l.msgsIn,
        msgsOut: l.msgsOut,
        buffered: l.buffered(),
        openedAt: l.openedAt,
      }));
      return {
        id,
        room: opts.room,
        state: socket.state,
        shard,
        shards,
        peers: online.size,
        links: ls,
        signaling: { ...socket.counters },
        linkCounters: { ...links.counters },
        napster: { ...napster.counters },
        torrentConnections: { ...bt.guard.stats(), refusedByThem: bt.relay.refusedByThem },
        bytesIn: ls.reduce((a, l) => a + l.bytesIn, 0),
        bytesOut: ls.reduce((a, l) => a + l.bytesOut, 0),
      };
    },
    setLinkOptions({ maxLinks, idleMs }) {
      if (maxLinks !== undefined) links.maxLinks = maxLinks;
      if (idleMs !== undefined) links.idleMs = idleMs;
    },
    share: async (file, name, shareOpts) => {
      if (Array.isArray(file)) {
        const items = file as readonly ShareItem[];
        const entries = items.map((x) => (x instanceof File ? { path: x.webkitRelativePath || x.name, blob: x as Blob } : { path: x.path, blob: x.blob }));
        const plan = uncheckedNames
          ? { name: name ?? 'files', files: entries.map((e, source) => ({ path: e.path.split('/'), length: e.blob.size, source })), changes: [] as string[] }
          : planShare(entries.map((e) => ({ path: e.path, size: e.blob.size })), name);
        const sources = plan.files.map((f) => ({ path: f.path, blob: (entries[f.source] as { blob: Blob }).blob }));
        const shared = await bt.share(sources, plan.name, shareOpts);
        return { ...shared, name: plan.name, ...(plan.changes.length ? { renamed: plan.changes.join(', ') } : {}) };
      }
      const given = name ?? (file instanceof File ? file.name : 'file.bin');
      // Checked once, here, with the rule every receiver's parsers apply.
      const cleaned = uncheckedNames ? { name: given, changes: [] } : cleanFileName(given);
      const shared = await bt.share(file as Blob | Uint8Array, cleaned.name, shareOpts);
      return { ...shared, name: cleaned.name, ...(cleaned.changes.length ? { renamed: cleaned.changes.join(', ') } : {}) };
    },
    download: async (magnet, dlOpts) => handleOf(await bt.download(magnet, dlOpts), bt),
    torrents: () => [...bt.torrents.values()].map((t) => handleOf(t, bt)),
    setRateLimits: (limits) => bt.setRateLimits(limits),
    overlay,
    dht: dht.api(),
    storage: createStorageApi(bt),
    search: (query, searchOpts) => discovery.search(query, searchOpts),
    debug: {
      dropSocket: () => socket.drop(),
      sendRaw: (text) => socket.sendRaw(text),
      corruptUploads: (on) => {
        bt.corruptUploads = on;
      },
      uncheckedNames: (on) => {
        uncheckedNames = on;
      },
      dhtSigner: () => dht.signerForTests(),
    },
  };
  return api;
}
