/**
 * Every parser of inbound text is total: whatever JSON arrives, it returns a message or throws
 * a ProtocolError naming the problem (which the receiver turns into a coded reply or a counted
 * drop), never a TypeError or a stack overflow. Random values are built around each protocol's
 * real type names, so that the generator reaches past the first switch.
 */
import { expect, test } from '@playwright/test';
import { MAX_JSON_DEPTH, ProtocolError, describe, jsonDepth, parseJsonObject } from '../../protocol/errors';
import { parseDhtMessage } from '../../protocol/dht';
import { parseOverlayMessage } from '../../protocol/overlay';
import { parseClientMessage, parseLinkSignal, parseServerMessage } from '../../protocol/signaling';
import { parseTorrentSignal } from '../../protocol/torrent-signal';
import { parseTrackerRequest, parseTrackerResponse } from '../../protocol/tracker';
import { protocolErrorOf, seeded } from '../helpers/unit';

const NAMES = [
  'type', 'action', 'to', 'data', 'files', 'infoHashes', 'ref', 'query', 'bandwidth', 'links', 'info_hash', 'peer_id', 'offers',
  'offer', 'offer_id', 'answer', 'to_peer_id', 'left', 'uploaded', 'downloaded', 'numwant', 'event', 'guid', 'ttl', 'hops',
  'words', 'peer', 'op', 'key', 'value', 'records', 'members', 'link', 'kind', 'sig', 'toString', 'valueOf', 'name', 'size',
];
const TYPES = [
  'signal', 'bootstrap', 'ping', 'publish', 'unpublish', 'search', 'capacity', 'welcome', 'roster', 'peer-join', 'error',
  'search-result', 'supers', 'bye', 'announce', 'scrape', 'query', 'hit', 'connect', 'ok', 'route', 'reply', 'store', 'leave',
  'state', 'notify', 'rtc', 'refuse', 'offer', 'started', 'completed',
];

function randomValue(rng: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const r = rng();
  if (depth <= 0 || r < 0.35) {
    return pick<unknown>([
      null, true, false, 0, -5, 1.5, 2 ** 53, -0, '', 'x', pick(TYPES), 'a'.repeat(40), 'A'.repeat(21), '\u0000', '\u202e', Number.MAX_SAFE_INTEGER,
    ]);
  }
  if (r < 0.5) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(rng, depth - 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(rng() * 6); i > 0; i--) obj[pick(NAMES)] = randomValue(rng, depth - 1);
  if (rng() < 0.7) obj.type = pick(TYPES);
  if (rng() < 0.3) obj.action = pick(['announce', 'scrape', { toString: 1 }, ['announce']]);
  return obj;
}

const enc = new TextEncoder();
const TEXT_PARSERS: [string, (text: string) => unknown][] = [
  ['parseClientMessage', parseClientMessage],
  ['parseServerMessage', parseServerMessage],
  ['parseTrackerRequest', parseTrackerRequest],
  ['parseTrackerResponse', parseTrackerResponse],
  ['parseOverlayMessage', (t) => parseOverlayMessage(enc.encode(t))],
  ['parseDhtMessage', (t) => parseDhtMessage(enc.encode(t))],
  ['parseLinkSignal', (t) => parseLinkSignal(parseJsonObject(t, 65_536))],
  ['parseTorrentSignal', (t) => parseTorrentSignal(parseJsonObject(t, 65_536))],
];

function throwsOnlyProtocolErrors(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw new Error(`${String(err)} on ${text.slice(0, 200)}`);
  }
}

test('every parser refuses 3,000 random JSON values with ProtocolErrors only', () => {
  const rng = seeded(10);
  for (let i = 0; i < 3_000; i++) {
    const text = JSON.stringify(randomValue(rng, 5));
    for (const [, parse] of TEXT_PARSERS) throwsOnlyProtocolErrors(parse, text);
  }
});

