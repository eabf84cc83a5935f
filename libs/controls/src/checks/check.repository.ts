import { Injectable } from '@nestjs/common';
import { AppError } from '@bo/core';
import { Tx } from '@bo/database';
import { Actor, checkFilterParam, ownChecksSql, seesAssignedChecksOnly, visibleChecksSql } from '@bo/access';
import { PointRow, FrameworksService } from '../frameworks/frameworks.service';
import { SERVICE_FAIT_CODE } from '../frameworks/builtin';
import { comparePointCodes } from '../rules';
import type { CheckListFilters, CheckRow, CheckSample, CheckView, FindingRevisionRow, FindingRevisionView, FindingRow, FindingView, ReceiptChangeView } from './checks.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CHECK_COLUMNS = `c.*, f.code AS framework_code, f.version AS framework_version`;

/**
 * Every column of \`checks\` but its full scope (about 5 KB a check): the list shows the scope's
 * counts only, so it reads those (a page of 50 went from 273 KB of rows to a few KB). A test holds
 * this list to the table's columns (test/integration/controls.test.ts).
 */
export const CHECK_LIST_TABLE_COLUMNS = [
  'id', 'organisation_id', 'provider_siret', 'provider_nda', 'method', 'framework_id', 'scope_context', 'assignee_id', 'contact_name',
  'contact_email', 'state', 'outcome', 'completed_at', 'completed_by', 'sample', 'created_by', 'created_at', 'updated_at', 'version',
  'revision', 'joint_service_fait', 'amendment_reason', 'region', 'notified_at', 'notified_by', 'provider_received_on', 'response_due_at',
  'notification_letter_sha256', 'duplicate_decision', 'duplicate_reason', 'duplicate_of',
] as const;
const CHECK_LIST_COLUMNS = `${CHECK_LIST_TABLE_COLUMNS.map((name) => `c.${name}`).join(', ')},
  jsonb_build_object('counts', c.scope->'counts') AS scope, f.code AS framework_code, f.version AS framework_version`;


export const findingOf = (r: FindingRow): FindingView => ({
  pointCode: r.point_code,
  grade: r.grade,
  comment: r.comment,
  evidenceRefs: r.evidence_refs,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
});

export const findingRevisionOf = (r: FindingRevisionRow): FindingRevisionView => ({
  id: r.id,
  revision: r.revision,
  pointCode: r.point_code,
  responseId: r.response_id,
  reason: r.reason,
  before: r.before,
  after: r.after,
  revisedBy: r.revised_by,
  revisedAt: r.revised_at.toISOString(),
});

/** An auditor (without officer rights) sees only the checks assigned to it: decided in libs/access. */
const auditorOnly = seesAssignedChecksOnly;

/**
 * Loads quality checks (row-level security decides the funder; `loadVisible` adds the auditor
 * rule), and builds their views. The check use cases and their sibling services (procedure,
 * evidence, corrective actions, revisions) call this repository, never each other's helpers.
 */
@Injectable()
export class CheckRepository {
  constructor(private readonly frameworks: FrameworksService) {}

  /**
   * One of the organisation's own checks. Row-level security also lets other organisations read
   * checks shared with them (libs/access); those are read through the sharing lib's views, never
   * through the owner's workflows, so this repository keeps to `ownChecksSql`.
   */
  async loadRow(tx: Tx, id: string, forUpdate = false): Promise<CheckRow> {
    const row = await tx.one<CheckRow>(
      `SELECT ${CHECK_COLUMNS} FROM checks c JOIN frameworks f ON f.id = c.framework_id WHERE c.id = $1 AND ${ownChecksSql('c')}${forUpdate ? ' FOR UPDATE OF c' : ''}`,
      [id],
    );
    if (!row) throw new AppError('CHECK.NOT_FOUND', `No check ${id}.`);
    return row;
  }

  /** Another funder's check, or for an auditor a check not assigned to it: 404, as if absent. */
  async loadVisible(tx: Tx, actor: Actor, id: string, forUpdate = false): Promise<CheckRow> {
    const row = await this.loadRow(tx, id, forUpdate);
    if (auditorOnly(actor) && row.assignee_id !== actor.id) throw new AppError('CHECK.NOT_FOUND', `No check ${id}.`);
    return row;
  }

