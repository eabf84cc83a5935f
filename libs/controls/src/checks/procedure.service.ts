import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { JobOutbox } from '@bo/queue';
import { BlobStore } from '@bo/storage';
import { DocumentModel, checkExportModel, notificationLetterModel, renderPdf } from '@bo/documents';
import { RegistryFactsService } from '@bo/registry';
import { Readable } from 'node:stream';
import { assertTransition, isNonConformity, localDateIn, responseDeadline, timeZoneFor } from '../rules';
import { evidenceOf, responseOf } from './completion';
import { CheckRepository, isoDate } from './check.repository';
import type { CheckRow, CheckView, FindingRow } from './checks.types';

export interface NotifyInput {
  /** The date the provider received the notification (acknowledgement of receipt, e-mail read...). */
  receivedOn?: string;
}

export interface ResponseInput {
  text: string;
  evidenceIds?: string[];
  /** When the answer reached the funder; defaults to now. */
  receivedAt?: string;
}

export interface CheckVersionView {
  checkId: string;
  revision: number;
  state: 'COMPLETED' | 'DRAFT' | 'NOTIFIED' | 'RESPONDED' | 'RESPONSE_OVERDUE';
  frozen: boolean;
  outcome: string | null;
  completedAt: string | null;
  amendmentReason: string | null;
  snapshotSha256: string | null;
  snapshot: unknown;
}

/**
 * The contradictory procedure of a check (R.6332-26: results notified to the provider, who has
 * at least 7 days to answer), its amendments and frozen versions, and its exports.
 */
@Injectable()
export class CheckProcedureService {
  constructor(
    private readonly db: Db,
    private readonly repo: CheckRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly config: AppConfig,
    private readonly registry: RegistryFactsService,
    private readonly outbox: JobOutbox,
  ) {}

  /** The deadline scan runs when the response window closes (the 10-minute schedule is the safety net). */
  private scanAtDeadline(tx: Tx, dueAt: Date | null): Promise<unknown> {
    return dueAt ? this.outbox.add(tx, 'controls.deadline-scan', { organisationId: null }, { runAt: new Date(dueAt.getTime() + 1_000) }) : Promise.resolve();
  }


