import { Module } from '@nestjs/common';
import { ProvidersService } from './providers.service';
import { CertificationsService } from './certifications.service';
import { ImportsService } from './imports.service';
import { RegistryFactsService } from './registry-facts.service';
import { PublicListImportJob, PublicListRefreshJob, PublicListScheduler } from './public-list-import.job';

/** The provider registry and imports as resources (API side). */
@Module({
  providers: [ProvidersService, CertificationsService, ImportsService, RegistryFactsService],
  exports: [ProvidersService, CertificationsService, ImportsService, RegistryFactsService],
})
export class ProvidersModule {}

/** The public-list jobs and their recurring schedule, for the worker only. */
@Module({ providers: [PublicListImportJob, PublicListRefreshJob, PublicListScheduler] })
export class ProvidersJobsModule {}
