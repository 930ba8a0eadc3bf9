/**
 * What the key's successor does with the operation a route brought: find (its successor list),
 * get, members, and the signed writes put and add, which are verified, applied by the record rules
 * (client/core/dht-records.ts), stored and sent to the replicas before they are acknowledged.
 */
import type { DhtOp, DhtRecord } from '../../protocol/dht';
import { applyOp, kindError, readMembers, readValue } from '../core/dht-records';
import type { DhtVerifier } from './dht-crypto';
import type { RingState } from './dht-ring';
import type { Reply } from './dht-routing';
import type { DhtNodeStats } from './dht-stats';
import type { DhtStore } from './dht-store';

export interface OwnerOpsDeps {
  ring: RingState;
  store: DhtStore;
  verifier: Pick<DhtVerifier, 'put' | 'member'>;
  /** A changed record goes to the replicas (resolves once it is handed to their links). */
  replicate: (recs: DhtRecord[]) => Promise<void>;
  stats: Pick<DhtNodeStats, 'refusedWrites'>;
  now?: () => number;
}

export class OwnerOps {
  private readonly now: () => number;

  constructor(private readonly deps: OwnerOpsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Carry out `op` on the key `id` held here; the reply to send (ref and hops as the route's). */
  async execute(op: DhtOp, key: string | undefined, id: string, ref: string, hops: number): Promise<Reply> {
    const { ring, store, verifier } = this.deps;
    const base = { type: 'reply' as const, ref, hops, owner: ring.self };
    const now = this.now();
    const rec = store.get(id);
    switch (op.op) {
      case 'find':
        return { ...base, ok: true, successors: ring.chord.successors.map((n) => ring.peer(n)) };
      case 'get':
        if (rec?.kind === 'set' && key !== undefined) return { ...base, ok: false, code: 'refused', error: kindError(key, 'set') };
        return { ...base, ok: true, value: readValue(rec, now) };
      case 'members':
        if (rec?.kind === 'value' && key !== undefined) return { ...base, ok: false, code: 'refused', error: kindError(key, 'value') };
        return { ...base, ok: true, members: readMembers(rec, now) };
      case 'put':
      case 'add': {
        if (key === undefined) return { ...base, ok: false, code: 'refused', error: 'a write needs a key' };
        const signed = op.op === 'put' ? await verifier.put(key, op) : await verifier.member(key, op.member);
        if (!signed) {
          this.deps.stats.refusedWrites++;
          const who = op.op === 'put' ? op.writer : op.member.s;
          return { ...base, ok: false, code: 'refused', error: `the write is not signed by ${who} with a key the room certified` };
        }
        // The signature check took a while: decide on the record as it is now.
        const res = applyOp(store.get(id), key, id, op, this.now());
        if (res.error) return { ...base, ok: false, code: 'refused', error: res.error };
        if (res.changed && res.record) {
          store.put(res.record);
          // The write is acknowledged once its replicas' copies are on their way (handed to the
          // links), not before: an owner that dies right after its answer leaves them a copy.
          await this.deps.replicate([res.record]);
        }
        return { ...base, ok: true };
      }
    }
  }
}
