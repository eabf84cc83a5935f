import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AppError, DEFAULT_PAGE_SIZE, Idempotent } from '@bo/core';
import { CERTIFICATION_CATEGORIES, CertificationCategory, ImportsService, ProvidersService } from '@bo/registry';
import { FundingCheckService } from '@bo/controls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { readUpload } from '../http/multipart-upload';
import { CreateExemptionDto, FundingCheckQuery, ProviderListQuery, RecordCertificationDto } from './providers.dto';
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

  @Get(':siret')
  @Allow(ANY_ROLE, ['providers:read'])
  @ApiParam({ name: 'siret', description: '14 digits' })
  @ApiOperation({ summary: 'An establishment: its NDAs with their certification state per category, and exemptions' })
  @ApiOkResponse({ type: EstablishmentDto })
  get(@Param('siret') siret: string): Promise<EstablishmentDto> {
    return this.providers.establishment(siret);
  }

  @Get(':siret/funding-check')
  @Allow(ANY_ROLE, ['providers:read'])
  @ApiOperation({
    summary: "Certification on a date for a category, exemptions, declared activity, and the caller's open major non-conformities and blocked payments, in one answer",
  })
  @ApiOkResponse({ type: FundingCheckDto })
  fundingCheck(@CurrentActor() actor: Actor, @Param('siret') siret: string, @Query() query: FundingCheckQuery): Promise<FundingCheckDto> {
    return this.funding.check(actor, siret, query.category, query.date, query.nda);
  }

  @Put(':siret/certifications/:category')
  @Allow(['manager', 'platform_admin'])
  @ApiParam({ name: 'category', enum: CERTIFICATION_CATEGORIES })
  @ApiOperation({ summary: 'Record a certification observation by hand (certifier, source, optional validUntil)' })
  @ApiOkResponse({ type: RecordedObservationDto })
  recordCertification(
    @CurrentActor() actor: Actor,
    @Param('siret') siret: string,
    @Param('category') category: string,
    @Body() body: RecordCertificationDto,
  ): Promise<RecordedObservationDto> {
    return this.providers.recordObservation(actor, siret, categoryOf(category), body);
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
