/**
 * The DHT of one tab, as window.p2p.dht shows it: starts the Chord node once the edge has named
 * the tab (its share lives in an IndexedDB store of that room and peer id), validates what the
 * user puts, and keeps the search records: keyword -> files and info hash -> holders, so that a
 * search works with the edge's index down.
 */
import { fileRecordMember, parseFileRecordMember, type FileRecord } from '../../protocol/file-record';
import { checkKey, checkValue, DHT_LIMITS, keyId, type DhtOp } from '../../protocol/dht';
import { keywords } from '../../protocol/keywords';
import type { OverlayFile } from '../../protocol/overlay';
import { queryWords } from '../../protocol/signaling';
import { PEER_ID_RE } from '../../protocol/constants';
import type { SearchHit } from '../discovery/discovery';
import type { DhtApi, DhtNodeRef, DhtRingView } from './dht-api';
import { DhtSigner, DhtVerifier, type Certificate, type PeerKeys } from './dht-crypto';
import { DhtNode, type DhtNodeOptions, type RouteResult } from './dht-node';
import { DhtStore } from './dht-store';

/** Search records are published again this often, and expire after FILE_TTL / HOLDER_TTL. */
export const REPUBLISH_MS = 60_000;
const HOLDER_TTL_MS = 3 * 60_000;
const FILE_TTL_MS = 10 * 60_000;
/** Keywords of a file name that get a DHT record. */
const WORDS_PER_FILE = 8;
/** Files a DHT search looks up holders for. */
const MAX_RESULTS = 20;

export interface DhtServiceOptions extends Pick<DhtNodeOptions, 'links' | 'online' | 'mayLink' | 'fingers'> {
  room: string;
  files: () => OverlayFile[];
  /** Opens the node's share (the browser: IndexedDB; tests of the glue may pass memory). */
  openStore?: (room: string, peer: string) => Promise<DhtStore>;
  /** This tab's key pair (its public key is what the edge certifies). */
  keys: () => Promise<PeerKeys>;
}

export class DhtService {
  node: DhtNode | null = null;
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => {};
  private starting: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private signer: DhtSigner | null = null;
  private cert: Certificate | null = null;
  private certWaiters: (() => void)[] = [];
  /** The last ts this tab put per key: two puts in one millisecond still order. */
  private readonly lastTs = new Map<string, number>();

  constructor(private readonly opts: DhtServiceOptions) {
    this.ready = new Promise((r) => (this.resolveReady = r));
  }

  /** The edge certified this tab's key (after each welcome): sign with it from now on. */
  certified(cert: Certificate): void {
    this.cert = cert;
    if (this.signer?.self === cert.peer) this.signer.certificate = cert;
    for (const w of this.certWaiters.splice(0)) w();
  }

  private async certificate(peer: string): Promise<Certificate> {
    while (this.cert?.peer !== peer) await new Promise<void>((r) => this.certWaiters.push(r));
    return this.cert;
  }

  /** The edge welcomed us as `peer`: wait for the certificate of our key, open our share and join the ring. */
  start(peer: string): Promise<void> {
    if (this.node?.self === peer) return Promise.resolve();
    if (this.starting) return this.starting;
    this.starting = (async () => {
      this.node?.leave();
      const cert = await this.certificate(peer);
      this.signer = new DhtSigner(await this.opts.keys(), cert);
      const open = this.opts.openStore ?? ((room: string, p: string) => DhtStore.openIdb(room, p));
      const store = await open(this.opts.room, peer);
      this.node = new DhtNode({
        self: peer,
        links: this.opts.links,
        online: this.opts.online,
        ...(this.opts.mayLink ? { mayLink: this.opts.mayLink } : {}),
        store,
        verifier: new DhtVerifier(this.opts.room, cert.roomKey),
        ...(this.opts.fingers === false ? { fingers: false } : {}),
      });
      this.node.start();
      this.timer ??= setInterval(() => void this.publish(this.opts.files()), REPUBLISH_MS);
      this.resolveReady();
      this.starting = null;
    })();
    return this.starting;
  }

  onData(from: string, bytes: Uint8Array): void {
    this.node?.onData(from, bytes);
  }

  peerLeft(peer: string): void {
    this.node?.peerLeft(peer);
  }

  leave(): void {
    if (this.timer) clearInterval(this.timer);
    this.node?.leave();
  }

  private disabled = false;

  /** This tab runs no DHT node (a bare peer): operations reject at once. */
  disable(): void {
    this.disabled = true;
  }

  private async live(): Promise<{ node: DhtNode; signer: DhtSigner }> {
    if (this.disabled) throw new Error('this tab runs no DHT node (opened with ?overlays=0)');
    await this.ready;
    return { node: this.node as DhtNode, signer: this.signer as DhtSigner };
  }

  /** Keyword -> file and info hash -> holder records for files this tab holds. */
  async publish(files: OverlayFile[]): Promise<void> {
    const { node, signer } = await this.live();
    const self = node.self;
    const jobs: Promise<unknown>[] = [];
    const add = (key: string, m: string, ttl: number) =>
      jobs.push(signer.member(key, m, Date.now(), ttl).then((member) => node.route({ op: 'add', member }, key)));
    for (const f of files) {
      const member = fileRecordMember(f);
      if ([...member].length > DHT_LIMITS.member) continue;
      for (const w of keywords(f.name).slice(0, WORDS_PER_FILE)) add(`kw:${w}`, member, FILE_TTL_MS);
      add(`holders:${f.infoHash}`, self, HOLDER_TTL_MS);
    }
    await Promise.allSettled(jobs);
  }

