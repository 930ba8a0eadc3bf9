import { expect, test } from '@playwright/test';
import { MAX_SIGNAL_MESSAGE } from '../../protocol/constants';
import { ProtocolError } from '../../protocol/errors';
import { SUPERPEER_LIMITS, errorReply, parseClientMessage, parseLinkSignal, parseServerMessage } from '../../protocol/signaling';
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

  test('capacity: declared bandwidth (bytes/s) and links, integers within their limits', () => {
    expect(parseClientMessage('{"type":"capacity","bandwidth":1250000,"links":12}')).toEqual({ type: 'capacity', bandwidth: 1_250_000, links: 12 });
    expect(parseClientMessage('{"type":"capacity","bandwidth":0,"links":0}')).toEqual({ type: 'capacity', bandwidth: 0, links: 0 });
    const most = { type: 'capacity', bandwidth: SUPERPEER_LIMITS.bandwidth, links: SUPERPEER_LIMITS.links };
    expect(parseClientMessage(JSON.stringify(most))).toEqual(most);
    expect(parseClientMessage(JSON.stringify({ ...most, score: 1e9, super: true }))).toEqual(most);
  });

  test('capacity: each bad figure is refused naming its field and range', () => {
    const bad: [unknown, string][] = [
      [{ type: 'capacity', links: 1 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: 1 }, 'links'],
      [{ type: 'capacity', bandwidth: -1, links: 1 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: 1.5, links: 1 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: '1000', links: 1 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: SUPERPEER_LIMITS.bandwidth + 1, links: 1 }, 'bandwidth'],
      [{ type: 'capacity', bandwidth: 1, links: SUPERPEER_LIMITS.links + 1 }, 'links'],
      [{ type: 'capacity', bandwidth: 1, links: null }, 'links'],
      [{ type: 'capacity', bandwidth: 1, links: [3] }, 'links'],
    ];
    for (const [msg, field] of bad) expect(protocolErrorOf(() => parseClientMessage(JSON.stringify(msg)))).toEqual({ code: 'bad-field', field });
    expect(protocolErrorOf(() => parseClientMessage('{"type":"capacity","bandwidth":1e400,"links":1}'))).toEqual({ code: 'bad-field', field: 'bandwidth' });
    expect(() => parseClientMessage('{"type":"capacity","bandwidth":-5,"links":1}')).toThrow(
      'field "bandwidth" must be an integer from 0 to 10000000000 (upload bytes per second)',
    );
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
      { type: 'supers', supers: [B, A] },
      { type: 'supers', supers: [] },
      { type: 'roster', peers: [A], count: 1234 },
      { type: 'peer-join', id: A, count: 2 },
      { type: 'peer-leave', id: B, count: 1 },
      { type: 'view', peers: [A, B], count: 5000, supers: [B] },
      { type: 'count', count: 33 },
    ];
    for (const m of msgs) expect(parseServerMessage(JSON.stringify(m))).toEqual(m);
  });

  test('presence counts are whole numbers of at least 1; a view names its peers, count and super-peers', () => {
    for (const count of [0, -1, 1.5, '3', null]) {
      expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'roster', peers: [], count })))).toEqual({ code: 'bad-field', field: 'count' });
      expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'peer-join', id: A, count })))).toEqual({ code: 'bad-field', field: 'count' });
    }
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'view', peers: [A], supers: [] })))).toEqual({ code: 'bad-field', field: 'count' });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'view', peers: [A], count: 3 })))).toEqual({ code: 'bad-field', field: 'supers' });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'view', peers: ['x'], count: 3, supers: [] })))).toEqual({ code: 'bad-field', field: 'peers' });
    expect(parseClientMessage(JSON.stringify({ type: 'view' }))).toEqual({ type: 'view' });
  });

  test('rejects what the edge never sends', () => {
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'roster', peers: ['<script>'] }))).field).toBe('peers');
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'error', code: 'made-up', message: '' }))).field).toBe('code');
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'welcome', id: A, token: 't', room: 'main', shard: 0, shards: 1 }))).field).toBe('token');
  });

  test('supers: at most 100 distinct peer ids', () => {
    const ids = Array.from({ length: SUPERPEER_LIMITS.supers + 1 }, (_, i) => `peer${String(i).padStart(17, '0')}`);
    expect(parseServerMessage(JSON.stringify({ type: 'supers', supers: ids.slice(0, 100) }))).toEqual({ type: 'supers', supers: ids.slice(0, 100) });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'supers', supers: ids })))).toEqual({ code: 'bad-field', field: 'supers' });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'supers', supers: [A, A] })))).toEqual({ code: 'bad-field', field: 'supers' });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'supers', supers: ['short'] })))).toEqual({ code: 'bad-field', field: 'supers' });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'supers', supers: A })))).toEqual({ code: 'bad-field', field: 'supers' });
    expect(protocolErrorOf(() => parseServerMessage(JSON.stringify({ type: 'supers' })))).toEqual({ code: 'bad-field', field: 'supers' });
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
