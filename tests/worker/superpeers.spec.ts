/** Super-peer election at the edge: the Lobby elects, every member hears the list. */
import { expect, test } from '@playwright/test';
import type { ServerMessage } from '../../protocol/signaling';
import { TestSocket, uniqueRoom } from '../helpers/socket';

type Supers = Extract<ServerMessage, { type: 'supers' }>;
type Err = Extract<ServerMessage, { type: 'error' }>;

/** The first `supers` message (received or to come) whose list satisfies `pred`. */
async function supersWhere(s: TestSocket, pred: (supers: string[]) => boolean, timeoutMs = 10_000): Promise<string[]> {
  return (await s.next<Supers>((m) => m.type === 'supers' && pred(m.supers), timeoutMs)).supers;
}

/** What a joiner hears first of the roster and the super-peer list: the roster, then the list. */
async function joinReplies(s: TestSocket): Promise<{ roster: string[]; supers: string[] }> {
  const first = await s.next((m) => m.type === 'roster' || m.type === 'supers');
  expect(first.type).toBe('roster');
  const supers = await supersWhere(s, () => true);
  return { roster: (first as Extract<ServerMessage, { type: 'roster' }>).peers, supers };
}

async function openMany(room: string, n: number): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  // One after another, so that join order (and so uptime) follows the index. The welcome comes from
  // the gateway before the Lobby has the join; the roster comes from the Lobby once it has.
  for (let i = 0; i < n; i++) {
    const s = await TestSocket.open(room);
    await s.seen((m) => m.type === 'roster');
    sockets.push(s);
  }
  return sockets;
}

/** A round trip through the peer's gateway and the Lobby: what it sent before is applied. */
async function barrier(s: TestSocket): Promise<void> {
  s.send({ type: 'bootstrap' });
  await s.next((m) => m.type === 'bootstrap');
}

test.describe('super-peer election', () => {
  test('a peer alone in its room is the super-peer; it hears the roster, then the list', async () => {
    const a = await TestSocket.open(uniqueRoom('sp-alone'));
    expect(await joinReplies(a)).toEqual({ roster: [], supers: [a.id] });
    a.close();
  });

  test('6 peers: exactly 2 super-peers, the same list for every member, the joiner included', async () => {
    const room = uniqueRoom('sp-six');
    const sockets = await openMany(room, 6);
    const ids = sockets.map((s) => s.id);
    // The sixth peer is told the list in its join reply, after its roster.
    const sixth = await joinReplies(sockets[5]!);
    expect(sixth.roster).toEqual(ids.slice(0, 5));
    expect(sixth.supers).toHaveLength(2);
    // The first peer was elected alone and is kept; the second is one of the others.
    expect(sixth.supers[0]).toBe(ids[0]);
    expect(new Set(sixth.supers).size).toBe(2);
    for (const id of sixth.supers) expect(ids).toContain(id);
    // The five earlier members hear the same list when the sixth joins.
    for (const s of sockets.slice(0, 5)) expect(await supersWhere(s, (l) => l.length === 2)).toEqual(sixth.supers);
    // Before the sixth, one super-peer: the first joiner (every member's earlier lists).
    const earlier = sockets.slice(0, 5).flatMap((s) => s.messages.filter((m): m is Supers => m.type === 'supers'));
    for (const m of earlier) expect(m.supers).toEqual([ids[0]]);
    for (const s of sockets) s.close();
  });

  test('a super-peer that leaves is replaced within a few seconds, and every member hears it', async () => {
    const room = uniqueRoom('sp-leave');
    const sockets = await openMany(room, 7);
    const [first, second] = await Promise.all(sockets.map((s) => supersWhere(s, (l) => l.length === 2))).then((lists) => {
      for (const l of lists) expect(l).toEqual(lists[0]);
      return lists[0]!;
    });
    const leaving = sockets.find((s) => s.id === first)!;
    const rest = sockets.filter((s) => s !== leaving);
    const t0 = Date.now();
    leaving.close();
    // 6 peers remain and still need 2: the other super-peer keeps its place, one more is promoted.
    const lists = await Promise.all(rest.map((s) => supersWhere(s, (l) => !l.includes(first!), 5_000)));
    const ms = Date.now() - t0;
    console.log(`super-peer replaced for all ${rest.length} members in ${ms} ms`);
    expect(ms).toBeLessThan(3_000);
    for (const l of lists) expect(l).toEqual(lists[0]);
    expect(lists[0]).toHaveLength(2);
    expect(lists[0]![0]).toBe(second);
    expect(rest.map((s) => s.id)).toContain(lists[0]![1]);
    for (const s of rest) s.close();
  });

  test('capacity reports steer promotion, but never over a live super-peer', async () => {
    const room = uniqueRoom('sp-capacity');
    const [a, b, c] = await openMany(room, 3);
    expect(await supersWhere(a!, () => true)).toEqual([a!.id]);
    b!.send({ type: 'capacity', bandwidth: 100_000, links: 2 });
    await barrier(b!);
    // A newcomer with a huge declared bandwidth: 4 peers need one super-peer, and have one.
    const fast = await TestSocket.open(room);
    fast.send({ type: 'capacity', bandwidth: 5_000_000_000, links: 40 });
    await barrier(fast);
    expect((await joinReplies(fast)).supers).toEqual([a!.id]);
    // A later joiner is told the same list: the capacity report changed nothing.
    const late = await TestSocket.open(room);
    expect((await joinReplies(late)).supers).toEqual([a!.id]);
    for (const s of [a!, b!, c!]) expect(s.messages.filter((m) => m.type === 'supers' && m.supers.includes(fast.id))).toEqual([]);
    // The super-peer leaves: the slot goes to the newcomer, not to the longest-lived b.
    const t0 = Date.now();
    a!.close();
    const lists = await Promise.all([b!, c!, fast, late].map((s) => supersWhere(s, (l) => !l.includes(a!.id), 5_000)));
    expect(Date.now() - t0).toBeLessThan(3_000);
    for (const l of lists) expect(l).toEqual([fast.id]);
    for (const s of [b!, c!, fast, late]) s.close();
  });

  test('bad capacity messages get an error naming the field; the socket stays usable', async () => {
    const room = uniqueRoom('sp-bad');
    const a = await TestSocket.open(room);
    await joinReplies(a);
    const cases: [unknown, string][] = [
      [{ type: 'capacity', bandwidth: -1, links: 3 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: 1.5, links: 3 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: 10_000_000_001, links: 3 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: '1000', links: 3 }, 'bandwidth'],
      [{ type: 'capacity', links: 3 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: 1000, links: 1001 }, 'links'],
      [{ type: 'capacity', bandwidth: 1000, links: -2 }, 'links'],
      [{ type: 'capacity', bandwidth: 1000 }, 'links'],
    ];
    for (const [msg, field] of cases) {
      a.send(msg);
      const err = await a.next<Err>((m) => m.type === 'error');
      expect(err).toMatchObject({ code: 'bad-field', field });
      expect(err.message).toContain(`"${field}"`);
      expect(err.message).toMatch(/integer from 0 to \d+/);
    }
    // Still usable: a good report is accepted silently, and requests are answered.
    a.send({ type: 'capacity', bandwidth: 1000, links: 3 });
    a.send({ type: 'ping' });
    await a.next((m) => m.type === 'pong');
    await barrier(a);
    expect(a.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(a.closed).toBeNull();
    // And the room still works around it: a second peer joins and hears the same list.
    const b = await TestSocket.open(room);
    expect((await joinReplies(b)).supers).toEqual([a.id]);
    a.close();
    b.close();
  });
});
