/**
 * The tracker side of a Gateway: WebTorrent tracker sockets (`/announce`). Their messages are
 * parsed here, checked against the socket's budgets (worker/core/tracker-budget.ts), and handed
 * to the Swarm of their info hash. Bad input and spent budgets get a `failure reason`. Nothing
 * here creates a Swarm for a request that does not announce: a scrape asks only swarms that have
 * members, and an answer or a `stopped` is taken only in a swarm this socket is in. The gateway
 * remembers, in its SQLite, which swarms each of its tracker sockets is in, so that a close
 * leaves them.
 */
import { CLOSE_CODES } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { ANNOUNCE_INTERVAL, failure, hexToBinary, parseTrackerRequest, type TrackerResponse } from '../../protocol/tracker';
import { TRACKER_LIMITS, joinRateRefusal, peerIdRefusal, scrapeCost, swarmRefusal } from '../core/tracker-budget';
import { bucketOf, type LimitVerdict, type TokenBucket } from '../core/rate-limit';
import type { SwarmCounts } from '../core/tracker';
import { gatewayStub, swarmStub, type Env } from '../env';
import { LIMIT_RATE, TrackerSocket, acceptSocket, countError, socketsOf, type GatewayParts } from './edge-socket';

export class TrackerHandler {
  /** Relayed-offer and swarm-join buckets of addresses (in memory: a restart refills them). */
  private readonly addressOffers = new Map<string, TokenBucket>();
  private readonly addressJoins = new Map<string, TokenBucket>();
  private readonly sql: SqlStorage;

  constructor(private readonly gw: GatewayParts) {
    this.sql = gw.ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS tracker_swarms (sock TEXT NOT NULL, info_hash TEXT NOT NULL, PRIMARY KEY (sock, info_hash))');
    this.sql.exec('CREATE INDEX IF NOT EXISTS tracker_swarms_by_hash ON tracker_swarms (info_hash)');
  }