  baseView(row: CheckRow, actions: CheckView['actions'], findings: FindingView[], findingRevisions: FindingRevisionView[] = [], receiptChanges: ReceiptChangeView[] = []): CheckView {
    return {
      id: row.id,
      organisationId: row.organisation_id,
      providerSiret: row.provider_siret,
      providerNda: row.provider_nda,
      method: row.method,
      framework: { id: row.framework_id, code: row.framework_code, version: row.framework_version },
      state: row.state,
      outcome: row.outcome,
      scopeContext: row.scope_context,
      scope: row.scope,
      actions,
      sample: (row.sample as CheckSample | null) ?? null,
      assigneeId: row.assignee_id,
      contact: { name: row.contact_name, email: row.contact_email },
      findings,
      findingRevisions,
      completedAt: row.completed_at?.toISOString() ?? null,
      completedBy: row.completed_by,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      version: row.version,
      revision: row.revision,
      amendmentReason: row.amendment_reason,
      jointServiceFait: row.joint_service_fait,
      duplicateDecision: row.duplicate_decision ? { decision: row.duplicate_decision, reason: row.duplicate_reason ?? '', checkIds: row.duplicate_of ?? [] } : null,
      procedure: {
        notifiedAt: row.notified_at?.toISOString() ?? null,
        providerReceivedOn: isoDate(row.provider_received_on),
        responseDueAt: row.response_due_at?.toISOString() ?? null,
        notificationLetter: row.notification_letter_sha256 ? `/api/v1/checks/${row.id}/notification-letter` : null,
        receiptChanges,
      },
    };
  }

