import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SystemDb } from '@bo/database';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobPayloads } from '@bo/queue';
import {
  DEACTIVATE_SQL,
  DISPARITY_FLAGS_SQL,
  FLAGS_TABLE_SQL,
  GROUP_FLAGS_SQL,
  MEMBERS_SQL,
  REFERENCES_SQL,
  SHRINK_FLAGS_SQL,
  TESTED_SQL,
  TEST_COVERAGE_SQL,
  UPSERT_ANOMALIES_SQL,
} from './price-recompute.sql';

export interface PriceRunResult {
  runId: string;
  references: number;
  tested: number;
  flagged: number;
  reopened: number;
}

/**
 * `pricing.recompute`: the cross-funder price references and the anomalies (group kinds
 * PRICE_HIGH, PRICE_EXTREME, PRICE_LOW; provider kinds CROSS_FUNDER_DISPARITY, DURATION_SHORT),
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
    const result = await this.systemDb.withLock('pricing.recompute', async (tx) => {
      const [run] = await tx.query<{ id: string }>(
        `INSERT INTO price_runs (method_version, input_watermark, requested_by)
         SELECT s.method_version, (SELECT max(updated_at) FROM funded_actions), $1 FROM pricing_settings s RETURNING id`,
        [payload.requestedBy],
      );
      await tx.query(MEMBERS_SQL);
      await tx.query(`ANALYZE price_members`);
      await tx.query(REFERENCES_SQL, [run.id]);
      await context.progress(40);
      await tx.query(TESTED_SQL, [run.id]);
      await tx.query(FLAGS_TABLE_SQL);
      await tx.query(GROUP_FLAGS_SQL);
      await tx.query(DISPARITY_FLAGS_SQL);
      await tx.query(SHRINK_FLAGS_SQL);
      await context.progress(70);
      const events = await tx.query<{ event: string }>(UPSERT_ANOMALIES_SQL, [run.id]);
      await tx.query(DEACTIVATE_SQL);
      const [coverage] = await tx.query<{ coverage: unknown }>(TEST_COVERAGE_SQL);
      await tx.query(`UPDATE price_runs SET finished_at = now(), test_coverage = $2 WHERE id = $1`, [run.id, JSON.stringify(coverage.coverage)]);
      // Only the latest run's references are served; anomalies keep their own snapshot ids.
      await tx.query(`DELETE FROM price_references WHERE run_id <> $1`, [run.id]);
      const [counts] = await tx.query<{ references: number; tested: number; flagged: number }>(
        `SELECT (SELECT count(*) FROM price_references WHERE run_id = $1)::int AS references,
                (SELECT count(*) FROM price_tested)::int AS tested,
                (SELECT count(*) FROM price_flags)::int AS flagged`,
        [run.id],
      );
      return { runId: run.id, ...counts, reopened: events.filter((e) => e.event === 'REOPENED').length };
    });
    await context.progress(100);
    return result!;
  }
}

/**
 * The nightly full run (a BullMQ job scheduler, registered at worker start): 02:30, Paris time;
 * and a first run when none has ever finished.
 */
@Injectable()
export class PriceRecomputeScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PriceRecomputeScheduler');

  constructor(
    private readonly dispatcher: JobDispatcher,
    private readonly systemDb: SystemDb,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A platform that never ran one (a new installation, the demo) gets its first run now.
    const [{ runs }] = await this.systemDb.tx((tx) => tx.query<{ runs: number }>(`SELECT count(*)::int AS runs FROM price_runs WHERE finished_at IS NOT NULL`));
    if (runs === 0) await this.dispatcher.dispatch('pricing.recompute', { organisationId: null, requestedBy: null });
    await this.dispatcher
      .queue('default')
      .upsertJobScheduler('pricing.recompute.nightly', { pattern: '30 2 * * *', tz: 'Europe/Paris' }, {
        name: 'pricing.recompute',
        data: { organisationId: null, requestedBy: null },
      });
    this.logger.log('price recompute scheduled nightly at 02:30 Europe/Paris');
  }
}