  /** A routed `/announce` upgrade: at most TRACKER_LIMITS.socketsPerAddress sockets per address. */
  accept(request: Request): Response {
    const addr = (request.headers.get('x-addr') ?? '').slice(0, 64);
    if (this.gw.ctx.getWebSockets(`addr:${addr}`).length >= TRACKER_LIMITS.socketsPerAddress) {
      countError(this.gw.counters, 'tracker-sockets-per-address');
      return Response.json({ 'failure reason': `too many tracker connections from this address (at most ${TRACKER_LIMITS.socketsPerAddress})` }, { status: 429 });
    }
    const pair = new WebSocketPair();
    const sock = new TrackerSocket(pair[1], {
      kind: 'tracker',
      sock: crypto.randomUUID(),
      shard: Number(request.headers.get('x-shard')),
      shards: Number(request.headers.get('x-shards')),
      since: Date.now(),
      addr,
      peerIds: [],
    });
    acceptSocket(this.gw.ctx, sock, ['tracker', `sock:${sock.att.sock}`, `addr:${addr}`]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** A message of the socket (`verdict`: the socket's limiter's, already taken for it). */
  async message(sock: TrackerSocket, message: string | ArrayBuffer, verdict: LimitVerdict): Promise<void> {
    if (verdict !== 'ok') {
      countError(this.gw.counters, 'rate-limited');
      sock.send(failure(`rate limit exceeded: at most ${LIMIT_RATE} messages per second`));
      if (verdict === 'close') {
        sock.close(CLOSE_CODES.rateLimited, 'rate limit exceeded');
        await this.leave(sock);
      }
      return;
    }
    if (typeof message !== 'string') {
      sock.send(failure('binary messages are not accepted'));
      return;
    }
    try {
      await onTrackerMessage(this.context(sock), message);
    } catch (err) {
      console.error('tracker message failed', err);
      countError(this.gw.counters, 'internal');
      sock.send(failure('the tracker could not handle this message; try again'));
    }
  }

  private context(sock: TrackerSocket): TrackerSocketContext {
    const { att, addr } = sock;
    const sql = this.sql;
    return {
      env: this.gw.env,
      sock: att.sock,
      shard: att.shard,
      send: (msg) => sock.send(msg),
      joined: (infoHash, member) => {
        if (member) sql.exec('INSERT OR IGNORE INTO tracker_swarms (sock, info_hash) VALUES (?, ?)', att.sock, infoHash);
        else sql.exec('DELETE FROM tracker_swarms WHERE sock = ? AND info_hash = ?', att.sock, infoHash);
      },
      isMember: (infoHash) => sql.exec('SELECT 1 FROM tracker_swarms WHERE sock = ? AND info_hash = ?', att.sock, infoHash).toArray().length > 0,
      swarms: () => sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM tracker_swarms WHERE sock = ?', att.sock).one().n,
      peerIds: () => att.peerIds,
      addPeerId: (peerId) => sock.addPeerId(peerId),
      admitJoin: () => bucketOf(this.addressJoins, addr, TRACKER_LIMITS.addressJoinBurst, TRACKER_LIMITS.addressJoinsPerSecond, Date.now()).take(Date.now()),
      grantOffers: (n) => sock.offerBudget(this.addressOffers, TRACKER_LIMITS).grant(Date.now(), n),
      refundOffers: (n) => sock.offerBudget(this.addressOffers, TRACKER_LIMITS).refund(n),
      charge: (cost) => sock.limiter.charge(Date.now(), cost) === 'ok',
      liveSwarms: async (infoHashes) => {
        const shards = Number.isInteger(att.shards) && att.shards > 0 ? att.shards : 1;
        const lists = await Promise.all(Array.from({ length: shards }, (_, i) => gatewayStub(this.gw.env, i).trackerSwarms(infoHashes)));
        return new Set(lists.flat());
      },
      count: (code, n) => countError(this.gw.counters, code, n),
      relayed: (n) => (this.gw.counters.offersRelayed += n),
    };
  }

  /** The socket closed: it leaves its swarms (and its address's buckets go with its last socket). */
  async leave(sock: TrackerSocket): Promise<void> {
    const { addr, sock: id } = sock.att;
    if (this.gw.ctx.getWebSockets(`addr:${addr}`).every((s) => s === sock.ws)) {
      this.addressOffers.delete(addr);
      this.addressJoins.delete(addr);
    }
    const rows = this.sql.exec<{ info_hash: string }>('DELETE FROM tracker_swarms WHERE sock = ? RETURNING info_hash', id).toArray();
    await Promise.all(rows.map((r) => swarmStub(this.gw.env, r.info_hash).leave(id)));
  }

  /** Which of `infoHashes` have a member among this shard's tracker sockets. */
  swarms(infoHashes: string[]): string[] {
    const list = infoHashes.slice(0, 100);
    if (list.length === 0) return [];
    return this.sql
      .exec<{ info_hash: string }>(`SELECT DISTINCT info_hash FROM tracker_swarms WHERE info_hash IN (${list.map(() => '?').join(',')})`, ...list)
      .toArray()
      .map((r) => r.info_hash);
  }

  /** Send a tracker message to tracker socket `id`; false when it is gone. */
  deliver(id: string, text: string): boolean {
    const sockets = socketsOf(this.gw.ctx, 'tracker', `sock:${id}`);
    for (const s of sockets) s.sendText(text);
    return sockets.length > 0;
  }
}

export interface TrackerSocketContext {
  env: Env;
  sock: string;
  shard: number;
  send: (msg: TrackerResponse) => void;
  /** Remember (or forget) that this socket is in a swarm, so that its close leaves it. */
  joined: (infoHash: string, member: boolean) => void;
  /** Whether this socket is in the swarm of `infoHash`. */
  isMember: (infoHash: string) => boolean;
  /** How many swarms this socket is in. */
  swarms: () => number;
  /** The peer ids this socket has announced as. */
  peerIds: () => readonly string[];
  /** A peer id this socket now announces as. */
  addPeerId: (peerId: string) => void;
  /** Spend one of the address's swarm joins; false when they are spent. */
  admitJoin: () => boolean;
  /** How many of `n` offers may be relayed now (the socket's and its address's budgets). */
  grantOffers: (n: number) => number;
  /** Give back offers granted but not relayed (nobody to relay them to). */
  refundOffers: (n: number) => void;
  /** Spend `cost` more messages of the socket's limit; false when it is spent. */
  charge: (cost: number) => boolean;
  /** Which of `infoHashes` have a member on any gateway shard. */
  liveSwarms: (infoHashes: string[]) => Promise<Set<string>>;
  /** Count a refusal or a drop by kind, for /api/stats. */
  count: (code: string, n?: number) => void;
  /** Count offers relayed to other peers, for /api/stats. */
  relayed: (n: number) => void;
}

const EMPTY: SwarmCounts = { complete: 0, incomplete: 0, downloaded: 0 };

export async function onTrackerMessage(c: TrackerSocketContext, text: string): Promise<void> {
  let req;
  try {
    req = parseTrackerRequest(text);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    c.count(err.code);
    c.send(failure(err.message));
    return;
  }
  switch (req.action) {
    case 'announce': {
      const member = c.isMember(req.infoHash);
      const refusal = peerIdRefusal(c.peerIds(), req.peerId)
        ?? (member ? null : req.event === 'stopped' ? 'not in this swarm on this connection' : swarmRefusal(c.swarms()) ?? (c.admitJoin() ? null : joinRateRefusal()));
      if (refusal) {
        c.count('tracker-refused');
        c.send(failure(refusal, 'announce', req.infoHash));
        return;
      }
      // Taken before the Swarm is asked: messages of one socket interleave at every await, and
      // each must see the peer ids, swarms and offers of those before it.
      c.addPeerId(req.peerId);
      if (!member && req.event !== 'stopped') c.joined(req.infoHash, true);
      const granted = c.grantOffers(req.offers.length);
      if (granted < req.offers.length) c.count('offers-dropped', req.offers.length - granted);
      const res = await swarmStub(c.env, req.infoHash).announce({ ...req, offers: req.offers.slice(0, granted), sock: c.sock, shard: c.shard });
      if (!res.ok) {
        c.refundOffers(granted);
        if (!member && req.event !== 'stopped') c.joined(req.infoHash, false);
        c.send(failure(res.reason, 'announce', req.infoHash));
        return;
      }
      c.refundOffers(granted - res.relayed);
      c.relayed(res.relayed);
      if (req.event === 'stopped') c.joined(req.infoHash, false);
      c.send({ action: 'announce', info_hash: hexToBinary(req.infoHash), interval: ANNOUNCE_INTERVAL, complete: res.complete, incomplete: res.incomplete });
      return;
    }
    case 'answer': {
      if (!c.isMember(req.infoHash) || !c.peerIds().includes(req.peerId)) {
        c.count('tracker-refused');
        c.send(failure('announce in this swarm on this connection before answering its offers', 'announce', req.infoHash));
        return;
      }
      const reason = await swarmStub(c.env, req.infoHash).answer({ ...req, sock: c.sock });
      if (reason) c.send(failure(reason, 'announce', req.infoHash));
      return;
    }
    case 'scrape': {
      if (!c.charge(scrapeCost(req.infoHashes.length) - 1)) {
        c.count('rate-limited');
        c.send(failure(`rate limit exceeded: a scrape of ${req.infoHashes.length} info hashes counts as ${scrapeCost(req.infoHashes.length)} messages`, 'scrape'));
        return;
      }
      // Only swarms that someone is in are asked; any other info hash is unknown: zeros.
      const live = await c.liveSwarms(req.infoHashes);
      const files: Record<string, SwarmCounts> = {};
      await Promise.all(
        req.infoHashes.map(async (h) => {
          files[hexToBinary(h)] = live.has(h) ? await swarmStub(c.env, h).scrape() : EMPTY;
        }),
      );
      c.send({ action: 'scrape', files, flags: { min_request_interval: ANNOUNCE_INTERVAL } });
      return;
    }
  }
}
