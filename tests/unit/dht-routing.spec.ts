/**
 * DHT routing: the reverse-path table (explicit time), the path a lookup reports, and lookups
 * through a ring of real DhtNodes linked in process (their `lookup` events, routing around a dead
 * hop, what is retried and what is not).
 */
import { expect, test } from '@playwright/test';
import { encodeDhtMessage, keyId, nodeId, type DhtRecord } from '../../protocol/dht';
import { sortIds } from '../../client/core/chord';
import { DhtNode, type LookupEvent } from '../../client/dht/dht-node';
import { BackPaths, lookupPath } from '../../client/dht/dht-routing';
import { DhtStore } from '../../client/dht/dht-store';
import { MemoryKV } from '../../client/store/kv';

test('reverse paths: a reply goes back once; entries expire in the order they came', () => {
  const back = new BackPaths(1_000);
  back.add('r1', 'A', 0);
  back.add('r2', 'B', 500);
  expect(back.take('r1')).toBe('A');
  expect(back.take('r1')).toBeUndefined();
  back.add('r3', 'C', 900);
  // r2 expires at 1500: swept by the next add after it.
  back.add('r4', 'D', 1_500);
  expect(back.size).toBe(2);
  expect(back.take('r2')).toBeUndefined();
  // The same ref again (a route that came round) lives from its latest pass.
  back.add('r3', 'E', 1_800);
  // r4 (expires 2500) is swept at 2600 though r3's first pass came before it.
  back.add('r5', 'F', 2_600);
  expect(back.take('r4')).toBeUndefined();
  expect(back.take('r3')).toBe('E');
  expect(back.take('r5')).toBe('F');
});

test('the path of a lookup: self, first hop, owner, each once', () => {
  expect(lookupPath('S', null, 'S')).toEqual(['S']);
  expect(lookupPath('S', 'O', 'O')).toEqual(['S', 'O']);
  expect(lookupPath('S', 'H', 'O')).toEqual(['S', 'H', 'O']);
  expect(lookupPath('S', 'H', null)).toEqual(['S', 'H']);
  expect(lookupPath('S', null, null)).toEqual(['S']);
});

/** Peers linked in process: a message is delivered on a later microtask; a dead peer has no link. */
async function ring(n: number) {
  const peers = Array.from({ length: n }, (_, i) => `peer-${String(i).padStart(2, '0')}`.padEnd(21, 'x'));
  const nodes = new Map<string, DhtNode>();
  const stores = new Map<string, DhtStore>();
  const dead = new Set<string>();
  /** What a peer sends, changed on the way (a peer of another version): by sender. */
  const rewrite = new Map<string, (msg: Record<string, unknown>) => Record<string, unknown>>();
  for (const self of peers) {
    const link = (to: string) => ({
      send: async (_channel: string, bytes: Uint8Array) => {
        if (dead.has(to)) throw new Error('closed');
        const change = rewrite.get(self);
        const sent = change ? new TextEncoder().encode(JSON.stringify(change(JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>))) : bytes;
        queueMicrotask(() => nodes.get(to)?.onData(self, sent));
      },
    });
    const links = {
      get: (p: string) => (nodes.has(p) && !dead.has(p) ? link(p) : undefined),
      connect: (p: string) => Promise.reject(new Error(`no link to ${p}`)),
    };
    stores.set(self, await DhtStore.open(new MemoryKV()));
    nodes.set(
      self,
      new DhtNode({
        self,
        links: links as unknown as ConstructorParameters<typeof DhtNode>[0]['links'],
        online: () => new Set(peers.filter((p) => !dead.has(p))),
        mayLink: () => false,
        store: stores.get(self)!,
        verifier: { put: async () => true, member: async () => true, record: async (record: DhtRecord) => ({ record, refused: 0 }) },
      }),
    );
  }
  // The converged ring: each node's successors and predecessor set by hand (no timers run).
  const byId = new Map(peers.map((p) => [nodeId(p), p]));
  const ids = sortIds(byId.keys());
  // A state answer nobody asked for: ignored, but its sender's peer id is learnt.
  const hello = encodeDhtMessage({ type: 'state', ref: 'nobodyasked', pred: null, succs: [], preds: [], held: 0 });
  for (const [i, id] of ids.entries()) {
    const node = nodes.get(byId.get(id)!)!;
    for (const other of peers) if (other !== node.self) node.onData(other, hello);
    node.chord.successors = [1, 2, 3].map((k) => ids[(i + k) % ids.length]!);
    node.chord.predecessor = ids[(i - 1 + ids.length) % ids.length]!;
  }
  const inOrder = ids.map((id) => byId.get(id)!);
  return { nodes, stores, dead, rewrite, inOrder };
}

