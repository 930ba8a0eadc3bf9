/** The Napster index's pure core: keyword routing, the per-peer cap, intersection, ranking. */
import { expect, test } from '@playwright/test';
import { keywords } from '../../protocol/keywords';
import { INDEX_LIMITS, parseServerMessage, type PublishedFile } from '../../protocol/signaling';
import {
  HOLDER_TTL_MS,
  intersectHits,
  isFresh,
  keywordShard,
  liveCheckPlan,
  mergeByFile,
  planPublish,
  rankResults,
  routeFiles,
  routeQuery,
  routeUnpublish,
  searchResultMessage,
  shardsOf,
  type Hit,
} from '../../worker/core/napster';
import { SEARCH_COST, SocketLimiter, messageCost } from '../../worker/core/rate-limit';
import { fnv1a } from '../../worker/core/shard';

const peer = (n: number) => `peer${String(n).padStart(17, '0')}`;
const hash = (n: number) => n.toString(16).padStart(40, '0');
const f = (n: number, name: string, size = 100): PublishedFile => ({ infoHash: hash(n), name, size });
const hit = (n: number, name: string, peers: number[], size = 100): Hit => ({ infoHash: hash(n), name, size, holders: peers.map((p) => ({ peer: peer(p), gw: p % 2 })) });

/** Two words that live on different shards of two. */
function wordsOnBothShards(): [string, string] {
  const w0 = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'zeta'].find((w) => keywordShard(w, 2) === 0)!;
  const w1 = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'zeta'].find((w) => keywordShard(w, 2) === 1)!;
  return [w0, w1];
}

