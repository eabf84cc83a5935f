import { Module } from '@nestjs/common';
import { ActionsService } from './actions.service';
import { ActionsImportService } from './actions-import.service';
import { CoverageService } from './coverage.service';
import { ActionsImportJob } from './actions-import.job';
import { CoverageRecomputeJob } from './coverage-recompute.job';
import { ProvidersModule } from './providers.module';

/** Funded actions, their import and their certification coverage (API side). */
@Module({ imports: [ProvidersModule], providers: [ActionsService, ActionsImportService, CoverageService], exports: [ActionsService, ActionsImportService, CoverageService] })
export class ActionsModule {}

/** The actions jobs, for the worker only. */
@Module({ providers: [ActionsImportJob, CoverageRecomputeJob, CoverageService], exports: [CoverageService] })
export class ActionsJobsModule {}
