import { Module } from '@nestjs/common';
import { ReferenceService } from './reference.service';
import { ReferenceReloadJob } from './reference-reload.job';

@Module({ providers: [ReferenceService], exports: [ReferenceService] })
export class ReferenceModule {}

/** The reference jobs, for the worker only. */
@Module({ providers: [ReferenceReloadJob] })
export class ReferenceJobsModule {}
