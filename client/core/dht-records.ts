/**
 * What a DHT node does with one key's record: the pure logic of operations, reads, expiry and
 * the merge of replicas. Time is always passed in (`now`, ms since the epoch, the owner's clock).
 *
 * A 'value' is a last-writer-wins register ordered by (ts, writer). A 'set' holds members that
 * each expire; its ts and writer name its last change. A member is live while `expires > now`.
 *
 * `mergeRecords` is a join: commutative, associative and idempotent, so replicas that exchange
 * records in any order and any number of times agree. Within a kind it is what one expects
 * (value: the newer version; set: the union, each member with its latest expiry). Across kinds a
 * value always beats a set: "the newer ts wins" cannot be associative together with the union of
 * sets (set@1 ⊔ value@2 ⊔ set@3 would give set@3 or set@1∪set@3 depending on the grouping).
 * Values never expire and the owner refuses to turn a live key into the other kind, so a value
 * meeting a set means a set that expired and was replaced by a value (keep the value) or an add
 * accepted by an owner that had not yet received the key (lose that member; its next refresh
 * is refused with the kind error).
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
  return chars.length > 100 ? `${JSON.stringify(chars.slice(0, 100).join(''))}…` : JSON.stringify(key);
}

/** The error of an operation on a key that holds the other kind. */
export function kindError(key: string, holds: DhtRecord['kind']): string {
  const text = holds === 'set' ? `key ${showKey(key)} holds a set, not a value` : `key ${showKey(key)} holds a value, not a set`;
  return text.slice(0, DHT_LIMITS.error);
}

/** Order of two versions: (ts, writer), then the value itself so that equal versions still agree. */
function compareVersions(a: DhtRecord, b: DhtRecord): number {
  return a.ts - b.ts || cmp(a.writer, b.writer) || cmp(a.value ?? '', b.value ?? '');
}

/** Members sorted by `m`, at most DHT_LIMITS.members of them: the ones expiring last (ties: smaller m). */
function capMembers(byM: Map<string, number>): SetMember[] {
  let entries = [...byM];
  if (entries.length > DHT_LIMITS.members) {
    entries.sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
    entries = entries.slice(0, DHT_LIMITS.members);
  }
  return entries.sort((a, b) => cmp(a[0], b[0])).map(([m, expires]) => ({ m, expires }));
}

function sameMembers(a: readonly SetMember[], b: readonly SetMember[]): boolean {
  return a.length === b.length && a.every((x, i) => x.m === b[i]!.m && x.expires === b[i]!.expires);
}

/** The record without its expired members; a set with no live member is undefined (delete it). */
export function prune(record: DhtRecord | undefined, now: number): DhtRecord | undefined {
  if (!record || record.kind !== 'set') return record;
  const members = record.members ?? [];
  const live = members.filter((x) => x.expires > now);
  if (live.length === 0) return undefined;
  return live.length === members.length ? record : { ...record, members: live };
}

/** A value's text; null when the key holds no value (unknown, or a set). */
export function readValue(record: DhtRecord | undefined, now: number): string | null {
  const r = prune(record, now);
  return r?.kind === 'value' ? (r.value ?? null) : null;
}

/** A set's live members; [] when the key holds no set. */
export function readMembers(record: DhtRecord | undefined, now: number): string[] {
  const r = prune(record, now);
  return r?.kind === 'set' ? (r.members ?? []).map((x) => x.m) : [];
}

/**
 * Carry out `op` on the key's record (undefined: none) as its owner, `writer` being the peer
 * that asked. Reads change nothing but refuse a key of the other kind.
 */
export function applyOp(record: DhtRecord | undefined, key: string, id: string, op: DhtOp, writer: string, now: number): ApplyResult {
  const live = prune(record, now);
  const result = (next: DhtRecord | undefined): ApplyResult =>
    next === record ? { record, changed: false } : next ? { record: next, changed: true } : { changed: true };
  switch (op.op) {
    case 'find':
      return { record, changed: false };
    case 'get':
      return live?.kind === 'set' ? { record, changed: false, error: kindError(key, 'set') } : { record, changed: false };
    case 'members':
      return live?.kind === 'value' ? { record, changed: false, error: kindError(key, 'value') } : { record, changed: false };
    case 'put': {
      if (live?.kind === 'set') return { record, changed: false, error: kindError(key, 'set') };
      if (!Number.isSafeInteger(op.ts) || op.ts < 0) return { record, changed: false, error: 'ts must be a non-negative safe integer' };
      if (utf8Length(op.value) > DHT_LIMITS.value) return { record, changed: false, error: `value is larger than ${DHT_LIMITS.value} bytes` };
      const next: DhtRecord = { key, id, kind: 'value', value: op.value, ts: op.ts, writer };
      // An older or equal put loses to the value held (a set that expired is simply replaced).
      if (live && compareVersions(next, live) <= 0) return result(live);
      return result(next);
    }
    case 'add': {
      if (live?.kind === 'value') return { record, changed: false, error: kindError(key, 'value') };
      if (!Number.isInteger(op.ttlMs) || op.ttlMs < 1 || op.ttlMs > DHT_LIMITS.memberTtl) {
        return { record, changed: false, error: `ttlMs must be an integer in [1, ${DHT_LIMITS.memberTtl}]` };
      }
      if (op.member.length === 0 || Array.from(op.member).length > DHT_LIMITS.member) {
        return { record, changed: false, error: `member must be 1 to ${DHT_LIMITS.member} characters` };
      }
      const members = live?.members ?? [];
      const byM = new Map(members.map((x) => [x.m, x.expires]));
      byM.set(op.member, Math.max(byM.get(op.member) ?? 0, now + op.ttlMs));
      const capped = capMembers(byM);
      if (live && sameMembers(capped, members)) return result(live);
      const ts = Math.max(live?.ts ?? 0, now);
      return result({ key, id, kind: 'set', ts, writer, members: capped });
    }
  }
}

/**
 * The join of two replicas of one key (handover, replication, a leaving node's records):
 * values → the newer version; sets → the union, each member with its latest expiry (capped at
 * DHT_LIMITS.members, the latest-expiring kept) and the newer version; a value and a set → the
 * value (see the module comment). Commutative, associative and idempotent; expired members are
 * kept (prune drops them).
 */
export function mergeRecords(a: DhtRecord, b: DhtRecord): DhtRecord {
  if (a.kind !== b.kind) return a.kind === 'value' ? a : b;
  const newer = compareVersions(a, b) >= 0 ? a : b;
  if (a.kind === 'value') return newer;
  const byM = new Map<string, number>();
  for (const x of [...(a.members ?? []), ...(b.members ?? [])]) byM.set(x.m, Math.max(byM.get(x.m) ?? 0, x.expires));
  return { key: newer.key, id: newer.id, kind: 'set', ts: newer.ts, writer: newer.writer, members: capMembers(byM) };
}
