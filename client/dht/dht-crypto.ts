/**
 * The keys behind DHT signatures (see protocol/dht-sign.ts for what is signed). Each tab holds an
 * ECDSA P-256 key pair, made with Web Crypto (the private key not extractable) and kept in
 * IndexedDB under its peer id, so that a reload keeps it; the edge's Lobby certifies the public
 * key for the tab's peer id when the tab connects (`cert` message). `DhtSigner` signs this tab's
 * values and set members; `DhtVerifier` checks anyone's, trusting only the room key that this
 * tab's own edge socket delivered, and caches the certificates it has checked.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { DHT_LIMITS, type DhtOp, type DhtRecord, type SetMember, type SignerProof } from '../../protocol/dht';
import { ECDSA, ECDSA_SIGN, certText, fromBase64url, memberText, toBase64url, utf8, valueText } from '../../protocol/dht-sign';

export interface PeerKeys {
  pair: CryptoKeyPair;
  /** The public key, raw P-256, base64url. */
  pk: string;
}

/** The room's certificate of this tab's key, as its edge socket delivered it. */
export interface Certificate {
  peer: string;
  cert: string;
  roomKey: string;
}

let keyStore: UseStore | null = null;
const keysDb = (): UseStore => (keyStore ??= createStore('edge-p2p-keys', 'keys'));

export async function newKeys(): Promise<PeerKeys> {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  return { pair, pk: toBase64url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))) };
}

/** The key pair stored for `peer` (a reload), or a new one (a new peer, or none stored). */
export async function loadKeys(peer: string | null): Promise<PeerKeys> {
  if (peer) {
    try {
      const stored = await get<PeerKeys>(`peer:${peer}`, keysDb());
      if (stored?.pair?.privateKey && typeof stored.pk === 'string') return stored;
    } catch {
      // No IndexedDB (private mode): a new pair for this session.
    }
  }
  return newKeys();
}

/** Keep `keys` as the key pair of `peer` (after the edge named this tab). */
export async function saveKeys(peer: string, keys: PeerKeys): Promise<void> {
  await set(`peer:${peer}`, keys, keysDb()).catch(() => undefined);
}

async function sign(key: CryptoKey, text: string): Promise<string> {
  return toBase64url(new Uint8Array(await crypto.subtle.sign(ECDSA_SIGN, key, utf8(text))));
}

/** Signs this tab's DHT writes with its certified key. */
export class DhtSigner {
  constructor(
    readonly keys: PeerKeys,
    public certificate: Certificate,
  ) {}

  get self(): string {
    return this.certificate.peer;
  }

  private proof(sig: string): SignerProof {
    return { pk: this.keys.pk, cert: this.certificate.cert, sig };
  }

  async put(key: string, value: string, ts: number): Promise<Extract<DhtOp, { op: 'put' }>> {
    const sig = await sign(this.keys.pair.privateKey, valueText(key, value, ts, this.self));
    return { op: 'put', value, ts, writer: this.self, ...this.proof(sig) };
  }

  async member(key: string, m: string, t: number, ttl: number): Promise<SetMember> {
    const sig = await sign(this.keys.pair.privateKey, memberText(key, m, t, ttl, this.self));
    return { m, s: this.self, t, ttl, expires: t + ttl, ...this.proof(sig) };
  }
}

const CERT_CACHE = 4096;
/** Signatures found good, so that a set replicated again and again is not verified again and again. */
const SIG_CACHE = 16_384;

/** Checks signatures of values and set members against certificates of the room key. */
export class DhtVerifier {
  private readonly roomKey: Promise<CryptoKey | null>;
  /** `peer \n pk \n cert` → the certified public key, or null when the certificate is false. */
  private readonly certs = new Map<string, Promise<CryptoKey | null>>();
  /** `sig \n peer \n text` of signatures that verified. */
  private readonly good = new Set<string>();

  constructor(
    readonly room: string,
    roomKey: string,
  ) {
    this.roomKey = crypto.subtle.importKey('raw', fromBase64url(roomKey), ECDSA, false, ['verify']).catch(() => null);
  }

  /** The public key `proof` certifies for `peer`, or null. */
  private key(peer: string, proof: SignerProof): Promise<CryptoKey | null> {
    const k = `${peer}\n${proof.pk}\n${proof.cert}`;
    let p = this.certs.get(k);
    if (!p) {
      if (this.certs.size >= CERT_CACHE) this.certs.clear();
      p = (async () => {
        const room = await this.roomKey;
        if (!room) return null;
        try {
          const ok = await crypto.subtle.verify(ECDSA_SIGN, room, fromBase64url(proof.cert), utf8(certText(this.room, peer, proof.pk)));
          return ok ? await crypto.subtle.importKey('raw', fromBase64url(proof.pk), ECDSA, false, ['verify']) : null;
        } catch {
          return null;
        }
      })();
      this.certs.set(k, p);
    }
    return p;
  }

  private async check(peer: string, proof: SignerProof, text: string): Promise<boolean> {
    const seen = `${proof.sig}\n${proof.pk}\n${proof.cert}\n${peer}\n${text}`;
    if (this.good.has(seen)) return true;
    const key = await this.key(peer, proof);
    if (!key) return false;
    try {
      const ok = await crypto.subtle.verify(ECDSA_SIGN, key, fromBase64url(proof.sig), utf8(text));
      if (ok) {
        if (this.good.size >= SIG_CACHE) this.good.clear();
        this.good.add(seen);
      }
      return ok;
    } catch {
      return false;
    }
  }

  /** Whether a put was signed by its writer with a key the room certified. */
  put(key: string, op: Extract<DhtOp, { op: 'put' }>): Promise<boolean> {
    return this.check(op.writer, op, valueText(key, op.value, op.ts, op.writer));
  }

  member(key: string, x: SetMember): Promise<boolean> {
    if (x.ttl > DHT_LIMITS.memberTtl) return Promise.resolve(false);
    return this.check(x.s, x, memberText(key, x.m, x.t, x.ttl, x.s));
  }

  /**
   * A received record with what does not verify taken out: a value whose signature fails is
   * refused whole (undefined); a set keeps the members that verify. `refused` counts what was
   * taken out.
   */
  async record(rec: DhtRecord): Promise<{ record?: DhtRecord; refused: number }> {
    if (rec.kind === 'value') {
      const { value, ts, writer, pk, cert, sig } = rec;
      if (value === undefined || !pk || !cert || !sig) return { refused: 1 };
      const ok = await this.put(rec.key, { op: 'put', value, ts, writer, pk, cert, sig });
      return ok ? { record: rec, refused: 0 } : { refused: 1 };
    }
    const members = rec.members ?? [];
    const ok = await Promise.all(members.map((x) => this.member(rec.key, x)));
    const kept = members.filter((_, i) => ok[i]);
    const refused = members.length - kept.length;
    return kept.length > 0 ? { record: { ...rec, members: kept }, refused } : { refused };
  }
}
