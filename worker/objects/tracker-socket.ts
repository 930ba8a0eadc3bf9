/**
 * The tracker side of a Gateway: messages of a WebTorrent tracker socket (`/announce`), parsed
 * here and handed to the Swarm of their info hash. Bad input gets a `failure reason`.
 */
import { ProtocolError } from '../../protocol/errors';
import { ANNOUNCE_INTERVAL, failure, hexToBinary, parseTrackerRequest, type TrackerResponse } from '../../protocol/tracker';
import { swarmStub, type Env } from '../env';

export interface TrackerSocketContext {
  env: Env;
  sock: string;
  shard: number;
  send: (msg: TrackerResponse) => void;
  /** Remember (or forget) that this socket is in a swarm, so that its close leaves it. */
  joined: (infoHash: string, member: boolean) => void;
}

export async function onTrackerMessage(c: TrackerSocketContext, text: string): Promise<void> {
  let req;
  try {
    req = parseTrackerRequest(text);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    c.send(failure(err.message));
    return;
  }
  switch (req.action) {
    case 'announce': {
      const res = await swarmStub(c.env, req.infoHash).announce({ ...req, sock: c.sock, shard: c.shard });
      if (!res.ok) {
        c.send(failure(res.reason, 'announce', req.infoHash));
        return;
      }
      c.joined(req.infoHash, req.event !== 'stopped');
      c.send({ action: 'announce', info_hash: hexToBinary(req.infoHash), interval: ANNOUNCE_INTERVAL, complete: res.complete, incomplete: res.incomplete });
      return;
    }
    case 'answer': {
      const reason = await swarmStub(c.env, req.infoHash).answer({ ...req, sock: c.sock });
      if (reason) c.send(failure(reason, 'announce', req.infoHash));
      return;
    }
    case 'scrape': {
      const counts = await Promise.all(req.infoHashes.map((h) => swarmStub(c.env, h).scrape()));
      const files: Record<string, { complete: number; incomplete: number; downloaded: number }> = {};
      req.infoHashes.forEach((h, i) => (files[hexToBinary(h)] = counts[i] ?? { complete: 0, incomplete: 0, downloaded: 0 }));
      c.send({ action: 'scrape', files, flags: { min_request_interval: ANNOUNCE_INTERVAL } });
      return;
    }
  }
}
