/**
 * Attacks on the DHT by a hostile tab among honest ones. The attacker is a real page that speaks
 * raw DHT messages over its real links (window.p2p.send on the `dht` channel) and signs what it
 * can sign with its own certified key (window.p2p.debug.dhtSigner); everything else it forges.
 * Each test asserts what the honest tabs see.
 */
import type { Page } from '@playwright/test';
import { DHT_LIMITS, keyId, nodeId } from '../../protocol/dht';
import { betweenRightIncl, replicaSet, sortIds } from '../../client/core/chord';
import { expect, idOf, test } from './fixtures';
import { ringSettled } from './overlay';
import { downloadHit, shareRandom } from './torrents';

type Fixtures = Parameters<Parameters<typeof test>[2]>[0];

/** Five honest-looking tabs in one ring (more than r = 3: some nodes are not others' replicas). */
async function ring(browser: Fixtures['browser'], peer: Fixtures['peer'], n = 5): Promise<{ pages: Page[]; ids: string[]; ring: string[] }> {
  const pages = await Promise.all(Array.from({ length: n }, async () => peer(await browser.newContext())));
  await ringSettled(pages);
  const ids = await Promise.all(pages.map(idOf));
  return { pages, ids, ring: sortIds(ids.map(nodeId)) };
}

/** Neighbours of node `i`'s page on the ring: its predecessor and successor pages. */
function around(r: { pages: Page[]; ids: string[]; ring: string[] }, page: Page): { pred: Page; succ: Page; predNode: string; self: string } {
  const self = nodeId(r.ids[r.pages.indexOf(page)]!);
  const i = r.ring.indexOf(self);
  const at = (k: number) => r.pages[r.ids.findIndex((id) => nodeId(id) === r.ring[(k + r.ring.length) % r.ring.length])]!;
  return { pred: at(i - 1), succ: at(i + 1), predNode: r.ring[(i - 1 + r.ring.length) % r.ring.length]!, self };
}

/** `n` fresh keys (with `prefix`) that `target` owns: their ids fall in (its predecessor, itself]. */
function ownedKeys(predNode: string, self: string, n: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const k = `${prefix}-${i}`;
    if (betweenRightIncl(keyId(k), predNode, self)) out.push(k);
  }
  return out;
}

/** Send raw DHT messages from `from` to `to` over their link. */
async function sendRaw(from: Page, to: string, msgs: unknown[]): Promise<void> {
  await from.evaluate(
    async ({ to, msgs }) => {
      const enc = new TextEncoder();
      for (const m of msgs) await window.p2p.send(to, 'dht', enc.encode(JSON.stringify(m)));
    },
    { to, msgs },
  );
}

const refusedOf = (p: Page) => p.evaluate(() => window.p2p.dht.stats().refused);
const ref = () => `atk${Math.random().toString(36).slice(2, 12)}`;

