import { Global, Module } from '@nestjs/common';
import { SigningModule } from '@bo/signing';
import { AuditService } from './audit.service';
import { CheckpointsService } from './checkpoints';
import { CheckpointJob, CheckpointScheduler } from './checkpoint.job';

@Global()
@Module({ imports: [SigningModule], providers: [AuditService, CheckpointsService], exports: [AuditService, CheckpointsService] })
export class AuditModule {}

/** The audit jobs (signed checkpoints), for the worker only. */
@Module({ providers: [CheckpointJob, CheckpointScheduler] })
export class AuditJobsModule {}
