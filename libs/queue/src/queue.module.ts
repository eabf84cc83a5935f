import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_JOB_OPTIONS,
  JOB_DEFINITIONS,
  JobName,
  JobPayloads,
  QUEUE_NAMES,
  QueueName,
  parsePublicJobId,
  publicJobId,
} from './job-registry';

export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

export function createRedis(url: string, forWorker = false): Redis {
  return new Redis(url, {
    // Workers block on Redis: BullMQ requires no retry limit there. The API fails fast instead,
    // so that reads go on when Redis is down.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
    lazyConnect: false,
  });
}

export interface JobStatus {
  id: string;
  name: string;
  queue: QueueName;
  state: string;
  progress: unknown;
  attempts: number;
  result?: unknown;
  failedReason?: string;
  organisationId: string | null;
  createdAt: string;
  finishedAt?: string;
}

/** Puts jobs on their queue with the registry's defaults and reads their status back. */
@Injectable()
export class JobDispatcher {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(REDIS_CONNECTION) private readonly connection: Redis,
    private readonly config: AppConfig,
  ) {
    for (const name of QUEUE_NAMES) {
      this.queues.set(name, new Queue(name, { connection, prefix: config.QUEUE_PREFIX, defaultJobOptions: DEFAULT_JOB_OPTIONS }));
    }
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  /**
   * Adds a job. `dedupId` makes the call idempotent: while a job with that id exists, adding it
   * again returns the same job.
   */
  async dispatch<N extends JobName>(name: N, payload: JobPayloads[N], dedupId?: string): Promise<string> {
    const definition = JOB_DEFINITIONS[name];
    const queue = this.queue(definition.queue);
    const id = dedupId ?? randomUUID();
    const job = await queue.add(name, payload, { ...(('options' in definition ? definition.options : {}) as object), jobId: id });
    return publicJobId(definition.queue, job.id ?? id);
  }

  async status(publicId: string): Promise<JobStatus | undefined> {
    const parsed = parsePublicJobId(publicId);
    if (!parsed) return undefined;
    const job = await Job.fromId(this.queue(parsed.queue), parsed.id);
    if (!job) return undefined;
    const state = await job.getState();
    const data = job.data as { organisationId?: string | null };
    return {
      id: publicId,
      name: job.name,
      queue: parsed.queue,
      state,
      progress: job.progress,
      attempts: job.attemptsMade,
      result: job.returnvalue ?? undefined,
      failedReason: job.failedReason || undefined,
      organisationId: data.organisationId ?? null,
      createdAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}

@Global()
@Module({
  providers: [
    { provide: REDIS_CONNECTION, inject: [AppConfig], useFactory: (config: AppConfig) => createRedis(config.REDIS_URL) },
    JobDispatcher,
  ],
  exports: [REDIS_CONNECTION, JobDispatcher],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(
    private readonly dispatcher: JobDispatcher,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
    this.redis.disconnect();
  }
}
