import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Actor, CurrentActor } from '@bo/access';
import { AppError, DEFAULT_PAGE_SIZE, Idempotent, assertIfMatch, etagOf } from '@bo/core';
import { EvidenceService } from '@bo/controls';
import { ReportExports, ReportsService, SubmissionService } from '@bo/reports';
import { Allow } from '../auth/allow.decorator';
import { readUpload } from '../http/multipart-upload';
import { RateLimit } from '../http/rate-limit';
import { binaryContent } from '../openapi/responses';
import { AddGroundDto, AnswerDto, CaseParams, CosignerParams, CreateReportDto, InviteCosignerDto, ReportExportQuery, ReportIdParam, ReportListQuery, UpdateReportDto } from './reports.dto';
import { CaseDto, ReportDto, ReportPageDto, SealVerificationDto } from './reports.responses';

/** Funders' reports (signalements): drafting, co-signing, submission with the seal, cases (docs/reports.md). */
@ApiTags('reports')
@ApiExtraModels(ReportPageDto)
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly submission: SubmissionService,
    private readonly evidence: EvidenceService,
    private readonly exports: ReportExports,
  ) {}

  @Post()
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Draft a report on a provider (claims, narrative, and optionally the certifier when unknown)' })
  @ApiCreatedResponse({ type: ReportDto })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateReportDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ReportDto> {
    const report = await this.reports.create(actor, body);
    void reply.header('location', `/api/v1/reports/${report.id}`).header('etag', etagOf(report.id, report.version));
    return report;
  }

  @Get()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "Reports the caller's funder owns or co-signs, newest first" })
  @ApiOkResponse({ description: 'A page of reports; with ?format=csv the whole filtered list (French headers)', content: { 'application/json': { schema: { $ref: getSchemaPath(ReportPageDto) } }, ...binaryContent('text/csv') } })
  list(@CurrentActor() actor: Actor, @Query() q: ReportListQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<ReportPageDto> | StreamableFile {
    const { format, limit, cursor, ...filter } = q;
    if (format === 'csv') {
      void reply.header('content-disposition', 'attachment; filename="signalements.csv"');
      return new StreamableFile(this.exports.reportsCsv(actor, filter), { type: 'text/csv; charset=utf-8' });
    }
    return this.reports.list(actor, { ...filter, cursor, limit: limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get(':id')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'A report with its pinned grounds, co-signers, proposed recipients with the reason, and what submission would refuse now' })
  @ApiOkResponse({ type: ReportDto })
  async get(@CurrentActor() actor: Actor, @Param() p: ReportIdParam, @Res({ passthrough: true }) reply: FastifyReply): Promise<ReportDto> {
    const report = await this.reports.get(actor, p.id);
    void reply.header('etag', etagOf(report.id, report.version));
    return report;
  }

  @Patch(':id')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Change a draft (title, claims, narrative, certifier); honours If-Match' })
  @ApiOkResponse({ type: ReportDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param() p: ReportIdParam,
    @Body() body: UpdateReportDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportDto> {
    const report = await this.reports.update(actor, p.id, body, (version) => assertIfMatch(ifMatch, etagOf(p.id, version)));
    void reply.header('etag', etagOf(report.id, report.version));
    return report;
  }

  @Post(':id/grounds')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Add a ground, pinned: a completed check version (its content copied with hashes) or a confirmed price anomaly' })
  @ApiOkResponse({ type: ReportDto })
  addGround(@CurrentActor() actor: Actor, @Param() p: ReportIdParam, @Body() body: AddGroundDto): Promise<ReportDto> {
    return this.reports.addGround(
      actor,
      p.id,
      body.kind === 'CHECK_VERSION' ? { kind: 'CHECK_VERSION', checkId: body.checkId!, revision: body.revision!, personalDataLegalGround: body.personalDataLegalGround } : { kind: 'PRICE_ANOMALY', anomalyId: body.anomalyId! },
    );
  }

  @Post(':id/attachments')
  @HttpCode(200)
  @RateLimit('heavy')
  @Allow(['officer', 'manager'])
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { personalData: { type: 'boolean' }, description: { type: 'string' }, file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: 'Attach a file to a draft (checked like evidence; sealed by its SHA-256; personal data by its hash only)' })
  @ApiOkResponse({ type: ReportDto })
  async attach(@CurrentActor() actor: Actor, @Param() p: ReportIdParam, @Req() request: FastifyRequest): Promise<ReportDto> {
    await this.reports.get(actor, p.id);
    const upload = await readUpload(request, 'the attachment', (file) => this.evidence.store(file));
    const { personalData, description } = upload.fields;
    const errors = [];
    if (personalData !== undefined && personalData !== 'true' && personalData !== 'false') errors.push({ field: 'personalData', message: 'true or false' });
    if (description !== undefined && description.length > 2000) errors.push({ field: 'description', message: 'at most 2000 characters' });
    if (errors.length) throw new AppError('REQUEST.VALIDATION', 'The attachment fields are invalid.', { errors });
    return this.reports.addAttachment(actor, p.id, { ...upload.stored, fileName: upload.fileName }, { description, personalData: personalData === 'true' });
  }

  @Post(':id/cosigners')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Invite a funder that funds or has checked the provider to co-sign' })
  @ApiOkResponse({ type: ReportDto })
  invite(@CurrentActor() actor: Actor, @Param() p: ReportIdParam, @Body() body: InviteCosignerDto): Promise<ReportDto> {
    return this.reports.inviteCosigner(actor, p.id, body.organisationId);
  }

  @Post(':id/cosigners/:orgId/accept')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "Accept, for the caller's own organisation, to co-sign (then add grounds from its own checks)" })
  @ApiOkResponse({ type: ReportDto })
  accept(@CurrentActor() actor: Actor, @Param() p: CosignerParams): Promise<ReportDto> {
    return this.reports.acceptCosigning(actor, p.id, p.orgId);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Allow(['manager'])
  @ApiOperation({ summary: 'Submit: substantiation enforced, the package sealed (RFC 8785, SHA-256, Ed25519) with its PDF dossier, one case per recipient queued for delivery' })
  @ApiOkResponse({ type: ReportDto })
  submit(@CurrentActor() actor: Actor, @Param() p: ReportIdParam): Promise<ReportDto> {
    return this.submission.submit(actor, p.id);
  }

  @Get(':id/seal/verify')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Recompute the seal from the stored package and the records, and check the signature and the PDF' })
  @ApiOkResponse({ type: SealVerificationDto })
  verify(@CurrentActor() actor: Actor, @Param() p: ReportIdParam): Promise<SealVerificationDto> {
    return this.submission.verify(actor, p.id);
  }

  @Get(':id/export')
  @Allow(['officer', 'manager', 'ministry', 'certifier'])
  @ApiOperation({ summary: 'The sealed report: its PDF dossier (?format=pdf) or its canonical package (?format=json), to any party to it; a draft: a PDF preview, marked, neither stored nor signed' })
  @ApiOkResponse({ description: 'The stored bytes, exactly as sealed', content: binaryContent('application/pdf', 'application/json') })
  async export(@CurrentActor() actor: Actor, @Param() p: ReportIdParam, @Query() q: ReportExportQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const file = await this.submission.export(actor, p.id, q.format);
    void reply.header('content-disposition', `attachment; filename="${file.preview ? 'projet-' : ''}signalement-${file.reference}.${q.format}"`).header('x-content-sha256', file.sha256);
    return new StreamableFile(file.stream, { type: q.format === 'pdf' ? 'application/pdf' : 'application/json' });
  }

  @Get(':id/cases')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "The report's recipient cases: delivery (attempts, acknowledgement) and handling status, events" })
  @ApiOkResponse({ type: [CaseDto] })
  cases(@CurrentActor() actor: Actor, @Param() p: ReportIdParam): Promise<CaseDto[]> {
    return this.submission.cases(actor, p.id);
  }

  @Post(':id/cases/:caseId/answer')
  @HttpCode(200)
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "Answer the recipient's open information request" })
  @ApiOkResponse({ type: CaseDto })
  answer(@CurrentActor() actor: Actor, @Param() p: CaseParams, @Body() body: AnswerDto): Promise<CaseDto> {
    return this.submission.answer(actor, p.id, p.caseId, body.text);
  }

  @Post(':id/cases/:caseId/redeliver')
  @HttpCode(200)
  @Allow(['manager'])
  @ApiOperation({ summary: 'Send a dead-lettered case again (ten new attempts)' })
  @ApiOkResponse({ type: CaseDto })
  redeliver(@CurrentActor() actor: Actor, @Param() p: CaseParams): Promise<CaseDto> {
    return this.submission.redeliver(actor, p.id, p.caseId);
  }
}
