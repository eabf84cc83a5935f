import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AppError, DEFAULT_PAGE_SIZE, Idempotent } from '@bo/core';
import { CERTIFICATION_CATEGORIES, CertificationCategory, CertificationsService, ImportsService, ProvidersService } from '@bo/registry';
import { FundingCheckService } from '@bo/controls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { readUpload } from '../http/multipart-upload';
import { CreateExemptionDto, FundingCheckQuery, ProviderListQuery, RecordCertificationDto, SetCertifierDto } from './providers.dto';
import { EstablishmentDto, ExemptionDto, FundingCheckDto, ImportDto, ProviderPageDto, RecordedObservationDto } from './providers.responses';
import { RateLimit } from '../http/rate-limit';

function categoryOf(value: string): CertificationCategory {
  if (!(CERTIFICATION_CATEGORIES as readonly string[]).includes(value)) {
    throw new AppError('REQUEST.VALIDATION', `Unknown category ${value}.`, { errors: [{ field: 'category', message: `one of ${CERTIFICATION_CATEGORIES.join(', ')}` }] });
  }
  return value as CertificationCategory;
}

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly certifications: CertificationsService,
    private readonly imports: ImportsService,
    private readonly funding: FundingCheckService,
  ) {}

  @Get()
  @Allow(ANY_ROLE, ['providers:read'])
  @ApiOperation({ summary: 'Search providers by SIRET, SIREN, NDA or name (one row per NDA)' })
  @ApiOkResponse({ type: ProviderPageDto })
  list(@Query() query: ProviderListQuery): Promise<ProviderPageDto> {
    return this.providers.search(query.q, query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
  }

  @Post('imports')
  @RateLimit('heavy')
  @HttpCode(202)
  @Allow(['platform_admin'])
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'The public list, official CSV layout' },
        mode: { type: 'string', enum: ['FULL', 'DELTA'], default: 'DELTA', description: 'FULL marks providers absent from the file delisted' },
      },
    },
  })
  @ApiOperation({ summary: 'Import the public list of training providers in the background' })
  @ApiAcceptedResponse({ type: ImportDto, description: 'The import; follow Location for its progress and errors' })
  async importPublicList(@CurrentActor() actor: Actor, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ImportDto> {
    const upload = await readUpload(request, 'the public list', (file) => this.imports.storePublicListFile(file));
    const mode = (upload.fields.mode ?? 'DELTA').trim().toUpperCase();
    if (mode !== 'FULL' && mode !== 'DELTA') {
      throw new AppError('REQUEST.VALIDATION', 'mode must be FULL or DELTA.', { errors: [{ field: 'mode', message: 'FULL or DELTA' }] });
    }
    const { stored, fileName } = upload;
    const view = await this.imports.createPublicListImport(actor, stored, fileName, mode);
    void reply.header('location', `/api/v1/imports/${view.id}`);
    return view;
  }

  @Post('documents')
  @HttpCode(201)
  @Allow(['platform_admin'])
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'PDF or scan (PNG, JPEG, TIFF)' } } } })
  @ApiOperation({ summary: 'Upload a document (certificate, decision) a platform certification entry will rest on; answers its SHA-256' })
  @ApiCreatedResponse({ schema: { type: 'object', additionalProperties: true }, description: 'The stored document: its SHA-256, size and media type' })
  async uploadDocument(@CurrentActor() actor: Actor, @Req() request: FastifyRequest) {
    const upload = await readUpload(request, 'the document', (file, fileName) => this.certifications.registerDocument(actor, file, fileName));
    return upload.stored;
  }

  @Get(':siret')
  @Allow(ANY_ROLE, ['providers:read'])
  @ApiParam({ name: 'siret', description: '14 digits' })
  @ApiOperation({ summary: "An establishment: its NDAs with their certification state per category (and the caller's own note), its certifier, and exemptions" })
  @ApiOkResponse({ type: EstablishmentDto })
  get(@CurrentActor() actor: Actor, @Param('siret') siret: string): Promise<EstablishmentDto> {
    return this.certifications.establishment(actor, siret);
  }

  @Get(':siret/funding-check')
  @Allow(ANY_ROLE, ['providers:read'])
  @ApiOperation({
    summary: "Certification on a date for a category, exemptions, declared activity, and the caller's open major non-conformities and blocked payments, in one answer",
  })
  @ApiOkResponse({ type: FundingCheckDto })
  async fundingCheck(
    @CurrentActor() actor: Actor,
    @Param('siret') siret: string,
    @Query() query: FundingCheckQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    // FundingCheckDto's JSON text as the statement built it: not parsed and serialised again.
    const answer = await this.funding.checkJson(actor, siret, query.category, query.date, query.nda);
    void reply.type('application/json; charset=utf-8');
    return answer;
  }

  @Put(':siret/certifications/:category')
  @Allow(['manager', 'certifier', 'platform_admin'])
  @ApiParam({ name: 'category', enum: CERTIFICATION_CATEGORIES })
  @ApiOperation({
    summary:
      "Record a certification: a funder's manager records its own note (only its views show it); the provider's certifier or a platform administrator (on a document) records a shared observation. The source follows from who writes.",
  })
  @ApiOkResponse({ type: RecordedObservationDto })
  recordCertification(@CurrentActor() actor: Actor, @Param('siret') siret: string, @Param('category') category: string, @Body() body: RecordCertificationDto) {
    return this.certifications.record(actor, siret, categoryOf(category), body);
  }

  @Put(':siret/certifier')
  @Allow(['platform_admin'])
  @ApiOperation({ summary: "Record the provider's certifier (for its SIREN), with where it was learnt: that certifier may then record observations" })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true }, description: "The provider's certifier as recorded" })
  setCertifier(@CurrentActor() actor: Actor, @Param('siret') siret: string, @Body() body: SetCertifierDto) {
    return this.certifications.setCertifier(actor, siret, body);
  }

  @Post(':siret/exemptions')
  @Idempotent()
  @Allow(['platform_admin'])
  @ApiOperation({ summary: 'Record an exemption (higher education L.6316-4 II, new CFA grace R.6316-9)' })
  @ApiCreatedResponse({ type: ExemptionDto })
  async createExemption(
    @CurrentActor() actor: Actor,
    @Param('siret') siret: string,
    @Body() body: CreateExemptionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExemptionDto> {
    const exemption = await this.providers.createExemption(actor, siret, body);
    void reply.header('location', `/api/v1/providers/${siret}`);
    return exemption;
  }
}
