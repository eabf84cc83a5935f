import { Controller, Get, INestApplication, INestApplicationContext, Logger as NestLogger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { generateKeyPairSync } from 'node:crypto';
import { JobLogContext, LoggingModule, correlationIdOf } from '@bo/core';

/** Log lines as the process would print them, captured instead of written to standard output. */
const lines: Record<string, unknown>[] = [];
const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };

@Controller('probe')
class ProbeController {
  private readonly logger = new NestLogger('Probe');
  @Get()
  probe() {
    this.logger.log('inside the request');
    return { ok: true };
  }
}

@Module({ imports: [LoggingModule.forRoot('probe', { http: true, level: 'info', destination })], controllers: [ProbeController] })
class ProbeModule {}

/** The worker's side: no HTTP, a job context per job. */
@Module({ imports: [LoggingModule.forRoot('probe-worker', { http: false, level: 'info', destination })] })
class ProbeWorkerModule {}

describe('logging: every line of a request or a job carries its correlation id (nestjs-pino + nestjs-cls)', () => {
  let app: INestApplication;
  let worker: INestApplicationContext;
  beforeAll(async () => {
    // The validated configuration the logging module reads (nothing here connects to them). This
    // file runs alone in its module registry, so nestjs-pino's process-wide root logger is ours.
    Object.assign(process.env, {
      DATABASE_URL: 'postgres://bo_app:x@127.0.0.1:1/bo_test',
      DATABASE_MIGRATION_URL: 'postgres://bo_owner:x@127.0.0.1:1/bo_test',
      DATABASE_SYSTEM_URL: 'postgres://bo_system:x@127.0.0.1:1/bo_test',
      REDIS_URL: 'redis://127.0.0.1:1',
      JWT_SECRET: 'a-test-secret-of-at-least-thirty-two-characters',
      SIGNING_KEYS: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    });
    const fastify = new FastifyAdapter({ logger: false, genReqId: correlationIdOf });
    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, fastify, { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.setGlobalPrefix('api/v1'); // as the API does
    await app.init();
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    worker = await NestFactory.createApplicationContext(ProbeWorkerModule, { bufferLogs: true });
    worker.useLogger(worker.get(Logger));
  });
  afterAll(async () => {
    await app?.close();
    await worker?.close();
  });

  it("tags a service's log line inside a request, and the request log, with the caller's correlation id", async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/probe').set('x-correlation-id', 'probe-correlation-0001');
    expect(res.status).toBe(200);
    const inside = lines.find((l) => l.msg === 'inside the request');
    expect(inside).toMatchObject({ correlationId: 'probe-correlation-0001', context: 'Probe', service: 'probe' });
    const completed = lines.find((l) => l.msg === 'request completed' && (l.req as { url?: string })?.url === '/api/v1/probe');
    expect(completed).toMatchObject({ correlationId: 'probe-correlation-0001' });
  });

  it('gives a request without a correlation id a fresh one, the same on every line of that request', async () => {
    lines.length = 0;
    await request(app.getHttpServer()).get('/api/v1/probe');
    const ids = new Set(lines.filter((l) => l.correlationId).map((l) => l.correlationId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes no request header in a request line: no credential reaches the log', async () => {
    lines.length = 0;
    const secrets = ['Bearer secret-access-token-0001', 'bo_session=secret-cookie-0002', 'bo_abcdefabcdef_secret-api-key-0003'];
    await request(app.getHttpServer())
      .get('/api/v1/probe?x=1')
      .set('authorization', secrets[0])
      .set('cookie', secrets[1])
      .set('x-api-key', secrets[2])
      .set('user-agent', 'probe-agent/1.0');
    const completed = lines.find((l) => l.msg === 'request completed');
    expect(completed).toMatchObject({ req: { method: 'GET', url: '/api/v1/probe?x=1', userAgent: 'probe-agent/1.0' }, res: { statusCode: 200 } });
    expect(completed?.req).not.toHaveProperty('headers');
    const written = JSON.stringify(lines);
    for (const secret of secrets) expect(written).not.toContain(secret.split(/[ =_]/).pop());
  });

  it("tags every line written while a job runs with the job's id, and not the lines after it", async () => {
    lines.length = 0;
    const jobs = worker.get(JobLogContext);
    await jobs.run('default.job-42', { job: 'probe.job' }, async () => {
      new NestLogger('ProbeJob').log('inside the job');
      expect(jobs.correlationId()).toBe('default.job-42');
    });
    new NestLogger('ProbeJob').log('after the job');
    expect(lines.find((l) => l.msg === 'inside the job')).toMatchObject({ correlationId: 'default.job-42', job: 'probe.job' });
    expect(lines.find((l) => l.msg === 'after the job')?.correlationId).toBeUndefined();
  });
});
