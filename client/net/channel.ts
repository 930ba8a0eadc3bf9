/**
 * The one adapter from a connected simple-peer to a ChannelSink (what a ChannelWriter writes
 * to). simple-peer has no public bufferedAmountLow event: it keeps its RTCDataChannel in the
 * private field `_channel`, and this is the only place in the code base that reaches into it,
 * to read `bufferedAmount` and to listen for `bufferedamountlow`.
 */
import type SimplePeer from 'simple-peer';
import type { ChannelSink } from './channel-writer';

/** The private part of a connected simple-peer that backpressure needs. */
interface SimplePeerInternals {
  _channel: RTCDataChannel;
}

export function peerSink(peer: SimplePeer.Instance): ChannelSink {
  const channel = (peer as unknown as SimplePeerInternals)._channel;
  return {
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    send: (bytes) => peer.send(bytes),
    onLow(threshold, listener) {
      channel.bufferedAmountLowThreshold = threshold;
      channel.addEventListener('bufferedamountlow', listener);
    },
  };
}
