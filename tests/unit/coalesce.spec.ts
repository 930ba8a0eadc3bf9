import { expect, test } from '@playwright/test';
import { takeJoined } from '../../client/net/coalesce';
import { encodeMessage, WireParser, type WireMessage } from '../../protocol/wire';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test.describe('takeJoined (one data-channel message from queued writes)', () => {
  test('joins writes up to the limit, in order, and leaves the rest queued', () => {
    const queue = [bytes(3, 1), bytes(4, 2), bytes(5, 3), bytes(2, 4)];
    const out = takeJoined(queue, 12);
    expect([...out]).toEqual([1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    expect(queue.map((q) => q.length)).toEqual([2]);
    expect([...takeJoined(queue, 12)]).toEqual([4, 4]);
    expect(queue).toEqual([]);
  });

  test('a head at or above the limit goes alone and uncopied', () => {
    const big = bytes(20, 7);
    const queue = [big, bytes(1, 8)];
    expect(takeJoined(queue, 16)).toBe(big);
    expect(queue.length).toBe(1);
  });

  test('a single write is returned as it is', () => {
    const one = bytes(5, 9);
    expect(takeJoined([one], 64)).toBe(one);
  });

  test('an empty queue is an error, not undefined sent', () => {
    expect(() => takeJoined([], 64)).toThrow(/empty/);
  });

  test('the peer parses joined wire messages as the messages written', () => {
    const msgs: WireMessage[] = [
      { type: 'request', index: 1, begin: 0, length: 16384 },
      { type: 'have', index: 7 },
      { type: 'piece', index: 2, begin: 16384, block: bytes(16384, 5) },
      { type: 'request', index: 3, begin: 32768, length: 16384 },
      { type: 'interested' },
    ];
    const queue = msgs.map(encodeMessage);
    const parser = new WireParser({ handshake: false });
    const seen: WireMessage[] = [];
    while (queue.length > 0) for (const ev of parser.push(takeJoined(queue, 20_000))) seen.push(ev as WireMessage);
    expect(seen.map((m) => m.type)).toEqual(msgs.map((m) => m.type));
    expect(seen[2]).toMatchObject({ type: 'piece', index: 2, begin: 16384 });
  });
});
