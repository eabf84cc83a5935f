import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ConfigModule, LoggingModule } from '@bo/core';
import { DatabaseModule } from '@bo/database';
import { QueueModule } from '@bo/queue';
import { StorageModule } from '@bo/storage';
import { ReferenceModule } from '@bo/reference';
import { IdentityModule } from '@bo/identity';
import { AuditModule } from '@bo/audit';
import { ActionsModule, ProvidersModule } from '@bo/registry';
import { AccessModule } from '@bo/access';
import { ControlsModule } from '@bo/controls';
import { PricingModule } from '@bo/pricing';
import { SharingModule } from '@bo/sharing';
import { AuthGuard } from './auth/auth.guard';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { PlatformController } from './platform/platform.controller';
import { AuthController } from './identity/auth.controller';
import { UsersController } from './identity/users.controller';
import { ApiKeysController } from './identity/api-keys.controller';
import { OrganisationsController } from './identity/organisations.controller';
import { AuditController } from './identity/audit.controller';
import { SsoController } from './identity/sso.controller';
import { ProvidersController } from './registry/providers.controller';
import { ImportsController } from './registry/imports.controller';
import { FundingChecksController } from './registry/funding-checks.controller';
import { ActionsController, CoverageController } from './actions/actions.controller';
import { FrameworksController } from './controls/frameworks.controller';
import { ChecksController } from './controls/checks.controller';
import { CheckProcedureController } from './controls/check-procedure.controller';
import { DashboardController } from './controls/dashboard.controller';
import { SigningKeysController } from './platform/signing-keys.controller';
import { RateLimitGuard, RateLimitModule } from './http/rate-limit';
import { PricingController } from './pricing/pricing.controller';
import {
  CheckSharingController,
  ControlPlanController,
  LeadClaimsController,
  MandatesController,
  ProviderSharingController,
  ReliancesController,
  SharedChecksController,
  SharingSettingsController,
} from './sharing/sharing.controller';

import { ReportsModule } from '@bo/reports';
import { ReportsController } from './reports/reports.controller';
import { InboxController } from './reports/inbox.controller';


@Module({
  imports: [ConfigModule, LoggingModule.forRoot('api', { http: true }), TerminusModule.forRoot({ errorLogStyle: 'json' }), DatabaseModule, QueueModule, StorageModule, AccessModule, ReferenceModule, AuditModule, IdentityModule, ActionsModule, ProvidersModule, ControlsModule, PricingModule, SharingModule, ReportsModule, RateLimitModule],
  controllers: [
    HealthController,
    AuthController,
    UsersController,
    ApiKeysController,
    OrganisationsController,
    AuditController,
    SsoController,
    ProvidersController,
    ImportsController,
    FundingChecksController,
    ActionsController,
    CoverageController,
    JobsController,
    PlatformController,
    FrameworksController,
    ChecksController,
    DashboardController,
    CheckProcedureController,
    SigningKeysController,
    PricingController,
    SharingSettingsController,
    CheckSharingController,
    SharedChecksController,
    ReliancesController,
    MandatesController,
    ProviderSharingController,
    LeadClaimsController,
    ControlPlanController,
    ReportsController,
    InboxController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    // After AuthGuard: limits are per user or API key.
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class ApiModule {}
