/** The storage conformance cases (tests/helpers/storage-cases.ts) on the implementations that run in Node. */
import { test, expect } from '@playwright/test';
import { MemoryKV } from '../../client/store/kv';
import { KvPieceFiles } from '../../client/store/piece-files';
import { kvCases, pieceFilesCases } from '../helpers/storage-cases';

for (const c of kvCases) test(`MemoryKV: ${c.name}`, () => c.run(new MemoryKV()));
for (const c of pieceFilesCases) test(`KvPieceFiles on a MemoryKV: ${c.name}`, () => c.run(new KvPieceFiles(new MemoryKV())));

test('every case has a name of its own', () => {
  for (const cases of [kvCases, pieceFilesCases]) expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});
