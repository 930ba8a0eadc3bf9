/**
 * Peer identity: the edge assigns a peer id in a room and signs the pair; a tab that presents
 * the id with its token in the same room reclaims the id, any other claim (another id, another
 * room, a forged token) gets a fresh id.
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

/**
 * The token for a peer id in a room: base64url(HMAC-SHA-256(secret, "peer:" + room + ":" + id)),
 * 43 characters. Rooms are [A-Za-z0-9_-], so the ":" cannot be forged into either part.
 */
export async function signPeerId(secret: string, room: string, id: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), enc.encode(`peer:${room}:${id}`));
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
 * Decide the id of a peer connecting to `room`: the claimed id when its token verifies for that
 * room, else a new one.
 */
export async function resolveIdentity(
  secret: string,
  room: string,
  claimedId: string | null,
  claimedToken: string | null,
  newId: () => string,
  idPattern: RegExp,
): Promise<{ id: string; token: string; reclaimed: boolean }> {
  if (claimedId && claimedToken && idPattern.test(claimedId)) {
    const expected = await signPeerId(secret, room, claimedId);
    if (sameToken(expected, claimedToken)) return { id: claimedId, token: expected, reclaimed: true };
  }
  const id = newId();
  return { id, token: await signPeerId(secret, room, id), reclaimed: false };
}
