import { Controller, Get, Param, ParseUUIDPipe, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { ImportsService } from '@bo/registry';
import { DEFAULT_PAGE_SIZE } from '@bo/core';
import type { FastifyReply } from 'fastify';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { ImportFormatQuery, ImportListQuery } from './providers.dto';
import { binaryContent } from '../openapi/responses';
import { ImportDto, ImportPageDto } from './providers.responses';

@ApiTags('imports')
@ApiExtraModels(ImportDto)
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get()
  @Allow(ANY_ROLE, ['actions:read', 'actions:write'])
  @ApiOperation({ summary: "The caller's organisation's imports, newest first (keyset paging)" })
  @ApiOkResponse({ type: ImportPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: ImportListQuery) {
    return this.imports.list(actor, { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, kind: query.kind, status: query.status });
  }

  @Get(':id')
  @Allow(ANY_ROLE, ['actions:read', 'actions:write'])
  @ApiOperation({ summary: "An import of the caller's organisation: status, progress, counts, first line errors (?format=csv: all line errors)" })
  @ApiOkResponse({
    description: 'The import as JSON; with ?format=csv every line error as CSV (line;field;reason)',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ImportDto) } }, ...binaryContent('text/csv') },
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ImportFormatQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (query.format === 'csv') return this.errorsCsv(actor, id, reply);
    return this.imports.get(actor, id);
  }

  @Get(':id/errors')
  @Allow(ANY_ROLE, ['actions:read', 'actions:write'])
  @ApiOperation({ summary: 'Every line error of an import, as CSV (line;field;reason)' })
  @ApiOkResponse({ description: 'CSV, separator ;', content: binaryContent('text/csv') })
  async errors(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Query() _query: ImportFormatQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.errorsCsv(actor, id, reply);
  }

  private async errorsCsv(actor: Actor, id: string, reply: FastifyReply): Promise<StreamableFile> {
    const stream = await this.imports.errorsCsv(actor, id);
    void reply.header('content-disposition', `attachment; filename="import-${id}-errors.csv"`);
    return new StreamableFile(stream, { type: 'text/csv; charset=utf-8' });
  }
}