  /** A search through the DHT: every word's file list, intersected, then each file's holders. */
  async search(query: string): Promise<SearchHit[]> {
    const words = queryWords(query);
    const { node } = await this.live();
    const t0 = performance.now();
    let messages = 0;
    let maxHops = 0;
    const count = (r: RouteResult) => {
      messages += 2 * r.hops;
      maxHops = Math.max(maxHops, r.hops);
      return r;
    };
    const lists = await Promise.all(words.map((w) => node.route({ op: 'members' }, `kw:${w}`).then(count)));
    let files: Map<string, FileRecord> | null = null;
    for (const l of lists) {
      const here = new Map<string, FileRecord>();
      for (const m of l.members ?? []) {
        const f = parseFileRecordMember(m);
        if (f && (files === null || files.has(f.infoHash))) here.set(f.infoHash, f);
      }
      files = here;
    }
    const found = [...(files ?? new Map<string, FileRecord>()).values()].slice(0, MAX_RESULTS);
    const holders = await Promise.all(found.map((f) => node.route({ op: 'members' }, `holders:${f.infoHash}`).then(count)));
    const ms = Math.round(performance.now() - t0);
    const out: SearchHit[] = [];
    found.forEach((f, i) => {
      const peers = (holders[i]?.members ?? []).filter((p) => PEER_ID_RE.test(p) && p !== node.self);
      if (peers.length > 0) out.push({ ...f, peers, via: 'dht', ms, hops: maxHops, messages });
    });
    return out.sort((a, b) => b.peers.length - a.peers.length || a.name.localeCompare(b.name));
  }

  /** A lookup a caller of the API asked for: counted in the node's lookups and their hops. */
  private async asked(op: DhtOp, key: string | undefined, id?: string): Promise<{ node: DhtNode; r: RouteResult }> {
    const { node } = await this.live();
    const r = await node.route(op, key, id);
    node.stats.lookups++;
    node.stats.lookupHops += r.hops;
    return { node, r };
  }

  /** For window.p2p.debug.dhtSigner (attack tests). */
  async signerForTests(): Promise<DhtSigner> {
    return (await this.live()).signer;
  }

  api(): DhtApi {
    const self = this;
    return {
      get nodeId() {
        return self.node?.id ?? '';
      },
      ready: this.ready,
      async put(key, value) {
        checkKey(key);
        checkValue(value);
        const { signer } = await self.live();
        const ts = Math.max(Date.now(), (self.lastTs.get(key) ?? 0) + 1);
        self.lastTs.set(key, ts);
        const { r } = await self.asked(await signer.put(key, value, ts), key);
        return { owner: r.owner, hops: r.hops, ms: r.ms };
      },
      async get(key) {
        checkKey(key);
        return (await self.asked({ op: 'get' }, key)).r.value ?? null;
      },
      async members(key) {
        checkKey(key);
        return (await self.asked({ op: 'members' }, key)).r.members ?? [];
      },
      async lookup(key) {
        checkKey(key);
        const { node, r } = await self.asked({ op: 'find' }, undefined, keyId(key));
        return { owner: r.owner, hops: r.hops, ms: r.ms, replicas: [r.owner, ...(r.successors ?? [])].slice(0, node.r) };
      },
      localKeys() {
        const node = self.node;
        if (!node) return [];
        return node.records().map((r) => ({ key: r.key, id: r.id, owned: node.owns(r.id) }));
      },
      ring: () => self.ringView(),
      stats() {
        const node = self.node;
        const s = node?.stats;
        return {
          nodeId: node?.id ?? '',
          keysHeld: node?.records().length ?? 0,
          keysOwned: node ? node.records().filter((r) => node.owns(r.id)).length : 0,
          lookups: s?.lookups ?? 0,
          avgHops: s && s.lookups > 0 ? s.lookupHops / s.lookups : 0,
          routed: s?.routed ?? 0,
          replicasSent: s?.replicasSent ?? 0,
          handedOver: s?.handedOver ?? 0,
          badMessages: s?.badMessages ?? 0,
          refused: {
            budget: s?.refusedBudget ?? 0,
            range: s?.refusedRange ?? 0,
            signature: s?.refusedSignature ?? 0,
            rule: s?.refusedRule ?? 0,
            writes: s?.refusedWrites ?? 0,
          },
          failures: s?.failures ?? 0,
          loaded: node?.loaded ?? 0,
        };
      },
    };
  }

  ringView(): DhtRingView | null {
    const node = this.node;
    if (!node) return null;
    const ref = (id: string): DhtNodeRef => {
      const held = node.heldAt(id);
      return { peer: node.peer(id), id, ...(held !== undefined ? { held } : {}) };
    };
    const fingers = [...new Set(node.chord.fingers.filter((f): f is string => f !== null))];
    const all = new Set([node.id, ...node.chord.successors, ...node.predecessors(), ...fingers]);
    if (node.chord.predecessor) all.add(node.chord.predecessor);
    return {
      self: ref(node.id),
      predecessor: node.chord.predecessor ? ref(node.chord.predecessor) : null,
      successors: node.chord.successors.map(ref),
      predecessors: node.predecessors().map(ref),
      fingers: fingers.map(ref),
      nodes: [...all].sort().map(ref),
      held: node.records().length,
      owned: node.records().filter((r) => node.owns(r.id)).length,
    };
  }
}
