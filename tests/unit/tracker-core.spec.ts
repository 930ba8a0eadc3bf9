/** The WebTorrent tracker's pure core: peer-id binding, announce events, offers and answers, leaves and expiry. */
import { expect, test } from '@playwright/test';
import { MAX_ANNOUNCE_PEERS, hexToBinary, type Sdp } from '../../protocol/tracker';
import {
  EXPIRE_MS,
  NOT_ANNOUNCED,
  NO_SUCH_PEER,
  PEER_ID_IN_USE,
  afterDelivery,
  otherHolder,
  planAnnounce,
  planAnswer,
  planExpiry,
  planLeave,
  swarmCounts,
  type AnnounceInput,
  type SwarmChange,
  type SwarmPeer,
  type SwarmRows,
} from '../../worker/core/tracker';
import { seeded } from '../helpers/unit';

const hex = (n: number) => n.toString(16).padStart(40, '0');
const IH = hex(0xabc);
const OFFER: Sdp = { type: 'offer', sdp: 'v=0 offer' };
const ANSWER: Sdp = { type: 'answer', sdp: 'v=0 answer' };
const NOW = 1_000_000;

/** A swarm's rows in memory; `apply` stores a change the way the Swarm object does. */
class MemoryRows implements SwarmRows {
  readonly peers = new Map<string, SwarmPeer>();
  downloaded = 0;
  peer(peerId: string): SwarmPeer | undefined {
    return this.peers.get(peerId);
  }
  all(): SwarmPeer[] {
    return [...this.peers.values()];
  }
  apply(change: SwarmChange): void {
    for (const p of change.put) this.peers.set(p.peerId, p);
    for (const id of change.drop) this.peers.delete(id);
    this.downloaded += change.completed;
  }
}

function announce(peerId: string, sock: string, over: Partial<AnnounceInput> = {}): AnnounceInput {
  return { infoHash: IH, peerId, sock, shard: 0, event: 'update', left: 100, uploaded: 0, downloaded: 0, offers: [], ...over };
}

/** Announce and store the result; fails the test on a refusal. */
function announced(rows: MemoryRows, a: AnnounceInput, now = NOW, rng = seeded(1)) {
  const plan = planAnnounce(rows, a, false, now, rng);
  if (!plan.ok) throw new Error(plan.reason);
  rows.apply(plan.change);
  return plan;
}

const offers = (n: number) => Array.from({ length: n }, (_, i) => ({ offer: OFFER, offerId: hex(1000 + i) }));

test.describe('announce', () => {
  test('a peer is stored with its socket, shard, counts and time; left Infinity is stored as unknown (-1)', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 's1', { shard: 2, left: Infinity, uploaded: 5, downloaded: 7 }));
    expect(rows.peer(hex(1))).toEqual({ peerId: hex(1), sock: 's1', shard: 2, left: -1, uploaded: 5, downloaded: 7, lastSeen: NOW });
    announced(rows, announce(hex(1), 's1', { shard: 2, left: 30 }), NOW + 5);
    expect(rows.peer(hex(1))).toMatchObject({ left: 30, lastSeen: NOW + 5 });
    expect(swarmCounts(rows.all())).toEqual({ complete: 0, incomplete: 1 });
  });

  test('completed makes a seeder and counts one download, once per peer', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 's1', { left: 50 }));
    announced(rows, announce(hex(1), 's1', { event: 'completed', left: 50 }));
    expect(rows.peer(hex(1))!.left).toBe(0);
    expect(rows.downloaded).toBe(1);
    announced(rows, announce(hex(1), 's1', { event: 'completed', left: 0 }));
    expect(rows.downloaded).toBe(1);
    // A peer first seen completing counts too.
    announced(rows, announce(hex(2), 's2', { event: 'completed' }));
    expect(rows.downloaded).toBe(2);
    expect(swarmCounts(rows.all())).toEqual({ complete: 2, incomplete: 0 });
  });

  test('stopped removes the peer and relays nothing', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 's1'));
    announced(rows, announce(hex(2), 's2'));
    const plan = announced(rows, announce(hex(2), 's2', { event: 'stopped', offers: offers(1) }));
    expect(plan.sends).toEqual([]);
    expect(rows.all().map((p) => p.peerId)).toEqual([hex(1)]);
    // A stop of a peer the swarm does not have changes nothing.
    expect(planAnnounce(rows, announce(hex(9), 's9', { event: 'stopped' }), false, NOW, seeded(1))).toEqual({ ok: true, change: { put: [], drop: [], completed: 0 }, sends: [] });
  });
});

test.describe('peer-id binding', () => {
  test('a peer id held by another open socket is refused; one whose socket died is taken back', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 'owner', { shard: 1 }));
    const thief = announce(hex(1), 'thief', { shard: 0, offers: offers(1) });
    expect(otherHolder(rows, thief)).toEqual(expect.objectContaining({ peerId: hex(1), sock: 'owner', shard: 1 }));
    expect(otherHolder(rows, announce(hex(1), 'owner'))).toBeUndefined();
    expect(otherHolder(rows, announce(hex(2), 'thief'))).toBeUndefined();
    expect(planAnnounce(rows, thief, true, NOW, seeded(1))).toEqual({ ok: false, reason: PEER_ID_IN_USE });
    announced(rows, announce(hex(1), 'reborn', { shard: 0 }));
    expect(rows.peer(hex(1))).toMatchObject({ sock: 'reborn', shard: 0 });
  });

  test('an answer is taken only from the socket that announced the peer id', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 's1'));
    announced(rows, announce(hex(2), 's2', { shard: 3 }));
    const answer = { infoHash: IH, peerId: hex(1), sock: 's1', toPeerId: hex(2), answer: ANSWER, offerId: hex(77) };
    expect(planAnswer(rows, { ...answer, sock: 'other' })).toEqual({ ok: false, reason: NOT_ANNOUNCED });
    expect(planAnswer(rows, { ...answer, peerId: hex(5) })).toEqual({ ok: false, reason: NOT_ANNOUNCED });
    expect(planAnswer(rows, { ...answer, toPeerId: hex(5) })).toEqual({ ok: false, reason: NO_SUCH_PEER });
    expect(planAnswer(rows, answer)).toEqual({
      ok: true,
      send: {
        to: { peerId: hex(2), sock: 's2', shard: 3 },
        msg: { action: 'announce', answer: ANSWER, offer_id: hexToBinary(hex(77)), peer_id: hexToBinary(hex(1)), info_hash: hexToBinary(IH) },
      },
      unreachable: NO_SUCH_PEER,
    });
  });
});

