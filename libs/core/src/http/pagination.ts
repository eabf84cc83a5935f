import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Matches, Min } from 'class-validator';
import { AppError } from '../errors/error-codes';

/** Query parameters every list route accepts. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+$/)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/** Keyset values of the last row; encoded opaque so clients cannot depend on them. */
export type CursorKey = (string | number | null)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** What each position of a cursor must hold; a cursor whose values do not fit is refused (400), never sent to SQL. */
export type CursorPart = 'string' | 'integer' | 'uuid' | 'timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function fits(value: unknown, part: CursorPart | 'any'): boolean {
  switch (part) {
    case 'integer':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'timestamp':
      return typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
    case 'string':
      return typeof value === 'string' && value.length <= 500 && !value.includes('\u0000');
    default:
      return value === null || (typeof value === 'string' && value.length <= 500 && !value.includes('\u0000')) || Number.isSafeInteger(value);
  }
}

/** Decodes a cursor of `shape` (its parts' types; a bare number: that many primitive parts). */
export function decodeCursor(cursor: string | undefined, shape: number | CursorPart[]): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  const parts: (CursorPart | 'any')[] = typeof shape === 'number' ? Array.from({ length: shape }, () => 'any' as const) : shape;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === parts.length && key.every((v, i) => fits(v, parts[i]))) return key as CursorKey;
  } catch {
    // fall through
  }
  throw new AppError('REQUEST.VALIDATION', 'The cursor is not one this list produced.', {
    errors: [{ field: 'cursor', message: 'invalid cursor' }],
  });
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only says that there is
 * a next page.
 */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => CursorKey, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const page: Page<T> = { items: pageRows.map(map) };
  if (hasMore) page.nextCursor = encodeCursor(keyOf(pageRows[pageRows.length - 1]));
  return page;
}

export const DEFAULT_PAGE_SIZE = 50;
