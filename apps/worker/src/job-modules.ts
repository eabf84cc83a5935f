import { ReferenceJobsModule } from '@bo/reference';
import { ActionsJobsModule, ProvidersJobsModule } from '@bo/registry';
import { ControlsJobsModule } from '@bo/controls';
import { AuditJobsModule } from '@bo/audit';
import { PricingJobsModule } from '@bo/pricing';
import { SharingJobsModule } from '@bo/sharing';
import { ReportsJobsModule } from '@bo/reports';

/** The modules that provide job handlers: the worker loads them, the registry test boots them. */
export const JOB_MODULES = [ReferenceJobsModule, ActionsJobsModule, ProvidersJobsModule, ControlsJobsModule, PricingJobsModule, AuditJobsModule, SharingJobsModule, ReportsJobsModule];
