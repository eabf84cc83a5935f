import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { DEFAULT_PAGE_SIZE, PageQuery } from '@bo/core';
import { NpecService, PricingService } from '@bo/pricing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readUpload } from '../http/multipart-upload';
import { Allow } from '../auth/allow.decorator';
import { AnomalyListQuery, NpecQuery, PriceReferenceQuery, ReviewAnomalyDto, SiretParam } from './pricing.dto';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('pricing')
@Controller()
export class PricingController {
  constructor(
    private readonly pricing: PricingService,
    private readonly npec: NpecService,
  ) {}

  @Get('price-references')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Cross-funder price references of the latest run (usable groups only: >= 8 actions, 3 providers, 3 funders, no provider above 60%)' })
  references(@CurrentActor() actor: Actor, @Query() q: PriceReferenceQuery) {
    return this.pricing.references(actor, { ...q, limit: q.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Post('price-references/recompute')
  @HttpCode(202)
  @Allow(['manager'])
  @ApiOperation({ summary: 'Recompute price references and anomalies now (job)' })
  async recompute(@CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply) {
    const jobId = await this.pricing.requestRecompute(actor);
    void reply.header('location', `/api/v1/jobs/${jobId}`);
    return { jobId };
  }

  @Post('price-references/npec')
  @HttpCode(200)
  @Allow(['platform_admin'])
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: 'Replace the apprenticeship funding levels (NPEC) from a CSV rncp;idcc;eurPerYear;validFrom;validTo: good lines kept, each bad one reported' })
  async loadNpec(@CurrentActor() actor: Actor, @Req() request: FastifyRequest) {
    const { stored } = await readUpload(request, 'the NPEC CSV', (file) => this.npec.load(actor, file));
    return stored;
  }

  @Get('price-references/npec')
  @Allow(['officer', 'manager', 'platform_admin'])
  @ApiOperation({ summary: 'Apprenticeship funding levels (NPEC) in force, optionally for one RNCP code' })
  npecLevels(@CurrentActor() actor: Actor, @Query() q: NpecQuery) {
    return this.npec.list(actor, q.rncp);
  }

  @Get('providers/:siret/price-position')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "The caller's own actions with this provider, each placed in its narrowest usable price reference" })
  pricePosition(@CurrentActor() actor: Actor, @Param() p: SiretParam, @Query() q: PageQuery) {
    return this.pricing.pricePosition(actor, p.siret, q.limit ?? DEFAULT_PAGE_SIZE, q.cursor);
  }

  @Get('anomalies')
  @Allow(['officer', 'manager'])
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: "The caller's own price anomalies, newest first (?format=csv|xlsx: the whole filtered list as a file)" })
  anomalies(@CurrentActor() actor: Actor, @Query() q: AnomalyListQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { format, limit, cursor, ...filter } = q;
    if (format) {
      void reply.header('content-disposition', `attachment; filename="anomalies-de-prix.${format}"`);
      return new StreamableFile(this.pricing.exportAnomalies(actor, filter, format), { type: format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE });
    }
    return this.pricing.anomalies(actor, { ...filter, cursor, limit: limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('anomalies/coverage')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'Test coverage of the latest run per anomaly kind: tested, flagged, not computable, without a usable group' })
  coverage(@CurrentActor() actor: Actor) {
    return this.pricing.testCoverage(actor);
  }

  @Get('anomalies/:id')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'One anomaly with its frozen evidence and its history' })
  anomaly(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string) {
    return this.pricing.anomaly(actor, id);
  }

  @Post('anomalies/:id/review')
  @HttpCode(200)
  @Allow(['manager'])
  @ApiOperation({ summary: 'Review an anomaly: OPEN -> UNDER_REVIEW -> JUSTIFIED (one of the four grounds) | CONFIRMED' })
  review(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: ReviewAnomalyDto) {
    return this.pricing.review(actor, id, body);
  }
}
