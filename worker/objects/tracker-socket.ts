/**
 * The tracker side of a Gateway: messages of a WebTorrent tracker socket (`/announce`), parsed
 * here, checked against the socket's budgets (worker/core/tracker-budget.ts), and handed to the
 * Swarm of their info hash. Bad input and spent budgets get a `failure reason`. Nothing here
 * creates a Swarm for a request that does not announce: a scrape asks only swarms that have
 * members, and an answer or a `stopped` is taken only in a swarm this socket is in.
 */
import { ProtocolError } from '../../protocol/errors';
import { ANNOUNCE_INTERVAL, failure, hexToBinary, parseTrackerRequest, type TrackerResponse } from '../../protocol/tracker';
import { joinRateRefusal, peerIdRefusal, scrapeCost, swarmRefusal } from '../core/tracker-budget';
import { swarmStub, type Env } from '../env';
import type { SwarmCounts } from './swarm';

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
