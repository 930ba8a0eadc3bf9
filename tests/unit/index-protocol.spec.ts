/** The Napster messages of the signaling protocol: publish, unpublish, search and their replies. */
import { expect, test } from '@playwright/test';
import type { DroppedEntry } from '../../protocol/entries';
import { ProtocolError } from '../../protocol/errors';
import { protocolErrorOf } from '../helpers/unit';
import {
  INDEX_LIMITS,
  MAX_SERVER_MESSAGE,
  SearchRefusedError,
  errorReply,
  parseClientMessage,
  parseServerMessage,
  peekSearchRef,
} from '../../protocol/signaling';

const A = 'AAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBB_';
const H = '0123456789abcdef0123456789abcdef01234567';
const H2 = 'ffffffffffffffffffffffffffffffffffffffff';

function refusal(fn: () => unknown): { code: string; field: string | undefined; ref: number | undefined; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    const e = err as ProtocolError;
    return { code: e.code, field: e.field, ref: e instanceof SearchRefusedError ? e.ref : undefined, message: e.message };
  }
  throw new Error('expected a ProtocolError');
}

const client = (obj: unknown) => () => parseClientMessage(JSON.stringify(obj));
const server = (obj: unknown) => () => parseServerMessage(JSON.stringify(obj));
const file = (over: Record<string, unknown> = {}) => ({ infoHash: H, name: 'Song.mp3', size: 1000, ...over });

test.describe('publish', () => {
  test('accepts files, lowercases info hashes, keeps names byte for byte', () => {
    const name = '<script>alert("x")</script> Café & "Friends".mp3';
    const msg = parseClientMessage(JSON.stringify({ type: 'publish', files: [file({ infoHash: H.toUpperCase(), name }), file({ infoHash: H2, size: 0 })] }));
    expect(msg).toEqual({ type: 'publish', files: [{ infoHash: H, name, size: 1000 }, { infoHash: H2, name: 'Song.mp3', size: 0 }] });
  });

  test('an empty list, extra fields dropped, a file listed twice counted once (the last listing wins)', () => {
    expect(parseClientMessage('{"type":"publish","files":[]}')).toEqual({ type: 'publish', files: [] });
    const msg = parseClientMessage(JSON.stringify({ type: 'publish', files: [file({ extra: 1 }), file({ infoHash: H.toUpperCase(), name: 'Other.mp3' })] }));
    expect(msg).toEqual({ type: 'publish', files: [{ infoHash: H, name: 'Other.mp3', size: 1000 }] });
  });

  test('the largest sizes and names allowed', () => {
    const name = 'é'.repeat(INDEX_LIMITS.name);
    expect(parseClientMessage(JSON.stringify({ type: 'publish', files: [file({ name, size: Number.MAX_SAFE_INTEGER })] }))).toMatchObject({
      files: [{ name, size: Number.MAX_SAFE_INTEGER }],
    });
    // Characters are code points: 255 emoji (510 UTF-16 units) are 255 characters.
    const emoji = `a${'🎵'.repeat(INDEX_LIMITS.name - 1)}`;
    expect(parseClientMessage(JSON.stringify({ type: 'publish', files: [file({ name: emoji })] }))).toMatchObject({ files: [{ name: emoji }] });
    const hundred = Array.from({ length: 100 }, (_, i) => file({ infoHash: i.toString(16).padStart(40, '0') }));
    expect((parseClientMessage(JSON.stringify({ type: 'publish', files: hundred })) as { files: unknown[] }).files).toHaveLength(100);
  });

  test('refuses a batch only for what concerns the whole of it', () => {
    const cases: unknown[] = [
      { type: 'publish' },
      { type: 'publish', files: {} },
      { type: 'publish', files: Array.from({ length: 101 }, (_, i) => file({ infoHash: i.toString(16).padStart(40, '0') })) },
    ];
    for (const msg of cases) expect(refusal(client(msg)), JSON.stringify(msg).slice(0, 80)).toMatchObject({ code: 'bad-field', field: 'files' });
  });

  test('a bad entry is dropped and recorded with its place and field; the other files of the batch are kept', () => {
    const cases: [unknown, string | undefined][] = [
      ['x', 'files'],
      [file({ infoHash: undefined }), 'infoHash'],
      [file({ infoHash: H.slice(1) }), 'infoHash'],
      [file({ infoHash: `${H.slice(1)}g` }), 'infoHash'],
      [file({ infoHash: 12 }), 'infoHash'],
      [file({ name: '' }), 'name'],
      [file({ name: 7 }), 'name'],
      [file({ name: 'x'.repeat(INDEX_LIMITS.name + 1) }), 'name'],
      [file({ name: `a${'🎵'.repeat(INDEX_LIMITS.name)}` }), 'name'],
      [file({ name: 'line\nbreak.mp3' }), 'name'],
      [file({ name: 'lone \ud800 surrogate' }), 'name'],
      [file({ name: '!!! ... ???' }), 'name'],
      [file({ size: -1 }), 'size'],
      [file({ size: 1.5 }), 'size'],
      [file({ size: 2 ** 53 }), 'size'],
      [file({ size: '10' }), 'size'],
    ];
    const honest = file({ infoHash: H2, name: 'Honest.mp3' });
    for (const [bad, field] of cases) {
      const dropped: DroppedEntry[] = [];
      const msg = parseClientMessage(JSON.stringify({ type: 'publish', files: [honest, bad, honest] }), dropped);
      const label = JSON.stringify(bad).slice(0, 80);
      expect(msg, label).toEqual({ type: 'publish', files: [{ infoHash: H2, name: 'Honest.mp3', size: 1000 }] });
      expect(dropped.map((d) => ({ list: d.list, index: d.index, code: d.error.code, field: d.error.field })), label).toEqual([{ list: 'files', index: 1, code: 'bad-field', field }]);
      expect(dropped[0]?.error.message, label).toMatch(/^files\[1\]: /);
    }
  });

  test('the published reply may say how many entries were dropped, and why', () => {
    expect(parseServerMessage('{"type":"published","files":3}')).toEqual({ type: 'published', files: 3 });
    const reason = 'files[1]: field "name" contains control characters or malformed text';
    expect(parseServerMessage(JSON.stringify({ type: 'published', files: 3, dropped: 2, reason }))).toEqual({ type: 'published', files: 3, dropped: 2, reason });
    expect(protocolErrorOf(server({ type: 'published', files: 3, dropped: 0 }))).toEqual({ code: 'bad-field', field: 'dropped' });
    expect(protocolErrorOf(server({ type: 'published', files: 3, dropped: 1, reason: 'r'.repeat(301) }))).toEqual({ code: 'bad-field', field: 'reason' });
  });
});

