import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AppError, Idempotent } from '@bo/core';
import { CheckProcedureService, CorrectiveActionsService, EvidencePurpose, EvidenceService } from '@bo/controls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { readUpload } from '../http/multipart-upload';
import { AmendmentDto, CloseCorrectiveActionDto, ExportQuery, FollowUpDto, NotifyDto, ProviderResponseDto, ReceiptDto, ReceiptCorrectionDto, RecordEvidenceDto } from './controls.dto';
import { binaryContent } from '../openapi/responses';
import {
  CheckDto,
  CheckVersionDto,
  CheckVersionSummaryDto,
  CorrectiveActionDto,
  CreatedFollowUpDto,
  EvidenceDto,
  ProviderResponseViewDto,
} from './controls.responses';
import { RateLimit } from '../http/rate-limit';
import { PositiveIntPipe } from '../http/hostile-input';

const READERS = ['officer', 'manager', 'auditor'] as const;
const PURPOSES: EvidencePurpose[] = ['FINDING', 'PROVIDER_RESPONSE', 'CORRECTIVE_FOLLOW_UP'];

function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * The contradictory procedure of a check, its evidence, corrective actions, amendments,
 * versions and exports. Rules live in @bo/controls; this controller maps HTTP to them.
 */
@ApiTags('checks')
@Controller('checks/:id')
export class CheckProcedureController {
  constructor(
    private readonly procedure: CheckProcedureService,
    private readonly evidence: EvidenceService,
    private readonly corrective: CorrectiveActionsService,
  ) {}

  @Post('notify')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Notify the provider: the letter (PDF) is generated; with the receipt date the response window opens' })
  @ApiOkResponse({ type: CheckDto })
  notify(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: NotifyDto): Promise<CheckDto> {
    return this.procedure.notify(actor, id, body);
  }

  @Post('notification-receipt')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Record the date the provider received the notification: opens the response window' })
  @ApiOkResponse({ type: CheckDto })
  receipt(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: ReceiptDto): Promise<CheckDto> {
    return this.procedure.recordReceipt(actor, id, body.receivedOn);
  }

  @Post('notification-receipt/corrections')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Correct the recorded receipt date, with the reason: the window is recomputed; the change is kept and audited' })
  @ApiOkResponse({ type: CheckDto })
  correctReceipt(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: ReceiptCorrectionDto) {
    return this.procedure.correctReceipt(actor, id, body.receivedOn, body.reason);
  }

  @Get('notification-letter')
  @RateLimit('heavy')
  @Allow([...READERS])
  @ApiOperation({ summary: 'The notification letter of the current version, as sent' })
  @ApiOkResponse({ description: 'The PDF letter (attachment)', content: binaryContent('application/pdf') })
  async letter(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Res() reply: FastifyReply) {
    const { stream, fileName } = await this.procedure.letter(actor, id);
    return reply.header('content-type', 'application/pdf').header('content-disposition', attachment(fileName)).send(stream);
  }

