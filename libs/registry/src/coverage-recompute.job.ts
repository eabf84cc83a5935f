import { Injectable } from '@nestjs/common';
import { SystemDb } from '@bo/database';
import { HandlesJob, JobContext, JobHandler, JobPayloads } from '@bo/queue';
import { PREFER_HASH_JOINS_SQL, coverageSql } from './actions.sql';

/**
 * `registry.coverage-recompute`: re-evaluates the coverage of every funded action of every
 * funder (hence the system role) in one statement. Idempotent (only changed rows are written)
 * and serialized by an advisory lock.
 */
@Injectable()
@HandlesJob('registry.coverage-recompute')
export class CoverageRecomputeJob implements JobHandler<'registry.coverage-recompute'> {
  constructor(private readonly systemDb: SystemDb) {}

  async handle(_payload: JobPayloads['registry.coverage-recompute'], context: JobContext): Promise<{ changed: number }> {
    const changed = await this.systemDb.withLock('registry.coverage-recompute', async (tx) => {
      await tx.query(PREFER_HASH_JOINS_SQL);
      const [row] = await tx.query<{ n: number }>(`WITH u AS (${coverageSql('true')}) SELECT count(*)::int AS n FROM u`);
      return row?.n ?? 0;
    });
    await context.progress(100);
    return { changed: changed ?? 0 };
  }
}
