import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { DEFAULT_PAGE_SIZE, Idempotent, assertIfMatch, etagOf } from '@bo/core';
import { ChecksService, FindingsService } from '@bo/controls';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { CheckListQuery, CreateCheckDto, FindingDto, FindingRevisionDto, SampleDto, UpdateCheckDto } from './controls.dto';
import { CheckDto, CheckPageDto, FindingRevisionViewDto, FindingViewDto, MappedGradesDto } from './controls.responses';

@ApiTags('checks')
@Controller('checks')
export class ChecksController {
  constructor(
    private readonly checks: ChecksService,
    private readonly findings: FindingsService,
  ) {}

  @Post()
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Draft a quality check of a provider; the scope is derived and stored' })
  @ApiCreatedResponse({ type: CheckDto, description: 'The draft (Location, ETag)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateCheckDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<CheckDto> {
    const check = await this.checks.create(actor, body);
    void reply.header('location', `/api/v1/checks/${check.id}`).header('etag', etagOf(check.id, check.version));
    return check;
  }

  @Get()
  @Allow(['officer', 'manager', 'auditor'], ['checks:read'])
  @ApiOperation({ summary: "The organisation's checks (an auditor: those assigned to it), newest first; filters on state, provider, response due date and assignee" })
  @ApiOkResponse({ type: CheckPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: CheckListQuery): Promise<CheckPageDto> {
    return this.checks.list(actor, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      cursor: query.cursor,
      state: query.state,
      providerSiret: query.providerSiret,
      responseDueAfter: query.responseDueAfter,
      responseDueBefore: query.responseDueBefore,
      overdue: query.overdue,
      assignee: query.assignee,
    });
  }

  @Get(':id')
  @Allow(['officer', 'manager', 'auditor'], ['checks:read'])
  @ApiOperation({ summary: 'A check with its scope and findings (ETag header)' })
  @ApiOkResponse({ type: CheckDto })
  async get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<CheckDto> {
    const check = await this.checks.get(actor, id);
    void reply.header('etag', etagOf(check.id, check.version));
    return check;
  }

  @Patch(':id')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Change a DRAFT check (actions, scope context, assignee, contact...); honours If-Match' })
  @ApiOkResponse({ type: CheckDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateCheckDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CheckDto> {
    const check = await this.checks.update(actor, id, body, (version) => assertIfMatch(ifMatch, etagOf(id, version)));
    void reply.header('etag', etagOf(check.id, check.version));
    return check;
  }

  @Post(':id/sample')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "Draw the provider's funded actions with a recorded seed (same seed, same sample)" })
  @ApiOkResponse({ type: CheckDto })
  async sample(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: SampleDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<CheckDto> {
    const check = await this.checks.sample(actor, id, body);
    void reply.header('etag', etagOf(check.id, check.version));
    return check;
  }

  @Put(':id/findings/:pointCode')
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: 'Record the finding on one point of the framework' })
  @ApiOkResponse({ type: FindingViewDto })
  recordFinding(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Param('pointCode') pointCode: string, @Body() body: FindingDto): Promise<FindingViewDto> {
    return this.findings.recordFinding(actor, id, pointCode, body);
  }

  @Post(':id/findings/:pointCode/revisions')
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: "Revise a finding after the provider's response and before completion, with the reason and the response it follows" })
  @ApiCreatedResponse({ type: FindingRevisionViewDto, description: 'The revision recorded' })
  reviseFinding(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Param('pointCode') pointCode: string, @Body() body: FindingRevisionDto): Promise<FindingRevisionViewDto> {
    return this.findings.revise(actor, id, pointCode, body);
  }

  @Get(':id/findings/:pointCode/revisions')
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: 'The revisions of one finding, oldest first (every version of the check)' })
  @ApiOkResponse({ type: [FindingRevisionViewDto], description: 'The revisions, oldest first' })
  findingRevisions(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Param('pointCode') pointCode: string): Promise<FindingRevisionViewDto[]> {
    return this.findings.revisions(actor, id, pointCode);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Allow(['manager'])
  @ApiOperation({ summary: 'DRAFT -> COMPLETED for a check without non-conformity; the outcome is derived and fixed' })
  @ApiOkResponse({ type: CheckDto })
  async complete(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CheckDto> {
    const check = await this.checks.complete(actor, id, (version) => assertIfMatch(ifMatch, etagOf(id, version)));
    void reply.header('etag', etagOf(check.id, check.version));
    return check;
  }

  @Get(':id/mapped/:mappingId')
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: "The grades of a mapped grid derived from the check's findings through a mapping set" })
  @ApiOkResponse({ type: MappedGradesDto })
  mapped(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Param('mappingId', ParseUUIDPipe) mappingId: string): Promise<MappedGradesDto> {
    return this.checks.mappedGrades(actor, id, mappingId);
  }
}