test('a lookup reports its path and hops as a `lookup` event; the owner answers', async () => {
  const { nodes, inOrder } = await ring(6);
  const origin = nodes.get(inOrder[0]!)!;
  const events: LookupEvent[] = [];
  origin.on('lookup', (e) => events.push(e));
  // A point just before the fourth node: owned by it, three hops round the successor lists' reach.
  const target = nodeId(inOrder[3]!);
  const res = await origin.route({ op: 'find' }, undefined, target);
  expect(res.owner).toBe(inOrder[3]);
  expect(events).toHaveLength(1);
  const e = events[0]!;
  expect(e).toMatchObject({ op: 'find', id: target, ok: true, owner: inOrder[3], hops: res.hops, tries: 1, maintenance: false });
  expect(e.key).toBeUndefined();
  expect(e.path[0]).toBe(origin.self);
  expect(e.path.at(-1)).toBe(inOrder[3]);
  expect(e.hops).toBeGreaterThanOrEqual(e.path.length - 1);
  // The key this node owns itself: no hop.
  await origin.route({ op: 'find' }, undefined, nodeId(origin.self));
  expect(events[1]).toMatchObject({ ok: true, hops: 0, path: [origin.self], owner: origin.self });
});

test('a get reaches the owner of the key; a refusal is not tried again', async () => {
  const { nodes, stores, inOrder } = await ring(5);
  const key = 'greeting';
  const id = keyId(key);
  const ownerPeer = [...nodes.values()].find((n) => n.owns(id))!.self;
  stores.get(ownerPeer)!.put({ key, id, kind: 'value', value: 'hello', ts: Date.now(), writer: ownerPeer });
  const origin = nodes.get(inOrder.find((p) => p !== ownerPeer)!)!;
  const events: LookupEvent[] = [];
  origin.on('lookup', (e) => events.push(e));
  expect((await origin.route({ op: 'get' }, key)).value).toBe('hello');
  expect(events[0]).toMatchObject({ key, op: 'get', ok: true, owner: ownerPeer });
  const err = await origin.route({ op: 'members' }, key).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'DhtError', code: 'refused' });
  expect(events[1]).toMatchObject({ key, op: 'members', ok: false, code: 'refused', tries: 1 });
  expect(events[1]!.owner).toBeUndefined();
  expect(events[1]!.path.at(-1)).toBe(ownerPeer);
});

test('a failed reply from a peer of another version: a code it does not know, or none, is unknown, its words as they came, not tried again', async () => {
  const { nodes, stores, rewrite, inOrder } = await ring(5);
  const key = 'greeting';
  const id = keyId(key);
  const owner = [...nodes.values()].find((n) => n.owns(id))!;
  stores.get(owner.self)!.put({ key, id, kind: 'value', value: 'hello', ts: Date.now(), writer: owner.self });
  const origin = nodes.get(inOrder.find((p) => p !== owner.self)!)!;
  const events: LookupEvent[] = [];
  origin.on('lookup', (e) => events.push(e));
  const sentCodes: unknown[] = [];
  for (const [label, change] of [
    ['an older peer sends no code', ({ code, ...rest }: Record<string, unknown>) => (sentCodes.push(code), rest)],
    ['a newer peer sends a code added since', (msg: Record<string, unknown>) => (sentCodes.push(msg.code), msg.type === 'reply' && msg.ok === false ? { ...msg, code: 'over-quota' } : msg)],
  ] as const) {
    rewrite.set(owner.self, change);
    const err = await origin.route({ op: 'members' }, key).catch((e: unknown) => e);
    expect(err, label).toMatchObject({ name: 'DhtError', code: 'unknown', message: 'key "greeting" holds a value, not a set' });
    expect(events.at(-1), label).toMatchObject({ key, op: 'members', ok: false, code: 'unknown', tries: 1 });
  }
  // The owner did send its code ('refused'); the changed replies were not counted as malformed anywhere.
  expect(sentCodes).toContain('refused');
  for (const n of nodes.values()) expect(n.stats.badMessages).toBe(0);
});

test('a dead next hop is routed around (and counted as failed)', async () => {
  const { nodes, dead, inOrder } = await ring(6);
  const origin = nodes.get(inOrder[0]!)!;
  const events: LookupEvent[] = [];
  origin.on('lookup', (e) => events.push(e));
  dead.add(inOrder[1]!);
  const res = await origin.route({ op: 'find' }, undefined, nodeId(inOrder[2]!));
  expect(res.owner).toBe(inOrder[2]);
  expect(origin.stats.failures).toBe(1);
  expect(events[0]).toMatchObject({ ok: true, tries: 1, path: [origin.self, inOrder[2]] });
});

test('no live next hop: the attempt fails with no-route, and the retry finds the node alone, owning all', async () => {
  const { nodes, dead, inOrder } = await ring(6);
  const origin = nodes.get(inOrder[0]!)!;
  const events: LookupEvent[] = [];
  origin.on('lookup', (e) => events.push(e));
  for (const p of inOrder.slice(1)) dead.add(p);
  const res = await origin.route({ op: 'find' }, undefined, nodeId(inOrder[4]!));
  // Three successors, then the predecessor standing in for them: four next hops, all dead.
  expect(origin.stats.failures).toBe(4);
  expect(res).toMatchObject({ owner: origin.self, hops: 0 });
  expect(events[0]).toMatchObject({ ok: true, tries: 2, path: [origin.self] });
});

test('leaving fails the lookups still waiting at once', async () => {
  const { nodes, inOrder } = await ring(4);
  const origin = nodes.get(inOrder[0]!)!;
  // The next hop takes the route and never answers.
  const silent = nodes.get(inOrder[1]!)!;
  silent.onData = () => {};
  const waiting = origin.route({ op: 'find' }, undefined, nodeId(inOrder[1]!)).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 20));
  origin.leave();
  expect(await waiting).toMatchObject({ code: 'closed' });
});