test.describe('keyword routing', () => {
  test('a keyword lives on FNV-1a(keyword) mod N, always the same one', () => {
    for (const w of ['mozart', 'requiem', 'mp3', 'café', 'x']) {
      expect(keywordShard(w, 4)).toBe(fnv1a(w) % 4);
      expect(keywordShard(w, 1)).toBe(0);
    }
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[keywordShard(`word${i}`, 4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  test('normalisation makes a name and a query agree on words, and so on shards', () => {
    expect(keywords('Café-Mozart_Requiem.MP3')).toEqual(['cafe', 'mozart', 'requiem', 'mp3']);
    expect(keywords('cafe mozart requiem mp3')).toEqual(keywords('CAFÉ  Mozart,  requiem (mp3)'));
    expect(shardsOf(keywords('Café-Mozart'), 4)).toEqual(shardsOf(keywords('cafe mozart'), 4));
  });

  test('a query is split by owning shard; a file goes to every shard of its words, with the words each owns', () => {
    const [w0, w1] = wordsOnBothShards();
    expect(routeQuery([w0, w1, w0], 2)).toEqual(new Map([[0, [w0]], [1, [w1]]]));
    const routed = routeFiles([f(1, `${w0} ${w1}.txt`), f(2, `${w0}.txt`)], 2);
    const txt = keywordShard('txt', 2);
    const on0 = routed.get(0)!;
    const on1 = routed.get(1)!;
    expect(on0.map((i) => i.infoHash)).toEqual([hash(1), hash(2)]);
    expect(on0[0]!.own).toEqual(txt === 0 ? [w0, 'txt'] : [w0]);
    expect(on1[0]!.own).toEqual(txt === 1 ? [w1, 'txt'] : [w1]);
    expect(on0[0]!.keywords).toEqual([w0, w1, 'txt']);
    // File 2 has words only on w0's shard (and txt's).
    expect(on1.some((i) => i.infoHash === hash(2))).toBe(txt === 1);
  });
});

test.describe('publish plan', () => {
  test('new files count against the cap; a refresh of held files does not', () => {
    const held = new Map([[hash(1), [0]]]);
    const plan = planPublish(held, [f(1, 'one'), f(2, 'two')], 2, 2);
    expect(plan.refused).toBe(false);
    if (plan.refused) return;
    expect(plan.total).toBe(2);
    expect(plan.rows.map((r) => r.infoHash)).toEqual([hash(1), hash(2)]);
    const refused = planPublish(new Map([[hash(1), [0]], [hash(2), [1]]]), [f(1, 'one'), f(3, 'three')], 2, 2);
    expect(refused).toEqual({ refused: true, held: 2, adding: 1 });
    expect(planPublish(new Map([[hash(1), [0]], [hash(2), [1]]]), [f(1, 'one'), f(2, 'two')], 2, 2).refused).toBe(false);
  });

  test('the default cap is 1,000 files a peer', () => {
    const held = new Map(Array.from({ length: 999 }, (_, i) => [hash(i), [0]] as [string, number[]]));
    expect(planPublish(held, [f(5000, 'last')], 2).refused).toBe(false);
    expect(planPublish(held, [f(5000, 'last'), f(5001, 'over')], 2)).toEqual({ refused: true, held: 999, adding: 2 });
    expect(INDEX_LIMITS.perPeer).toBe(1000);
  });

  test('a renamed file is dropped from the shards its new name no longer reaches', () => {
    const [w0, w1] = wordsOnBothShards();
    const plan = planPublish(new Map([[hash(1), [0, 1]]]), [f(1, w0)], 2);
    if (plan.refused) throw new Error('refused');
    expect(plan.rows).toEqual([{ infoHash: hash(1), shards: [0] }]);
    expect(plan.drops).toEqual(new Map([[1, [hash(1)]]]));
    expect(plan.items.get(0)![0]!.own).toEqual([w0]);
    expect(plan.items.has(1)).toBe(false);
    // Renamed back: both shards again, nothing dropped.
    const back = planPublish(new Map([[hash(1), [0]]]), [f(1, `${w0} ${w1}`)], 2);
    if (back.refused) throw new Error('refused');
    expect(back.rows).toEqual([{ infoHash: hash(1), shards: [0, 1] }]);
    expect(back.drops.size).toBe(0);
  });

  test('unpublish goes to the shards that hold each file, unknown files nowhere', () => {
    const held = new Map([[hash(1), [0, 1]], [hash(2), [1]]]);
    expect(routeUnpublish(held, [hash(1), hash(2), hash(3)])).toEqual(new Map([[0, [hash(1)]], [1, [hash(1), hash(2)]]]));
  });
});

test.describe('intersection across shards', () => {
  test('AND: only entries every shard returned, with the holders every shard listed', () => {
    const shard0 = [hit(1, 'alpha beta', [1, 2, 3]), hit(2, 'alpha only', [1]), hit(3, 'alpha gamma beta', [4])];
    const shard1 = [hit(1, 'alpha beta', [2, 3, 5]), hit(3, 'alpha gamma beta', [4]), hit(4, 'beta only', [6])];
    expect(intersectHits([shard0, shard1])).toEqual([hit(1, 'alpha beta', [2, 3]), hit(3, 'alpha gamma beta', [4])]);
  });

  test('one shard: its answer as it is; none: nothing; an empty answer empties the result', () => {
    const a = [hit(1, 'x', [1])];
    expect(intersectHits([a])).toEqual(a);
    expect(intersectHits([])).toEqual([]);
    expect(intersectHits([a, []])).toEqual([]);
  });

  test('the same info hash under two names is two entries; the holders must agree on the name', () => {
    const s0 = [hit(1, 'alpha beta', [1]), hit(1, 'alpha beta remix', [2])];
    const s1 = [hit(1, 'alpha beta remix', [2])];
    expect(intersectHits([s0, s1])).toEqual([hit(1, 'alpha beta remix', [2])]);
    // A holder's entry that differs in size is a different entry.
    expect(intersectHits([[hit(1, 'a', [1], 10)], [hit(1, 'a', [1], 11)]])).toEqual([]);
  });

  test('merge by file: one candidate per info hash, the name most holders gave', () => {
    const merged = mergeByFile([hit(1, 'b name', [1, 2]), hit(1, 'a name', [3]), hit(2, 'z', [4]), hit(1, 'c name', [2, 5])]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toEqual({ infoHash: hash(1), name: 'b name', size: 100, holders: [1, 2, 3, 5].map((p) => ({ peer: peer(p), gw: p % 2 })) });
    // A tie on holders goes to the smaller name.
    expect(mergeByFile([hit(1, 'b', [1]), hit(1, 'a', [2])])[0]!.name).toBe('a');
  });
});

test.describe('ranking', () => {
  test('more holders first, then name, then info hash; dead holders do not count; holderless files vanish', () => {
    const cands = [hit(1, 'b', [1]), hit(2, 'a', [2]), hit(3, 'z', [3, 4, 5]), hit(4, 'm', [6, 7]), hit(5, 'dead', [8]), hit(6, 'a', [9])];
    const dead = new Set([peer(3), peer(4), peer(8)]);
    expect(rankResults(cands, dead).map((r) => [r.name, r.peers.length])).toEqual([
      ['m', 2],
      ['a', 1],
      ['a', 1],
      ['b', 1],
      ['z', 1],
    ]);
    expect(rankResults(cands, dead).filter((r) => r.name === 'a').map((r) => r.infoHash)).toEqual([hash(2), hash(6)]);
  });

  test('at most 100 results, at most 20 peers listed each', () => {
    const cands = Array.from({ length: 150 }, (_, i) => hit(i, `file ${String(i).padStart(3, '0')}`, Array.from({ length: 30 }, (_, j) => j)));
    const res = rankResults(cands, new Set());
    expect(res).toHaveLength(INDEX_LIMITS.results);
    for (const r of res) expect(r.peers).toHaveLength(INDEX_LIMITS.peersPerResult);
    expect(res[0]!.name).toBe('file 000');
  });

  test('the live check asks each gateway about the leading candidates only', () => {
    const cands = Array.from({ length: 200 }, (_, i) => hit(i, `f${i}`, [i, i + 1000]));
    const plan = liveCheckPlan(cands, 3, 1);
    const asked = [...plan.values()].flat();
    expect(asked).toHaveLength(3);
    for (const [gw, ids] of plan) for (const id of ids) expect(Number(id.slice(4)) % 2).toBe(gw);
  });

  test('the message stays under the client\'s size cap, dropping the lowest-ranked results', () => {
    const name = 'ह'.repeat(INDEX_LIMITS.name); // 3 bytes each in UTF-8
    const results = Array.from({ length: 100 }, (_, i) => ({ infoHash: hash(i), name, size: 1, peers: Array.from({ length: 20 }, (_, j) => peer(j)) }));
    const msg = searchResultMessage(7, results, 3);
    if (msg.type !== 'search-result') throw new Error('wrong type');
    expect(msg.results.length).toBeLessThan(100);
    expect(msg.results.length).toBeGreaterThan(50);
    expect(msg.results[0]).toEqual(results[0]);
    expect(parseServerMessage(JSON.stringify(msg))).toEqual(msg);
    const small = searchResultMessage(8, results.slice(0, 3), 1);
    expect(small).toEqual({ type: 'search-result', ref: 8, results: results.slice(0, 3), ms: 1 });
  });

  test('holders expire 150 s after their last refresh', () => {
    expect(HOLDER_TTL_MS).toBe(150_000);
    expect(isFresh(1_000, 1_000 + 149_999)).toBe(true);
    expect(isFresh(1_000, 1_000 + 150_000)).toBe(false);
  });
});

test.describe('the rate limit of index messages', () => {
  test('a search costs 5 messages; a publish one more per 20 files', () => {
    expect(messageCost({ type: 'search' })).toBe(SEARCH_COST);
    expect(messageCost({ type: 'signal' })).toBe(1);
    expect(messageCost({ type: 'publish', files: [] })).toBe(1);
    expect(messageCost({ type: 'publish', files: Array.from({ length: 100 }) })).toBe(6);
    expect(messageCost({ type: 'unpublish', infoHashes: Array.from({ length: 40 }) })).toBe(3);
    // A full heartbeat (1,000 files in 10 messages) fits in the burst of 100.
    expect(10 * messageCost({ type: 'publish', files: Array.from({ length: 100 }) })).toBeLessThan(100);
  });

  test('charging several tokens: 20 searches in a burst of 100, then 10 a second; refusals spend strikes', () => {
    const lim = new SocketLimiter(100, 50, 3, 0);
    let ok = 0;
    for (let i = 0; i < 25; i++) if (lim.charge(0, SEARCH_COST) === 'ok') ok++;
    expect(ok).toBe(20);
    expect(lim.charge(1_000, SEARCH_COST * 10)).toBe('ok');
    expect(lim.charge(1_000, 1)).toBe('close');
    expect(new SocketLimiter(10, 1, 5, 0).charge(0, 0)).toBe('ok');
  });
});
