import type { Gateway } from './objects/gateway';
import type { Index } from './objects/index-shard';
import type { Lobby } from './objects/lobby';
import type { Swarm } from './objects/swarm';
import type { PresenceTuning } from './core/presence';
import { PRESENCE } from '../protocol/constants';

export interface Env {
  GATEWAY: DurableObjectNamespace<Gateway>;
  LOBBY: DurableObjectNamespace<Lobby>;
  SWARM: DurableObjectNamespace<Swarm>;
  INDEX: DurableObjectNamespace<Index>;
  ASSETS: Fetcher;
  /** How many Gateway shards terminate the peers' sockets (1 by default). */
  GATEWAY_SHARDS?: string;
  /** How many Index shards (by keyword hash) each room's Napster directory has (1 if unset). */
  INDEX_SHARDS?: string;
  /** HMAC secret for peer-id tokens (`wrangler secret put IDENTITY_SECRET`). */
  IDENTITY_SECRET?: string;
  STUN_URLS?: string;
  /**
   * "1": a room's first socket may ask for smaller presence sizes than PRESENCE's, with
   * `full=N` and `view=K` in the /ws URL (the tests use it to make small rooms behave as large
   * ones). Unset in production: every room uses PRESENCE.
   */
  ROOM_TUNING?: string;
  TURN_URLS?: string;
  TURN_USERNAME?: string;
  TURN_CREDENTIAL?: string;
}

/** The presence sizes a joiner asked for, when the edge allows it (ROOM_TUNING=1); clamped to PRESENCE. */
export function roomTuning(env: Env, params: URLSearchParams): PresenceTuning | undefined {
  if (env.ROOM_TUNING !== '1') return undefined;
  const size = (name: string, max: number) => {
    const v = Number(params.get(name));
    return Number.isInteger(v) && v >= 1 && v <= max ? v : max;
  };
  if (!params.has('full') && !params.has('view')) return undefined;
  return { fullUpTo: size('full', PRESENCE.fullUpTo), view: size('view', PRESENCE.view) };
}

/** The Gateway shard that holds peer sockets of shard `n`. */
export function gatewayStub(env: Env, shard: number): DurableObjectStub<Gateway> {
  return env.GATEWAY.get(env.GATEWAY.idFromName(`gateway-${shard}`));
}

export function lobbyStub(env: Env, room: string): DurableObjectStub<Lobby> {
  return env.LOBBY.get(env.LOBBY.idFromName(`room-${room}`));
}

/** The tracker of one torrent, by hex info hash. */
export function swarmStub(env: Env, infoHash: string): DurableObjectStub<Swarm> {
  return env.SWARM.get(env.SWARM.idFromName(`swarm-${infoHash}`));
}

/** One shard of a room's Napster index. */
export function indexStub(env: Env, room: string, shard: number): DurableObjectStub<Index> {
  return env.INDEX.get(env.INDEX.idFromName(`index-${room}-${shard}`));
}