test('values whose toString is not a function get a coded refusal, not a TypeError', () => {
  expect(protocolErrorOf(() => parseClientMessage('{"type":{"toString":"ping"}}'))).toEqual({ code: 'unknown-type', field: 'type' });
  expect(protocolErrorOf(() => parseTrackerRequest('{"action":{"toString":1}}'))).toEqual({ code: 'unknown-type', field: 'action' });
  expect(protocolErrorOf(() => parseOverlayMessage(enc.encode('{"type":{"valueOf":1,"toString":1}}'))).code).toBe('unknown-type');
  expect(protocolErrorOf(() => parseDhtMessage(enc.encode('{"type":[{"toString":1}]}'))).code).toBe('unknown-type');
  expect(describe({ toString: 1 })).toBe('an object');
  expect(describe(['x'])).toBe('a list');
  expect(describe('p'.repeat(100))).toBe(JSON.stringify('p'.repeat(32)));
});

test('nesting deeper than the limit is refused before parsing, in every parser', () => {
  const deep = (n: number) => `{"type":"signal","to":"BBBBBBBBBBBBBBBBBBBB_","data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
  for (const [name, parse] of TEXT_PARSERS) {
    const err = protocolErrorOf(() => parse(deep(10_000)));
    expect(err.code, name).toBe('bad-json');
  }
  expect(parseClientMessage(deep(MAX_JSON_DEPTH - 2))).toMatchObject({ type: 'signal' });
  expect(protocolErrorOf(() => parseClientMessage(deep(MAX_JSON_DEPTH)))).toEqual({ code: 'bad-json', field: undefined });
  // Brackets inside strings, and escaped quotes, do not count.
  expect(jsonDepth(JSON.stringify({ s: '[[[[{{{{"\\' }), 3)).toBe(1);
  expect(jsonDepth('[[[]]]', 10)).toBe(3);
  expect(jsonDepth(`${'['.repeat(100)}`, 5)).toBe(6);
});

test.describe('tracker fields are strictly typed', () => {
  const base = { action: 'announce', info_hash: 'i'.repeat(20), peer_id: 'p'.repeat(20), event: 'started' };
  const announce = (extra: Record<string, unknown>) => parseTrackerRequest(JSON.stringify({ ...base, ...extra }));

  test('left: a non-negative number, or null when unknown', () => {
    expect(announce({ left: 0 })).toMatchObject({ left: 0 });
    expect(announce({ left: 1234.7 })).toMatchObject({ left: 1234 });
    expect(announce({ left: null })).toMatchObject({ left: Infinity });
    expect(announce({})).toMatchObject({ left: Infinity });
    for (const left of [-5, 'x', '100', [], {}, true]) {
      expect(protocolErrorOf(() => announce({ left })), JSON.stringify(left)).toEqual({ code: 'bad-field', field: 'left' });
    }
  });

  test('uploaded, downloaded and numwant: numbers only', () => {
    expect(announce({ uploaded: 5, downloaded: 6, numwant: 7 })).toMatchObject({ uploaded: 5, downloaded: 6, numwant: 7 });
    for (const field of ['uploaded', 'downloaded', 'numwant']) {
      for (const v of [-1, '5', [], {}, 1e300]) {
        expect(protocolErrorOf(() => announce({ [field]: v })), `${field}=${JSON.stringify(v)}`).toEqual({ code: 'bad-field', field });
      }
    }
  });

  test('event, offers and scrape lists are checked', () => {
    expect(protocolErrorOf(() => announce({ event: { toString: 'started' } })).field).toBe('event');
    expect(protocolErrorOf(() => announce({ offers: {} })).field).toBe('offers');
    expect(protocolErrorOf(() => announce({ offers: [null] })).field).toBe('offers');
    expect(protocolErrorOf(() => parseTrackerRequest('{"action":"scrape","info_hash":{}}')).field).toBe('info_hash');
    expect(protocolErrorOf(() => parseTrackerRequest('{"action":"scrape","info_hash":[]}')).field).toBe('info_hash');
  });
});
