/**
 * Framing of peer-link messages (overlay links): every data-channel message is one frame.
 *
 *   byte 0     flags: bit 0 = FIN (last fragment of a message); other bits must be 0
 *   byte 1     L, the length of the channel tag (1..64)
 *   2..2+L     the channel tag, ASCII [A-Za-z0-9:_.-]
 *   rest       the payload (a fragment of the message)
 *
 * No frame exceeds MAX_CHANNEL_MESSAGE; a larger message travels as several fragments,
 * consecutive on the (ordered, reliable) channel, and is reassembled by the receiver.
 */
import { MAX_CHANNEL_MESSAGE } from './constants';
import { ProtocolError } from './errors';

export const FLAG_FIN = 1;
export const MAX_TAG = 64;
/** Largest message a receiver reassembles (bigger ones are refused as bad frames). */
export const MAX_REASSEMBLED = 64 * 1024 * 1024;
const TAG_RE = /^[A-Za-z0-9:_.-]{1,64}$/;

const enc = new TextEncoder();
const dec = new TextDecoder();

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** Split one message into frames of at most `maxFrame` bytes. */
export function encodeFrames(tag: string, payload: Uint8Array, maxFrame = MAX_CHANNEL_MESSAGE): Uint8Array[] {
  if (!TAG_RE.test(tag)) throw new ProtocolError('bad-field', `channel tag ${JSON.stringify(tag)} is malformed`, 'channel');
  if (payload.length > MAX_REASSEMBLED) throw new ProtocolError('oversize', `message is larger than ${MAX_REASSEMBLED} bytes`);
  const tagBytes = enc.encode(tag);
  const header = 2 + tagBytes.length;
  const room = maxFrame - header;
  const frames: Uint8Array[] = [];
  let offset = 0;
  do {
    const n = Math.min(room, payload.length - offset);
    const frame = new Uint8Array(header + n);
    frame[0] = offset + n >= payload.length ? FLAG_FIN : 0;
    frame[1] = tagBytes.length;
    frame.set(tagBytes, 2);
    frame.set(payload.subarray(offset, offset + n), header);
    frames.push(frame);
    offset += n;
  } while (offset < payload.length);
  return frames;
}

export interface Frame {
  fin: boolean;
  tag: string;
  payload: Uint8Array;
}

export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < 3) throw new ProtocolError('bad-frame', 'frame shorter than its header');
  if (bytes.length > MAX_CHANNEL_MESSAGE) throw new ProtocolError('bad-frame', 'frame larger than 262144 bytes');
  const flags = bytes[0] as number;
  if ((flags & ~FLAG_FIN) !== 0) throw new ProtocolError('bad-frame', 'unknown frame flags');
  const len = bytes[1] as number;
  if (len < 1 || len > MAX_TAG || 2 + len > bytes.length) throw new ProtocolError('bad-frame', 'bad channel tag length');
  const tag = dec.decode(bytes.subarray(2, 2 + len));
  if (!TAG_RE.test(tag)) throw new ProtocolError('bad-frame', 'malformed channel tag');
  return { fin: (flags & FLAG_FIN) !== 0, tag, payload: bytes.subarray(2 + len) };
}

/** Joins fragments back into messages, per channel tag. */
export class Reassembler {
  private readonly partial = new Map<string, { parts: Uint8Array[]; size: number }>();

  /** Feed one frame; returns the completed message, if this frame completed one. */
  push(bytes: Uint8Array): { tag: string; payload: Uint8Array } | null {
    const f = decodeFrame(bytes);
    const open = this.partial.get(f.tag);
    if (!open) {
      if (f.fin) return { tag: f.tag, payload: f.payload };
      this.partial.set(f.tag, { parts: [f.payload.slice()], size: f.payload.length });
      return null;
    }
    open.size += f.payload.length;
    if (open.size > MAX_REASSEMBLED) {
      this.partial.delete(f.tag);
      throw new ProtocolError('bad-frame', `reassembled message larger than ${MAX_REASSEMBLED} bytes`);
    }
    open.parts.push(f.fin ? f.payload : f.payload.slice());
    if (!f.fin) return null;
    this.partial.delete(f.tag);
    const out = new Uint8Array(open.size);
    let o = 0;
    for (const p of open.parts) {
      out.set(p, o);
      o += p.length;
    }
    return { tag: f.tag, payload: out };
  }

  /** Bytes held in unfinished messages. */
  pending(): number {
    let n = 0;
    for (const p of this.partial.values()) n += p.size;
    return n;
  }
}
