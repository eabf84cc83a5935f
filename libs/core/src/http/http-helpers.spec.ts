import { AppError } from '../errors/error-codes';
import { assertIfMatch, etagOf } from './etag';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursor paging', () => {
  it('round-trips a keyset and builds pages from limit + 1 rows', () => {
    expect(decodeCursor(encodeCursor(['2026-01-01', 42]), 2)).toEqual(['2026-01-01', 42]);
    const rows = [1, 2, 3].map((id) => ({ id }));
    const page = toPage(rows, 2, (r) => [r.id], (r) => r.id);
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor, 1)).toEqual([2]);
    expect(toPage(rows, 3, (r) => [r.id], (r) => r.id).nextCursor).toBeUndefined();
  });

  it('refuses a cursor it did not produce, naming the field', () => {
    expect(() => decodeCursor('bm9wZQ', 1)).toThrow(AppError);
    expect(() => decodeCursor(encodeCursor([1, 2]), 1)).toThrow(/cursor/);
  });
});

describe('ETag and If-Match', () => {
  it('accepts a matching or absent If-Match and refuses a stale one with 412', () => {
    const etag = etagOf('abc', 3);
    expect(() => assertIfMatch(undefined, etag)).not.toThrow();
    expect(() => assertIfMatch(etag, etag)).not.toThrow();
    expect(() => assertIfMatch(`W/${etag}`, etag)).not.toThrow();
    try {
      assertIfMatch(etagOf('abc', 2), etag);
      throw new Error('should have refused');
    } catch (error) {
      expect((error as AppError).code).toBe('REQUEST.PRECONDITION_FAILED');
      expect((error as AppError).status).toBe(412);
    }
  });
});
