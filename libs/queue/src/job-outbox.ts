import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { OutboxStore, Tx, isOutboxId } from '@bo/database';
import { Job } from 'bullmq';
import { JOB_DEFINITIONS, JobName, JobPayloads, QueueName, parsePublicJobId, publicJobId } from './job-registry';
import { JobDispatcher, JobStatus } from './job-dispatcher';

/** Longest wait for Redis to take one job: BullMQ waits for a reconnection, the relay does not. */
const ENQUEUE_TIMEOUT_MS = 3_000;
/** Rows handed to Redis per relay transaction. */
const RELAY_BATCH = 200;
/** A queued row older than this whose job Redis no longer knows is put back in the outbox. */
const RECONCILE_AFTER_MS = 60_000;
/** The reconciler runs every this many relay ticks. */
const RECONCILE_EVERY_TICKS = 30;

export interface OutboxOptions {
  /** Not before this time (a deadline); now when absent. */
  runAt?: Date;
  /**
   * Debounce for a coalescing job: runs at the next multiple of this many milliseconds (epoch
   * based), so every request within the same window joins one row and one run (a price recompute
   * after a burst of imports). Ignored when `runAt` is given.
   */
  debounceMs?: number;
  /**
   * For a coalescing job: the kind of request, when requests of different kinds must not join
   * each other (a full recompute never joins a waiting incremental one, whose payload would drop
   * the `full`); requests of the same kind still coalesce.
   */
  coalesceAs?: string;
}

/** The end of the debounce window holding `now`: the next multiple of `windowMs`. */
export function debouncedRunAt(now: number, windowMs: number): Date {
  return new Date(Math.floor(now / windowMs) * windowMs + windowMs);
}

/**
 * The one way to ask for a job. `add(tx, ...)` writes the job as a row of `job_outbox` in the
 * caller's transaction, so the job exists exactly when the state that needs it does; once that
 * transaction commits, the relay hands the row to BullMQ at once, with the row's id as the
 * BullMQ job id. When Redis is down the row waits; a sweep in every process (API and worker)
 * retries every OUTBOX_RELAY_INTERVAL_MS, and a reconciler re-queues rows whose job Redis lost.
 * Two relays never hand the same row over (row locks, SKIP LOCKED), and if one dies between
 * Redis and its commit, the next one's add is a no-op (same job id).
 */
