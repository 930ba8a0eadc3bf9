/** Backpressure on simple-peer's data channel: our own water marks on its bufferedAmount. */
import type SimplePeer from 'simple-peer';

/** Stop writing above this many buffered bytes… */
export const HIGH_WATER = 1024 * 1024;
/** …and resume when the buffer drains below this. */
export const LOW_WATER = 256 * 1024;

/**
 * The RTCDataChannel of a connected simple-peer (it keeps it in a private field), set to call
 * `onDrain` whenever its buffer falls below LOW_WATER.
 */
export function drainingChannel(peer: SimplePeer.Instance, onDrain: () => void): RTCDataChannel {
  const ch = (peer as unknown as { _channel: RTCDataChannel })._channel;
  ch.bufferedAmountLowThreshold = LOW_WATER;
  ch.addEventListener('bufferedamountlow', onDrain);
  return ch;
}
