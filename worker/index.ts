/** The edge: routing only. The Durable Objects do the work. */
import { Hono } from 'hono';
import { nanoid } from 'nanoid';
import { DEFAULT_ROOM, PEER_ID_RE, ROOM_RE } from '../protocol/constants';
import { gatewayStub, indexStub, lobbyStub, type Env } from './env';
import { iceServers } from './core/ice';
import { resolveIdentity } from './core/identity';
import { shardCount, shardOf } from './core/shard';

export { Gateway } from './objects/gateway';
export { Lobby } from './objects/lobby';
export { Swarm } from './objects/swarm';
export { Index } from './objects/index-shard';

/** Without a configured secret each isolate signs with its own random one (fine on wrangler dev). */
let ephemeralSecret: string | undefined;
function identitySecret(env: Env): string {
  if (env.IDENTITY_SECRET) return env.IDENTITY_SECRET;
  ephemeralSecret ??= nanoid(43);
  return ephemeralSecret;
}

const app = new Hono<{ Bindings: Env }>();

app.get('/ws', async (c) => {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    return c.json({ error: 'expected a WebSocket upgrade' }, 426);
  }
  const room = c.req.query('room') ?? DEFAULT_ROOM;
  if (!ROOM_RE.test(room)) return c.json({ error: 'room must be 1-64 letters, digits, "-" or "_"' }, 400);
  const ident = await resolveIdentity(
    identitySecret(c.env),
    room,
    c.req.query('id') ?? null,
    c.req.query('token') ?? null,
    () => nanoid(),
    PEER_ID_RE,
  );
  const shards = shardCount(c.env.GATEWAY_SHARDS);
  const shard = shardOf(ident.id, shards);
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-peer-id', ident.id);
  headers.set('x-peer-token', ident.token);
  headers.set('x-room', room);
  headers.set('x-addr', c.req.header('CF-Connecting-IP') ?? '');
  headers.set('x-shard', String(shard));
  headers.set('x-shards', String(shards));
  return gatewayStub(c.env, shard).fetch(new Request(c.req.raw.url, { headers }));
});

/**
 * The BitTorrent tracker (WebTorrent's WebSocket tracker protocol). Tracker clients choose their
 * own peer ids, so their sockets go to a random gateway shard; the Swarm remembers the shard.
 */
app.get('/announce', async (c) => {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    return c.json({ 'failure reason': 'this is a WebSocket tracker: connect with ws:// or wss://' }, 426);
  }
  const shards = shardCount(c.env.GATEWAY_SHARDS);
  const shard = Math.floor(Math.random() * shards);
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-kind', 'tracker');
  // Cloudflare sets CF-Connecting-IP (a client cannot); wrangler dev sets 127.0.0.1 unless the
  // client sent one, which the tests use to give attackers addresses of their own.
  headers.set('x-addr', c.req.header('CF-Connecting-IP') ?? '');
  headers.set('x-shard', String(shard));
  headers.set('x-shards', String(shards));
  return gatewayStub(c.env, shard).fetch(new Request(c.req.raw.url, { headers }));
});

app.get('/api/ice', (c) => c.json({ iceServers: iceServers(c.env) }));

app.get('/api/health', (c) =>
  c.json({
    ok: true,
    shards: shardCount(c.env.GATEWAY_SHARDS),
    indexShards: shardCount(c.env.INDEX_SHARDS),
    identity: c.env.IDENTITY_SECRET ? 'configured' : 'ephemeral',
    time: Date.now(),
  }),
);

app.get('/api/stats', async (c) => {
  const shards = shardCount(c.env.GATEWAY_SHARDS);
  const gateways = await Promise.all(Array.from({ length: shards }, (_, i) => gatewayStub(c.env, i).stats()));
  // `?room=NAME` adds the sizes of that room's Napster index shards and its Lobby's figures.
  const room = c.req.query('room');
  if (room === undefined) return c.json({ shards, gateways });
  if (!ROOM_RE.test(room)) return c.json({ error: 'room must be 1-64 letters, digits, "-" or "_"' }, 400);
  // A read creates nothing: the index of a room nobody is in is not asked (its objects would be made for it).
  const open = (await Promise.all(Array.from({ length: shards }, (_, i) => gatewayStub(c.env, i).hasRoom(room)))).some(Boolean);
  if (!open) return c.json({ shards, gateways, index: [] });
  const [index, lobby] = await Promise.all([
    Promise.all(Array.from({ length: shardCount(c.env.INDEX_SHARDS) }, (_, i) => indexStub(c.env, room, i).stats())),
    lobbyStub(c.env, room).stats(),
  ]);
  return c.json({ shards, gateways, index, lobby });
});

app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'not found' }, 404) : c.env.ASSETS.fetch(c.req.raw)));

app.onError((err, c) => {
  console.error('edge error', err);
  return c.json({ error: 'internal error' }, 500);
});

export default app;
