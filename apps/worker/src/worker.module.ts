import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigModule, LoggingModule } from '@bo/core';
import { DatabaseModule, JobDatabaseProfile } from '@bo/database';
import { QueueModule } from '@bo/queue';
import { StorageModule } from '@bo/storage';
import { AuditModule } from '@bo/audit';
import { AccessModule } from '@bo/access';
import { JobRunner } from './job-runner.service';
import { WorkerHealth } from './worker-health';
import { JOB_MODULES } from './job-modules';

@Module({
  imports: [DiscoveryModule, ConfigModule, LoggingModule.forRoot('worker', { http: false }), JobDatabaseProfile, DatabaseModule, QueueModule, StorageModule, AuditModule, AccessModule, ...JOB_MODULES],
  providers: [JobRunner, WorkerHealth],
  exports: [JobRunner],
})
export class WorkerModule {}
