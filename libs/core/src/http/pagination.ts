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

export function decodeCursor(cursor: string | undefined, arity: number): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity) return key as CursorKey;
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
