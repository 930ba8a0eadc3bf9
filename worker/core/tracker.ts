/**
 * The WebTorrent tracker, pure parts: what the swarm of one torrent stores and sends for an
 * announce, an answer, a socket's leave and an expiry. No cloudflare:* imports: the Swarm object
 * reads its rows through SwarmRows, applies the SwarmChange returned and delivers the Sends.
 *
 * A peer id is bound to the socket that first announced it: another socket may take it only once
 * that socket is gone (the Swarm asks its gateway, and passes the answer in). Offers of an
 * announce go to random other peers of the swarm, one each, at most MAX_ANNOUNCE_PEERS; an answer
 * goes back to the peer that made the offer. A peer whose socket cannot be reached has left.
 */
import { ANNOUNCE_INTERVAL, MAX_ANNOUNCE_PEERS, hexToBinary, type Sdp, type TrackerEvent, type TrackerResponse } from '../../protocol/tracker';
import { sample } from './sample';

/** A peer silent for two intervals (plus slack) has left. */
export const EXPIRE_MS = (2 * ANNOUNCE_INTERVAL + 30) * 1000;

export const PEER_ID_IN_USE = 'peer_id is in use by another connection';
export const NOT_ANNOUNCED = 'peer_id is not announced by this connection';
export const NO_SUCH_PEER = 'no peer with that `to_peer_id`';

/** Where a peer of the swarm is reached: its tracker socket, on a gateway shard. */
export interface PeerAddress {
  peerId: string;
  sock: string;
  shard: number;
}

/** One peer of a swarm, as the Swarm stores it. */
export interface SwarmPeer extends PeerAddress {
  /** Bytes left to download: 0 for a seeder, -1 when unknown. */
  left: number;
  uploaded: number;
  downloaded: number;
  /** When it last announced (ms since the epoch). */
  lastSeen: number;
}

/** What the core reads of a swarm's rows. */
export interface SwarmRows {
  peer(peerId: string): SwarmPeer | undefined;
  all(): SwarmPeer[];
}

/** What to store: rows to write (by peer id), rows to remove, completed downloads to count. */
export interface SwarmChange {
  put: SwarmPeer[];
  drop: string[];
  completed: number;
}

/** One message to one peer's socket. */
export interface Send {
  to: PeerAddress;
  msg: TrackerResponse;
}

export interface AnnounceInput {
  infoHash: string;
  peerId: string;
  sock: string;
  shard: number;
  event: TrackerEvent;
  left: number;
  uploaded: number;
  downloaded: number;
  offers: { offer: Sdp; offerId: string }[];
}

/** `relayed`: how many of the announce's offers went to a peer (the rest had nobody to go to). */
export type AnnounceResult = { ok: true; complete: number; incomplete: number; relayed: number } | { ok: false; reason: string };

export interface AnswerInput {
  infoHash: string;
  peerId: string;
  sock: string;
  toPeerId: string;
  answer: Sdp;
  offerId: string;
}

export interface SwarmCounts {
  complete: number;
  incomplete: number;
  downloaded: number;
}

const NOTHING: SwarmChange = { put: [], drop: [], completed: 0 };

/** The peer id's holder when it is another socket: the Swarm asks whether that socket is still open. */
export function otherHolder(rows: SwarmRows, a: { peerId: string; sock: string }): PeerAddress | undefined {
  const holder = rows.peer(a.peerId);
  return holder && holder.sock !== a.sock ? holder : undefined;
}

/**
 * An announce. `holderOpen`: whether otherHolder's socket is still open (false when there is
 * none); a peer id held by an open socket is refused, one whose socket died is taken back.
 */
export function planAnnounce(
  rows: SwarmRows,
  a: AnnounceInput,
  holderOpen: boolean,
  now: number,
  rng: () => number,
): { ok: true; change: SwarmChange; sends: Send[] } | { ok: false; reason: string } {
  if (otherHolder(rows, a) && holderOpen) return { ok: false, reason: PEER_ID_IN_USE };
  const existing = rows.peer(a.peerId);
  if (a.event === 'stopped') return { ok: true, change: { ...NOTHING, drop: existing ? [a.peerId] : [] }, sends: [] };
  // Infinity (unknown, e.g. a magnet without metadata yet) is stored as -1.
  const left = a.event === 'completed' ? 0 : Number.isFinite(a.left) ? a.left : -1;
  const completed = a.event === 'completed' && (!existing || existing.left !== 0) ? 1 : 0;
  const row: SwarmPeer = { peerId: a.peerId, sock: a.sock, shard: a.shard, left, uploaded: a.uploaded, downloaded: a.downloaded, lastSeen: now };
  return { ok: true, change: { put: [row], drop: [], completed }, sends: offerSends(rows, a, rng) };
}

/** The announce's offers, one to each of random other peers (not the announcer, nor its socket). */
function offerSends(rows: SwarmRows, a: AnnounceInput, rng: () => number): Send[] {
  if (a.offers.length === 0) return [];
  const others = rows.all().filter((p) => p.peerId !== a.peerId && p.sock !== a.sock);
  const targets = sample(others, Math.min(a.offers.length, MAX_ANNOUNCE_PEERS), rng);
  return targets.map((to, i) => {
    const o = a.offers[i]!;
    return {
      to: addressOf(to),
      msg: { action: 'announce', offer: o.offer, offer_id: hexToBinary(o.offerId), peer_id: hexToBinary(a.peerId), info_hash: hexToBinary(a.infoHash) },
    };
  });
}

/** An answer to an offer: sent back to the peer that made it. `unreachable`: the reason when it cannot be delivered. */
export function planAnswer(rows: SwarmRows, a: AnswerInput): { ok: true; send: Send; unreachable: string } | { ok: false; reason: string } {
  const from = rows.peer(a.peerId);
  if (!from || from.sock !== a.sock) return { ok: false, reason: NOT_ANNOUNCED };
  const to = rows.peer(a.toPeerId);
  if (!to) return { ok: false, reason: NO_SUCH_PEER };
  const msg: TrackerResponse = { action: 'announce', answer: a.answer, offer_id: hexToBinary(a.offerId), peer_id: hexToBinary(a.peerId), info_hash: hexToBinary(a.infoHash) };
  return { ok: true, send: { to: addressOf(to), msg }, unreachable: NO_SUCH_PEER };
}

/** After sending: the peers whose socket was gone leave; `delivered` counts the others. */
export function afterDelivery(sends: readonly Send[], delivered: readonly boolean[]): { change: SwarmChange; delivered: number } {
  const drop = sends.filter((_, i) => !delivered[i]).map((s) => s.to.peerId);
  return { change: { ...NOTHING, drop }, delivered: sends.length - drop.length };
}

/** A tracker socket closed: all its peers leave. */
export function planLeave(rows: SwarmRows, sock: string): SwarmChange {
  return { ...NOTHING, drop: rows.all().filter((p) => p.sock === sock).map((p) => p.peerId) };
}

/** Peers that have not announced for EXPIRE_MS leave. */
export function planExpiry(rows: SwarmRows, now: number): SwarmChange {
  return { ...NOTHING, drop: rows.all().filter((p) => p.lastSeen < now - EXPIRE_MS).map((p) => p.peerId) };
}

/** Seeders (nothing left) and leechers (something, or an unknown amount, left). */
export function swarmCounts(peers: readonly SwarmPeer[]): { complete: number; incomplete: number } {
  const complete = peers.filter((p) => p.left === 0).length;
  return { complete, incomplete: peers.length - complete };
}

function addressOf(p: PeerAddress): PeerAddress {
  return { peerId: p.peerId, sock: p.sock, shard: p.shard };
}
