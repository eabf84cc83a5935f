import { Module } from '@nestjs/common';
import { ProvidersModule } from '@bo/registry';
import { CheckSharingService } from './check-sharing.service';
import { ReliancesService } from './reliances.service';
import { MandatesService } from './mandates.service';
import { LeadFunderService } from './lead-funder.service';
import { DossierService } from './dossier.service';
import { ControlPlanService } from './control-plan.service';
import { ProfileRequests } from './profile-requests.service';
import { ProviderProfileJob, ProviderProfileScheduler } from './provider-profile.job';

const SERVICES = [ProfileRequests, CheckSharingService, ReliancesService, MandatesService, LeadFunderService, DossierService, ControlPlanService];

/** Sharing checks across funders: shares, reliance, mandates, lead funder, dossier, plan and coverage (services). */
@Module({ imports: [ProvidersModule], providers: SERVICES, exports: SERVICES })
export class SharingModule {}

/** The sharing jobs, for the worker only. */
@Module({ imports: [SharingModule], providers: [ProviderProfileJob, ProviderProfileScheduler] })
export class SharingJobsModule {}
