import { Injectable } from '@nestjs/common';
import { AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { validateFinding } from '../rules';
import { CheckRepository, findingOf, findingRevisionOf } from './check.repository';
import type { CheckRow, FindingInput, FindingRevisionInput, FindingRevisionRow, FindingRevisionView, FindingRow, FindingView } from './checks.types';

/**
 * Findings of a check: recorded while it is a DRAFT, and revised after the provider's response
 * and before completion (the contradictory procedure exists so that the answer can lift or soften
 * a non-conformity). Each revision keeps the finding before and after, its reason and the
 * response it follows; the history is shown with the check and frozen with its version.
 */
@Injectable()
export class FindingsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly repo: CheckRepository,
  ) {}

  async recordFinding(actor: Actor, id: string, pointCode: string, input: FindingInput): Promise<FindingView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      if (row.state !== 'DRAFT') throw new AppError('CHECK.NOT_EDITABLE', `The check is ${row.state}; findings are recorded on a DRAFT check (after a response, revise them).`, { state: row.state });
      const evidenceRefs = await this.validate(tx, row, pointCode, input);
      const before = await tx.one<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1 AND point_code = $2`, [id, pointCode]);
      const now = await this.clock.now();
      const saved = await tx.one<FindingRow>(
        `INSERT INTO check_findings (check_id, organisation_id, point_code, grade, comment, evidence_refs, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (check_id, point_code) DO UPDATE
            SET grade = EXCLUDED.grade, comment = EXCLUDED.comment, evidence_refs = EXCLUDED.evidence_refs,
                recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at
         RETURNING *`,
        [id, actor.organisationId, pointCode, input.grade, input.comment ?? null, evidenceRefs, actor.id, now],
      );
      await tx.query(`UPDATE checks SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      const view = findingOf(saved!);
      await this.audit.record(tx, actor, {
        action: 'check.finding_recorded',
        entityType: 'check',
        entityId: id,
        before: before ? findingOf(before) : null,
        after: view,
      });
      return view;
    });
  }

  /**
   * Revises a finding after the provider's response (RESPONDED) and before completion: the
   * reason and the response it follows are required; the same grading rules apply.
   */
  async revise(actor: Actor, id: string, pointCode: string, input: FindingRevisionInput): Promise<FindingRevisionView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      if (row.state !== 'RESPONDED') {
        throw new AppError('CHECK.NOT_EDITABLE', `A finding is revised after the provider's response and before completion; this check is ${row.state}.`, { state: row.state });
      }
      if (!input.reason || input.reason.trim() === '') {
        throw new AppError('REQUEST.VALIDATION', 'A revision needs its reason.', { errors: [{ field: 'reason', message: 'required' }] });
      }
      const response = await tx.one<{ id: string }>(`SELECT id FROM check_responses WHERE id = $1 AND check_id = $2 AND revision = $3`, [input.responseId, id, row.revision]);
      if (!response) {
        throw new AppError('REQUEST.VALIDATION', "The revision must follow a response of the provider to this version of the check.", {
          errors: [{ field: 'responseId', message: 'not a response to this version of the check' }],
        });
      }
      const before = await tx.one<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1 AND point_code = $2 FOR UPDATE`, [id, pointCode]);
      if (!before) throw new AppError('CHECK.POINT_NOT_IN_FRAMEWORK', `Point ${pointCode} has no finding to revise.`);
      const evidenceRefs = await this.validate(tx, row, pointCode, input);
      const now = await this.clock.now();
      const saved = await tx.one<FindingRow>(
        `UPDATE check_findings SET grade = $3, comment = $4, evidence_refs = $5, recorded_by = $6, recorded_at = $7
          WHERE check_id = $1 AND point_code = $2 RETURNING *`,
        [id, pointCode, input.grade, input.comment ?? null, evidenceRefs, actor.id, now],
      );
      const revision = await tx.one<FindingRevisionRow>(
        `INSERT INTO check_finding_revisions (check_id, organisation_id, revision, point_code, response_id, reason, before, after, revised_by, revised_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [id, row.organisation_id, row.revision, pointCode, response.id, input.reason.trim(), JSON.stringify(findingOf(before)), JSON.stringify(findingOf(saved!)), actor.id, now],
      );
      await tx.query(`UPDATE checks SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      const view = findingRevisionOf(revision!);
      await this.audit.record(tx, actor, {
        action: 'check.finding_revised',
        entityType: 'check',
        entityId: id,
        before: view.before,
        after: view.after,
        details: { pointCode, reason: view.reason, responseId: view.responseId },
      });
      return view;
    });
  }

  /** The revisions of a check's findings (all versions, oldest first), optionally of one point. */
  async revisions(actor: Actor, id: string, pointCode?: string): Promise<FindingRevisionView[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, id);
      return this.repo.findingRevisions(tx, id, pointCode);
    });
  }

  /** The grading rules of one point (in the framework, in scope, major-only, comment and evidence): the evidence references kept. */
  private async validate(tx: Tx, row: CheckRow, pointCode: string, input: FindingInput): Promise<string[]> {
    const point = (await this.repo.gradablePoints(tx, row)).find((p) => p.code === pointCode);
    if (!point) throw new AppError('CHECK.POINT_NOT_IN_FRAMEWORK', `No point ${pointCode} in ${row.framework_code} v${row.framework_version}.`);
    const inScope = row.scope.points[pointCode];
    const evidenceRefs = [...new Set(input.evidenceRefs ?? [])];
    await this.repo.assertEvidenceOfCheck(tx, row.id, evidenceRefs);
    const error = validateFinding({ majorOnly: point.rules.majorOnly === true, applicable: inScope ? inScope.applicable : true }, input.grade, input.comment, evidenceRefs.length);
    if (error) throw new AppError(error, findingMessage(error, pointCode, inScope?.reason), inScope?.reason ? { reason: inScope.reason } : {});
    return evidenceRefs;
  }
}

function findingMessage(code: string, pointCode: string, reason: string | undefined): string {
  switch (code) {
    case 'CHECK.POINT_NOT_APPLICABLE':
      return `Point ${pointCode} is outside the check's scope: only NOT_APPLICABLE may be recorded.${reason ? ` ${reason}` : ''}`;
    case 'CHECK.MINOR_ON_MAJOR_ONLY':
      return `Point ${pointCode} can only give rise to a major non-conformity.`;
    case 'CHECK.NC_NEEDS_COMMENT':
      return 'A non-conformity needs a comment.';
    case 'CHECK.NA_NEEDS_JUSTIFICATION':
      return `Point ${pointCode} is in the check's scope: NOT_APPLICABLE needs a written justification (comment).`;
    default:
      return 'A non-conformity needs at least one piece of evidence.';
  }
}