  @Post('provider-response')
  @Idempotent()
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "Record the provider's answer (text and evidence ids): NOTIFIED or overdue -> RESPONDED" })
  @ApiOkResponse({ type: CheckDto })
  respond(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: ProviderResponseDto): Promise<CheckDto> {
    return this.procedure.recordResponse(actor, id, body);
  }

  @Get('provider-responses')
  @Allow([...READERS])
  @ApiOperation({ summary: "The provider's answers, every version" })
  @ApiOkResponse({ type: [ProviderResponseViewDto] })
  responses(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ProviderResponseViewDto[]> {
    return this.procedure.responses(actor, id);
  }

  @Post('evidence')
  @RateLimit('heavy')
  @Allow([...READERS])
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        personalData: { type: 'boolean' },
        description: { type: 'string' },
        purpose: { type: 'string', enum: PURPOSES },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiOperation({ summary: 'Upload an evidence file (media type sniffed from the bytes)' })
  @ApiCreatedResponse({ type: EvidenceDto, description: 'The evidence with its SHA-256 (Location: its download)' })
  async upload(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EvidenceDto> {
    await this.evidence.assertCheckVisible(actor, id);
    const upload = await readUpload(request, 'the evidence', (file) => this.evidence.store(file));
    const { personalData, purpose = 'FINDING', description } = upload.fields;
    const errors = [];
    if (personalData !== undefined && personalData !== 'true' && personalData !== 'false') errors.push({ field: 'personalData', message: 'true or false' });
    if (!PURPOSES.includes(purpose as EvidencePurpose)) errors.push({ field: 'purpose', message: `one of ${PURPOSES.join(', ')}` });
    if (description !== undefined && description.length > 2000) errors.push({ field: 'description', message: 'at most 2000 characters' });
    if (errors.length) throw new AppError('REQUEST.VALIDATION', 'The evidence fields are invalid.', { errors });
    const view = await this.evidence.register(actor, id, { ...upload.stored, fileName: upload.fileName }, {
      personalData: personalData === 'true',
      description,
      purpose: purpose as EvidencePurpose,
    });
    void reply.header('location', view.download!);
    return view;
  }

  @Post('evidence/records')
  @Idempotent()
  @Allow([...READERS])
  @ApiOperation({ summary: 'Add a record reference as evidence' })
  @ApiCreatedResponse({ type: EvidenceDto })
  record(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: RecordEvidenceDto): Promise<EvidenceDto> {
    return this.evidence.addRecord(actor, id, { ...body, purpose: body.purpose ?? 'FINDING' });
  }

  @Get('evidence')
  @Allow([...READERS])
  @ApiOperation({ summary: 'Evidence of the check, with hashes' })
  @ApiOkResponse({ type: [EvidenceDto] })
  listEvidence(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<EvidenceDto[]> {
    return this.evidence.list(actor, id);
  }

  @Get('evidence/:evidenceId')
  @Allow([...READERS])
  @ApiOperation({ summary: 'Download an evidence file; its hash is checked again first (corrupt bytes answer EVIDENCE.CORRUPT)' })
  @ApiOkResponse({ description: 'The bytes, with their media type and the x-content-sha256 header', content: binaryContent('application/octet-stream') })
  async download(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('evidenceId', ParseUUIDPipe) evidenceId: string,
    @Res() reply: FastifyReply,
  ) {
    const { evidence, stream } = await this.evidence.download(actor, id, evidenceId);
    return reply
      .header('content-type', evidence.mediaType ?? 'application/octet-stream')
      .header('content-disposition', attachment(evidence.fileName ?? `${evidence.id}`))
      .header('x-content-sha256', evidence.sha256!)
      .header('x-content-type-options', 'nosniff')
      .send(stream);
  }

  @Post('amendments')
  @Idempotent()
  @Allow(['manager'])
  @ApiOperation({ summary: 'Amend a completed check: opens version n+1 as a DRAFT, with the reason; version n stays readable' })
  @ApiCreatedResponse({ type: CheckDto, description: 'The check as its new DRAFT version' })
  amend(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: AmendmentDto): Promise<CheckDto> {
    return this.procedure.amend(actor, id, body.reason);
  }

  @Get('versions')
  @Allow([...READERS])
  @ApiOperation({ summary: 'Completed versions of the check' })
  @ApiOkResponse({ type: [CheckVersionSummaryDto] })
  versions(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CheckVersionSummaryDto[]> {
    return this.procedure.versions(actor, id);
  }

  @Get('versions/:n')
  @Allow([...READERS])
  @ApiOperation({ summary: 'Version n: frozen when completed, else the working copy' })
  @ApiOkResponse({ type: CheckVersionDto })
  version(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Param('n', PositiveIntPipe) n: number): Promise<CheckVersionDto> {
    return this.procedure.version(actor, id, n);
  }

  @Get('corrective-actions')
  @Allow([...READERS])
  @ApiOperation({ summary: 'Corrective actions per non-conformity, with due dates and computed overdue' })
  @ApiOkResponse({ type: [CorrectiveActionDto] })
  correctiveActions(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CorrectiveActionDto[]> {
    return this.corrective.list(actor, id);
  }

  @Post('corrective-actions/:actionId/follow-ups')
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Record a follow-up (note and evidence) on a corrective action' })
  @ApiCreatedResponse({ type: CreatedFollowUpDto, description: 'The follow-up created' })
  followUp(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('actionId', ParseUUIDPipe) actionId: string,
    @Body() body: FollowUpDto,
  ): Promise<CreatedFollowUpDto> {
    return this.corrective.followUp(actor, id, actionId, body);
  }

  @Post('corrective-actions/:actionId/close')
  @HttpCode(200)
  @Allow(['manager'])
  @ApiOperation({ summary: 'Close a corrective action' })
  @ApiOkResponse({ type: [CorrectiveActionDto], description: "The check's corrective actions" })
  close(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('actionId', ParseUUIDPipe) actionId: string,
    @Body() body: CloseCorrectiveActionDto,
  ): Promise<CorrectiveActionDto[]> {
    return this.corrective.close(actor, id, actionId, body.note);
  }

  @Get('export')
  @RateLimit('heavy')
  @Allow([...READERS])
  @ApiOperation({ summary: 'The check (current or ?version=n) as JSON or PDF' })
  @ApiOkResponse({
    description: 'An attachment: ?format=json the check version as JSON (CheckVersionDto), ?format=pdf its PDF report',
    content: { 'application/json': { schema: { $ref: getSchemaPath(CheckVersionDto) } }, ...binaryContent('application/pdf') },
  })
  async export(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Query() query: ExportQuery, @Res() reply: FastifyReply) {
    const out = await this.procedure.export(actor, id, query.format, query.version);
    if (out.pdf) return reply.header('content-type', 'application/pdf').header('content-disposition', attachment(out.fileName)).send(out.pdf);
    return reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', attachment(out.fileName)).send(out.json);
  }
}
