import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@bo/core';
import { SystemDb, Tx } from '@bo/database';
import { AuditService } from '@bo/audit';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobPayloads } from '@bo/queue';

export interface DeadlineScanResult {
  responsesOverdue: number;
  correctiveActionsOverdue: number;
  notifications: number;
}

/**
 * `controls.deadline-scan`: moves NOTIFIED checks whose response window closed to
 * RESPONSE_OVERDUE and flags corrective actions past their due date, writing a notification row
 * for the check's assignee and creator and an audit event in each funder's chain. Works across
 * funders (system role), one set-based statement per kind; idempotent: a re-run finds nothing
 * new (state and `overdue_notified_at` are the watermarks).
 */
@Injectable()
@HandlesJob('controls.deadline-scan')
export class DeadlineScanJob implements JobHandler<'controls.deadline-scan'> {
  constructor(
    private readonly systemDb: SystemDb,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async handle(_payload: JobPayloads['controls.deadline-scan'], context: JobContext): Promise<DeadlineScanResult> {
    const now = await this.clock.now();
    const result = await this.systemDb.withLock('controls.deadline-scan', (tx) => this.scan(tx, now));
    await context.progress(100);
    return result ?? { responsesOverdue: 0, correctiveActionsOverdue: 0, notifications: 0 };
  }

  async scan(tx: Tx, now: Date): Promise<DeadlineScanResult> {
    const overdue = await tx.query<{ id: string; organisation_id: string; response_due_at: Date }>(
      `UPDATE checks SET state = 'RESPONSE_OVERDUE', version = version + 1, updated_at = now()
        WHERE state = 'NOTIFIED' AND response_due_at < $1
        RETURNING id, organisation_id, response_due_at`,
      [now],
    );
    const late = await tx.query<{ id: string; check_id: string; organisation_id: string; point_code: string; due_at: Date }>(
      `UPDATE corrective_actions SET overdue_notified_at = $1
        WHERE status = 'OPEN' AND due_at < $1 AND overdue_notified_at IS NULL
        RETURNING id, check_id, organisation_id, point_code, due_at`,
      [now],
    );
    const notices = [
      ...overdue.map((c) => ({ checkId: c.id, kind: 'CHECK_RESPONSE_OVERDUE', entityType: 'check', entityId: c.id, payload: { responseDueAt: c.response_due_at } })),
      ...late.map((a) => ({ checkId: a.check_id, kind: 'CORRECTIVE_ACTION_OVERDUE', entityType: 'corrective_action', entityId: a.id, payload: { checkId: a.check_id, pointCode: a.point_code, dueAt: a.due_at } })),
    ];
    const notified = notices.length
      ? await tx.query(
          `INSERT INTO notifications (organisation_id, user_id, kind, entity_type, entity_id, payload)
           SELECT c.organisation_id, u.user_id, n.kind, n."entityType", n."entityId", n.payload
             FROM jsonb_to_recordset($1::jsonb) AS n("checkId" uuid, kind text, "entityType" text, "entityId" text, payload jsonb)
             JOIN checks c ON c.id = n."checkId"
             CROSS JOIN LATERAL (SELECT DISTINCT x AS user_id FROM unnest(ARRAY[c.assignee_id, c.created_by]) AS x WHERE x IS NOT NULL) u
           ON CONFLICT (kind, entity_type, entity_id, user_id) DO NOTHING
           RETURNING id`,
          [JSON.stringify(notices)],
        )
      : [];
    for (const c of overdue) {
      await this.audit.record(tx, { kind: 'system', id: null, organisationId: c.organisation_id, label: 'controls.deadline-scan' }, {
        action: 'check.response_overdue',
        entityType: 'check',
        entityId: c.id,
        after: { state: 'RESPONSE_OVERDUE' },
        details: { responseDueAt: c.response_due_at.toISOString() },
      });
    }
    return { responsesOverdue: overdue.length, correctiveActionsOverdue: late.length, notifications: notified.length };
  }
}

/** Runs the deadline scan every 10 minutes (a BullMQ job scheduler, registered at worker start). */
@Injectable()
export class DeadlineScanScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeadlineScanScheduler');

  constructor(private readonly dispatcher: JobDispatcher) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher
      .queue('default')
      .upsertJobScheduler('controls.deadline-scan', { every: 10 * 60 * 1000 }, { name: 'controls.deadline-scan', data: { organisationId: null } });
    this.logger.log('deadline scan scheduled every 10 minutes');
  }
}
