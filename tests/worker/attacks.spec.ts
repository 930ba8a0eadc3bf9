/**
 * Attacks on the edge (issue 10), each against the real Durable Objects on wrangler dev over real
 * WebSockets, each asserting what the honest side sees. Attackers pose as client addresses of
 * their own (CF-Connecting-IP), so that the per-address budgets they spend are not the honest
 * sockets' (which all come from 127.0.0.1 here).
 */
import { expect, test } from '@playwright/test';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerMessage } from '../../protocol/signaling';
import { TRACKER_LIMITS, SIGNAL_OFFER_LIMITS } from '../../worker/core/tracker-budget';
import { BASE, TEST_PORT, TestSocket, uniqueRoom } from '../helpers/socket';
import { OFFER, TrackerSocket, bin, isAnnounceReply, isFailure, randomHex, type Json } from '../helpers/tracker-socket';

type Err = Extract<ServerMessage, { type: 'error' }>;
const isScrape = (m: Json) => m.action === 'scrape' || (isFailure(m) && m.action === 'scrape');
const isOffer = (m: Json) => m.offer !== undefined;

/** How many Swarm objects have durable storage in wrangler dev's state directory. */
async function swarmObjects(): Promise<number> {
  const dir = join('.wrangler', `test-state-${TEST_PORT}`, 'v3', 'do', 'edge-p2p-Swarm');
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.sqlite')).length;
  } catch {
    return 0; // no Swarm has stored anything yet
  }
}

/** Tracker offers relayed so far, by the gateways' own count. */
async function offersRelayed(): Promise<number> {
  const stats = (await (await fetch(`${BASE}/api/stats`)).json()) as { gateways: { offersRelayed: number }[] };
  return stats.gateways.reduce((n, g) => n + g.offersRelayed, 0);
}