  /**
   * DRAFT -> NOTIFIED: every applicable point graded, a provider contact on the check. Generates
   * the notification letter (PDF, kept in the blob store) and, when the receipt date is known,
   * opens the response window (`RESPONSE_WINDOW_DAYS`, at least 7, ending at end of day in the
   * provider region's time zone).
   */
  async notify(actor: Actor, id: string, input: NotifyInput): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      if (!row.contact_email && !row.contact_name) {
        throw new AppError('CHECK.CONTACT_REQUIRED', "Enter the provider's contact on the check before notifying it.", {
          errors: [{ field: 'contact', message: 'required before notification' }],
        });
      }
      const findings = await tx.query<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1 ORDER BY point_code`, [id]);
      const graded = new Set(findings.map((f) => f.point_code));
      const missing = (await this.repo.gradablePoints(tx, row)).filter((p) => (row.scope.points[p.code]?.applicable ?? true) && !graded.has(p.code));
      const now = await this.clock.now();
      const error = assertTransition(row.state, 'NOTIFIED', { hasNonConformities: findings.some((f) => isNonConformity(f.grade)), now, missingFindings: missing.length });
      if (error) {
        throw new AppError(error, error === 'CHECK.FINDINGS_MISSING' ? 'Every applicable point needs a finding before notification.' : `A ${row.state} check cannot be notified.`, {
          ...(error === 'CHECK.FINDINGS_MISSING' ? { missingPoints: missing.map((p) => p.code) } : { state: row.state }),
        });
      }
      const dueAt = input.receivedOn ? this.deadline(input.receivedOn, row.region, now, now) : null;
      const letter = await this.renderLetter(tx, row, findings, now, dueAt);
      const stored = await this.blobs.put(letter);
      await tx.query(
        `UPDATE checks SET state = 'NOTIFIED', notified_at = $2, notified_by = $3, provider_received_on = $4, response_due_at = $5,
                notification_letter_sha256 = $6, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, now, actor.id, input.receivedOn ?? null, dueAt, stored.sha256],
      );
      if (input.receivedOn && dueAt) await this.recordReceiptChange(tx, actor, { ...row, provider_received_on: null, response_due_at: null }, input.receivedOn, dueAt, null, now);
      await this.scanAtDeadline(tx, dueAt);
      const after = await this.repo.view(tx, await this.repo.loadRow(tx, id));
      await this.audit.record(tx, actor, {
        action: 'check.notified',
        entityType: 'check',
        entityId: id,
        after: { state: after.state, procedure: after.procedure, revision: after.revision },
        details: { letterSha256: stored.sha256, receivedOn: input.receivedOn ?? null },
      });
      return after;
    });
  }

  /**
   * Records the date the provider received the notification, which opens the response window.
   * Once recorded, the date changes only through a correction with its reason.
   */
  async recordReceipt(actor: Actor, id: string, receivedOn: string): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      if (row.state !== 'NOTIFIED') throw new AppError('CHECK.INVALID_TRANSITION', `The receipt date is recorded on a NOTIFIED check; this one is ${row.state}.`, { state: row.state });
      if (row.provider_received_on !== null) {
        throw new AppError('CHECK.RECEIPT_ALREADY_RECORDED', `The receipt date is already recorded (${isoDate(row.provider_received_on)}): correct it with a reason instead.`, {
          providerReceivedOn: isoDate(row.provider_received_on),
        });
      }
      return this.changeReceipt(tx, actor, row, receivedOn, null);
    });
  }

  /**
   * Corrects the recorded receipt date (a wrong acknowledgement of receipt, a typo): the same
   * rules, a reason, the change kept with the check and audited. An overdue check whose window
   * the correction reopens is NOTIFIED again.
   */
  async correctReceipt(actor: Actor, id: string, receivedOn: string, reason: string): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      if (!['NOTIFIED', 'RESPONDED', 'RESPONSE_OVERDUE'].includes(row.state)) {
        throw new AppError('CHECK.INVALID_TRANSITION', `The receipt date is corrected on a notified check not yet completed; this one is ${row.state}.`, { state: row.state });
      }
      if (row.provider_received_on === null) {
        throw new AppError('CHECK.INVALID_TRANSITION', 'No receipt date is recorded yet: record it first.', { state: row.state });
      }
      if (reason.trim() === '') throw new AppError('REQUEST.VALIDATION', 'A correction needs its reason.', { errors: [{ field: 'reason', message: 'required' }] });
      return this.changeReceipt(tx, actor, row, receivedOn, reason.trim());
    });
  }

  private async changeReceipt(tx: Tx, actor: Actor, row: CheckRow, receivedOn: string, reason: string | null): Promise<CheckView> {
    const now = await this.clock.now();
    const dueAt = this.deadline(receivedOn, row.region, row.notified_at ?? now, now);
    const reopened = row.state === 'RESPONSE_OVERDUE' && dueAt.getTime() >= now.getTime();
    await tx.query(
      `UPDATE checks SET provider_received_on = $2, response_due_at = $3, state = CASE WHEN $4 THEN 'NOTIFIED' ELSE state END,
              version = version + 1, updated_at = now() WHERE id = $1`,
      [row.id, receivedOn, dueAt, reopened],
    );
    await this.recordReceiptChange(tx, actor, row, receivedOn, dueAt, reason, now);
    await this.scanAtDeadline(tx, dueAt);
    const after = await this.repo.view(tx, await this.repo.loadRow(tx, row.id));
    await this.audit.record(tx, actor, {
      action: reason === null ? 'check.receipt_recorded' : 'check.receipt_corrected',
      entityType: 'check',
      entityId: row.id,
      before: { state: row.state, providerReceivedOn: isoDate(row.provider_received_on), responseDueAt: row.response_due_at?.toISOString() ?? null },
      after: { state: after.state, providerReceivedOn: after.procedure.providerReceivedOn, responseDueAt: after.procedure.responseDueAt },
      ...(reason === null ? {} : { details: { reason } }),
    });
    return after;
  }

  private async recordReceiptChange(tx: Tx, actor: Actor, row: CheckRow, receivedOn: string, dueAt: Date, reason: string | null, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO check_receipt_changes (check_id, organisation_id, revision, previous_received_on, received_on, previous_due_at, due_at, reason, changed_by, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, row.organisation_id, row.revision, isoDate(row.provider_received_on), receivedOn, row.response_due_at, dueAt, reason, actor.id, now],
    );
  }

  /**
   * The end of the window for a receipt date: not before the notification (on the region's
   * calendar), not in the future; `RESPONSE_WINDOW_DAYS` full days after it.
   */
  private deadline(receivedOn: string, region: string | null, notifiedAt: Date, now: Date): Date {
    if (receivedOn > localDateIn(region, now)) {
      throw new AppError('REQUEST.VALIDATION', 'The receipt date cannot be in the future.', { errors: [{ field: 'receivedOn', message: 'in the future' }] });
    }
    const notifiedOn = localDateIn(region, notifiedAt);
    if (receivedOn < notifiedOn) {
      throw new AppError('REQUEST.VALIDATION', `The provider cannot have received the notification before it was sent (${notifiedOn}).`, {
        errors: [{ field: 'receivedOn', message: `before the notification (${notifiedOn})` }],
      });
    }
    return responseDeadline(receivedOn, this.config.RESPONSE_WINDOW_DAYS, region);
  }

  /** The provider's answer (text and documents already uploaded as evidence): NOTIFIED or overdue -> RESPONDED. */
  async recordResponse(actor: Actor, id: string, input: ResponseInput): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      const now = await this.clock.now();
      const error = assertTransition(row.state, 'RESPONDED', { hasNonConformities: true, now });
      if (error) throw new AppError(error, `A provider response is recorded on a notified check; this one is ${row.state}.`, { state: row.state });
      const receivedAt = input.receivedAt ? new Date(input.receivedAt) : now;
      if (receivedAt.getTime() > now.getTime()) {
        throw new AppError('REQUEST.VALIDATION', 'The response cannot be received in the future.', { errors: [{ field: 'receivedAt', message: 'in the future' }] });
      }
      const evidenceIds = [...new Set(input.evidenceIds ?? [])];
      await this.repo.assertEvidenceOfCheck(tx, id, evidenceIds, 'evidenceIds');
      const late = row.response_due_at !== null && receivedAt.getTime() > row.response_due_at.getTime();
      await tx.query(
        `INSERT INTO check_responses (check_id, organisation_id, revision, text, evidence_ids, received_at, late, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, row.organisation_id, row.revision, input.text, evidenceIds, receivedAt, late, actor.id],
      );
      await tx.query(`UPDATE checks SET state = 'RESPONDED', version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      const after = await this.repo.view(tx, await this.repo.loadRow(tx, id));
      await this.audit.record(tx, actor, {
        action: 'check.provider_responded',
        entityType: 'check',
        entityId: id,
        after: { text: input.text, evidenceIds, receivedAt: receivedAt.toISOString(), late },
        details: { late },
      });
      return after;
    });
  }

  async responses(actor: Actor, id: string): Promise<{ id: string; revision: number; text: string; evidenceIds: string[]; receivedAt: string; late: boolean; recordedBy: string }[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, id);
      const rows = await tx.query<{ id: string; revision: number; text: string; evidence_ids: string[]; received_at: Date; late: boolean; recorded_by: string }>(
        `SELECT * FROM check_responses WHERE check_id = $1 ORDER BY revision, received_at`,
        [id],
      );
      return rows.map((r) => ({ id: r.id, revision: r.revision, text: r.text, evidenceIds: r.evidence_ids, receivedAt: r.received_at.toISOString(), late: r.late, recordedBy: r.recorded_by }));
    });
  }

  /**
   * A completed check never changes: an amendment opens version n+1 as a DRAFT, with its reason,
   * starting from the findings of version n. Version n stays readable, frozen.
   */
  async amend(actor: Actor, id: string, reason: string): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      if (row.state !== 'COMPLETED') {
        throw new AppError('CHECK.INVALID_TRANSITION', `Only a completed check is amended; this one is ${row.state}: edit it instead.`, { state: row.state });
      }
      await tx.query(
        `UPDATE checks SET revision = revision + 1, state = 'DRAFT', outcome = NULL, completed_at = NULL, completed_by = NULL,
                amendment_reason = $2, notified_at = NULL, notified_by = NULL, provider_received_on = NULL, response_due_at = NULL,
                notification_letter_sha256 = NULL, version = version + 1, updated_at = now()
          WHERE id = $1`,
        [id, reason],
      );
      const after = await this.repo.view(tx, await this.repo.loadRow(tx, id));
      await this.audit.record(tx, actor, {
        action: 'check.amended',
        entityType: 'check',
        entityId: id,
        details: { fromRevision: row.revision, toRevision: row.revision + 1, reason },
      });
      return after;
    });
  }

  /** Version n: frozen when completed; the current working copy when it is the open version. */
  async version(actor: Actor, id: string, revision: number): Promise<CheckVersionView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id);
      const frozen = await tx.one<{ revision: number; outcome: string; completed_at: Date; amendment_reason: string | null; snapshot: unknown; snapshot_sha256: string }>(
        `SELECT * FROM check_versions WHERE check_id = $1 AND revision = $2`,
        [id, revision],
      );
      if (frozen) {
        return {
          checkId: id,
          revision,
          state: 'COMPLETED',
          frozen: true,
          outcome: frozen.outcome,
          completedAt: frozen.completed_at.toISOString(),
          amendmentReason: frozen.amendment_reason,
          snapshotSha256: frozen.snapshot_sha256,
          snapshot: frozen.snapshot,
        };
      }
      if (revision !== row.revision) throw new AppError('CHECK.VERSION_NOT_FOUND', `Check ${id} has no version ${revision}.`);
      const view = await this.repo.view(tx, row);
      return { checkId: id, revision, state: row.state, frozen: false, outcome: null, completedAt: null, amendmentReason: row.amendment_reason, snapshotSha256: null, snapshot: { check: view } };
    });
  }

  async versions(actor: Actor, id: string): Promise<{ revision: number; outcome: string; completedAt: string; amendmentReason: string | null; snapshotSha256: string }[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, id);
      const rows = await tx.query<{ revision: number; outcome: string; completed_at: Date; amendment_reason: string | null; snapshot_sha256: string }>(
        `SELECT revision, outcome, completed_at, amendment_reason, snapshot_sha256 FROM check_versions WHERE check_id = $1 ORDER BY revision`,
        [id],
      );
      return rows.map((r) => ({ revision: r.revision, outcome: r.outcome, completedAt: r.completed_at.toISOString(), amendmentReason: r.amendment_reason, snapshotSha256: r.snapshot_sha256 }));
    });
  }

  /** The notification letter of the current version, as sent (checked against its hash). */
  async letter(actor: Actor, id: string): Promise<{ stream: Readable; fileName: string }> {
    const row = await this.db.tx(tenantOf(actor), (tx) => this.repo.loadVisible(tx, actor, id));
    if (!row.notification_letter_sha256) throw new AppError('CHECK.LETTER_NOT_FOUND', 'This version of the check has not been notified.');
    if (!(await this.blobs.verify(row.notification_letter_sha256))) throw new AppError('EVIDENCE.CORRUPT', 'The stored notification letter no longer matches its hash.');
    const stream = await this.blobs.open(row.notification_letter_sha256);
    return { stream: stream!, fileName: `notification-controle-${id}-v${row.revision}.pdf` };
  }

  /**
   * The check (a version, or the current one) as JSON or PDF, both from the same export data
   * (camelCase, numbers as numbers): the version, its findings and their revisions, the
   * procedure, the evidence (name, size, hash), the linked actions and the corrective actions.
   */
  async export(actor: Actor, id: string, format: 'json' | 'pdf', revision?: number): Promise<{ json?: unknown; pdf?: Buffer; fileName: string }> {
    const version = await this.version(actor, id, revision ?? (await this.currentRevision(actor, id)));
    const fileName = `controle-${id}-v${version.revision}.${format}`;
    const data = await this.exportData(actor, version);
    if (format === 'json') return { json: data, fileName };
    return { pdf: await renderPdf(await this.exportModel(actor, data)), fileName };
  }

  private async exportData(actor: Actor, version: CheckVersionView) {
    const snapshot = version.snapshot as { check: CheckView; evidence?: Record<string, unknown>[]; responses?: Record<string, unknown>[] };
    const check = snapshot.check;
    return this.db.tx(tenantOf(actor), async (tx) => {
      const evidence = version.frozen
        ? (snapshot.evidence ?? [])
        : await tx.query<Record<string, unknown>>(`SELECT * FROM check_evidence WHERE check_id = $1 ORDER BY uploaded_at, id`, [check.id]);
      const responses = version.frozen
        ? (snapshot.responses ?? [])
        : await tx.query<Record<string, unknown>>(`SELECT * FROM check_responses WHERE check_id = $1 AND revision = $2 ORDER BY received_at`, [check.id, version.revision]);
      const facts = new Map((await this.registry.actions(tx, check.actions.map((a) => a.id))).map((a) => [a.id, a]));
      const corrective = await tx.query<{ id: string; point_code: string; grade: string; due_at: Date; status: string; closed_at: Date | null }>(
        `SELECT id, point_code, grade, due_at, status, closed_at FROM corrective_actions WHERE check_id = $1 AND revision = $2 ORDER BY point_code`,
        [check.id, version.revision],
      );
      return {
        checkId: version.checkId,
        revision: version.revision,
        state: version.state,
        frozen: version.frozen,
        outcome: version.outcome,
        completedAt: version.completedAt,
        amendmentReason: version.amendmentReason,
        snapshotSha256: version.snapshotSha256,
        check,
        evidence: evidence.map(evidenceOf),
        responses: responses.map(responseOf),
        actions: check.actions.map((a) => ({
          id: a.id,
          source: a.source,
          externalRef: facts.get(a.id)?.externalRef ?? null,
          category: facts.get(a.id)?.category ?? null,
          startDate: facts.get(a.id)?.startDate ?? null,
        })),
        correctiveActions: corrective.map((c) => ({
          id: c.id,
          pointCode: c.point_code,
          grade: c.grade,
          dueAt: c.due_at.toISOString(),
          status: c.status,
          closedAt: c.closed_at?.toISOString() ?? null,
        })),
      };
    });
  }

  private async currentRevision(actor: Actor, id: string): Promise<number> {
    return this.db.tx(tenantOf(actor), async (tx) => (await this.repo.loadVisible(tx, actor, id)).revision);
  }

  private async organisationName(tx: Tx, organisationId: string): Promise<string> {
    return (await tx.one<{ name: string }>(`SELECT name FROM organisations WHERE id = $1`, [organisationId]))?.name ?? '';
  }

  private async providerOf(tx: Tx, siret: string, nda: string | null, region: string | null) {
    const provider = await this.registry.provider(tx, siret, nda);
    return { name: provider?.name ?? 'Organisme de formation', siret, nda, region };
  }

  private async pointTitles(tx: Tx, row: CheckRow): Promise<Map<string, string>> {
    return new Map((await this.repo.gradablePoints(tx, row)).map((p) => [p.code, p.title]));
  }

  private async renderLetter(tx: Tx, row: CheckRow, findings: FindingRow[], now: Date, dueAt: Date | null): Promise<Buffer> {
    const titles = await this.pointTitles(tx, row);
    return renderPdf(
      notificationLetterModel({
        issuer: await this.organisationName(tx, row.organisation_id),
        provider: await this.providerOf(tx, row.provider_siret, row.provider_nda, row.region),
        check: { id: row.id, revision: row.revision, method: row.method, frameworkCode: row.framework_code, frameworkVersion: row.framework_version },
        contact: { name: row.contact_name, email: row.contact_email },
        createdAt: now,
        timeZone: timeZoneFor(row.region),
        responseWindowDays: this.config.RESPONSE_WINDOW_DAYS,
        dueAt,
        findings: findings.filter((f) => isNonConformity(f.grade)).map((f) => ({ pointCode: f.point_code, title: titles.get(f.point_code) ?? '', grade: f.grade, comment: f.comment })),
      }),
    );
  }

  private async exportModel(actor: Actor, data: Awaited<ReturnType<CheckProcedureService['exportData']>>): Promise<DocumentModel> {
    const check = data.check;
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadRow(tx, check.id);
      const titles = await this.pointTitles(tx, row);
      return checkExportModel({
        issuer: await this.organisationName(tx, check.organisationId),
        provider: await this.providerOf(tx, check.providerSiret, check.providerNda, row.region),
        timeZone: timeZoneFor(row.region),
        createdAt: data.completedAt ? new Date(data.completedAt) : new Date(check.updatedAt),
        check: {
          id: check.id,
          state: check.state,
          method: check.method,
          frameworkCode: check.framework.code,
          frameworkVersion: check.framework.version,
          categories: check.scope.categories,
          categorySource: check.scope.categorySource,
          applicable: check.scope.counts.applicable,
          total: check.scope.counts.total,
          notifiedAt: check.procedure.notifiedAt,
          providerReceivedOn: check.procedure.providerReceivedOn,
          responseDueAt: check.procedure.responseDueAt,
        },
        version: { revision: data.revision, frozen: data.frozen, outcome: data.outcome, snapshotSha256: data.snapshotSha256, amendmentReason: data.amendmentReason },
        findings: check.findings.map((f) => ({ pointCode: f.pointCode, title: titles.get(f.pointCode) ?? '', grade: f.grade, comment: f.comment })),
        findingRevisions: (check.findingRevisions ?? []).map((r) => ({ pointCode: r.pointCode, before: r.before.grade, after: r.after.grade, reason: r.reason, revisedAt: r.revisedAt })),
        receiptChanges: check.procedure.receiptChanges ?? [],
        responses: data.responses.map((r) => ({ text: r.text, receivedAt: r.receivedAt, late: r.late })),
        evidence: data.evidence.map((e) => ({ name: e.fileName ?? e.recordReference ?? e.id, size: e.size, sha256: e.sha256, purpose: e.purpose })),
        actions: data.actions.map((a) => ({ externalRef: a.externalRef ?? a.id, category: a.category ?? '', source: a.source, startDate: a.startDate })),
        correctiveActions: data.correctiveActions,
      });
    });
  }
}
