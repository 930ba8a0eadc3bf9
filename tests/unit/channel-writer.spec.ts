import { expect, test } from '@playwright/test';
import { ChannelWriter, type ChannelSink } from '../../client/net/channel-writer';

/** A data channel that holds what it is sent until the test drains it. */
class FakeSink implements ChannelSink {
  bufferedAmount = 0;
  readonly sent: number[][] = [];
  failNext: Error | null = null;
  private low: { threshold: number; listener: () => void } | null = null;

  send(bytes: Uint8Array): void {
    if (this.failNext) throw this.failNext;
    this.sent.push([...bytes]);
    this.bufferedAmount += bytes.length;
  }

  onLow(threshold: number, listener: () => void): void {
    this.low = { threshold, listener };
  }

  /** The channel sends `n` bytes on; the low event fires when the buffer crosses the threshold. */
  drain(n: number): void {
    const before = this.bufferedAmount;
    this.bufferedAmount = Math.max(0, before - n);
    if (this.low && before > this.low.threshold && this.bufferedAmount <= this.low.threshold) this.low.listener();
  }
}

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

test('writes before the channel opens wait for it, then go in order', () => {
  const w = new ChannelWriter({ onFail: () => {} });
  w.write(bytes(2, 1));
  w.write(bytes(3, 2));
  expect(w.buffered()).toBe(5);
  const sink = new FakeSink();
  w.attach(sink);
  expect(sink.sent).toEqual([
    [1, 1],
    [2, 2, 2],
  ]);
  expect(w.bytesSent).toBe(5);
  expect(w.buffered()).toBe(5); // now in the channel's buffer
});

test('stops at the high water mark and resumes only once the buffer drains to the low one', () => {
  const sink = new FakeSink();
  const w = new ChannelWriter({ highWater: 10, lowWater: 4, onFail: () => {} });
  w.attach(sink);
  for (let i = 0; i < 6; i++) w.write(bytes(4, i));
  // 4, 8, 12: the third write crosses 10, and nothing more goes.
  expect(sink.sent.length).toBe(3);
  expect(w.buffered()).toBe(24);
  // Below the high mark but above the low one: still waiting (water marks, not a threshold).
  sink.drain(5);
  w.write(bytes(1, 9));
  expect(sink.sent.length).toBe(3);
  sink.drain(3); // down to 4: the low event, and two more writes go
  expect(sink.sent.length).toBe(5);
  expect(sink.bufferedAmount).toBe(12);
  sink.drain(12);
  expect(sink.sent.map((s) => s[0])).toEqual([0, 1, 2, 3, 4, 5, 9]);
  expect(w.buffered()).toBe(5);
});

test("each write's callback is told once its last byte is handed to the channel", () => {
  const sink = new FakeSink();
  const w = new ChannelWriter({ highWater: 4, lowWater: 0, onFail: () => {} });
  const done: string[] = [];
  w.attach(sink);
  w.write(bytes(4, 1));
  w.write(bytes(4, 2), () => done.push('message'));
  expect(done).toEqual([]);
  sink.drain(4);
  expect(done).toEqual(['message']);
});

test('the writes of one turn are joined into messages of up to joinUpTo bytes, sent at the end of the turn', async () => {
  const sink = new FakeSink();
  const w = new ChannelWriter({ joinUpTo: 8, onFail: () => {} });
  const done: number[] = [];
  w.attach(sink);
  w.write(bytes(3, 1), () => done.push(1));
  w.write(bytes(3, 2), () => done.push(2));
  w.write(bytes(3, 3), () => done.push(3));
  expect(sink.sent).toEqual([]);
  await settle();
  expect(sink.sent).toEqual([
    [1, 1, 1, 2, 2, 2],
    [3, 3, 3],
  ]);
  expect(done).toEqual([1, 2, 3]);
});

test('whenBelow resolves once fewer bytes are buffered here and in the channel', async () => {
  const sink = new FakeSink();
  const w = new ChannelWriter({ highWater: 8, lowWater: 2, onFail: () => {} });
  w.attach(sink);
  for (let i = 0; i < 4; i++) w.write(bytes(4, i));
  let below = false;
  void w.whenBelow(6).then(() => (below = true));
  await settle();
  expect(below).toBe(false);
  sink.drain(6); // down to 2: the low event, the two queued writes go, 10 in the channel
  await settle();
  expect(below).toBe(false);
  sink.drain(10);
  await settle();
  expect(w.buffered()).toBe(0);
  expect(below).toBe(true);
  await w.whenBelow(1);
});

test('close drops what is queued: its callbacks get the error and whenBelow() is released', async () => {
  const sink = new FakeSink();
  const w = new ChannelWriter({ highWater: 1, lowWater: 0, onFail: () => {} });
  w.attach(sink);
  const errors: (string | undefined)[] = [];
  w.write(bytes(2, 1), (err) => errors.push(err?.message));
  w.write(bytes(2, 2), (err) => errors.push(err?.message));
  const released = w.whenBelow(1);
  w.close(new Error('link closed'));
  await released;
  expect(errors).toEqual([undefined, 'link closed']);
  expect(w.buffered()).toBe(2); // only the channel's own buffer is left
  w.write(bytes(1, 3), (err) => errors.push(err?.message));
  expect(errors[2]).toMatch(/closed/);
  sink.drain(2);
  expect(sink.sent.length).toBe(1);
});

test('a send that throws tells the owner, then closes the writer', () => {
  const sink = new FakeSink();
  const failures: string[] = [];
  const errors: (string | undefined)[] = [];
  const w: ChannelWriter = new ChannelWriter({
    onFail: (err) => {
      failures.push(err.message);
      w.close(new Error(`closed: send failed: ${err.message}`));
    },
  });
  w.attach(sink);
  sink.failNext = new Error('channel gone');
  w.write(bytes(1, 1), (err) => errors.push(err?.message));
  expect(failures).toEqual(['channel gone']);
  expect(errors).toEqual(['closed: send failed: channel gone']);
  // A writer closed without its owner's help closes itself with the send's error.
  const lone = new ChannelWriter({ onFail: () => {} });
  const loneErrors: (string | undefined)[] = [];
  lone.attach(sink);
  lone.write(bytes(1, 1), (err) => loneErrors.push(err?.message));
  expect(loneErrors).toEqual(['channel gone']);
});
