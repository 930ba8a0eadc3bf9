/** The one file-name rule: what the parsers accept, how a shared name is cleaned, what a tab publishes. */
import { expect, test } from '@playwright/test';
import { cleanFileName, fileNameProblem, indexableName, MAX_FILE_NAME, parseFileName } from '../../protocol/file-name';
import { protocolErrorOf } from '../helpers/unit';

test('the rule: 1-255 characters of well-formed text without control characters, with a letter or digit', () => {
  for (const ok of ['a', 'Song.mp3', 'é'.repeat(MAX_FILE_NAME), `a${'🎵'.repeat(MAX_FILE_NAME - 1)}`, 'invoice\u202efdp.exe', 'שלום.txt', '<b>x</b>']) {
    expect(fileNameProblem(ok), ok.slice(0, 20)).toBeNull();
    expect(parseFileName(ok)).toBe(ok);
  }
  const bad: [unknown, string][] = [
    ['', 'must be a non-empty string'],
    [7, 'must be a non-empty string'],
    ['x'.repeat(MAX_FILE_NAME + 1), 'is longer than 255 characters'],
    [`a${'🎵'.repeat(MAX_FILE_NAME)}`, 'is longer than 255 characters'],
    ['bell\u0007.txt', 'contains control characters or malformed text'],
    ['line\nbreak', 'contains control characters or malformed text'],
    ['c1\u0085', 'contains control characters or malformed text'],
    ['lone \ud800 half', 'contains control characters or malformed text'],
    ['!!! ... ???', 'has no letters or digits to index'],
  ];
  for (const [name, problem] of bad) {
    expect(fileNameProblem(name), String(name).slice(0, 20)).toBe(problem);
    expect(protocolErrorOf(() => parseFileName(name))).toEqual({ code: 'bad-field', field: 'name' });
  }
});

test('share-time cleaning: control characters out, malformed text and separators replaced, each change said', () => {
  expect(cleanFileName('Song.mp3')).toEqual({ name: 'Song.mp3', changes: [] });
  expect(cleanFileName('a\tb\nc\u0007d\u009f.txt')).toEqual({ name: 'a b cd.txt', changes: ['control characters removed'] });
  expect(cleanFileName('\nleading.txt\r\n')).toEqual({ name: 'leading.txt', changes: ['control characters removed'] });
  expect(cleanFileName('half \ud800.txt')).toEqual({ name: 'half \ufffd.txt', changes: ['malformed text replaced'] });
  expect(cleanFileName('a/b\\c.txt')).toEqual({ name: 'a_b_c.txt', changes: ['"/" and "\\" replaced by "_"'] });
  expect(cleanFileName('\u0001\u0002')).toEqual({ name: 'file', changes: ['control characters removed', 'nothing was left of the name'] });
  // Bidirectional controls are legal in a name: the page isolates them where it shows one.
  expect(cleanFileName('invoice\u202efdp.exe').changes).toEqual([]);
});

test('a long name is shortened to 255 characters at a character boundary, its extension kept', () => {
  const long = cleanFileName(`${'x'.repeat(300)}.pdf`);
  expect(long).toEqual({ name: `${'x'.repeat(251)}.pdf`, changes: ['shortened to 255 characters'] });
  // Emoji are one character each (two UTF-16 units); an emoji is never cut in half.
  const emoji = cleanFileName(`${'🎵'.repeat(300)}.mp3`).name;
  expect([...emoji]).toHaveLength(MAX_FILE_NAME);
  expect(emoji.endsWith('🎵.mp3')).toBe(true);
  expect(fileNameProblem(emoji)).toBeNull();
  // A letter with a combining accent (two code points) is kept whole or left out whole.
  const accents = cleanFileName(`${'e\u0301'.repeat(200)}.txt`).name;
  expect([...accents].length).toBeLessThanOrEqual(MAX_FILE_NAME);
  expect(accents).toBe(`${'e\u0301'.repeat(125)}.txt`);
  // No extension (or one too long to be one): the end goes.
  expect(cleanFileName('y'.repeat(400)).name).toBe('y'.repeat(MAX_FILE_NAME));
  expect(cleanFileName(`${'z'.repeat(300)}.${'e'.repeat(20)}`).name).toBe('z'.repeat(MAX_FILE_NAME));
  // Everything at once: the result always passes the parsers.
  const all = cleanFileName(`${'w\u0007'.repeat(200)}/ \ud800 ${'v'.repeat(100)}.tar`);
  expect(fileNameProblem(all.name)).toBeNull();
  expect(all.changes).toEqual(['control characters removed', 'malformed text replaced', '"/" and "\\" replaced by "_"', 'shortened to 255 characters']);
});

test('what a tab publishes for a torrent: its name cleaned, or nothing when no word is left to find it by', () => {
  expect(indexableName('Song.mp3')).toBe('Song.mp3');
  expect(indexableName(`report ${'x'.repeat(300)}.pdf`)).toBe(cleanFileName(`report ${'x'.repeat(300)}.pdf`).name);
  expect(indexableName('report\u0007.pdf')).toBe('report.pdf');
  expect(indexableName('!!!')).toBeNull();
  expect(indexableName('\u0007')).toBe('file');
});
