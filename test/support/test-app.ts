import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { JobDispatcher, JobOutbox } from '@bo/queue';
import { OutboxStore } from '@bo/database';
import { buildApi } from '../../apps/api/src/bootstrap';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TestDatabase, createTestDatabase } from '@bo/testing';
import { testServices } from '@bo/testing';
import { drainQueues } from '@bo/testing';

export interface TestApp {
  db: TestDatabase;
  app: NestFastifyApplication;
  http: TestAgent;
  /** The worker, in this process, on the same Redis queues (started by `withWorker`). */
  worker?: INestApplicationContext;
  drain(timeoutMs?: number): Promise<void>;
  /** Moves the clock of every process by `ms` from real time (CLOCK_MODE=offset). */
  setClockOffset(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The composed API on a fresh database, real Redis with a queue prefix of its own, and
 * optionally the worker. Configuration goes through the same validated class as production.
 */
export async function createTestApp(options: { withWorker?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const services = testServices();
  Object.assign(process.env, {
    NODE_ENV: 'test',
    ...db.urls,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: `{t${randomBytes(5).toString('hex')}}`,
    JWT_SECRET: services.secrets.jwtSecret,
    SIGNING_KEYS: services.secrets.signingKey,
    BLOB_DIR: mkdtempSync(join(tmpdir(), 'bo-blobs-')),
    CLOCK_MODE: 'offset',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_POOL_SIZE: '4',
    ...options.env,
  });
  const { app } = await buildApi();
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  let worker: INestApplicationContext | undefined;
  if (options.withWorker) {
    worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await worker.init();
  }
  const dispatcher = app.get(JobDispatcher);
  return {
    db,
    app,
    worker,
    http: request(app.getHttpServer()),
    drain: (timeoutMs) => drainQueues({ dispatcher, outbox: app.get(JobOutbox), store: app.get(OutboxStore) }, timeoutMs),
    setClockOffset: async (ms) => {
      await db.superQuery(`INSERT INTO clock_offset (id, offset_ms) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET offset_ms = $1`, [ms]);
    },
    async close() {
      await worker?.close();
      await app.close();
      await db.drop();
    },
  };
}
