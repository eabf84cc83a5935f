import { Module } from '@nestjs/common';
import { PricingService } from './pricing.service';
import { PriceRecomputeJob, PriceRecomputeScheduler } from './price-recompute.job';

/** Price references and anomalies (API side). */
@Module({ providers: [PricingService], exports: [PricingService] })
export class PricingModule {}

/** The price recompute, for the worker only. */
@Module({ providers: [PriceRecomputeJob, PriceRecomputeScheduler] })
export class PricingJobsModule {}