test('a far-future put with a forged origin locks nothing: the honest writer\'s puts take effect and every tab reads them', async ({ browser, peer }) => {
  const r = await ring(browser, peer, 4);
  const [honest, attacker, ...others] = r.pages as [Page, Page, ...Page[]];
  const honestId = r.ids[0]!;
  // Keys that the attacker does not own (their owner judges the attacker's writes).
  const notAttackers = [...Array(100).keys()].map((i) => `profile/alice-${i}`).filter((k) => replicaSet(r.ring, keyId(k), 1)[0] !== nodeId(r.ids[1]!));
  const [key, clockKey] = notAttackers as [string, string];
  const owner = (await honest.evaluate((k) => window.p2p.dht.lookup(k), key)).owner;
  const ownerPage = r.pages[r.ids.indexOf(owner)]!;

  // Before the honest writer's first put, the attacker routes to the key's owner: a put in the
  // honest writer's name with ts MAX_SAFE_INTEGER (signed with the attacker's own key, whose
  // certificate names the attacker), and a far-future put in its own name.
  const attack = async () => {
    const ops = await attacker.evaluate(
      async ({ key, honestId }) => {
        const s = await window.p2p.debug.dhtSigner();
        return [{ ...(await s.put(key, 'evil', Number.MAX_SAFE_INTEGER)), writer: honestId }, await s.put(key, 'evil', Number.MAX_SAFE_INTEGER)];
      },
      { key, honestId },
    );
    await sendRaw(attacker, owner, ops.map((op) => ({ type: 'route', ref: ref(), origin: honestId, id: keyId(key), key, hops: 1, op })));
  };
  await attack();
  await expect.poll(async () => (await refusedOf(ownerPage)).writes, { message: 'the forged writer is refused for its signature' }).toBe(1);
  expect(await honest.evaluate((k) => window.p2p.dht.get(k), key)).toBeNull();
  // Through the API a far-future put is refused with the reason (the attacker's clock runs ahead;
  // another key, as the tab remembers the versions it put).
  const ahead = await attacker.evaluate(async (k) => {
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000;
    try {
      return await window.p2p.dht.put(k, 'from the future').then(() => 'accepted', (e: Error) => e.message);
    } finally {
      Date.now = realNow;
    }
  }, clockKey);
  expect(ahead).toMatch(/ahead of the receiver's clock/);

  await honest.evaluate((k) => window.p2p.dht.put(k, 'honest v1'), key);
  await attack();
  await expect.poll(async () => (await refusedOf(ownerPage)).writes).toBe(2);
  // The attacker's own put on the honest writer's key is refused with the reason.
  const own = await attacker.evaluate((k) => window.p2p.dht.put(k, 'mine').then(() => 'accepted', (e: Error) => e.message), key);
  expect(own).toContain(`belongs to ${honestId}`);
  // The honest writer's next put takes effect, and every tab reads it.
  await honest.evaluate((k) => window.p2p.dht.put(k, 'honest v2'), key);
  for (const p of [honest, attacker, ...others]) expect(await p.evaluate((k) => window.p2p.dht.get(k), key)).toBe('honest v2');
});

test('a raw store from a node that is not a replica is ignored: no value replaced, no key created', async ({ browser, peer }) => {
  const r = await ring(browser, peer);
  const target = r.pages[0]!;
  const { succ: attacker, pred: liar, predNode, self } = around(r, target);
  const [mine, planted] = ownedKeys(predNode, self, 2, 'store-attack');
  const writer = r.pages.find((p) => ![target, attacker, liar].includes(p))!;
  const writerId = r.ids[r.pages.indexOf(writer)]!;
  await writer.evaluate((k) => window.p2p.dht.put(k!, 'honest'), mine);
  await expect.poll(() => target.evaluate((k) => window.p2p.dht.localKeys().some((x) => x.key === k), mine)).toBe(true);
  const before = await refusedOf(target);

  // The target's successor is none of its predecessors: its `replicate` of the target's keys is
  // out of range, whatever it carries (records it signed itself, for a key it does not own and a
  // key nobody put).
  const signed = await attacker.evaluate(
    async ({ keys }) => {
      const s = await window.p2p.debug.dhtSigner();
      return Promise.all(keys.map(async (k) => ({ ...(await s.put(k, 'evil', Date.now())), key: k })));
    },
    { keys: [mine!, planted!] },
  );
  const records = signed.map(({ op: _op, key, ...p }) => ({ key, id: keyId(key), kind: 'value', ...p }));
  await sendRaw(attacker, await idOf(target), [{ type: 'store', reason: 'replicate', records }]);
  // The predecessor is in range, but what it forges does not verify (the honest key "re-signed"
  // as its writer) or breaks the rules (its own signed value for the honest writer's key).
  const liarSigned = await liar.evaluate(async ({ key }) => (await window.p2p.debug.dhtSigner()).put(key, 'evil', Date.now()), { key: mine! });
  const { op: _op, ...proof } = liarSigned;
  await sendRaw(liar, await idOf(target), [
    { type: 'store', reason: 'replicate', records: [{ key: mine, id: keyId(mine!), kind: 'value', ...proof, writer: writerId }] },
    { type: 'store', reason: 'replicate', records: [{ key: mine, id: keyId(mine!), kind: 'value', ...proof }] },
  ]);

  await expect
    .poll(async () => {
      const now = await refusedOf(target);
      return [now.range - before.range, now.signature - before.signature, now.rule - before.rule];
    }, { message: 'the target counts each refusal', timeout: 20_000 })
    .toEqual([2, 1, 1]);
  expect(await target.evaluate((k) => window.p2p.dht.localKeys().some((x) => x.key === k), planted)).toBe(false);
  for (const p of r.pages) {
    expect(await p.evaluate((k) => window.p2p.dht.get(k!), mine)).toBe('honest');
    expect(await p.evaluate((k) => window.p2p.dht.get(k!), planted)).toBeNull();
  }
});

test('600 adds into a file\'s holder and keyword sets leave the honest holder found by a DHT search, and the file downloads', async ({ browser, peer }) => {
  const r = await ring(browser, peer, 4);
  const [holder, attacker, searcher] = r.pages as [Page, Page, Page];
  const name = 'Signed Holder Demo.txt';
  const file = await shareRandom(holder, 200 * 1024, name);
  const holderId = r.ids[0]!;
  await expect.poll(async () => (await searcher.evaluate(() => window.p2p.search('signed holder demo', { via: 'dht' }))).length).toBe(1);

  // The attacker floods every set of the file: 150 adds per set, at the longest ttl: keyword
  // entries for fake files (its own, signed), holders that are other peer ids (signed by itself),
  // and holders signed in the honest holder's name (forged).
  const keys = ['kw:signed', 'kw:holder', 'kw:demo', `holders:${file.infoHash}`];
  const owners = await attacker.evaluate((ks) => Promise.all(ks.map((k) => window.p2p.dht.lookup(k).then((l) => l.owner))), keys);
  const routes = await attacker.evaluate(
    async ({ keys, holderId, ttl, ids }) => {
      const s = await window.p2p.debug.dhtSigner();
      const out: { key: string; member: unknown }[] = [];
      for (const key of keys) {
        for (let i = 0; i < 110; i++) {
          const fake = (i * 7919).toString(16).padStart(40, '0');
          const m = key.startsWith('holders:') ? `fakeholder${String(i).padStart(11, '0')}` : JSON.stringify({ i: fake, n: `Signed Holder Demo ${i}.txt`, s: 1 });
          out.push({ key, member: await s.member(key, m, Date.now(), ttl) });
        }
        if (key.startsWith('holders:')) {
          for (let i = 0; i < 40; i++) out.push({ key, member: { ...(await s.member(key, holderId, Date.now() + i, ttl)), s: holderId } });
        } else {
          for (let i = 0; i < 40; i++) out.push({ key, member: { ...(await s.member(key, `x${i}`, Date.now(), ttl)), s: ids[i % ids.length] } });
        }
      }
      return out;
    },
    { keys, holderId, ttl: DHT_LIMITS.memberTtl, ids: r.ids },
  );
  expect(routes).toHaveLength(600);
  const byOwner = new Map<string, unknown[]>();
  for (const x of routes) {
    const owner = owners[keys.indexOf(x.key)]!;
    const to = owner === r.ids[1] ? r.ids[3]! : owner; // a route to itself goes through another tab
    byOwner.set(to, [...(byOwner.get(to) ?? []), { type: 'route', ref: ref(), origin: r.ids[1], id: keyId(x.key), key: x.key, hops: 1, op: { op: 'add', member: x.member } }]);
  }
  const t0 = Date.now();
  for (const [to, msgs] of byOwner) await sendRaw(attacker, to, msgs);

  // Each keyword set keeps the honest file and perSigner of the attacker's; the holders set only
  // the honest holder (the attacker's other ids and its forgeries in the holder's name refused).
  const sets = () => searcher.evaluate((ks) => Promise.all(ks.map((k) => window.p2p.dht.members(k))), keys);
  await expect
    .poll(async () => (await sets().catch((e: Error) => [[e.message]])).map((m) => m.length), { message: 'the floods reached the owners', timeout: 30_000 })
    .toEqual([17, 17, 17, 1]);
  console.log(`600 adds: sent and handled by the owners in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const [signed, , , holders] = await sets();
  expect(signed).toContain(JSON.stringify({ i: file.infoHash, n: name, s: 200 * 1024 }));
  expect(holders).toEqual([holderId]);
  expect(DHT_LIMITS.perSigner + 1).toBe(17);
  const hits = await searcher.evaluate(() => window.p2p.search('signed holder demo', { via: 'dht' }));
  expect(hits.map((h) => [h.infoHash, h.peers])).toEqual([[file.infoHash, [holderId]]]);
  expect(await downloadHit(searcher, hits[0]!)).toBe(file.sha256);
});

test('a store flood is bounded by the sender\'s budget and counted; the honest tabs still read and write', async ({ browser, peer }) => {
  const r = await ring(browser, peer);
  const target = r.pages[0]!;
  const { pred: attacker, predNode, self } = around(r, target);
  const keys = ownedKeys(predNode, self, 3_200, 'flood');
  // 50 `store` messages of 64 records each, every record signed by the attacker (valid, in the
  // target's range, from its predecessor: only the budget stands in the way), sent back to back.
  const to = await idOf(target);
  const { sent, t0 } = await attacker.evaluate(
    async ({ keys, to, ids }) => {
      const s = await window.p2p.debug.dhtSigner();
      const records = await Promise.all(
        keys.map(async (k, i) => {
          const { op: _op, ...p } = await s.put(k, 'flood', Date.now());
          return { key: k, id: ids[i], kind: 'value', ...p };
        }),
      );
      const enc = new TextEncoder();
      const msgs: Uint8Array[] = [];
      for (let i = 0; i < records.length; i += 64) msgs.push(enc.encode(JSON.stringify({ type: 'store', reason: 'replicate', records: records.slice(i, i + 64) })));
      const t0 = Date.now();
      await Promise.all(msgs.map((m) => window.p2p.send(to, 'dht', m)));
      return { sent: records.length, t0 };
    },
    { keys, to, ids: keys.map(keyId) },
  );
  const counted = () =>
    target.evaluate((ks) => {
      const have = new Set(window.p2p.dht.localKeys().map((k) => k.key));
      const refused = window.p2p.dht.stats().refused;
      return { held: ks.filter((k) => have.has(k)).length, budget: refused.budget, other: refused.range + refused.signature + refused.rule };
    }, keys);
  await expect
    .poll(async () => { const c = await counted(); return c.held + c.budget + c.other; }, { message: 'every record is kept or refused', timeout: 30_000 })
    .toBe(sent);
  const seconds = (Date.now() - t0) / 1000;
  const { held, budget, other } = await counted();
  console.log(`store flood: ${sent} records, all handled within ${seconds.toFixed(1)} s: ${held} kept, ${budget} refused over budget, ${other} otherwise`);
  // Burst 1,024 records, then 128 a second: the records arrived within `seconds`.
  expect(held).toBeLessThanOrEqual(1_024 + Math.ceil(128 * seconds));
  expect(budget).toBeGreaterThanOrEqual(sent - 1_024 - Math.ceil(128 * seconds));
  // The honest tabs still read and write through the target.
  const [honestKey] = ownedKeys(predNode, self, 1, 'after-flood');
  await r.pages[2]!.evaluate((k) => window.p2p.dht.put(k!, 'still fine'), honestKey);
  for (const p of r.pages) {
    await expect.poll(() => p.evaluate((k) => window.p2p.dht.get(k!).catch((e: Error) => e.message), honestKey), { timeout: 15_000 }).toBe('still fine');
  }
});
