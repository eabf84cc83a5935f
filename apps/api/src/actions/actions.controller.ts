import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { DEFAULT_PAGE_SIZE, Idempotent, PageQuery, assertIfMatch, etagOf } from '@bo/core';
import { ActionsImportService, ActionsService, CoverageService } from '@bo/registry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { readUpload } from '../http/multipart-upload';
import { ActionListQuery, CreateActionDto, PatchActionDto } from './actions.dto';
import { ImportDto } from '../registry/providers.responses';
import { ActionDto, ActionPageDto, UncertifiedDto } from './actions.responses';
import { RateLimit } from '../http/rate-limit';

@ApiTags('actions')
@Controller('actions')
export class ActionsController {
  constructor(
    private readonly actions: ActionsService,
    private readonly imports: ActionsImportService,
  ) {}

  @Get()
  @Allow(['officer', 'manager'], ['actions:read', 'actions:write'])
  @ApiOperation({ summary: "The funder's funded actions, filtered and paged by externalRef" })
  @ApiOkResponse({ type: ActionPageDto })
  list(@CurrentActor() actor: Actor, @Query() q: ActionListQuery): Promise<ActionPageDto> {
    return this.actions.list(actor, { ...q, limit: q.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('payment-blocks')
  @Allow(['officer', 'manager'], ['actions:read', 'actions:write'])
  @ApiOperation({ summary: "Count of the funder's actions whose payment is blocked (missing service-fait proof), and the amount they hold" })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true }, description: 'The count of blocked actions and the amount they hold' })
  paymentBlocks(@CurrentActor() actor: Actor) {
    return this.actions.paymentBlocks(actor);
  }

  @Post()
  @Idempotent()
  @Allow(['officer', 'manager'], ['actions:write'])
  @ApiOperation({ summary: 'Create a funded action, or update the one with the same externalRef (201 created, 200 updated)' })
  @ApiCreatedResponse({ type: ActionDto, description: 'Created (Location, ETag)' })
  @ApiOkResponse({ type: ActionDto, description: 'Updated: an action with this externalRef existed' })
  async upsert(@CurrentActor() actor: Actor, @Body() body: CreateActionDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ActionDto> {
    const { action, created } = await this.actions.upsert(actor, body);
    void reply
      .status(created ? 201 : 200)
      .header('location', `/api/v1/actions/${action.id}`)
      .header('etag', etagOf(action.id, action.version));
    return action;
  }

  @Post('imports')
  @RateLimit('heavy')
  @HttpCode(202)
  @Allow(['officer', 'manager'], ['actions:write'])
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: 'Import a funded-actions CSV (docs/actions.md); 202 with the import, checked header first' })
  @ApiAcceptedResponse({ type: ImportDto, description: 'The import; follow Location for its progress and errors' })
  async import(@CurrentActor() actor: Actor, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ImportDto> {
    const { stored: view } = await readUpload(request, 'the funded-actions CSV', (file, fileName) => this.imports.start(actor, file, fileName));
    void reply.header('location', `/api/v1/imports/${view.id}`);
    return view;
  }

  @Get(':id')
  @Allow(['officer', 'manager'], ['actions:read', 'actions:write'])
  @ApiOperation({ summary: 'A funded action with its coverage (ETag header)' })
  @ApiOkResponse({ type: ActionDto })
  async get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ActionDto> {
    const action = await this.actions.get(actor, id);
    void reply.header('etag', etagOf(action.id, action.version));
    return action;
  }

  @Patch(':id')
  @Allow(['officer', 'manager'], ['actions:write'])
  @ApiOperation({ summary: 'Change a funded action; honours If-Match; re-evaluates its coverage' })
  @ApiOkResponse({ type: ActionDto })
  async patch(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: PatchActionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ActionDto> {
    const action = await this.actions.patch(actor, id, body, (version) => assertIfMatch(ifMatch, etagOf(id, version)));
    void reply.header('etag', etagOf(action.id, action.version));
    return action;
  }
}

@ApiTags('coverage')
@Controller('coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  @Get('uncertified')
  @Allow(['officer', 'manager', 'platform_admin', 'ministry'], ['actions:read', 'actions:write'])
  @ApiOperation({
    summary: "Funded actions whose provider was not certified: a funder's own (paged); per funder counts and amounts for platform admins and control services",
  })
  @ApiOkResponse({ type: UncertifiedDto })
  uncertified(@CurrentActor() actor: Actor, @Query() q: PageQuery): Promise<UncertifiedDto> {
    return this.coverage.uncertified(actor, { limit: q.limit ?? DEFAULT_PAGE_SIZE, cursor: q.cursor });
  }
}
