import { Module } from '@nestjs/common';
import { FrameworksService } from './frameworks/frameworks.service';
import { ChecksService } from './checks/checks.service';
import { CheckRepository } from './checks/check.repository';
import { FindingsService } from './checks/findings.service';
import { CheckProcedureService } from './checks/procedure.service';
import { EvidenceService } from './checks/evidence.service';
import { CorrectiveActionsService } from './checks/corrective-actions.service';
import { DeadlineScanJob, DeadlineScanScheduler } from './checks/deadline-scan.job';
import { FundingCheckService } from './checks/funding-check.service';
import { DashboardService } from './checks/dashboard.service';
import { ProvidersModule } from '@bo/registry';

const SERVICES = [FrameworksService, CheckRepository, ChecksService, FindingsService, CheckProcedureService, EvidenceService, CorrectiveActionsService, FundingCheckService, DashboardService];

/** Control frameworks, mapping sets and quality checks (services; the API adds the controllers). */
@Module({ imports: [ProvidersModule], providers: SERVICES, exports: SERVICES })
export class ControlsModule {}

/** The controls jobs, for the worker only. */
@Module({ imports: [ControlsModule], providers: [DeadlineScanJob, DeadlineScanScheduler] })
export class ControlsJobsModule {}
