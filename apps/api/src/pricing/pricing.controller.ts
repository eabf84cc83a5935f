import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { DEFAULT_PAGE_SIZE } from '@bo/core';
import { PricingService } from '@bo/pricing';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { AnomalyListQuery, PriceReferenceQuery, ReviewAnomalyDto } from './pricing.dto';

@ApiTags('pricing')
@Controller()
export class PricingController {
  constructor(private readonly pricing: PricingService) {}

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

  @Get('anomalies')
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: "The caller's own price anomalies, newest first" })
  anomalies(@CurrentActor() actor: Actor, @Query() q: AnomalyListQuery) {
    return this.pricing.anomalies(actor, { ...q, limit: q.limit ?? DEFAULT_PAGE_SIZE });
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