test.describe('unpublish', () => {
  test('accepts info hashes in either case, deduplicated', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'unpublish', infoHashes: [H, H.toUpperCase(), H2] }))).toEqual({ type: 'unpublish', infoHashes: [H, H2] });
    expect(parseClientMessage('{"type":"unpublish","infoHashes":[]}')).toEqual({ type: 'unpublish', infoHashes: [] });
  });

  test('names each malformed class', () => {
    for (const msg of [
      { type: 'unpublish' },
      { type: 'unpublish', infoHashes: H },
      { type: 'unpublish', infoHashes: [H, 'nothex'] },
      { type: 'unpublish', infoHashes: [42] },
      { type: 'unpublish', infoHashes: Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(40, '0')) },
    ]) {
      expect(refusal(client(msg))).toMatchObject({ code: 'bad-field', field: 'infoHashes' });
    }
  });
});

test.describe('search', () => {
  test('accepts a query of 1 to 8 words and a ref from 0 to 2^31', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'search', ref: 0, query: 'Café' }))).toEqual({ type: 'search', ref: 0, query: 'Café' });
    expect(parseClientMessage(JSON.stringify({ type: 'search', ref: 2 ** 31, query: 'a b c d e f g h' }))).toMatchObject({ ref: 2 ** 31 });
    // Repeated words count once: nine words, eight different.
    expect(parseClientMessage(JSON.stringify({ type: 'search', ref: 1, query: 'a b c d e f g h A' }))).toMatchObject({ ref: 1 });
    expect(parseClientMessage(JSON.stringify({ type: 'search', ref: 1, query: 'x'.repeat(200) }))).toMatchObject({ ref: 1 });
  });

  test('a bad ref is named; a bad query is named and carries the ref', () => {
    for (const ref of [undefined, -1, 1.5, 2 ** 31 + 1, '3', null]) {
      expect(refusal(client({ type: 'search', ref, query: 'ok' }))).toMatchObject({ code: 'bad-field', field: 'ref', ref: undefined });
    }
    for (const query of [undefined, 5, '', '   ', '!?-_.', 'x'.repeat(201), 'a b c d e f g h i', ['a']]) {
      expect(refusal(client({ type: 'search', ref: 77, query }))).toMatchObject({ code: 'bad-field', field: 'query', ref: 77 });
    }
    const err = (() => {
      try {
        parseClientMessage(JSON.stringify({ type: 'search', ref: 9, query: '' }));
      } catch (e) {
        return e as ProtocolError;
      }
      throw new Error('expected a refusal');
    })();
    expect(errorReply(err)).toMatchObject({ type: 'error', code: 'bad-field', field: 'query', ref: 9 });
  });

  test('peekSearchRef reads the ref of a search without the full parser', () => {
    expect(peekSearchRef(JSON.stringify({ type: 'search', ref: 12, query: 'x' }))).toBe(12);
    expect(peekSearchRef(JSON.stringify({ type: 'search', ref: -1, query: 'x' }))).toBeUndefined();
    expect(peekSearchRef(JSON.stringify({ type: 'signal', ref: 12, data: 'search' }))).toBeUndefined();
    expect(peekSearchRef('{"type":"search"')).toBeUndefined();
    expect(peekSearchRef(JSON.stringify({ type: 'search', ref: 12, query: 'x'.repeat(2000) }))).toBeUndefined();
  });

  test('errorReply adds a ref when asked', () => {
    expect(errorReply(new ProtocolError('unavailable', 'the index is down'), 5)).toEqual({ type: 'error', code: 'unavailable', message: 'the index is down', ref: 5 });
  });
});

