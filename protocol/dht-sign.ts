/**
 * What DHT signatures cover, as the exact text that is signed (ECDSA P-256 with SHA-256, the
 * raw 64-byte r||s form Web Crypto makes, base64url). Three signatures, three texts:
 *   - the room's certificate of a peer's key: the room's Lobby signs (room, peer id, public key);
 *   - a value: its writer signs (key, value, ts, writer);
 *   - a set member: the peer it names signs (key, member, t, ttl, signer).
 * A receiver checks the certificate with the room key its own edge socket gave it, then the
 * record with the certified public key. Public keys are raw uncompressed P-256 points (65
 * bytes), base64url: 87 characters; signatures 64 bytes: 86 characters.
 */
export const PUBLIC_KEY_RE = /^[A-Za-z0-9_-]{87}$/;
export const SIGNATURE_RE = /^[A-Za-z0-9_-]{86}$/;

/** The text the Lobby signs to certify that `peer` of `room` holds `pk`. */
export function certText(room: string, peer: string, pk: string): string {
  return JSON.stringify(['edge-p2p cert 1', room, peer, pk]);
}

/** The text a writer signs for a value. */
export function valueText(key: string, value: string, ts: number, writer: string): string {
  return JSON.stringify(['edge-p2p value 1', key, value, ts, writer]);
}

/** The text a member's signer signs to add `member` to the set at `key` from `t` for `ttl` ms. */
export function memberText(key: string, member: string, t: number, ttl: number, signer: string): string {
  return JSON.stringify(['edge-p2p member 1', key, member, t, ttl, signer]);
}

const enc = new TextEncoder();

export function utf8(s: string): Uint8Array<ArrayBuffer> {
  return enc.encode(s) as Uint8Array<ArrayBuffer>;
}

export function toBase64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
