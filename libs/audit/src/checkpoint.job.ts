import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SystemDb } from '@bo/database';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobPayloads } from '@bo/queue';
import { CheckpointsService } from './checkpoints';

/** How often every chain head is checkpointed: the longest tail an insider could cut unnoticed. */
export const CHECKPOINT_EVERY_MS = 10 * 60 * 1000;

/**
 * `audit.checkpoint`: signs the head of every organisation's audit chain that moved since its last
 * checkpoint. The heads are found in one statement (the newest event and the newest checkpoint of
 * each organisation, both by index); idempotent, a re-run finds nothing new.
 */
@Injectable()
@HandlesJob('audit.checkpoint')
export class CheckpointJob implements JobHandler<'audit.checkpoint'> {
  constructor(
    private readonly systemDb: SystemDb,
    private readonly checkpoints: CheckpointsService,
  ) {}

  async handle(_payload: JobPayloads['audit.checkpoint'], context: JobContext): Promise<{ checkpoints: number }> {
    const created = await this.systemDb.withLock('audit.checkpoint', async (tx) => {
      const heads = await tx.query<{ organisation_id: string; seq: string; hash: string }>(
        `SELECT o.id AS organisation_id, h.seq, h.hash
           FROM organisations o
           CROSS JOIN LATERAL (SELECT seq, hash FROM audit_events e WHERE e.organisation_id = o.id ORDER BY seq DESC LIMIT 1) h
           LEFT JOIN LATERAL (SELECT max(seq) AS seq FROM audit_checkpoints c WHERE c.organisation_id = o.id) c ON true
          WHERE c.seq IS DISTINCT FROM h.seq`,
      );
      return this.checkpoints.sign(tx, heads.map((h) => ({ organisationId: h.organisation_id, seq: Number(h.seq), hash: h.hash })));
    });
    await context.progress(100);
    return { checkpoints: created ?? 0 };
  }
}

/** Runs the checkpoint job every CHECKPOINT_EVERY_MS (a BullMQ job scheduler, registered at worker start). */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('CheckpointScheduler');

  constructor(private readonly dispatcher: JobDispatcher) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher
      .queue('default')
      .upsertJobScheduler('audit.checkpoint', { every: CHECKPOINT_EVERY_MS }, { name: 'audit.checkpoint', data: { organisationId: null } });
    this.logger.log(`audit checkpoints scheduled every ${CHECKPOINT_EVERY_MS / 60000} minutes`);
  }
}
