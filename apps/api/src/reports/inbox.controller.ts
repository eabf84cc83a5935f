import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse, getSchemaPath } from '@nestjs/swagger';
import { binaryContent } from '../openapi/responses';
import { Actor, CurrentActor } from '@bo/access';
import { DEFAULT_PAGE_SIZE } from '@bo/core';
import { DELIVERY_HEADERS, InboxService, PACKAGE_MEDIA_TYPE, ReportExports } from '@bo/reports';
import { Allow } from '../auth/allow.decorator';
import { Public } from '../auth/public.decorator';
import { CloseCaseDto, ForwardDto, InboxListQuery, RequestInfoDto } from './reports.dto';
import { CaseDto, DeliveryAckDto, InboxCaseDetailDto, InboxCasePageDto, InboxStatisticsDto } from './reports.responses';

/** The built-in inbox: signed deliveries in, and the recipient agents' handling of their cases. */
@ApiTags('inbox')
@ApiExtraModels(InboxCasePageDto)
@Controller('inbox')
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly exports: ReportExports,
  ) {}

  @Post('deliveries')
  @Public()
  @HttpCode(200)
  @ApiConsumes(PACKAGE_MEDIA_TYPE)
  @ApiBody({ description: 'The sealed package, byte for byte', schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: DELIVERY_HEADERS.timestamp, required: true, description: 'Unix seconds; refused outside ±300 s (replay)' })
  @ApiHeader({ name: DELIVERY_HEADERS.signature, required: true, description: 'v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under the recipient secret>' })
  @ApiHeader({ name: DELIVERY_HEADERS.recipient, required: true, description: 'The recipient organisation id' })
  @ApiHeader({ name: DELIVERY_HEADERS.caseId, required: true, description: 'The case id' })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'From the report and its seal: a repeat gets the same acknowledgement' })
  @ApiOperation({ summary: 'Take a signed delivery of a sealed report (authenticated by its HMAC signature, not by a token)' })
  @ApiOkResponse({ type: DeliveryAckDto })
  @ApiUnauthorizedResponse({ description: 'Bad signature, or a timestamp outside the replay window (problem+json)' })
  receive(@Headers() headers: Record<string, string | string[] | undefined>, @Body() body: unknown): Promise<DeliveryAckDto> {
    return this.inbox.receive(headers, Buffer.isBuffer(body) ? body : undefined);
  }

  @Get('cases')
  @Allow(['ministry', 'certifier'])
  @ApiOperation({ summary: "Cases addressed to the caller's organisation, newest first" })
  @ApiOkResponse({ description: 'A page of cases; with ?format=csv the whole filtered list (French headers)', content: { 'application/json': { schema: { $ref: getSchemaPath(InboxCasePageDto) } }, ...binaryContent('text/csv') } })
  list(@CurrentActor() actor: Actor, @Query() q: InboxListQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<InboxCasePageDto> | StreamableFile {
    const { format, limit, cursor, status } = q;
    if (format === 'csv') {
      void reply.header('content-disposition', 'attachment; filename="signalements-recus.csv"');
      return new StreamableFile(this.exports.inboxCsv(actor, { status }), { type: 'text/csv; charset=utf-8' });
    }
    return this.inbox.list(actor, { status, cursor, limit: limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('cases/:id')
  @Allow(['ministry', 'certifier'])
  @ApiOperation({ summary: 'A case with the sealed package as delivered and its seal verified now' })
  @ApiOkResponse({ type: InboxCaseDetailDto })
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<InboxCaseDetailDto> {
    return this.inbox.get(actor, id);
  }

  @Post('cases/:id/acknowledge')
  @HttpCode(200)
  @Allow(['ministry', 'certifier'])
  @ApiOperation({ summary: 'Acknowledge a received case (RECEIVED -> ACKNOWLEDGED); the reporting funders are told' })
  @ApiOkResponse({ type: CaseDto })
  acknowledge(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CaseDto> {
    return this.inbox.acknowledge(actor, id);
  }

  @Post('cases/:id/request-info')
  @HttpCode(200)
  @Allow(['ministry', 'certifier'])
  @ApiOperation({ summary: 'Ask the reporting funder for information, with a deadline (-> INFO_REQUESTED)' })
  @ApiOkResponse({ type: CaseDto })
  requestInfo(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: RequestInfoDto): Promise<CaseDto> {
    return this.inbox.requestInfo(actor, id, body);
  }

  @Post('cases/:id/forward')
  @HttpCode(200)
  @Allow(['ministry'])
  @ApiOperation({ summary: "Forward to the provider's certifier: opens a case for it; closed for the control service" })
  @ApiOkResponse({ type: CaseDto })
  forward(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: ForwardDto): Promise<CaseDto> {
    return this.inbox.forward(actor, id, body.note);
  }

  @Post('cases/:id/close')
  @HttpCode(200)
  @Allow(['ministry', 'certifier'])
  @ApiOperation({ summary: "Close with an outcome; a certifier's outcome is recorded on the provider's certification history" })
  @ApiOkResponse({ type: CaseDto })
  close(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: CloseCaseDto): Promise<CaseDto> {
    return this.inbox.close(actor, id, body);
  }

  @Get('statistics')
  @Allow(['ministry', 'certifier'])
  @ApiOperation({ summary: 'Counts by region, indicator, funder, outcome and status, and time to acknowledge (a regional service: its region; the DGEFP: all regions)' })
  @ApiOkResponse({ type: InboxStatisticsDto })
  statistics(@CurrentActor() actor: Actor): Promise<InboxStatisticsDto> {
    return this.inbox.statistics(actor);
  }
}
