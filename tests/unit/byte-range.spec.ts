/** The Range header of a media or save request (RFC 9110 §14), and the Content-Type by extension. */
import { expect, test } from '@playwright/test';
import { parseRange } from '../../client/files/byte-range';
import { mediaType } from '../../client/files/media-type';

const range = (start: number, end: number) => ({ kind: 'range', range: { start, end } });

test.describe('Range header', () => {
  test('no header, or another unit, is the whole file', () => {
    expect(parseRange(null, 1000)).toEqual({ kind: 'whole' });
    expect(parseRange('items=0-5', 1000)).toEqual({ kind: 'whole' });
  });

  test('first-last, first- and the suffix -n, the end clamped to the file', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual(range(0, 100));
    expect(parseRange('bytes=999-999', 1000)).toEqual(range(999, 1000));
    expect(parseRange('bytes=500-', 1000)).toEqual(range(500, 1000));
    expect(parseRange('bytes=0-', 1000)).toEqual(range(0, 1000));
    expect(parseRange('bytes=900-5000', 1000)).toEqual(range(900, 1000));
    expect(parseRange('bytes=-100', 1000)).toEqual(range(900, 1000));
    expect(parseRange('bytes=-5000', 1000)).toEqual(range(0, 1000));
    expect(parseRange('Bytes = 10-19', 1000)).toEqual(range(10, 20));
  });

  test('several ranges are coalesced into the one that covers them', () => {
    expect(parseRange('bytes=0-9, 100-199', 1000)).toEqual(range(0, 200));
    expect(parseRange('bytes=500-599,-10', 1000)).toEqual(range(500, 1000));
  });

  test('a range past the end, an empty suffix, a range that ends before it starts or words are unsatisfiable, with the reason', () => {
    const no = (h: string, size = 1000) => {
      const r = parseRange(h, size);
      expect(r.kind).toBe('unsatisfiable');
      return r.kind === 'unsatisfiable' ? r.reason : '';
    };
    expect(no('bytes=1000-')).toBe('the range starts at byte 1000, and the file has 1000 bytes');
    expect(no('bytes=5000-6000')).toContain('starts at byte 5000');
    expect(no('bytes=-0')).toBe('a suffix range of 0 bytes is empty');
    expect(no('bytes=20-10')).toBe('“20-10” ends before it starts');
    expect(no('bytes=abc')).toBe('“abc” is not a byte range');
    expect(no('bytes=-')).toBe('“-” is not a byte range');
    expect(no('bytes=0-9,x')).toBe('“x” is not a byte range');
    expect(no('0-9')).toBe('“0-9” is not a Range header');
    // An empty file has no byte to start at.
    expect(no('bytes=0-', 0)).toContain('starts at byte 0');
  });
});

test.describe('media type', () => {
  test('by extension, case-insensitive; HTML, SVG and the unknown as bytes', () => {
    expect(mediaType('Holiday.WEBM')).toEqual({ type: 'video/webm', kind: 'video' });
    expect(mediaType('a/b/talk.mp4')).toEqual({ type: 'video/mp4', kind: 'video' });
    expect(mediaType('song.mp3')).toEqual({ type: 'audio/mpeg', kind: 'audio' });
    expect(mediaType('photo.jpeg')).toEqual({ type: 'image/jpeg', kind: 'image' });
    expect(mediaType('notes.txt')).toEqual({ type: 'text/plain; charset=utf-8', kind: 'text' });
    for (const n of ['page.html', 'drawing.svg', 'README', 'archive.tar.gz', 'trailing.']) {
      expect(mediaType(n)).toEqual({ type: 'application/octet-stream', kind: 'other' });
    }
  });
});
