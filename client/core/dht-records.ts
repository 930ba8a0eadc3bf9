/**
 * What a DHT node does with one key's record: the pure logic of operations, reads, expiry,
 * admission and the merge of replicas. Time is always passed in (`now`, ms since the epoch, the
 * node's clock). Signatures are checked by the caller (client/dht/dht-crypto.ts) before any
 * record or operation gets here: this module trusts that a value was signed by its `writer` and
 * a member by its `s`, and decides everything else.
 *
 * A 'value' belongs to its first writer: while it is live, only a newer version signed by the same
 * writer replaces it; another writer is refused. A value that is not written again for
 * DHT_LIMITS.valueTtl expires (prune drops it) and its key is free for any writer. No version may
 * be ahead of the receiver's clock by more than DHT_LIMITS.skew (a far-future ts cannot lock a key).
 *
 * A 'set' holds members, each signed by the peer it names and keyed by (signer, member): a peer
 * adds and refreshes only its own entries, with a lifetime of at most DHT_LIMITS.memberTtl, and
 * holds at most DHT_LIMITS.perSigner entries of one set, so one peer cannot push the others out of
 * the DHT_LIMITS.members a set keeps. In a `holders:` set a member must be its signer's peer id.
 *
 * `mergeRecords` is a join: commutative, associative and idempotent, so replicas that exchange
 * records in any order and any number of times agree. Values: the newer version by (ts, writer);
 * sets: the union, each (signer, member) at its latest expiry, then the caps, keeping the
 * latest-expiring (one total order for both caps, so capping commutes with the union). Across
 * kinds a value always beats a set (see `mergeRecords`). `admitRecord` is what a node applies
 * before merging a record it received: the merge itself stays a join.
 */
import { DHT_LIMITS, utf8Length, type DhtOp, type DhtRecord, type SetMember } from '../../protocol/dht';

