/**
 * Peer identity: the edge assigns a peer id and signs it; a tab that presents the id with
 * its token reclaims the id, any other claim gets a fresh id.
 */
const enc = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The token for a peer id: base64url(HMAC-SHA-256(secret, "peer:" + id)), 43 characters. */
export async function signPeerId(secret: string, id: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), enc.encode(`peer:${id}`));
  return base64url(new Uint8Array(mac));
}

/** Constant-time comparison of two tokens. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Decide the id of a connecting peer: the claimed id when its token verifies, else a new one.
 */
export async function resolveIdentity(
  secret: string,
  claimedId: string | null,
  claimedToken: string | null,
  newId: () => string,
  idPattern: RegExp,
): Promise<{ id: string; token: string; reclaimed: boolean }> {
  if (claimedId && claimedToken && idPattern.test(claimedId)) {
    const expected = await signPeerId(secret, claimedId);
    if (sameToken(expected, claimedToken)) return { id: claimedId, token: expected, reclaimed: true };
  }
  const id = newId();
  return { id, token: await signPeerId(secret, id), reclaimed: false };
}
