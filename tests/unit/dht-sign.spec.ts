/**
 * DHT signatures with real Web Crypto: a tab's signer and any receiver's verifier, under a room
 * key made here as the Lobby makes it; and the strict parse of the edge's `cert` message.
 */
import { expect, test } from '@playwright/test';
import { DhtSigner, DhtVerifier, newKeys } from '../../client/dht/dht-crypto';
import { DHT_LIMITS, keyId, type DhtRecord } from '../../protocol/dht';
import { ECDSA, ECDSA_SIGN, certText, toBase64url, utf8 } from '../../protocol/dht-sign';
import { parseServerMessage } from '../../protocol/signaling';
import { protocolErrorOf } from '../helpers/unit';

const ROOM = 'main';
const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';

/** A room key pair and a signer for `peer`, certified by it (what the Lobby does on join). */
async function room() {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  const roomKey = toBase64url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
  const signer = async (peer: string, asRoom = ROOM) => {
    const keys = await newKeys();
    const cert = toBase64url(new Uint8Array(await crypto.subtle.sign(ECDSA_SIGN, pair.privateKey, utf8(certText(asRoom, peer, keys.pk)))));
    return new DhtSigner(keys, { peer, cert, roomKey });
  };
  return { roomKey, signer };
}

test('a value verifies only as its writer signed it, under a certificate of this room', async () => {
  const r = await room();
  const v = new DhtVerifier(ROOM, r.roomKey);
  const a = await r.signer(A);
  const op = await a.put('k', 'v', 1000);
  expect(await v.put('k', op)).toBe(true);
  expect(await v.put('k', { ...op, value: 'w' })).toBe(false);
  expect(await v.put('k', { ...op, ts: 1001 })).toBe(false);
  expect(await v.put('other key', op)).toBe(false);
  // In another peer's name: A's certificate names A.
  expect(await v.put('k', { ...op, writer: B })).toBe(false);
  // B's own key with A's certificate, or a certificate of another room: refused.
  const b = await r.signer(B);
  expect(await v.put('k', { ...(await b.put('k', 'v', 1000)), cert: op.cert })).toBe(false);
  const elsewhere = await r.signer(A, 'other-room');
  expect(await v.put('k', await elsewhere.put('k', 'v', 1000))).toBe(false);
  // Another room's verifier (another room key) refuses all of this room's.
  expect(await new DhtVerifier(ROOM, (await room()).roomKey).put('k', op)).toBe(false);
});

test('a member verifies only for its signer, its key, its time and ttl; records keep what verifies', async () => {
  const r = await room();
  const v = new DhtVerifier(ROOM, r.roomKey);
  const a = await r.signer(A);
  const key = 'holders:' + 'ab'.repeat(20);
  const x = await a.member(key, A, 5000, 60_000);
  expect(x.expires).toBe(65_000);
  expect(await v.member(key, x)).toBe(true);
  expect(await v.member(key, { ...x, s: B, m: B })).toBe(false);
  expect(await v.member(key, { ...x, ttl: 120_000, expires: 125_000 })).toBe(false);
  expect(await v.member(key, { ...x, t: 6000, expires: 66_000 })).toBe(false);
  expect(await v.member('kw:x', x)).toBe(false);
  expect(await v.member(key, await a.member(key, A, 0, DHT_LIMITS.memberTtl + 1))).toBe(false);

  const set: DhtRecord = { key, id: keyId(key), kind: 'set', ts: 0, writer: A, members: [x, { ...x, m: 'forged' }] };
  const checked = await v.record(set);
  expect(checked.refused).toBe(1);
  expect(checked.record?.members).toEqual([x]);
  const op = await a.put('k', 'v', 1);
  const { op: _op, ...signed } = op;
  const value: DhtRecord = { key: 'k', id: keyId('k'), kind: 'value', ...signed };
  expect(await v.record(value)).toEqual({ record: value, refused: 0 });
  expect(await v.record({ ...value, value: 'changed' })).toEqual({ refused: 1 });
});

test('the edge\'s cert message is parsed strictly', () => {
  const ok = { type: 'cert', cert: 'c'.repeat(86), roomKey: 'K'.repeat(87) };
  expect(parseServerMessage(JSON.stringify(ok))).toEqual(ok);
  expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ ...ok, cert: 'short' })))).toEqual({ code: 'bad-field', field: 'cert' });
  expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ ...ok, roomKey: '+'.repeat(87) })))).toEqual({ code: 'bad-field', field: 'roomKey' });
  expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'cert', cert: 'c'.repeat(86) })))).toEqual({ code: 'bad-field', field: 'roomKey' });
});