  async view(tx: Tx, row: CheckRow): Promise<CheckView> {
    const actions = await tx.query<{ action_id: string; source: 'LINKED' | 'SAMPLE' }>(
      `SELECT action_id, source FROM check_actions WHERE check_id = $1 ORDER BY source, action_id`,
      [row.id],
    );
    const findings = await tx.query<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1`, [row.id]);
    return this.baseView(
      row,
      actions.map((a) => ({ id: a.action_id, source: a.source })),
      findings.map(findingOf).sort((a, b) => comparePointCodes(a.pointCode, b.pointCode)),
      (await this.findingRevisions(tx, row.id)).filter((r) => r.revision === row.revision),
      await this.receiptChanges(tx, row.id, row.revision),
    );
  }

  /** Revisions of the check's findings, oldest first (all versions), optionally of one point. */
  async findingRevisions(tx: Tx, checkId: string, pointCode?: string): Promise<FindingRevisionView[]> {
    const rows = await tx.query<FindingRevisionRow>(
      `SELECT * FROM check_finding_revisions WHERE check_id = $1 AND ($2::text IS NULL OR point_code = $2) ORDER BY revised_at, id`,
      [checkId, pointCode ?? null],
    );
    return rows.map(findingRevisionOf);
  }

  /** The receipt date of a version's notification as recorded, then each correction. */
  async receiptChanges(tx: Tx, checkId: string, revision: number): Promise<ReceiptChangeView[]> {
    const rows = await tx.query<{
      revision: number; previous_received_on: Date | string | null; received_on: Date | string; previous_due_at: Date | null; due_at: Date;
      reason: string | null; changed_by: string; changed_at: Date;
    }>(`SELECT * FROM check_receipt_changes WHERE check_id = $1 AND revision = $2 ORDER BY changed_at, id`, [checkId, revision]);
    return rows.map((r) => ({
      revision: r.revision,
      previousReceivedOn: isoDate(r.previous_received_on),
      receivedOn: isoDate(r.received_on)!,
      previousDueAt: r.previous_due_at?.toISOString() ?? null,
      dueAt: r.due_at.toISOString(),
      reason: r.reason,
      changedBy: r.changed_by,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  /** The points a check grades: its framework's, plus the service-fait checklist for a joint control. */
  async gradablePoints(tx: Tx, row: CheckRow): Promise<PointRow[]> {
    const own = await this.frameworks.points(tx, row.framework_id);
    if (!row.joint_service_fait) return own;
    return [...own, ...(await this.serviceFaitPoints(tx, row))];
  }

  /** Service-fait points of the check: all of its framework's when it is the checklist, else the checklist's when joint. */
  async serviceFaitPoints(tx: Tx, row: CheckRow): Promise<PointRow[]> {
    if (row.framework_code === SERVICE_FAIT_CODE) return this.frameworks.points(tx, row.framework_id);
    if (!row.joint_service_fait) return [];
    const checklist = await this.frameworks.find(tx, { code: SERVICE_FAIT_CODE, version: 1 });
    return this.frameworks.points(tx, checklist.id);
  }

  /** References that are evidence ids must be evidence of this check; other references name records. */
  async assertEvidenceOfCheck(tx: Tx, checkId: string, refs: readonly string[], field = 'evidenceRefs'): Promise<void> {
    const ids = refs.filter((r) => UUID.test(r));
    if (!ids.length) return;
    const found = new Set(
      (await tx.query<{ id: string }>(`SELECT id::text AS id FROM check_evidence WHERE check_id = $1 AND id = ANY($2::uuid[])`, [checkId, ids])).map((r) => r.id),
    );
    const unknown = ids.filter((i) => !found.has(i));
    if (unknown.length) {
      throw new AppError('EVIDENCE.UNKNOWN_REFERENCE', `Not evidence of this check: ${unknown.join(', ')}.`, {
        errors: unknown.map((u) => ({ field: `${field}[${refs.indexOf(u)}]`, message: 'not evidence of this check' })),
      });
    }
  }

  /** A page of the caller's visible checks, newest first (keyset on created_at, id). */
  /**
   * One page of checks, newest first (keyset on created_at, id). The response due date compares in
   * Europe/Paris; `overdue` means notified, not responded, past the due date (whether or not the
   * deadline scan has marked it yet); `assignee` is a user id, `me` or `none`.
   */
  async listRows(tx: Tx, actor: Actor, query: CheckListFilters & { after?: readonly unknown[] | null; limit: number; now: Date }): Promise<CheckRow[]> {
    const assignee = query.assignee === 'me' ? actor.id : query.assignee === 'none' ? null : (query.assignee ?? null);
    return tx.query<CheckRow>(
      `SELECT ${CHECK_LIST_COLUMNS} FROM checks c JOIN frameworks f ON f.id = c.framework_id
        WHERE ${ownChecksSql('c')} AND ($1::timestamptz IS NULL OR (c.created_at, c.id) < ($1::timestamptz, $2::uuid))
          AND ${visibleChecksSql('c', '$3')}
          AND ($4::text IS NULL OR c.state = $4)
          AND ($5::text IS NULL OR c.provider_siret = $5)
          AND ($6::date IS NULL OR (c.response_due_at AT TIME ZONE 'Europe/Paris')::date >= $6::date)
          AND ($7::date IS NULL OR (c.response_due_at AT TIME ZONE 'Europe/Paris')::date <= $7::date)
          AND ($8::boolean IS NULL
               OR $8 = (c.state IN ('NOTIFIED', 'RESPONSE_OVERDUE') AND c.response_due_at IS NOT NULL AND c.response_due_at < $9::timestamptz))
          AND (NOT $10::boolean OR c.assignee_id IS NULL)
          AND ($11::uuid IS NULL OR c.assignee_id = $11::uuid)
        ORDER BY c.created_at DESC, c.id DESC LIMIT $12`,
      [
        query.after?.[0] ?? null,
        query.after?.[1] ?? null,
        checkFilterParam(actor),
        query.state ?? null,
        query.providerSiret ?? null,
        query.responseDueAfter ?? null,
        query.responseDueBefore ?? null,
        query.overdue === undefined ? null : query.overdue === 'true',
        query.now,
        query.assignee === 'none',
        assignee,
        query.limit + 1,
      ],
    );
  }
}

/** A `date` column as YYYY-MM-DD: node-pg builds a local-midnight Date, so read local fields. */
export function isoDate(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

