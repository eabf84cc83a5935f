import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  DEFAULT_JOB_OPTIONS,
  JOB_DEFINITIONS,
  JobName,
  QUEUE_NAMES,
  QueueName,
  parsePublicJobId,
} from './job-registry';

export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

export function createRedis(url: string, forWorker = false): Redis {
  return new Redis(url, {
    // Workers block on Redis: BullMQ requires no retry limit there. The API fails fast instead,
    // so that reads go on when Redis is down.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
    // A Redis that accepts connections but does not answer must not hold a request either.
    ...(forWorker ? {} : { commandTimeout: 5_000 }),
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
   * Puts an outbox row's job on its queue, with the row's id as the job id: adding it again while
   * Redis keeps the job (retention: DEFAULT_JOB_OPTIONS) is a no-op. Only the outbox relay calls
   * this; everything else asks for jobs through `JobOutbox`.
   */
  async enqueue(queueName: QueueName, name: JobName, payload: unknown, id: string): Promise<void> {
    const definition = JOB_DEFINITIONS[name];
    if (!definition || definition.queue !== queueName) throw new Error(`job_outbox row ${id}: unknown job ${name} on queue ${queueName}`);
    await this.queue(queueName).add(name, payload, { ...(('options' in definition ? definition.options : {}) as object), jobId: id });
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
