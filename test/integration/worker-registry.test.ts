import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ConfigModule, LoggingModule } from '@bo/core';
import { DatabaseModule } from '@bo/database';
import { QueueModule } from '@bo/queue';
import { TestDatabase, createTestDatabase, testServices } from '@bo/testing';
import { JobRunner } from '../../apps/worker/src/job-runner.service';
import { ReferenceReloadJob } from '@bo/reference';
import { JOB_DEFINITIONS } from '@bo/queue';
import { StorageModule } from '@bo/storage';
import { AuditModule } from '@bo/audit';
import { AccessModule } from '@bo/access';
import { JOB_MODULES } from '../../apps/worker/src/job-modules';

describe('worker job registry', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const services = testServices();
    Object.assign(process.env, { ...db.urls, REDIS_URL: services.redisUrl, JWT_SECRET: services.secrets.jwtSecret, QUEUE_PREFIX: '{registry-test}' });
  });
  afterAll(async () => {
    await db.drop();
  });

  async function boot(handlerModules: unknown[]) {
    @Module({ imports: [DiscoveryModule, ConfigModule, LoggingModule.forRoot('worker', { http: false }), DatabaseModule, QueueModule, StorageModule, AuditModule, AccessModule, ...(handlerModules as never[])], providers: [JobRunner] })
    class TestWorkerModule {}
    // compile() resolves providers without running lifecycle hooks: no worker starts polling.
    const moduleRef = await Test.createTestingModule({ imports: [TestWorkerModule] }).compile();
    try {
      return moduleRef.get(JobRunner).collectHandlers();
    } finally {
      await moduleRef.close();
    }
  }

  it('boots when every job has one handler', async () => {
    const handlers = await boot(JOB_MODULES);
    expect([...handlers.keys()].sort()).toEqual(Object.keys(JOB_DEFINITIONS).sort());
  });

  it('refuses to boot when a job has no handler', async () => {
    await expect(boot(JOB_MODULES.slice(1))).rejects.toThrow(/job "reference.reload" has no handler/);
  });

  it('refuses to boot when a job has two handlers', async () => {
    @Module({ providers: [{ provide: 'second', useClass: ReferenceReloadJob }] })
    class Duplicate {}
    await expect(boot([...JOB_MODULES, Duplicate])).rejects.toThrow(/"reference.reload" has 2 handlers/);
  });
});
