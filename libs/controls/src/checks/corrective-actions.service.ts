import { Injectable } from '@nestjs/common';
import { AppError, Clock } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { isOverdue } from '../rules';
import { CheckRepository } from './check.repository';

export interface CorrectiveActionView {
  id: string;
  checkId: string;
  revision: number;
  pointCode: string;
  grade: 'MINOR_NC' | 'MAJOR_NC';
  description: string;
  dueAt: string;
  status: 'OPEN' | 'CLOSED';
  /** Computed from the clock, never stored. */
  overdue: boolean;
  closedAt: string | null;
  closedBy: string | null;
  closureNote: string | null;
  followUps: { id: string; note: string; evidenceIds: string[]; recordedBy: string; recordedAt: string }[];
}

interface Row {
  id: string;
  check_id: string;
  revision: number;
  point_code: string;
  grade: 'MINOR_NC' | 'MAJOR_NC';
  description: string;
  due_at: Date;
  status: 'OPEN' | 'CLOSED';
  closed_at: Date | null;
  closed_by: string | null;
  closure_note: string | null;
  follow_ups: { id: string; note: string; evidence_ids: string[]; recorded_by: string; recorded_at: string }[];
}

/** Corrective actions opened at completion, one per non-conformity: follow-up evidence, closure. */
@Injectable()
export class CorrectiveActionsService {
  constructor(
    private readonly db: Db,
    private readonly repo: CheckRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}


  async list(actor: Actor, checkId: string): Promise<CorrectiveActionView[]> {
    const now = await this.clock.now();
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, checkId);
      const rows = await tx.query<Row>(
        `SELECT ca.*, coalesce((SELECT jsonb_agg(jsonb_build_object('id', f.id, 'note', f.note, 'evidence_ids', f.evidence_ids,
                                                          'recorded_by', f.recorded_by, 'recorded_at', f.recorded_at) ORDER BY f.recorded_at)
                                 FROM corrective_action_followups f WHERE f.corrective_action_id = ca.id), '[]') AS follow_ups
           FROM corrective_actions ca WHERE ca.check_id = $1 ORDER BY ca.revision DESC, ca.point_code`,
        [checkId],
      );
      return rows.map((r) => this.toView(r, now));
    });
  }

  private toView(r: Row, now: Date): CorrectiveActionView {
    return {
      id: r.id,
      checkId: r.check_id,
      revision: r.revision,
      pointCode: r.point_code,
      grade: r.grade,
      description: r.description,
      dueAt: r.due_at.toISOString(),
      status: r.status,
      overdue: isOverdue(r.due_at, now, r.closed_at),
      closedAt: r.closed_at?.toISOString() ?? null,
      closedBy: r.closed_by,
      closureNote: r.closure_note,
      followUps: r.follow_ups.map((f) => ({ id: f.id, note: f.note, evidenceIds: f.evidence_ids, recordedBy: f.recorded_by, recordedAt: new Date(f.recorded_at).toISOString() })),
    };
  }

  /** Records a follow-up on a corrective action and answers the follow-up created (201 on its resource). */
  async followUp(actor: Actor, checkId: string, id: string, input: { note: string; evidenceIds?: string[] }): Promise<CorrectiveActionView['followUps'][number] & { correctiveActionId: string }> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, checkId);
      const action = await tx.one<{ status: string }>(`SELECT status FROM corrective_actions WHERE id = $1 AND check_id = $2 FOR UPDATE`, [id, checkId]);
      if (!action) throw new AppError('CORRECTIVE_ACTION.NOT_FOUND', `No corrective action ${id} on this check.`);
      if (action.status === 'CLOSED') throw new AppError('CORRECTIVE_ACTION.CLOSED', 'This corrective action is closed.');
      const evidenceIds = [...new Set(input.evidenceIds ?? [])];
      await this.repo.assertEvidenceOfCheck(tx, checkId, evidenceIds, 'evidenceIds');
      const created = await tx.one<{ id: string; note: string; evidence_ids: string[]; recorded_by: string; recorded_at: Date }>(
        `INSERT INTO corrective_action_followups (corrective_action_id, organisation_id, note, evidence_ids, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, note, evidence_ids, recorded_by, recorded_at`,
        [id, actor.organisationId, input.note, evidenceIds, actor.id, await this.clock.now()],
      );
      await this.audit.record(tx, actor, { action: 'corrective_action.followed_up', entityType: 'corrective_action', entityId: id, after: { note: input.note, evidenceIds } });
      return { id: created!.id, correctiveActionId: id, note: created!.note, evidenceIds: created!.evidence_ids, recordedBy: created!.recorded_by, recordedAt: created!.recorded_at.toISOString() };
    });
  }

  async close(actor: Actor, checkId: string, id: string, note: string): Promise<CorrectiveActionView[]> {
    await this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, checkId);
      const action = await tx.one<{ status: string }>(`SELECT status FROM corrective_actions WHERE id = $1 AND check_id = $2 FOR UPDATE`, [id, checkId]);
      if (!action) throw new AppError('CORRECTIVE_ACTION.NOT_FOUND', `No corrective action ${id} on this check.`);
      if (action.status === 'CLOSED') throw new AppError('CORRECTIVE_ACTION.CLOSED', 'This corrective action is already closed.');
      const now = await this.clock.now();
      await tx.query(`UPDATE corrective_actions SET status = 'CLOSED', closed_at = $2, closed_by = $3, closure_note = $4 WHERE id = $1`, [id, now, actor.id, note]);
      await this.audit.record(tx, actor, { action: 'corrective_action.closed', entityType: 'corrective_action', entityId: id, after: { status: 'CLOSED', note } });
    });
    return this.list(actor, checkId);
  }
}
