import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { SystemDb } from '@bo/database';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobOutbox, JobPayloads } from '@bo/queue';
import {
  DIRTY_SQL,
  DISPARITY_FLAGS_SQL,
  FLAGS_TABLE_SQL,
  GROUP_FLAGS_SQL,
  KEPT_LEVEL_REFS_SQL,
  KEPT_REFERENCES_SQL,
  KEPT_UNITS_SQL,
  LEVELS,
  LEVEL_REFS_TABLE_SQL,
  NPEC_COVERAGE_SQL,
  PROVIDER_ACTIONS_SQL,
  PROVIDER_SETS_SQL,
  REFERENCES_SQL,
  RunMode,
  SCAN_SQL,
  SHRINK_FLAGS_SQL,
  TESTED_TABLE_SQL,
  TEST_COVERAGE_SQL,
  UPSERT_ANOMALIES_SQL,
  baseSql,
  deactivateSql,
  levelRefsSql,
  npecFlagsSql,
} from './price-recompute.sql';

export interface PriceRunResult {
  /** The run's id; with nothing changed since the last run, an incremental request makes none and answers the last one's. */
  runId: string;
  mode: RunMode | 'unchanged';
  references: number;
  tested: number;
  flagged: number;
  reopened: number;
}

/**
 * `pricing.recompute`: the cross-funder price references and the anomalies (group kinds
 * PRICE_HIGH, PRICE_EXTREME, PRICE_LOW; provider kinds CROSS_FUNDER_DISPARITY, DURATION_SHORT;
 * ABOVE_NPEC against the apprenticeship funding levels),
 * in one transaction of set-based statements under an advisory lock
 * (system role: it reads every funder's prices and writes each funder's anomalies). Idempotent:
 * a run over unchanged actions writes no anomaly and no event; only the references move to the
 * new run's snapshot.
 */
@Injectable()
@HandlesJob('pricing.recompute')
export class PriceRecomputeJob implements JobHandler<'pricing.recompute'> {
  constructor(private readonly systemDb: SystemDb) {}

  async handle(payload: JobPayloads['pricing.recompute'], context: JobContext): Promise<PriceRunResult> {
    const result = await this.systemDb.withLock('pricing.recompute', (tx) =>
      recomputePrices(tx, payload.requestedBy, (p) => context.progress(p), payload.incremental ? 'incremental' : 'full'),
    );
    await context.progress(100);
    return result!;
  }
}

