import { Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { JobStatus, QUEUE_NAMES } from '@bo/queue';

/** Any JSON object (fields documented elsewhere, e.g. job results, frozen snapshots). */
export const FREE_OBJECT = { type: 'object', additionalProperties: true } as const;

/**
 * A page of `item`: `{ items, nextCursor? }` (docs/api.md, Paging). Use as the base of a named
 * class so the schema gets its own name: `export class UserPageDto extends PageOf(UserDto) {}`.
 */
export function PageOf<T>(item: Type<T>) {
  abstract class Page {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiPropertyOptional({ description: 'Opaque position of the next page; absent on the last page' })
    nextCursor?: string;
  }
  return Page;
}

/** A file answered as bytes (PDF, CSV, evidence): the OpenAPI content of a 200. */
export function binaryContent(...mediaTypes: string[]) {
  return Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: 'string', format: 'binary' } }]));
}

export class JobStatusDto implements JobStatus {
  @ApiProperty({ description: 'Public job id' })
  id: string;

  @ApiProperty({ example: 'registry.public-list-import' })
  name: string;

  @ApiProperty({ enum: QUEUE_NAMES, description: 'Queue of the job' })
  queue: JobStatus['queue'];

  @ApiProperty({ example: 'completed', description: 'BullMQ state: waiting, active, delayed, completed, failed...' })
  state: string;

  @ApiProperty({ description: 'Progress reported by the job (a number or an object)', oneOf: [{ type: 'number' }, FREE_OBJECT] })
  progress: unknown;

  @ApiProperty()
  attempts: number;

  @ApiPropertyOptional({ description: 'What the job answered when completed', ...FREE_OBJECT })
  result?: unknown;

  @ApiPropertyOptional()
  failedReason?: string;

  @ApiProperty({ type: String, nullable: true, description: 'Owner organisation; null for platform jobs' })
  organisationId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;
}

export class JobAcceptedDto {
  @ApiProperty({ description: 'Follow GET /api/v1/jobs/{jobId} (also in Location)' })
  jobId: string;
}

export class DependencyHealthDto {
  @ApiProperty({ enum: ['up', 'degraded', 'down'] })
  status: 'up' | 'degraded' | 'down';

  @ApiPropertyOptional()
  message?: string;

  @ApiPropertyOptional({ description: 'Milliseconds the check took' })
  responseTime?: number;
}

export class LiveDto {
  @ApiProperty({ enum: ['ok'] })
  status: string;
}

/** The body of @nestjs/terminus: each dependency (`database`, `redis`) under its name. */
@ApiExtraModels(DependencyHealthDto)
export class ReadyDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] })
  status: 'ok' | 'error' | 'shutting_down';

  @ApiPropertyOptional({ type: 'object', nullable: true, description: 'Dependencies up (or degraded)', additionalProperties: { $ref: getSchemaPath(DependencyHealthDto) } })
  info?: Record<string, DependencyHealthDto> | null;

  @ApiPropertyOptional({ type: 'object', nullable: true, description: 'Dependencies down', additionalProperties: { $ref: getSchemaPath(DependencyHealthDto) } })
  error?: Record<string, DependencyHealthDto> | null;

  @ApiProperty({ type: 'object', description: 'Every dependency', additionalProperties: { $ref: getSchemaPath(DependencyHealthDto) } })
  details: Record<string, DependencyHealthDto>;
}
