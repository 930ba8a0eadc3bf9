/**
 * What each peer has: its bitfield and haves are kept raw until the metadata says how many
 * pieces there are, then make its bitfield, counted into the swarm's availability (and
 * uncounted when it leaves). Pure: the torrent updates its interest as these say.
 */
import { Bitfield } from '../../protocol/bitfield';
import { ProtocolError } from '../../protocol/errors';
import { wantsPiece } from './request-rules';
import type { SwarmPeer } from './swarm-peer';
import type { SwarmState } from './torrent-types';

type Haves = Pick<SwarmPeer, 'bitfield' | 'rawBitfield' | 'rawHaves' | 'amInterested'>;

/** A new peer's bitfield: empty, of the torrent's size once the metadata is here. */
export function emptyHaves(p: Haves, s: SwarmState | null): void {
  p.bitfield = s ? new Bitfield(s.info.pieces.length) : null;
  if (p.bitfield) s?.availability.addBitfield(p.bitfield);
}

/** A bitfield message; true when it counted (the metadata is here) and our interest is to be updated. A bad one throws a ProtocolError. */
export function takeBitfield(p: Haves, bytes: Uint8Array, s: SwarmState | null): boolean {
  if (!s) {
    p.rawBitfield = bytes;
    return false;
  }
  if (p.bitfield) s.availability.removeBitfield(p.bitfield);
  p.bitfield = Bitfield.fromBytes(bytes, s.info.pieces.length);
  s.availability.addBitfield(p.bitfield);
  return true;
}

/**
 * A have message: 'raw' kept until the metadata comes, 'interest' when it is a piece we want
 * (or one a player reads: the request book's urgent pieces) and are not yet interested (update
 * our interest), 'fill' otherwise. One out of range throws a ProtocolError.
 */
export function takeHave(p: Haves, index: number, s: SwarmState | null, wanted: Bitfield | null): 'raw' | 'interest' | 'fill' {
  if (!s || !p.bitfield) {
    p.rawHaves.push(index);
    return 'raw';
  }
  if (index >= s.info.pieces.length) throw new ProtocolError('bad-frame', `have ${index} out of range`);
  if (!p.bitfield.get(index)) {
    p.bitfield.set(index);
    s.availability.addHave(index);
  }
  return !p.amInterested && wantsPiece(index, s.have, wanted, s.book.urgentPieces()) ? 'interest' : 'fill';
}

/** The metadata is here: what the peer announced before makes its bitfield (haves past the torrent's pieces dropped). Throws on a bad bitfield. */
export function settleHaves(p: Haves, s: SwarmState): void {
  const n = s.info.pieces.length;
  const bitfield = p.rawBitfield ? Bitfield.fromBytes(p.rawBitfield, n) : new Bitfield(n);
  p.bitfield = bitfield;
  for (const i of p.rawHaves) if (i < n) bitfield.set(i);
  s.availability.addBitfield(bitfield);
}

/** The peer left: its pieces are no longer available from it. */
export function dropHaves(p: Haves, s: SwarmState | null): void {
  if (p.bitfield) s?.availability.removeBitfield(p.bitfield);
}
