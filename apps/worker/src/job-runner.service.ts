import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { AppConfig, JobLogContext } from '@bo/core';
import {
  JOB_DEFINITIONS,
  JOB_HANDLER_METADATA,
  JobHandler,
  JobName,
  JobOutcomes,
  QUEUE_NAMES,
  createRedis,
  publicJobId,
  registryProblems,
} from '@bo/queue';
import { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/** Concurrency per queue: imports stream big files, so few at a time. */
const CONCURRENCY: Record<(typeof QUEUE_NAMES)[number], number> = { default: 4, imports: 1 };

/**
 * Finds the handler of every job name declared in the registry, refuses to boot when one is
 * missing or doubled, then runs one BullMQ worker per queue that dispatches by job name.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly handlers = new Map<string, JobHandler>();
  private readonly workers: Worker[] = [];
  private connection?: Redis;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly outcomes: JobOutcomes,
    private readonly context: JobLogContext,
  ) {}

  /** Collects handlers; throws with every problem listed when the registry is not complete. */
  collectHandlers(): Map<string, JobHandler> {
    const found: { name: JobName; owner: string; instance: JobHandler }[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const name = this.reflector.get<JobName | undefined>(JOB_HANDLER_METADATA, wrapper.metatype as object as new () => unknown);
      if (name) found.push({ name, owner: wrapper.name, instance: wrapper.instance as JobHandler });
    }
    const problems = registryProblems(found);
    if (problems.length) throw new Error(`The job registry is incomplete, the worker will not start:\n  - ${problems.join('\n  - ')}`);
    this.handlers.clear();
    for (const f of found) this.handlers.set(f.name, f.instance);
    return this.handlers;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.collectHandlers();
    this.connection = createRedis(this.config.REDIS_URL, true);
    for (const queue of QUEUE_NAMES) {
      const worker = new Worker(queue, (job) => this.run(queue, job), {
        connection: this.connection,
        prefix: this.config.QUEUE_PREFIX,
        concurrency: CONCURRENCY[queue],
        // A killed worker's job goes back to the queue once its lock lapses (checked as often).
        lockDuration: this.config.JOB_LOCK_MS,
        stalledInterval: this.config.JOB_LOCK_MS,
      });
      worker.on('failed', (job, err) => this.logger.warn({ jobId: job?.id, name: job?.name, err: err.message }, 'job failed'));
      worker.on('error', (err) => this.logger.error({ err: err.message }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.log({ jobs: Object.keys(JOB_DEFINITIONS), queues: QUEUE_NAMES }, 'worker ready');
  }

  private async run(queue: (typeof QUEUE_NAMES)[number], job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`No handler for job ${job.name}`);
    const jobId = publicJobId(queue, job.id!);
    const attempt = job.attemptsMade + 1;
    // Every log line of the job carries its public id as correlation id.
    return this.context.run(jobId, { job: job.name, attempt }, async () => {
      const started = Date.now();
      // The outbox row records each start and the outcome; when PostgreSQL cannot take the record,
      // the job still runs and the relay's reconciler copies the outcome from Redis later.
      await this.outcomes.started(job.id).catch((e: Error) => this.logger.warn({ err: e.message }, 'could not record the job start'));
      let result: unknown;
      try {
        result = await handler.handle(job.data, { jobId, attempt, progress: (value) => job.updateProgress(value) });
      } catch (error) {
        const final = attempt >= (job.opts.attempts ?? 1);
        await this.outcomes.failed(job.id, (error as Error).message ?? String(error), final).catch(() => undefined);
        throw error;
      }
      await this.outcomes.completed(job.id, result).catch((e: Error) => this.logger.warn({ err: e.message }, 'could not record the job outcome'));
      this.logger.log({ ms: Date.now() - started }, 'job done');
      return result;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    this.connection?.disconnect();
  }
}
