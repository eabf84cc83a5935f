import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigModule } from '@bo/core';
import { DatabaseModule } from '@bo/database';
import { QueueModule } from '@bo/queue';
import { StorageModule } from '@bo/storage';
import { AuditModule } from '@bo/audit';
import { ReferenceJobsModule } from '@bo/reference';
import { ActionsJobsModule, ProvidersJobsModule } from '@bo/registry';
import { JobRunner } from './job-runner.service';
import { WorkerHealth } from './worker-health';

@Module({
  imports: [DiscoveryModule, ConfigModule, DatabaseModule, QueueModule, StorageModule, AuditModule, ReferenceJobsModule, ActionsJobsModule, ProvidersJobsModule],
  providers: [JobRunner, WorkerHealth],
  exports: [JobRunner],
})
export class WorkerModule {}
