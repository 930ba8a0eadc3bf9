/**
 * The room's certificates of DHT keys: a peer that connects with a public key (`pk`) gets, from
 * its own edge socket and before its roster, the Lobby's signature over (room, peer id, pk) and
 * the room's public key, which stays the same for the room.
 */
import { expect, test } from '@playwright/test';
import type { ServerMessage } from '../../protocol/signaling';
import { ECDSA, ECDSA_SIGN, certText, fromBase64url, toBase64url, utf8 } from '../../protocol/dht-sign';
import { TestSocket, uniqueRoom } from '../helpers/socket';

type Cert = Extract<ServerMessage, { type: 'cert' }>;

async function publicKey(): Promise<string> {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  return toBase64url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
}

async function verifies(c: Cert, room: string, peer: string, pk: string): Promise<boolean> {
  const key = await crypto.subtle.importKey('raw', fromBase64url(c.roomKey), ECDSA, false, ['verify']);
  return crypto.subtle.verify(ECDSA_SIGN, key, fromBase64url(c.cert), utf8(certText(room, peer, pk)));
}

test('a peer that connects with a key gets the room\'s certificate of it before its roster; one room key per room', async () => {
  const room = uniqueRoom('cert');
  const [pkA, pkB] = [await publicKey(), await publicKey()];
  const a = await TestSocket.open(room, undefined, { pk: pkA });
  const b = await TestSocket.open(room, undefined, { pk: pkB });
  try {
    const first = await b.next((m) => m.type === 'cert' || m.type === 'roster');
    expect(first.type).toBe('cert');
    const cb = first as Cert;
    const ca = await a.next<Cert>((m) => m.type === 'cert');
    expect(ca.roomKey).toBe(cb.roomKey);
    expect(await verifies(ca, room, a.id, pkA)).toBe(true);
    expect(await verifies(cb, room, b.id, pkB)).toBe(true);
    // A certificate is for one peer id, one key and one room.
    expect(await verifies(ca, room, b.id, pkA)).toBe(false);
    expect(await verifies(ca, room, a.id, pkB)).toBe(false);
    expect(await verifies(ca, `${room}x`, a.id, pkA)).toBe(false);

    // The same peer reconnecting (its id reclaimed) gets a certificate under the same room key.
    a.close();
    const again = await TestSocket.open(room, { id: a.id, token: a.welcome.token }, { pk: pkA });
    const c2 = await again.next<Cert>((m) => m.type === 'cert');
    expect(c2.roomKey).toBe(ca.roomKey);
    expect(await verifies(c2, room, a.id, pkA)).toBe(true);
    again.close();
  } finally {
    a.close();
    b.close();
  }
});

test('no key or a malformed key: no certificate, the socket works as before', async () => {
  const room = uniqueRoom('nocert');
  for (const pk of [undefined, 'not-a-key', 'A'.repeat(200)]) {
    const s = await TestSocket.open(room, undefined, { pk: pk });
    await s.next((m) => m.type === 'roster');
    await s.next((m) => m.type === 'supers');
    expect(s.messages.some((m) => m.type === 'cert')).toBe(false);
    s.close();
  }
});
