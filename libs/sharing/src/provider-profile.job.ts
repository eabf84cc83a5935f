import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@bo/core';
import { SystemDb, Tx } from '@bo/database';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobPayloads } from '@bo/queue';
import { profileSql } from './provider-profile.sql';
import { PROFILE_JOB } from './profile-requests.service';

export interface ProfileRunResult {
  mode: 'full' | 'incremental';
  written: number;
  removed: number;
  asOf: string;
}

/**
 * Rows changed up to this long before a run started may still be committing when it reads: the
 * next run looks back that far again (recomputing a profile twice is harmless, missing one is not).
 */
const WATERMARK_MARGIN = `interval '10 minutes'`;

/**
 * `sharing.provider-control-profile`: the cross-funder profile of every provider (system role),
 * in one set-based statement and one transaction under an advisory lock. The first run, or a run
 * asked with `full`, recomputes every establishment; later runs only those touched since the
 * watermark (funded actions, checks, shares changed; funding and control windows crossed). A run
 * killed midway rolls back whole, so running it again ends with the rows of an uninterrupted run;
 * running it twice gives the same rows.
 */
@Injectable()
@HandlesJob(PROFILE_JOB)
export class ProviderProfileJob implements JobHandler<typeof PROFILE_JOB> {
  private readonly logger = new Logger('ProviderProfileJob');

  constructor(
    private readonly systemDb: SystemDb,
    private readonly clock: Clock,
  ) {}

  async handle(payload: JobPayloads[typeof PROFILE_JOB], context: JobContext): Promise<ProfileRunResult | { skipped: true }> {
    const asOf = await this.clock.now();
    const result = await this.systemDb.withLock(PROFILE_JOB, (tx) => this.run(tx, asOf, payload.full ?? false));
    await context.progress(100);
    if (result) this.logger.log(result, 'provider profiles computed');
    return result ?? { skipped: true };
  }

  async run(tx: Tx, asOf: Date, full = false): Promise<ProfileRunResult> {
    const mark = await tx.one<{ watermark: Date; as_of: Date }>(`SELECT watermark, as_of FROM job_watermarks WHERE job = $1 FOR UPDATE`, [PROFILE_JOB]);
    const mode = full || !mark ? 'full' : 'incremental';
    // The job is the table's only writer and holds its lock: an empty table stays empty until it writes.
    const [{ stored }] = await tx.query<{ stored: boolean }>(`SELECT EXISTS (SELECT FROM provider_control_profiles) AS stored`);
    const [counts] = await tx.query<{ written: number; removed: number }>(
      profileSql(mode, stored ? 'stored' : 'empty'),
      mode === 'full' ? [asOf] : [asOf, mark!.watermark, mark!.as_of],
    );
    await tx.query(
      `INSERT INTO job_watermarks (job, watermark, as_of, full_as_of) VALUES ($1, now() - ${WATERMARK_MARGIN}, $2, CASE WHEN $3 THEN $2::timestamptz END)
       ON CONFLICT (job) DO UPDATE SET watermark = EXCLUDED.watermark, as_of = EXCLUDED.as_of,
         full_as_of = CASE WHEN $3 THEN EXCLUDED.as_of ELSE job_watermarks.full_as_of END`,
      [PROFILE_JOB, asOf, mode === 'full'],
    );
    return { mode, written: counts.written, removed: counts.removed, asOf: asOf.toISOString() };
  }
}

/** Runs the incremental profile every night at 02:30 (Paris), a BullMQ job scheduler registered at worker start. */
@Injectable()
export class ProviderProfileScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ProviderProfileScheduler');

  constructor(private readonly dispatcher: JobDispatcher) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher
      .queue('default')
      .upsertJobScheduler(PROFILE_JOB, { pattern: '30 2 * * *', tz: 'Europe/Paris' }, { name: PROFILE_JOB, data: { organisationId: null, requestedBy: null } });
    this.logger.log('provider control profiles scheduled nightly');
  }
}