@Injectable()
export class JobOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobOutbox');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private ticks = 0;
  private lastProblem?: string;
  private stopped = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly dispatcher: JobDispatcher,
    private readonly config: AppConfig,
  ) {}

  /**
   * Asks for `name` in `tx`. Answers the public job id (`<queue>.<row id>`), known before the job
   * reaches Redis, so the caller can store it with its state.
   */
  async add<N extends JobName>(tx: Tx, name: N, payload: JobPayloads[N], options: OutboxOptions = {}): Promise<string> {
    if (!options.runAt && options.debounceMs) options = { ...options, runAt: debouncedRunAt(Date.now(), options.debounceMs) };
    const definition = JOB_DEFINITIONS[name];
    const coalesce = 'coalesce' in definition && definition.coalesce;
    const kind = options.coalesceAs ? `${name}:${options.coalesceAs}` : name;
    const id = await this.store.insert(tx, {
      jobName: name,
      queue: definition.queue,
      payload,
      coalesceKey: coalesce ? (options.runAt ? `${kind}@${options.runAt.toISOString()}` : kind) : undefined,
      availableAt: options.runAt,
    });
    if (!options.runAt || options.runAt.getTime() <= Date.now()) tx.afterCommit(() => this.kick());
    return publicJobId(definition.queue, id);
  }

  /**
   * A job's status: the queue's when it has the job, else the outbox row's (asked for, committed,
   * not yet relayed: `waiting`, or `delayed` when due later), so that the id a request answers is
   * readable at once, even while Redis is down.
   */
  async status(publicId: string): Promise<JobStatus | undefined> {
    const parsed = parsePublicJobId(publicId);
    if (!parsed || !isOutboxId(parsed.id)) return this.dispatcher.status(publicId);
    const row = await this.store.find(parsed.id);
    if (row && row.state === 'PENDING') return this.pendingStatus(publicId, row);
    const live = await this.dispatcher.status(publicId);
    if (live || !row || row.queue !== parsed.queue) return live;
    return this.pendingStatus(publicId, row);
  }

  private pendingStatus(publicId: string, row: NonNullable<Awaited<ReturnType<OutboxStore['find']>>>): JobStatus {
    return {
      id: publicId,
      name: row.jobName,
      queue: row.queue as QueueName,
      state: row.state === 'COMPLETED' ? 'completed' : row.state === 'FAILED' ? 'failed' : row.availableAt.getTime() > Date.now() ? 'delayed' : 'waiting',
      progress: 0,
      attempts: row.runs,
      organisationId: row.organisationId,
      createdAt: row.createdAt.toISOString(),
    };
  }

  /** Asks for a job that goes with no other state (a reload, a scheduler's run): its own transaction. */
  addNow<N extends JobName>(name: N, payload: JobPayloads[N], options: OutboxOptions = {}): Promise<string> {
    return this.store.transaction((tx) => this.add(tx, name, payload, options));
  }

  /** Relays now, in the background; a call during a relay makes it go round once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.relayUntilEmpty().finally(() => (this.running = undefined));
  }

  /** Relays every due row now; resolves when done (or when a dependency is down). */
  async flush(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private async relayUntilEmpty(): Promise<void> {
    do {
      this.again = false;
      try {
        let batch;
        do {
          batch = await this.store.relayDue(RELAY_BATCH, (entry) =>
            // A late add that lands after the timeout is harmless: the next relay's add of the
            // same job id is a no-op, and only then is the row marked DISPATCHED.
            withTimeout(this.dispatcher.enqueue(entry.queue as QueueName, entry.jobName as JobName, entry.payload, entry.id), ENQUEUE_TIMEOUT_MS),
          );
          if (batch.failed) this.problem(`Redis refused a job, it stays in the outbox: ${batch.failed}`);
        } while (batch.dispatched === RELAY_BATCH && !batch.failed);
        if (!batch.failed) this.recovered();
      } catch (error) {
        this.problem(`the outbox relay could not read PostgreSQL: ${(error as Error).message}`);
      }
    } while (this.again && !this.stopped);
  }

  /**
   * Rows queued a while ago and not finished: when Redis no longer has their job (it restarted
   * without its data), they go back to the outbox; when the job finished but the worker could not
   * record it (PostgreSQL was down), the outcome is copied from Redis.
   */
  async reconcile(): Promise<number> {
    let requeued = 0;
    for (const row of await this.store.open(RECONCILE_AFTER_MS, 500)) {
      const job = await Job.fromId(this.dispatcher.queue(row.queue as QueueName), row.id);
      if (!job) {
        await this.store.requeue(row.id);
        requeued++;
        continue;
      }
      const state = await job.getState();
      if (state === 'completed') await this.store.finished(row.id, { state: 'COMPLETED', result: job.returnvalue });
      else if (state === 'failed') await this.store.finished(row.id, { state: 'FAILED', error: job.failedReason ?? 'failed' });
    }
    if (requeued) {
      this.logger.warn({ requeued }, 'jobs lost by Redis were put back in the outbox');
      this.kick();
    }
    return requeued;
  }

  private problem(message: string): void {
    if (this.lastProblem !== message) this.logger.warn(message);
    this.lastProblem = message;
  }

  private recovered(): void {
    if (this.lastProblem) this.logger.log('the outbox relay reaches PostgreSQL and Redis again');
    this.lastProblem = undefined;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.kick();
      if (++this.ticks % RECONCILE_EVERY_TICKS === 0) {
        this.reconcile().catch((error: Error) => this.problem(`the outbox reconciler failed: ${error.message}`));
      }
    }, this.config.OUTBOX_RELAY_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not take the job within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the worker records of each run of an outbox job (jobs of BullMQ schedulers have no row). */
@Injectable()
export class JobOutcomes {
  constructor(private readonly store: OutboxStore) {}

  async started(jobId: string | undefined): Promise<void> {
    if (isOutboxId(jobId)) await this.store.started(jobId);
  }

  async completed(jobId: string | undefined, result: unknown): Promise<void> {
    if (isOutboxId(jobId)) await this.store.finished(jobId, { state: 'COMPLETED', result });
  }

  async failed(jobId: string | undefined, error: string, final: boolean): Promise<void> {
    if (isOutboxId(jobId)) await this.store.finished(jobId, { state: final ? 'FAILED' : 'DISPATCHED', error });
  }
}