async function healthMs(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${BASE}/api/health`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
  return performance.now() - t0;
}

/** An honest announce into `ih` and the time its reply took. */
async function honestAnnounceMs(s: TrackerSocket, ih: string, peerId: string, left: number): Promise<number> {
  const t0 = performance.now();
  s.announce(ih, peerId, { left });
  const r = await s.next((m) => isAnnounceReply(m) && m.info_hash === bin(ih));
  expect(r).toMatchObject({ action: 'announce', interval: 120 });
  return performance.now() - t0;
}

test('a scrape flood of random info hashes creates no swarm, and the edge stays healthy for honest peers', async () => {
  const ih = randomHex();
  const seeder = await TrackerSocket.open();
  await honestAnnounceMs(seeder, ih, randomHex(), 0);
  const honest = await TrackerSocket.open();
  const hp = randomHex();
  const baseline = Math.max(await honestAnnounceMs(honest, ih, hp, 100), await healthMs());
  const before = await swarmObjects();
  const tStart = Date.now();

  // Three attacker sockets, 360 scrapes of 100 random hashes each, as fast as they can send.
  const attackers = await Promise.all([1, 2, 3].map((i) => TrackerSocket.open({ addr: `10.66.0.${i}` })));
  let sent = 0;
  for (let round = 0; round < 120; round++) {
    for (const a of attackers) {
      a.send({ action: 'scrape', info_hash: Array.from({ length: 100 }, () => bin(randomHex())) });
      sent++;
    }
  }
  // Meanwhile the honest side: health, an announce, and a scrape of the real swarm mixed with unknown hashes.
  const during = [await healthMs(), await honestAnnounceMs(honest, ih, hp, 50)];
  honest.send({ action: 'scrape', info_hash: [bin(ih), bin(randomHex())] });
  const mine = await honest.next(isScrape);
  const files = mine.files as Record<string, { complete: number; incomplete: number }>;
  expect(files[bin(ih)]).toMatchObject({ complete: 1 });
  expect(Object.values(files).map((f) => f.complete + f.incomplete)).toContain(0);

  // Every attacker scrape got an answer (counts of zeros) or a rate-limit refusal: none hangs.
  await expect.poll(() => attackers.reduce((n, a) => n + a.messages.length, 0), { timeout: 30_000 }).toBe(sent);
  const floodMs = Date.now() - tStart;
  const answered = attackers.flatMap((a) => a.messages.filter((m) => m.action === 'scrape' && !isFailure(m)));
  for (const m of answered) {
    for (const f of Object.values(m.files as Record<string, { complete: number }>)) expect(f).toEqual({ complete: 0, incomplete: 0, downloaded: 0 });
  }
  const refused = attackers.flatMap((a) => a.messages.filter(isFailure));
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.map((m) => m['failure reason'])).toContain('rate limit exceeded: a scrape of 100 info hashes counts as 11 messages');
  // Not one object was made for the 36,000 hashes nobody announced.
  expect(await swarmObjects()).toBe(before);
  const after = [await healthMs(), await honestAnnounceMs(honest, ih, hp, 10)];
  console.log(`scrape flood: ${sent} scrapes answered in ${floodMs} ms; baseline ${baseline.toFixed(0)} ms, during ${during.map((x) => x.toFixed(0)).join('/')} ms, after ${after.map((x) => x.toFixed(0)).join('/')} ms`);
  // The honest requests above all succeeded (health never failed); none waited on the flood for
  // long (the original finding: health failing for 60-90 s). On a loaded 2-core machine the
  // baseline is noisy, so the bound has a floor.
  for (const ms of [...during, ...after]) expect(ms).toBeLessThan(Math.max(2 * baseline, 3_000));
  for (const s of [seeder, honest, ...attackers]) s.close();
});

test('answers and stops for swarms a socket is not in are refused without touching any swarm', async () => {
  const before = await swarmObjects();
  const a = await TrackerSocket.open({ addr: '10.66.1.1' });
  const ih = randomHex();
  a.send({ action: 'announce', info_hash: bin(ih), peer_id: bin(randomHex()), to_peer_id: bin(randomHex()), answer: { type: 'answer', sdp: 'v=0' }, offer_id: bin(randomHex()) });
  expect((await a.next(isFailure))['failure reason']).toMatch(/announce in this swarm on this connection before answering/);
  a.announce(ih, randomHex(), { event: 'stopped' });
  expect((await a.next(isFailure))['failure reason']).toBe('not in this swarm on this connection');
  expect(await swarmObjects()).toBe(before);
  a.close();
});

test('one socket cannot be a crowd: at most 2 peer_ids per tracker socket', async () => {
  const ih = randomHex();
  const attacker = await TrackerSocket.open({ addr: '10.66.2.1' });
  const ids = Array.from({ length: 60 }, () => randomHex());
  for (const id of ids) attacker.announce(ih, id, { left: 0 });
  await expect.poll(() => attacker.messages.filter((m) => isAnnounceReply(m) || isFailure(m)).length, { timeout: 10_000 }).toBe(ids.length);
  expect(attacker.messages.filter(isAnnounceReply)).toHaveLength(TRACKER_LIMITS.peerIdsPerSocket);
  expect(String(attacker.messages.find(isFailure)!['failure reason'])).toBe(
    `this connection already announces ${TRACKER_LIMITS.peerIdsPerSocket} peer_ids (at most ${TRACKER_LIMITS.peerIdsPerSocket} per connection)`,
  );
  // An honest leecher's offers reach the honest seeder, whatever the attacker announced.
  const seeder = await TrackerSocket.open();
  await honestAnnounceMs(seeder, ih, randomHex(), 0);
  const watcher = await TrackerSocket.open();
  watcher.send({ action: 'scrape', info_hash: bin(ih) });
  const s = await watcher.next((m) => m.action === 'scrape');
  expect((s.files as Record<string, unknown>)[bin(ih)]).toEqual({ complete: 1 + TRACKER_LIMITS.peerIdsPerSocket, incomplete: 0, downloaded: 0 });
  for (const t of [attacker, seeder, watcher]) t.close();
});

test('a socket joins at most 200 swarms', async () => {
  const attacker = await TrackerSocket.open({ addr: '10.66.3.1' });
  const peer = randomHex();
  const total = TRACKER_LIMITS.swarmsPerSocket + 10;
  // Paced under the message limit (50/s after a burst of 100): wait for each batch's replies.
  for (let sent = 0; sent < total; ) {
    const batch = Math.min(40, total - sent);
    for (let i = 0; i < batch; i++) attacker.announce(randomHex(), peer);
    sent += batch;
    await expect.poll(() => attacker.messages.length, { timeout: 10_000 }).toBe(sent);
    if (sent < total) await new Promise((r) => setTimeout(r, 800)); // refill the message bucket
  }
  expect(attacker.messages.filter(isAnnounceReply)).toHaveLength(TRACKER_LIMITS.swarmsPerSocket);
  const refusals = attacker.messages.filter(isFailure).map((m) => m['failure reason']);
  expect(refusals).toHaveLength(10);
  expect(refusals[0]).toBe(`this connection is in ${TRACKER_LIMITS.swarmsPerSocket} swarms already (at most ${TRACKER_LIMITS.swarmsPerSocket} per connection)`);
  attacker.close();
});

test('offers relayed for one socket come out of its budget; an honest leecher still reaches the seeders', async () => {
  const ih = randomHex();
  const seeders = await Promise.all(Array.from({ length: 6 }, () => TrackerSocket.open()));
  for (const s of seeders) await honestAnnounceMs(s, ih, randomHex(), 0);
  const offersAtSeeders = () => seeders.reduce((n, s) => n + s.messages.filter(isOffer).length, 0);
  const relayedBefore = await offersRelayed();
  const attacker = await TrackerSocket.open({ addr: '10.66.4.1' });
  const peer = randomHex();
  const t0 = Date.now();
  const announces = 40;
  // Each announce offers 50: without a budget 40 × 6 seeders = 240 offers would reach them.
  for (let i = 0; i < announces; i++) {
    attacker.announce(ih, peer, { offers: Array.from({ length: 50 }, () => ({ offer: OFFER, offer_id: bin(randomHex()) })) });
  }
  await expect.poll(() => attacker.messages.filter(isAnnounceReply).length, { timeout: 10_000 }).toBe(announces);
  const elapsed = (Date.now() - t0) / 1000;
  const cap = TRACKER_LIMITS.socketOfferBurst + Math.ceil(elapsed * TRACKER_LIMITS.socketOffersPerSecond);
  // Every offer the edge relayed (its own count) arrives; no more than the budget allows.
  const relayed = (await offersRelayed()) - relayedBefore;
  await expect.poll(offersAtSeeders, { timeout: 10_000 }).toBe(relayed);
  expect(relayed).toBeGreaterThan(0);
  expect(relayed).toBeLessThanOrEqual(cap);
  expect(cap).toBeLessThan(announces * seeders.length);
  // The honest leecher's offer gets through at once, to one random other peer of the swarm (the
  // attacker's peer is one of them: it is a leecher like any other).
  const leecher = await TrackerSocket.open();
  const honest = randomHex();
  leecher.announce(ih, honest, { offers: [{ offer: OFFER, offer_id: bin(randomHex()) }] });
  const reached = () => [...seeders, attacker].filter((s) => s.messages.some((m) => isOffer(m) && m.peer_id === bin(honest))).length;
  await expect.poll(reached, { timeout: 5_000 }).toBe(1);
  for (const t of [...seeders, attacker, leecher]) t.close();
});

test('an address holds at most 64 tracker sockets per gateway shard', async () => {
  const sockets: TrackerSocket[] = [];
  const refused: string[] = [];
  // With 2 shards, 2 × 64 sockets fit; the rest of 140 are refused with 429.
  for (let i = 0; i < 140; i++) {
    try {
      sockets.push(await TrackerSocket.open({ addr: '10.66.5.1' }));
    } catch (err) {
      refused.push(String(err));
    }
  }
  expect(sockets.length).toBeLessThanOrEqual(2 * TRACKER_LIMITS.socketsPerAddress);
  expect(refused.length).toBeGreaterThanOrEqual(140 - 2 * TRACKER_LIMITS.socketsPerAddress);
  expect(refused[0]).toMatch(/429/);
  // Another address is not affected.
  const honest = await TrackerSocket.open();
  await honestAnnounceMs(honest, randomHex(), randomHex(), 0);
  for (const s of [...sockets, honest]) s.close();
});

test.describe('parsers that threw: now a coded refusal, and nothing relayed', () => {
  test('a type whose toString is not a function, on /ws and /announce', async () => {
    const a = await TestSocket.open(uniqueRoom('total'));
    a.send('{"type":{"toString":"ping"}}');
    expect(await a.next<Err>((m) => m.type === 'error')).toMatchObject({ code: 'unknown-type', field: 'type' });
    a.send({ type: 'ping' });
    await a.next((m) => m.type === 'pong');
    const t = await TrackerSocket.open();
    t.send('{"action":{"toString":1}}');
    expect((await t.next(isFailure))['failure reason']).toBe('invalid action in WS request: an object');
    a.close();
    t.close();
  });

  test('a signal nesting 10,000 deep is refused and never reaches its target', async () => {
    const room = uniqueRoom('deep');
    const a = await TestSocket.open(room);
    const b = await TestSocket.open(room);
    a.send(`{"type":"signal","to":"${b.id}","data":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    expect(await a.next<Err>((m) => m.type === 'error')).toMatchObject({ code: 'bad-json', message: 'message nests deeper than 16 levels' });
    a.send({ type: 'signal', to: b.id, data: { hello: 1 } });
    // The first signal b ever gets is the honest one.
    expect(await b.next((m) => m.type === 'signal')).toEqual({ type: 'signal', from: a.id, data: { hello: 1 } });
    a.close();
    b.close();
  });

  test('left of -5, "x", [] and {} is refused and counts as nothing', async () => {
    const ih = randomHex();
    const t = await TrackerSocket.open();
    for (const left of [-5, 'x', [], {}]) {
      t.announce(ih, randomHex(), { left });
      expect((await t.next(isFailure))['failure reason']).toBe('invalid left: must be a non-negative number');
    }
    t.send({ action: 'scrape', info_hash: bin(ih) });
    expect(((await t.next((m) => m.action === 'scrape')).files as Record<string, unknown>)[bin(ih)]).toEqual({ complete: 0, incomplete: 0, downloaded: 0 });
    t.close();
  });
});

