import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SYSTEM_DATA_SOURCE } from './data-sources';
import { Tx, inTransaction, queryRows } from './db.service';

/** A job as the outbox keeps it until the relay hands it to the queue. */
export interface OutboxEntry {
  id: string;
  jobName: string;
  queue: string;
  payload: unknown;
}

export interface NewOutboxEntry {
  jobName: string;
  queue: string;
  payload: { organisationId: string | null };
  /** Requests with the same key share one waiting row (pending or queued, not yet running). */
  coalesceKey?: string;
  /** Not before this time (a deadline); now when absent. */
  availableAt?: Date;
}

export type OutboxState = 'PENDING' | 'DISPATCHED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a BullMQ job id is an outbox row's (jobs of BullMQ's own schedulers are not). */
export function isOutboxId(id: string | undefined): id is string {
  return id !== undefined && UUID.test(id);
}

/**
 * The `job_outbox` table's SQL, in one place. Rows are written in the caller's transaction (any
 * role, through `job_outbox_enqueue`); the relay and the worker move them along on the system
 * connection, because one relay serves every organisation.
 */
@Injectable()
export class OutboxStore {
  constructor(@Inject(SYSTEM_DATA_SOURCE) private readonly ds: DataSource) {}

  /** A transaction of its own on the system connection, for a job that goes with no other state. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return inTransaction(this.ds, work);
  }

  /** Writes a job in `tx`; answers its row id (the waiting row's when coalesced). */
  async insert(tx: Tx, entry: NewOutboxEntry): Promise<string> {
    const row = await tx.one<{ id: string }>(`SELECT job_outbox_enqueue($1, $2, $3, $4::jsonb, $5, $6, $7) AS id`, [
      randomUUID(),
      entry.jobName,
      entry.queue,
      JSON.stringify(entry.payload),
      entry.payload.organisationId,
      entry.coalesceKey ?? null,
      entry.availableAt ?? null,
    ]);
    return row!.id;
  }

  /**
   * Locks up to `limit` due pending rows (SKIP LOCKED: relays of other processes take others),
   * hands them to `enqueue` in order, and marks DISPATCHED those it accepted. Stops at the first
   * refusal (the queue is down), recording the error on that row; the rest stay pending.
   */
  async relayDue(limit: number, enqueue: (entry: OutboxEntry) => Promise<void>): Promise<{ dispatched: number; failed?: string }> {
    return inTransaction(this.ds, async (tx) => {
      const due = await tx.query<{ id: string; job_name: string; queue: string; payload: unknown }>(
        `SELECT id, job_name, queue, payload FROM job_outbox WHERE state = 'PENDING' AND available_at <= now()
          ORDER BY available_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      const done: string[] = [];
      let failed: string | undefined;
      for (const row of due) {
        try {
          await enqueue({ id: row.id, jobName: row.job_name, queue: row.queue, payload: row.payload });
          done.push(row.id);
        } catch (error) {
          failed = error instanceof Error ? error.message : String(error);
          await tx.query(`UPDATE job_outbox SET relay_attempts = relay_attempts + 1, relay_error = $2 WHERE id = $1`, [row.id, failed.slice(0, 500)]);
          break;
        }
      }
      if (done.length) {
        await tx.query(`UPDATE job_outbox SET state = 'DISPATCHED', dispatched_at = now(), relay_error = NULL WHERE id = ANY($1::uuid[])`, [done]);
      }
      return { dispatched: done.length, failed };
    });
  }

  /** Rows handed to the queue before `olderThanMs` ago and not finished: the reconciler's work. */
  async open(olderThanMs: number, limit: number): Promise<(OutboxEntry & { state: OutboxState })[]> {
    const rows = await queryRows<{ id: string; job_name: string; queue: string; payload: unknown; state: OutboxState }>(
      this.ds,
      `SELECT id, job_name, queue, payload, state FROM job_outbox
        WHERE state IN ('DISPATCHED', 'RUNNING') AND dispatched_at < now() - make_interval(secs => $1::float8 / 1000)
        ORDER BY dispatched_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => ({ id: r.id, jobName: r.job_name, queue: r.queue, payload: r.payload, state: r.state }));
  }

  /** A worker starts the row's job (again, after a crash: `runs` counts every start). */
  async started(id: string): Promise<void> {
    await queryRows(this.ds, `UPDATE job_outbox SET state = 'RUNNING', runs = runs + 1, started_at = now() WHERE id = $1 AND state <> 'COMPLETED'`, [id]);
  }

  /** The job finished: COMPLETED with its result, FAILED for good, or back to DISPATCHED for a retry. */
  async finished(id: string, outcome: { state: 'COMPLETED'; result: unknown } | { state: 'FAILED' | 'DISPATCHED'; error: string }): Promise<void> {
    if (outcome.state === 'COMPLETED') {
      await queryRows(
        this.ds,
        `UPDATE job_outbox SET state = 'COMPLETED', completions = completions + 1, finished_at = now(), result = $2::jsonb, error = NULL WHERE id = $1`,
        [id, JSON.stringify(outcome.result ?? null)],
      );
    } else {
      await queryRows(
        this.ds,
        `UPDATE job_outbox SET state = $2, finished_at = CASE WHEN $2 = 'FAILED' THEN now() END, error = $3 WHERE id = $1 AND state <> 'COMPLETED'`,
        [id, outcome.state, outcome.error.slice(0, 2000)],
      );
    }
  }

  /** Puts a row whose queued job vanished (Redis lost its data) back in the relay's hands. */
  async requeue(id: string): Promise<void> {
    await queryRows(this.ds, `UPDATE job_outbox SET state = 'PENDING', dispatched_at = NULL WHERE id = $1 AND state IN ('DISPATCHED', 'RUNNING')`, [id]);
  }

  /** One row, for a job's status before the queue knows it (asked for, not yet relayed). */
  async find(id: string): Promise<{ jobName: string; queue: string; organisationId: string | null; state: OutboxState; createdAt: Date; runs: number; availableAt: Date } | undefined> {
    const [row] = await queryRows<{ job_name: string; queue: string; organisation_id: string | null; state: OutboxState; created_at: Date; runs: number; available_at: Date }>(
      this.ds,
      `SELECT job_name, queue, organisation_id, state, created_at, runs, available_at FROM job_outbox WHERE id = $1`,
      [id],
    );
    return row
      ? { jobName: row.job_name, queue: row.queue, organisationId: row.organisation_id, state: row.state, createdAt: row.created_at, runs: row.runs, availableAt: row.available_at }
      : undefined;
  }

  /** Pending rows that are due now: zero when every asked-for job reached the queue. */
  async pendingCount(): Promise<number> {
    const [row] = await queryRows<{ n: number }>(this.ds, `SELECT count(*)::int AS n FROM job_outbox WHERE state = 'PENDING' AND available_at <= now()`);
    return row.n;
  }
}