export interface ApplyResult {
  /** The record after the operation (undefined: the key holds nothing). */
  record?: DhtRecord;
  /** Whether the record differs from the one passed in (store it, replicate it). */
  changed: boolean;
  /** The operation was refused: why (for a `reply` with ok false). */
  error?: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The key as error text shows it, short enough for DHT_LIMITS.error. */
function showKey(key: string): string {
  const chars = Array.from(key);
  return chars.length > 80 ? `${JSON.stringify(chars.slice(0, 80).join(''))}…` : JSON.stringify(key);
}

function fail(record: DhtRecord | undefined, text: string): ApplyResult {
  return { record, changed: false, error: text.slice(0, DHT_LIMITS.error) };
}

/** The error of an operation on a key that holds the other kind. */
export function kindError(key: string, holds: DhtRecord['kind']): string {
  const text = holds === 'set' ? `key ${showKey(key)} holds a set, not a value` : `key ${showKey(key)} holds a value, not a set`;
  return text.slice(0, DHT_LIMITS.error);
}

/** Why a version from another clock is refused, or null when it is not too far ahead of `now`. */
export function futureError(ts: number, now: number): string | null {
  return ts > now + DHT_LIMITS.skew ? `ts ${ts} is more than ${DHT_LIMITS.skew / 1000} s ahead of the receiver's clock (${now}): check the clock` : null;
}

/** Order of two versions: (ts, writer), then value and signature so that equal versions still agree. */
function compareVersions(a: DhtRecord, b: DhtRecord): number {
  return a.ts - b.ts || cmp(a.writer, b.writer) || cmp(a.value ?? '', b.value ?? '') || cmp(a.sig ?? '', b.sig ?? '');
}

/** The rank of a member for the caps: later expiry first, then signer, member, signature. */
function rank(a: SetMember, b: SetMember): number {
  return b.expires - a.expires || cmp(a.s, b.s) || cmp(a.m, b.m) || cmp(a.sig, b.sig);
}

/**
 * Members as a set keeps them: one entry per (signer, member), the latest-expiring (then the
 * signature, so that equal expiries agree); at most DHT_LIMITS.perSigner per signer and
 * DHT_LIMITS.members in all, the best ranked kept; sorted by (member, signer).
 */
export function normalizeMembers(list: Iterable<SetMember>): SetMember[] {
  const best = new Map<string, SetMember>();
  for (const x of list) {
    const k = `${x.s}\n${x.m}`;
    const cur = best.get(k);
    if (!cur || rank(x, cur) < 0) best.set(k, x);
  }
  const perSigner = new Map<string, number>();
  const kept: SetMember[] = [];
  for (const x of [...best.values()].sort(rank)) {
    const n = perSigner.get(x.s) ?? 0;
    if (n >= DHT_LIMITS.perSigner) continue;
    perSigner.set(x.s, n + 1);
    kept.push(x);
    if (kept.length === DHT_LIMITS.members) break;
  }
  return kept.sort((a, b) => cmp(a.m, b.m) || cmp(a.s, b.s));
}

/** A set record over `members` (normalized); its version is its latest member's (t, signer). */
function setOf(key: string, id: string, members: SetMember[]): DhtRecord {
  let ts = 0;
  let writer = members[0]?.s ?? '';
  for (const x of members) {
    if (x.t > ts || (x.t === ts && x.s < writer)) {
      ts = x.t;
      writer = x.s;
    }
  }
  return { key, id, kind: 'set', ts, writer, members };
}

function sameMembers(a: readonly SetMember[], b: readonly SetMember[]): boolean {
  return a.length === b.length && a.every((x, i) => x.m === b[i]!.m && x.s === b[i]!.s && x.expires === b[i]!.expires && x.sig === b[i]!.sig);
}

/** Why a member may not be in the set at `key`, or null. */
export function memberError(key: string, x: SetMember, now: number): string | null {
  const future = futureError(x.t, now);
  if (future) return future;
  if (!Number.isInteger(x.ttl) || x.ttl < 1 || x.ttl > DHT_LIMITS.memberTtl) return `ttl must be an integer in [1, ${DHT_LIMITS.memberTtl}] ms`;
  if (x.expires !== x.t + x.ttl) return 'expires must be t + ttl';
  if (x.m.length === 0 || Array.from(x.m).length > DHT_LIMITS.member) return `member must be 1 to ${DHT_LIMITS.member} characters`;
  if (key.startsWith('holders:') && x.m !== x.s) return `a member of ${showKey(key)} must be its signer's own peer id`;
  return null;
}

/** The record without what has expired: a set's members past their expiry, a value past valueTtl. */
export function prune(record: DhtRecord | undefined, now: number): DhtRecord | undefined {
  if (!record) return record;
  if (record.kind === 'value') return record.ts + DHT_LIMITS.valueTtl > now ? record : undefined;
  const members = record.members ?? [];
  const live = members.filter((x) => x.expires > now);
  if (live.length === 0) return undefined;
  return live.length === members.length ? record : setOf(record.key, record.id, live);
}

/** A value's text; null when the key holds no value (unknown, expired, or a set). */
export function readValue(record: DhtRecord | undefined, now: number): string | null {
  const r = prune(record, now);
  return r?.kind === 'value' ? (r.value ?? null) : null;
}

/** A set's live members, each once (two publishers of one file add the same text); [] when none. */
export function readMembers(record: DhtRecord | undefined, now: number): string[] {
  const r = prune(record, now);
  return r?.kind === 'set' ? [...new Set((r.members ?? []).map((x) => x.m))] : [];
}

/** A set's live members with their signers. */
export function readSigned(record: DhtRecord | undefined, now: number): { m: string; s: string }[] {
  const r = prune(record, now);
  return r?.kind === 'set' ? (r.members ?? []).map((x) => ({ m: x.m, s: x.s })) : [];
}

/**
 * Carry out `op` on the key's record (undefined: none) as its owner; the op's signature has been
 * checked. Reads change nothing but refuse a key of the other kind. A write that does not take
 * effect is refused with the reason, never answered as done.
 */
export function applyOp(record: DhtRecord | undefined, key: string, id: string, op: DhtOp, now: number): ApplyResult {
  const live = prune(record, now);
  switch (op.op) {
    case 'find':
      return { record, changed: false };
    case 'get':
      return live?.kind === 'set' ? fail(record, kindError(key, 'set')) : { record, changed: false };
    case 'members':
      return live?.kind === 'value' ? fail(record, kindError(key, 'value')) : { record, changed: false };
    case 'put': {
      if (live?.kind === 'set') return fail(record, kindError(key, 'set'));
      if (!Number.isSafeInteger(op.ts) || op.ts < 0) return fail(record, 'ts must be a non-negative safe integer');
      const future = futureError(op.ts, now);
      if (future) return fail(record, future);
      if (utf8Length(op.value) > DHT_LIMITS.value) return fail(record, `value is larger than ${DHT_LIMITS.value} bytes`);
      const next: DhtRecord = { key, id, kind: 'value', value: op.value, ts: op.ts, writer: op.writer, pk: op.pk, cert: op.cert, sig: op.sig };
      if (!live) return { record: next, changed: true };
      if (live.writer !== op.writer) return fail(record, `key ${showKey(key)} belongs to ${live.writer}, its first writer (it is free once not written for ${DHT_LIMITS.valueTtl / 3600_000} h)`);
      const order = compareVersions(next, live);
      if (order === 0) return { record, changed: false };
      if (order < 0) return fail(record, `a newer version of key ${showKey(key)} is held (ts ${live.ts})`);
      return { record: next, changed: true };
    }
    case 'add': {
      if (live?.kind === 'value') return fail(record, kindError(key, 'value'));
      const x = op.member;
      const bad = memberError(key, x, now);
      if (bad) return fail(record, bad);
      if (x.expires <= now) return fail(record, 'the member has already expired');
      const members = live?.members ?? [];
      const next = normalizeMembers([...members, x]);
      if (!next.some((y) => y.s === x.s && y.m === x.m && y.expires >= x.expires)) {
        const own = next.filter((y) => y.s === x.s).length;
        if (own >= DHT_LIMITS.perSigner) return fail(record, `${x.s} already holds ${own} entries of the set at ${showKey(key)} that expire no earlier`);
        return fail(record, `the set at ${showKey(key)} is full of members that expire later`);
      }
      if (live && sameMembers(next, members)) return { record: live, changed: live !== record };
      return { record: setOf(key, id, next), changed: true };
    }
  }
}

export interface AdmitResult {
  /** The record to hold after the admission (undefined: nothing). */
  record?: DhtRecord;
  changed: boolean;
  /** Entries refused (a value counts one, a set each member), and the first reason. */
  refused: number;
  reason?: string;
}

/**
 * A record another node sent (replica, handover, leave), its signatures checked, admitted into
 * what this node holds: a version ahead of the clock is refused; so is a value of a writer other
 * than the held live value's (the key is that writer's); a set's members that break a member rule
 * are refused one by one. The rest is merged (mergeRecords).
 */
export function admitRecord(held: DhtRecord | undefined, incoming: DhtRecord, now: number): AdmitResult {
  const live = prune(held, now);
  let rec = incoming;
  let refused = 0;
  let reason: string | undefined;
  if (rec.kind === 'value') {
    reason = futureError(rec.ts, now) ?? undefined;
    if (!reason && live?.kind === 'value' && live.writer !== rec.writer) reason = `key ${showKey(rec.key)} belongs to ${live.writer}`;
    if (reason) return { record: held, changed: false, refused: 1, reason };
  } else {
    const ok: SetMember[] = [];
    for (const x of rec.members ?? []) {
      const bad = memberError(rec.key, x, now);
      if (bad) {
        refused++;
        reason ??= bad;
      } else ok.push(x);
    }
    if (ok.length === 0) return { record: held, changed: false, refused, ...(reason ? { reason } : {}) };
    rec = setOf(rec.key, rec.id, normalizeMembers(ok));
  }
  const merged = held ? mergeRecords(held, rec) : rec;
  const changed = !held || !sameRecord(merged, held);
  return { record: merged, changed, refused, ...(reason ? { reason } : {}) };
}

function sameRecord(a: DhtRecord, b: DhtRecord): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'value') return compareVersions(a, b) === 0;
  return sameMembers(a.members ?? [], b.members ?? []);
}

/**
 * The join of two replicas of one key: values → the newer version; sets → the union (see
 * normalizeMembers); a value and a set → the value: "the newer wins" cannot be associative
 * together with the union of sets, and the owner refuses to turn a live key into the other kind,
 * so a value meeting a set means a set that expired and was replaced by a value, or an add accepted
 * by an owner that had not yet received the key (that member is lost; its refresh is refused with
 * the kind error). Commutative, associative and idempotent; expired entries are kept (prune drops
 * them).
 */
export function mergeRecords(a: DhtRecord, b: DhtRecord): DhtRecord {
  if (a.kind !== b.kind) return a.kind === 'value' ? a : b;
  if (a.kind === 'value') return compareVersions(a, b) >= 0 ? a : b;
  return setOf(a.key, a.id, normalizeMembers([...(a.members ?? []), ...(b.members ?? [])]));
}