test('a token reused in another room gets a fresh id there and does not close its owner', async () => {
  const owner = await TestSocket.open(uniqueRoom('token-a'));
  const thief = await TestSocket.open(uniqueRoom('token-b'), { id: owner.id, token: owner.welcome.token });
  expect(thief.id).not.toBe(owner.id);
  // The owner is still connected and answered: no bye, no close.
  owner.send({ type: 'ping' });
  await owner.next((m) => m.type === 'pong');
  expect(owner.messages.some((m) => m.type === 'bye')).toBe(false);
  expect(owner.closed).toBeNull();
  owner.close();
  thief.close();
});

test('WebRTC offers relayed for one peer socket come out of its budget', async () => {
  const room = uniqueRoom('sigflood');
  const victim = await TestSocket.open(room);
  const attacker = await TestSocket.open(room, undefined, { addr: '10.66.6.1' });
  const t0 = Date.now();
  const n = 90;
  // Paced under the message limit (burst 100): the offer budget (burst 60, 2/s) is what refuses.
  for (let i = 0; i < n; i++) attacker.send({ type: 'signal', to: victim.id, data: { kind: 'rtc', link: `l${String(i).padStart(8, '0')}`, sig: { type: 'offer', sdp: 'v=0' } } });
  const refusals: Err[] = [];
  for (;;) {
    const got = victim.messages.filter((m) => m.type === 'signal').length;
    refusals.push(...(attacker.messages.splice(0).filter((m) => m.type === 'error') as Err[]));
    if (got + refusals.length >= n) break;
    await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - t0).toBeLessThan(10_000);
  }
  const elapsed = (Date.now() - t0) / 1000;
  const delivered = victim.messages.filter((m) => m.type === 'signal').length;
  expect(delivered).toBeLessThanOrEqual(SIGNAL_OFFER_LIMITS.socketOfferBurst + Math.ceil(elapsed * SIGNAL_OFFER_LIMITS.socketOffersPerSecond));
  expect(refusals[0]).toMatchObject({ code: 'rate-limited', field: 'data' });
  // Candidates and answers are not offers: the budget does not hold them back.
  attacker.send({ type: 'signal', to: victim.id, data: { kind: 'rtc', link: 'zzzzzzzz', sig: { candidate: { candidate: 'x' } } } });
  await victim.next((m) => m.type === 'signal' && (m.data as { link?: string }).link === 'zzzzzzzz');
  victim.close();
  attacker.close();
});

test('stats of a room nobody is in answer from nothing and make no index objects', async () => {
  const body = (await (await fetch(`${BASE}/api/stats?room=${uniqueRoom('nobody')}`)).json()) as { index: unknown[] };
  expect(body.index).toEqual([]);
});
