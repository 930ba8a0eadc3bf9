/**
 * Torrent links opened through the signaling relay (instead of the tracker): a peer that found
 * holders of a file (say, by a Napster search) offers them a WebRTC connection for the torrent
 * `infoHash`; the connection then speaks the BitTorrent wire protocol like any torrent link.
 * Carried in `signal.data`: `{ kind: 'bt', link, infoHash, sig }`.
 */
import { ProtocolError, fieldString, isRecord } from './errors';
import type { SignalData } from './signaling';

export interface TorrentSignal {
  kind: 'bt';
  /** Which connection attempt this belongs to. */
  link: string;
  infoHash: string;
  /** A simple-peer signal: an SDP offer or answer, or an ICE candidate. */
  sig: Record<string, unknown>;
}

export function isTorrentSignal(data: SignalData): boolean {
  return data.kind === 'bt';
}

export function parseTorrentSignal(data: SignalData): TorrentSignal {
  if (data.kind !== 'bt') throw new ProtocolError('unknown-type', 'not a torrent signal', 'kind');
  const sig = data.sig;
  if (!isRecord(sig)) throw new ProtocolError('bad-field', 'field "sig" must be an object', 'sig');
  return {
    kind: 'bt',
    link: fieldString(data, 'link', /^[A-Za-z0-9_-]{8,40}$/),
    infoHash: fieldString(data, 'infoHash', /^[0-9a-f]{40}$/),
    sig,
  };
}