/** What a recompute needs of its transaction (the job's TypeORM transaction, or a bare pg client). */
export interface QueryRunnerLike {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The recompute's statements, in order, inside the caller's transaction (the job holds the
 * advisory lock; the benchmark in bench/pricing.mjs runs the very same function). `incremental`
 * recomputes only the groups of the scopes changed since the last run (migration 0034) and rescans
 * their actions; without a previous run it is a full one. Either way the result is what a full
 * run would store (test/e2e/pricing-incremental.test.ts).
 */
export async function recomputePrices(
  tx: QueryRunnerLike,
  requestedBy: string | null,
  progress: (p: number) => Promise<void> = async () => {},
  requested: RunMode = 'full',
): Promise<PriceRunResult> {
  // Sorts and hashes of millions of prices stay in memory for this transaction only.
  await tx.query(`SET LOCAL work_mem = '256MB'`);
  await tx.query(DIRTY_SQL);
  const [previous] = await tx.query<{ id: string; references: number }>(
    `SELECT r.id, (SELECT count(*) FROM price_references x WHERE x.run_id = r.id)::int AS references
       FROM price_runs r WHERE r.finished_at IS NOT NULL ORDER BY r.finished_at DESC LIMIT 1`,
  );
  const mode: RunMode = requested === 'incremental' && previous ? 'incremental' : 'full';
  if (mode === 'incremental') {
    const [{ dirty }] = await tx.query<{ dirty: number }>(`SELECT count(*)::int AS dirty FROM price_dirty`);
    if (dirty === 0) return { runId: previous.id, mode: 'unchanged', references: previous.references, tested: 0, flagged: 0, reopened: 0 };
  }
  const [run] = await tx.query<{ id: string }>(
    `INSERT INTO price_runs (method_version, input_watermark, requested_by)
     SELECT s.method_version, (SELECT max(updated_at) FROM funded_actions), $1 FROM pricing_settings s RETURNING id`,
    [requestedBy],
  );
  await tx.query(baseSql(mode));
  await tx.query(`ANALYZE price_base`);
  await tx.query(LEVEL_REFS_TABLE_SQL);
  for (const level of LEVELS) await tx.query(levelRefsSql(level));
  if (mode === 'incremental') await tx.query(KEPT_LEVEL_REFS_SQL, [previous.id]);
  await tx.query(`ANALYZE price_level_refs`);
  await tx.query(REFERENCES_SQL, [run.id]);
  if (mode === 'incremental') await tx.query(KEPT_REFERENCES_SQL, [run.id, previous.id]);
  await progress(40);
  await tx.query(TESTED_TABLE_SQL);
  const [{ tested }] = await tx.query<{ tested: number }>(SCAN_SQL);
  if (mode === 'incremental') await tx.query(KEPT_UNITS_SQL);
  await tx.query(FLAGS_TABLE_SQL);
  await tx.query(GROUP_FLAGS_SQL);
  await tx.query(PROVIDER_SETS_SQL);
  await tx.query(`ANALYZE price_provider_sets`);
  await tx.query(PROVIDER_ACTIONS_SQL);
  await tx.query(DISPARITY_FLAGS_SQL);
  await tx.query(SHRINK_FLAGS_SQL);
  await tx.query(npecFlagsSql(mode));
  await progress(70);
  const events = await tx.query<{ event: string }>(UPSERT_ANOMALIES_SQL, [run.id]);
  await tx.query(deactivateSql(mode));
  // The test coverage counts every action: only a full run reports it (the report shows the latest full run's).
  let coverage: unknown[] | null = null;
  if (mode === 'full') {
    const [groups] = await tx.query<{ coverage: unknown[] }>(TEST_COVERAGE_SQL, [tested]);
    const [npec] = await tx.query<{ coverage: unknown }>(NPEC_COVERAGE_SQL);
    coverage = [...groups.coverage, npec.coverage];
  }
  await tx.query(`UPDATE price_runs SET finished_at = now(), test_coverage = $2 WHERE id = $1`, [run.id, coverage && JSON.stringify(coverage)]);
  // Only the latest run's references are served; anomalies keep their own snapshot ids.
  await tx.query(`DELETE FROM price_references WHERE run_id <> $1`, [run.id]);
  const [counts] = await tx.query<{ references: number; flagged: number }>(
    `SELECT (SELECT count(*) FROM price_level_refs)::int AS references, (SELECT count(*) FROM price_flags)::int AS flagged`,
  );
  return { runId: run.id, mode, references: counts.references, tested, flagged: counts.flagged, reopened: events.filter((e) => e.event === 'REOPENED').length };
}

/**
 * The nightly full run (a BullMQ job scheduler, registered at worker start): 02:30, Paris time;
 * and, with demo data, a first run when none has ever finished.
 */
@Injectable()
export class PriceRecomputeScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PriceRecomputeScheduler');

  constructor(
    private readonly dispatcher: JobDispatcher,
    private readonly systemDb: SystemDb,
    private readonly config: AppConfig,
    private readonly outbox: JobOutbox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The demo shows its anomaly from the start: with demo data, a platform that never ran a
    // recompute gets its first run now (elsewhere the nightly run or a manager starts it).
    if (this.config.DEMO_DATA) {
      const [{ runs }] = await this.systemDb.tx((tx) => tx.query<{ runs: number }>(`SELECT count(*)::int AS runs FROM price_runs WHERE finished_at IS NOT NULL`));
      if (runs === 0) await this.outbox.addNow('pricing.recompute', { organisationId: null, requestedBy: null });
    }
    await this.dispatcher
      .queue('default')
      .upsertJobScheduler('pricing.recompute.nightly', { pattern: '30 2 * * *', tz: 'Europe/Paris' }, {
        name: 'pricing.recompute',
        data: { organisationId: null, requestedBy: null },
      });
    this.logger.log('price recompute scheduled nightly at 02:30 Europe/Paris');
  }
}