test.describe('offers', () => {
  test('offers go to random other peers, one each; never to the announcer nor its socket', () => {
    const rows = new MemoryRows();
    for (let i = 1; i <= 5; i++) announced(rows, announce(hex(i), `s${i}`, { shard: i % 2 }));
    announced(rows, announce(hex(6), 's0')); // a second peer id of the announcing socket
    const plan = announced(rows, announce(hex(0), 's0', { offers: offers(3) }), NOW, seeded(7));
    expect(plan.sends).toHaveLength(3);
    const targets = plan.sends.map((s) => s.to.peerId);
    expect(new Set(targets).size).toBe(3);
    for (const s of plan.sends) {
      expect(s.to.sock).not.toBe('s0');
      expect(rows.peer(s.to.peerId)).toMatchObject({ ...s.to });
    }
    plan.sends.forEach((s, i) =>
      expect(s.msg).toEqual({ action: 'announce', offer: OFFER, offer_id: hexToBinary(hex(1000 + i)), peer_id: hexToBinary(hex(0)), info_hash: hexToBinary(IH) }),
    );
    // Another rng picks other peers (the choice is the rng's, not the rows' order).
    const picks = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const again = planAnnounce(rows, announce(hex(0), 's0', { offers: offers(1) }), false, NOW, seeded(seed));
      if (again.ok) picks.add(again.sends[0]!.to.peerId);
    }
    expect(picks.size).toBe(5);
  });

  test('more offers than other peers: each other peer gets one; at most MAX_ANNOUNCE_PEERS', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 's1'));
    announced(rows, announce(hex(2), 's2'));
    expect(announced(rows, announce(hex(3), 's3', { offers: offers(5) })).sends.map((s) => s.to.peerId).sort()).toEqual([hex(1), hex(2)]);
    for (let i = 10; i < 10 + MAX_ANNOUNCE_PEERS + 10; i++) announced(rows, announce(hex(i), `s${i}`));
    const plan = announced(rows, announce(hex(4), 's4', { offers: offers(MAX_ANNOUNCE_PEERS + 5) }));
    expect(plan.sends).toHaveLength(MAX_ANNOUNCE_PEERS);
    expect(new Set(plan.sends.map((s) => s.to.peerId)).size).toBe(MAX_ANNOUNCE_PEERS);
    // Alone in the swarm: nobody to send to.
    expect(announced(new MemoryRows(), announce(hex(1), 's1', { offers: offers(2) })).sends).toEqual([]);
  });

  test('peers whose socket could not be reached leave; the others count as delivered', () => {
    const rows = new MemoryRows();
    for (let i = 1; i <= 3; i++) announced(rows, announce(hex(i), `s${i}`));
    const plan = announced(rows, announce(hex(0), 's0', { offers: offers(3) }));
    const after = afterDelivery(plan.sends, [true, false, true]);
    expect(after.delivered).toBe(2);
    expect(after.change).toEqual({ put: [], drop: [plan.sends[1]!.to.peerId], completed: 0 });
    rows.apply(after.change);
    expect(rows.peer(plan.sends[1]!.to.peerId)).toBeUndefined();
    expect(afterDelivery([], [])).toEqual({ change: { put: [], drop: [], completed: 0 }, delivered: 0 });
  });
});

test.describe('leave and expiry', () => {
  test('a closed socket takes all its peers out, and only them', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 'a'));
    announced(rows, announce(hex(2), 'a'));
    announced(rows, announce(hex(3), 'b'));
    expect(planLeave(rows, 'a').drop.sort()).toEqual([hex(1), hex(2)]);
    expect(planLeave(rows, 'nobody').drop).toEqual([]);
  });

  test('a peer silent for longer than EXPIRE_MS expires', () => {
    const rows = new MemoryRows();
    announced(rows, announce(hex(1), 'a'), NOW);
    announced(rows, announce(hex(2), 'b'), NOW + 10_000);
    expect(planExpiry(rows, NOW + EXPIRE_MS).drop).toEqual([]);
    expect(planExpiry(rows, NOW + EXPIRE_MS + 1).drop).toEqual([hex(1)]);
    expect(planExpiry(rows, NOW + EXPIRE_MS + 10_001).drop.sort()).toEqual([hex(1), hex(2)]);
  });

  test('counts: nothing left is a seeder; something or unknown left is a leecher', () => {
    const peer = (left: number): SwarmPeer => ({ peerId: hex(left + 2), sock: 's', shard: 0, left, uploaded: 0, downloaded: 0, lastSeen: NOW });
    expect(swarmCounts([peer(0), peer(-1), peer(10), peer(0)])).toEqual({ complete: 2, incomplete: 2 });
    expect(swarmCounts([])).toEqual({ complete: 0, incomplete: 0 });
  });
});