test.describe('parseServerMessage: the index replies', () => {
  const result = (over: Record<string, unknown> = {}) => ({ infoHash: H, name: '<b>x</b>.mp3', size: 10, peers: [A, B], ...over });

  test('round-trips search-result, published and an error with a ref', () => {
    const msgs = [
      { type: 'search-result', ref: 3, results: [result()], ms: 4 },
      { type: 'search-result', ref: 0, results: [], ms: 0.5 },
      { type: 'published', files: 12 },
      { type: 'published', files: 0 },
      { type: 'error', code: 'bad-field', message: 'field "query" has no words', field: 'query', ref: 3 },
      { type: 'error', code: 'unavailable', message: 'the Napster index cannot be reached', ref: 2 ** 31 },
      { type: 'error', code: 'oversize', message: 'too many files', field: 'files' },
    ];
    for (const m of msgs) expect(parseServerMessage(JSON.stringify(m))).toEqual(m);
  });

  test('names each malformed class', () => {
    const cases: [unknown, string][] = [
      [{ type: 'search-result', results: [], ms: 1 }, 'ref'],
      [{ type: 'search-result', ref: -1, results: [], ms: 1 }, 'ref'],
      [{ type: 'search-result', ref: 1, results: {}, ms: 1 }, 'results'],
      [{ type: 'search-result', ref: 1, results: Array.from({ length: 101 }, () => result()), ms: 1 }, 'results'],
      [{ type: 'search-result', ref: 1, results: ['x'], ms: 1 }, 'results'],
      [{ type: 'search-result', ref: 1, results: [], ms: -1 }, 'ms'],
      [{ type: 'search-result', ref: 1, results: [], ms: '1' }, 'ms'],
      [{ type: 'search-result', ref: 1, results: [result({ infoHash: H.toUpperCase() })], ms: 1 }, 'infoHash'],
      [{ type: 'search-result', ref: 1, results: [result({ name: '' })], ms: 1 }, 'name'],
      [{ type: 'search-result', ref: 1, results: [result({ name: 'x'.repeat(256) })], ms: 1 }, 'name'],
      [{ type: 'search-result', ref: 1, results: [result({ size: -5 })], ms: 1 }, 'size'],
      [{ type: 'search-result', ref: 1, results: [result({ peers: ['<script>'] })], ms: 1 }, 'peers'],
      [{ type: 'search-result', ref: 1, results: [result({ peers: Array.from({ length: 21 }, () => A) })], ms: 1 }, 'peers'],
      [{ type: 'published' }, 'files'],
      [{ type: 'published', files: 1001 }, 'files'],
      [{ type: 'published', files: -1 }, 'files'],
      [{ type: 'error', code: 'bad-field', message: 'x', ref: 'one' }, 'ref'],
      [{ type: 'error', code: 'bad-field', message: 'x', ref: -3 }, 'ref'],
    ];
    for (const [msg, field] of cases) {
      const r = refusal(server(msg));
      expect(r.code, JSON.stringify(msg).slice(0, 100)).toBe('bad-field');
      expect(r.field, JSON.stringify(msg).slice(0, 100)).toBe(field);
    }
  });

  test('accepts a reply up to the server message cap, refuses a larger one', () => {
    const big = { type: 'search-result', ref: 1, results: [result({ name: 'x'.repeat(200) })], ms: 1, pad: 'y'.repeat(MAX_SERVER_MESSAGE) };
    expect(refusal(server(big)).code).toBe('oversize');
  });
});
