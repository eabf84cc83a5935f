import { Module } from '@nestjs/common';
import { ControlsModule } from '@bo/controls';
import { PricingModule } from '@bo/pricing';
import { ProvidersModule } from '@bo/registry';
import { SigningModule } from '@bo/signing';
import { ReportRepository } from './report.repository';
import { ReportsService } from './reports.service';
import { SubmissionService } from './submission.service';
import { InboxService } from './inbox.service';
import { DeliveryScanJob, DeliveryScanScheduler } from './delivery.job';
import { ReportExports } from './exports';

const SERVICES = [ReportRepository, ReportsService, SubmissionService, InboxService, ReportExports];

/** Reports, their seal, their cases and the built-in inbox (services; the API adds the controllers). */
@Module({ imports: [ControlsModule, PricingModule, ProvidersModule, SigningModule], providers: SERVICES, exports: SERVICES })
export class ReportsModule {}

/** The delivery scan, for the worker only. */
@Module({ imports: [SigningModule], providers: [DeliveryScanJob, DeliveryScanScheduler] })
export class ReportsJobsModule {}
