import { expect, test } from '@playwright/test';
import { MAX_CHANNEL_MESSAGE } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { decodeFrame, encodeFrames, MAX_REASSEMBLED, Reassembler } from '../../protocol/frame';
import { pseudoBytes } from '../helpers/unit';

test('a small message is one frame with its tag', () => {
  const frames = encodeFrames('chat', new Uint8Array([1, 2, 3]));
  expect(frames).toHaveLength(1);
  const f = decodeFrame(frames[0]!);
  expect(f).toEqual({ fin: true, tag: 'chat', payload: new Uint8Array([1, 2, 3]) });
});

test('an empty message is one frame', () => {
  const frames = encodeFrames('x', new Uint8Array(0));
  expect(frames).toHaveLength(1);
  expect(new Reassembler().push(frames[0]!)?.payload).toHaveLength(0);
});

test('no frame exceeds 262144 bytes, and large messages reassemble exactly', () => {
  for (const size of [MAX_CHANNEL_MESSAGE - 10, MAX_CHANNEL_MESSAGE, 262_144 * 3 + 17, 1_000_000]) {
    const msg = pseudoBytes(size, size);
    const frames = encodeFrames('bt:piece', msg);
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(MAX_CHANNEL_MESSAGE);
    const r = new Reassembler();
    const outs = frames.map((f) => r.push(f));
    expect(outs.slice(0, -1).every((o) => o === null)).toBe(true);
    expect(outs.at(-1)?.tag).toBe('bt:piece');
    expect(Buffer.from(outs.at(-1)!.payload).equals(Buffer.from(msg))).toBe(true);
    expect(r.pending()).toBe(0);
  }
});

test('fragments of different channels reassemble separately', () => {
  const a = pseudoBytes(600_000, 7);
  const b = pseudoBytes(300_000, 9);
  const fa = encodeFrames('a', a);
  const fb = encodeFrames('b', b);
  const r = new Reassembler();
  const done: Record<string, Uint8Array> = {};
  const order = [fa[0], fb[0], fa[1], fb[1], fa[2]];
  for (const f of order) {
    const m = r.push(f!);
    if (m) done[m.tag] = m.payload;
  }
  expect(Buffer.from(done.a!).equals(Buffer.from(a))).toBe(true);
  expect(Buffer.from(done.b!).equals(Buffer.from(b))).toBe(true);
});

test('bad frames are refused with bad-frame', () => {
  const bad = [
    new Uint8Array([1]),
    new Uint8Array([2, 1, 97, 0]), // unknown flag
    new Uint8Array([1, 0, 97]), // empty tag
    new Uint8Array([1, 200, 97, 98]), // tag longer than the frame
    new Uint8Array([1, 1, 0x3c, 0]), // "<" is not a tag character
    new Uint8Array(MAX_CHANNEL_MESSAGE + 1),
  ];
  for (const f of bad) {
    expect(() => decodeFrame(f)).toThrow(ProtocolError);
  }
});

test('a message larger than the reassembly cap is refused', () => {
  const r = new Reassembler();
  const piece = new Uint8Array(262_000);
  const frame = (fin: boolean) => {
    const f = encodeFrames('big', piece)[0]!;
    f[0] = fin ? 1 : 0;
    return f;
  };
  let threw = false;
  for (let i = 0; i < MAX_REASSEMBLED / 262_000 + 2; i++) {
    try {
      r.push(frame(false));
    } catch (err) {
      expect((err as ProtocolError).code).toBe('bad-frame');
      threw = true;
      break;
    }
  }
  expect(threw).toBe(true);
  expect(r.pending()).toBe(0);
});

test('channel tags are checked when sending', () => {
  expect(() => encodeFrames('', new Uint8Array(1))).toThrow(/tag/);
  expect(() => encodeFrames('x'.repeat(65), new Uint8Array(1))).toThrow(/tag/);
  expect(() => encodeFrames('a b', new Uint8Array(1))).toThrow(/tag/);
});
