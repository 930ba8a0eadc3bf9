import { expect, test } from '@playwright/test';
import { fileRecordMember, parseFileRecord, parseFileRecordMember, parseInfoHash } from '../../protocol/file-record';
import { ProtocolError } from '../../protocol/errors';

const H = 'ab'.repeat(20);

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.field;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

test('one parser for a file record: info hash lowercased (or canonical only), a name by the name rule, a safe size', () => {
  expect(parseFileRecord({ infoHash: H.toUpperCase(), name: 'Notes.pdf', size: 12, extra: 1 })).toEqual({ infoHash: H, name: 'Notes.pdf', size: 12 });
  expect(fieldOf(() => parseFileRecord({ infoHash: H.toUpperCase(), name: 'a', size: 1 }, true))).toBe('infoHash');
  expect(fieldOf(() => parseFileRecord({ infoHash: 'xyz', name: 'a', size: 1 }))).toBe('infoHash');
  expect(fieldOf(() => parseFileRecord({ infoHash: H, name: '', size: 1 }))).toBe('name');
  expect(fieldOf(() => parseFileRecord({ infoHash: H, name: 'a\u0000b', size: 1 }))).toBe('name');
  expect(fieldOf(() => parseFileRecord({ infoHash: H, name: 'a', size: -1 }))).toBe('size');
  expect(fieldOf(() => parseFileRecord({ infoHash: H, name: 'a', size: 2 ** 53 }))).toBe('size');
  expect(fieldOf(() => parseFileRecord({ infoHash: H, name: 'a', size: '3' }))).toBe('size');
  expect(fieldOf(() => parseInfoHash(7, 'remove'))).toBe('remove');
});

test("the DHT's compact member form round-trips, and anything else in a keyword set is not a file", () => {
  const f = { infoHash: H, name: 'Lecture 3 — Chord.mp4', size: 1_234_567 };
  const m = fileRecordMember(f);
  expect(m).toBe(`{"i":"${H}","n":"Lecture 3 — Chord.mp4","s":1234567}`);
  expect(parseFileRecordMember(m)).toEqual(f);
  for (const bad of ['', 'null', '[]', '{"i":"zz","n":"a","s":1}', `{"i":"${H}","n":"","s":1}`, `{"i":"${H}","n":"a","s":-1}`, '{not json']) {
    expect(parseFileRecordMember(bad), bad).toBeNull();
  }
});
