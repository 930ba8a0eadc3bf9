import { expect, test } from '@playwright/test';
import { MAX_SIGNAL_MESSAGE } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { errorReply, parseClientMessage, parseLinkSignal, parseServerMessage } from '../../protocol/signaling';
import { protocolErrorOf } from '../helpers/unit';

const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';

test.describe('parseClientMessage', () => {
  test('accepts the three message types', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'signal', to: B, data: { x: 1 } }))).toEqual({ type: 'signal', to: B, data: { x: 1 } });
    expect(parseClientMessage('{"type":"bootstrap"}')).toEqual({ type: 'bootstrap' });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
  });

  test('drops fields a sender adds: a forged "from" never survives parsing', () => {
    const msg = parseClientMessage(JSON.stringify({ type: 'signal', to: B, from: A, data: {} }));
    expect(msg).not.toHaveProperty('from');
  });

  test('names each class of bad input', () => {
    expect(protocolErrorOf(() => parseClientMessage('{nope'))).toEqual({ code: 'bad-json', field: undefined });
    expect(protocolErrorOf(() => parseClientMessage('[1,2]')).code).toBe('bad-json');
    expect(protocolErrorOf(() => parseClientMessage('"text"')).code).toBe('bad-json');
    expect(protocolErrorOf(() => parseClientMessage('{"type":"launch"}'))).toEqual({ code: 'unknown-type', field: 'type' });
    expect(protocolErrorOf(() => parseClientMessage('{}')).code).toBe('unknown-type');
    expect(protocolErrorOf(() => parseClientMessage(JSON.stringify({ type: 'signal', to: 42, data: {} })))).toEqual({ code: 'bad-field', field: 'to' });
    expect(protocolErrorOf(() => parseClientMessage(JSON.stringify({ type: 'signal', to: 'short', data: {} })))).toEqual({ code: 'bad-field', field: 'to' });
    expect(protocolErrorOf(() => parseClientMessage(JSON.stringify({ type: 'signal', to: B, data: 'x' })))).toEqual({ code: 'bad-field', field: 'data' });
    expect(protocolErrorOf(() => parseClientMessage(JSON.stringify({ type: 'signal', to: B, data: [1] })))).toEqual({ code: 'bad-field', field: 'data' });
    const big = JSON.stringify({ type: 'signal', to: B, data: { pad: 'x'.repeat(MAX_SIGNAL_MESSAGE) } });
    expect(protocolErrorOf(() => parseClientMessage(big)).code).toBe('oversize');
  });

  test('counts UTF-8 bytes, not characters, against the size cap', () => {
    const chars = Math.floor(MAX_SIGNAL_MESSAGE / 3) + 10; // 3 bytes each in UTF-8: just over the cap
    const msg = JSON.stringify({ type: 'signal', to: B, data: { s: 'ह'.repeat(chars) } });
    expect(msg.length).toBeLessThan(MAX_SIGNAL_MESSAGE);
    expect(protocolErrorOf(() => parseClientMessage(msg)).code).toBe('oversize');
  });
});

test.describe('parseServerMessage', () => {
  test('round-trips what the edge sends', () => {
    const msgs = [
      { type: 'welcome', id: A, token: 'x'.repeat(43), room: 'main', shard: 1, shards: 2 },
      { type: 'roster', peers: [A, B] },
      { type: 'peer-join', id: A },
      { type: 'peer-leave', id: B },
      { type: 'signal', from: A, data: { kind: 'rtc' } },
      { type: 'bootstrap', peers: [] },
      { type: 'error', code: 'unknown-peer', message: 'peer is gone', field: 'to' },
      { type: 'pong' },
    ];
    for (const m of msgs) expect(parseServerMessage(JSON.stringify(m))).toEqual(m);
  });

  test('rejects what the edge never sends', () => {
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'roster', peers: ['<script>'] }))).field).toBe('peers');
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'error', code: 'made-up', message: '' }))).field).toBe('code');
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'welcome', id: A, token: 't', room: 'main', shard: 0, shards: 1 }))).field).toBe('token');
  });

  test('an error reply carries the code and field of the refusal', () => {
    expect(errorReply(new ProtocolError('bad-field', 'field "to" must be a string', 'to'))).toEqual({
      type: 'error',
      code: 'bad-field',
      message: 'field "to" must be a string',
      field: 'to',
    });
  });
});

test.describe('parseLinkSignal', () => {
  test('accepts rtc and refuse signals', () => {
    expect(parseLinkSignal({ kind: 'rtc', link: 'abcdefgh1234', sig: { type: 'offer', sdp: 'v=0' } }).kind).toBe('rtc');
    expect(parseLinkSignal({ kind: 'refuse', link: 'abcdefgh1234', reason: 'full' })).toEqual({ kind: 'refuse', link: 'abcdefgh1234', reason: 'full' });
  });
  test('rejects malformed ones', () => {
    expect(protocolErrorOf(() => parseLinkSignal({ kind: 'rtc', link: 'x', sig: {} })).field).toBe('link');
    expect(protocolErrorOf(() => parseLinkSignal({ kind: 'rtc', link: 'abcdefgh1234', sig: 'offer' })).field).toBe('sig');
    expect(protocolErrorOf(() => parseLinkSignal({ kind: 'boom', link: 'abcdefgh1234' })).code).toBe('unknown-type');
  });
});
