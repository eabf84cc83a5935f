import { Injectable } from '@nestjs/common';
import { AppError } from '@bo/core';
import { Tx } from '@bo/database';
import { CertificationsService } from '@bo/registry';
import { nonConformitiesOf } from './pinning';
import { proposeRecipients } from './routing';
import { substantiationProblems } from './substantiation';
import type { AttachmentView, CaseEventKind, CaseOutcome, CaseView, Claim, DeliveryStatus, GroundView, HandlingStatus, ProposedRecipient, RecipientKind, ReportStatus, ReportView } from './reports.types';

export interface ReportRow {
  id: string;
  organisation_id: string;
  reference: string;
  provider_siret: string;
  provider_nda: string | null;
  provider_name: string | null;
  provider_region: string | null;
  title: string;
  claims: Claim[];
  narrative: string;
  certifier_id: string | null;
  status: ReportStatus;
  version: number;
  recipients: ProposedRecipient[] | null;
  package_sha256: string | null;
  seal_signature: string | null;
  seal_key_id: string | null;
  audit_head: { seq: number; hash: string } | null;
  pdf_sha256: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  closed_at: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface GroundRow {
  id: string;
  report_id: string;
  organisation_id: string;
  kind: 'CHECK_VERSION' | 'PRICE_ANOMALY';
  check_id: string | null;
  check_revision: number | null;
  anomaly_id: string | null;
  framework_code: string | null;
  content: Record<string, unknown>;
  content_sha256: string;
  personal_data_legal_ground: string | null;
  added_by: string;
  added_at: Date;
}

export interface CaseRow {
  id: string;
  report_id: string;
  reference: string;
  recipient_organisation_id: string;
  recipient_code: string;
  recipient_name: string;
  recipient_kind: RecipientKind;
  region: string | null;
  rules: string[];
  reason: string;
  forwarded_from: string | null;
  delivery_status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  acknowledgement_id: string | null;
  delivered_at: Date | null;
  handling_status: HandlingStatus | null;
  acknowledged_at: Date | null;
  outcome: CaseOutcome | null;
  outcome_note: string | null;
  closed_at: Date | null;
  created_at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const groundOf = (g: GroundRow): GroundView => ({
  id: g.id,
  kind: g.kind,
  organisationId: g.organisation_id,
  checkId: g.check_id,
  checkRevision: g.check_revision,
  anomalyId: g.anomaly_id,
  frameworkCode: g.framework_code,
  nonConformities: g.kind === 'CHECK_VERSION' ? nonConformitiesOf(g.content) : [],
  contentSha256: g.content_sha256,
  personalDataIncluded: g.personal_data_legal_ground !== null,
  addedBy: g.added_by,
  addedAt: g.added_at.toISOString(),
});

const CASE_COLUMNS = `k.*, r.reference, o.code AS recipient_code, o.name AS recipient_name`;

/**
 * Loads reports and cases (row-level security keeps those the caller's organisation is a party
 * to) and builds their views. The use cases (reports.service, inbox.service) call it.
 */
@Injectable()
export class ReportRepository {
  constructor(private readonly certifications: CertificationsService) {}

  async loadRow(tx: Tx, id: string, forUpdate = false): Promise<ReportRow> {
    const row = await tx.one<ReportRow>(`SELECT * FROM reports WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    if (!row) throw new AppError('REPORT.NOT_FOUND', `No report ${id}.`);
    return row;
  }

  async grounds(tx: Tx, reportId: string): Promise<GroundRow[]> {
    return tx.query<GroundRow>(`SELECT * FROM report_grounds WHERE report_id = $1 ORDER BY added_at, id`, [reportId]);
  }

  async attachments(tx: Tx, reportId: string): Promise<AttachmentView[]> {
    const rows = await tx.query<{ id: string; organisation_id: string; sha256: string; size: string; media_type: string; file_name: string | null; description: string | null; personal_data: boolean; added_by: string; added_at: Date }>(
      `SELECT * FROM report_attachments WHERE report_id = $1 ORDER BY added_at, id`,
      [reportId],
    );
    return rows.map((a) => ({ id: a.id, organisationId: a.organisation_id, sha256: a.sha256, size: Number(a.size), mediaType: a.media_type, fileName: a.file_name, description: a.description, personalData: a.personal_data, addedBy: a.added_by, addedAt: a.added_at.toISOString() }));
  }

  async cosigners(tx: Tx, reportId: string) {
    return tx.query<{ organisation_id: string; code: string; name: string; status: 'INVITED' | 'ACCEPTED'; invited_at: Date; accepted_at: Date | null }>(
      `SELECT c.organisation_id, o.code, o.name, c.status, c.invited_at, c.accepted_at
         FROM report_cosigners c JOIN organisations o ON o.id = c.organisation_id WHERE c.report_id = $1 ORDER BY c.invited_at, o.code`,
      [reportId],
    );
  }

  async organisation(tx: Tx, id: string): Promise<{ id: string; code: string; name: string; kind: string; region: string | null }> {
    const org = await tx.one<{ id: string; code: string; name: string; kind: string; region: string | null }>(`SELECT id, code, name, kind, region FROM organisations WHERE id = $1`, [id]);
    if (!org) throw new AppError('ORGANISATION.NOT_FOUND', `No organisation ${id}.`);
    return org;
  }

  /** The recipients the routing rules propose for the report as it stands. */
  async route(tx: Tx, row: ReportRow): Promise<ProposedRecipient[]> {
    const recorded = await this.certifications.certifierOf(row.provider_siret.slice(0, 9), tx);
    const chosen = !recorded && row.certifier_id ? await tx.one<{ id: string; code: string; name: string }>(`SELECT id, code, name FROM organisations WHERE id = $1 AND kind = 'CERTIFIER'`, [row.certifier_id]) : undefined;
    const controlService = row.provider_region
      ? await tx.one<{ id: string; code: string; name: string }>(`SELECT id, code, name FROM organisations WHERE code = $1 AND kind = 'CONTROL_SERVICE' AND active`, [`SRC-${row.provider_region}`])
      : undefined;
    return proposeRecipients(row.claims, { certifier: recorded?.certifier ?? chosen ?? null, controlService: controlService ?? null, region: row.provider_region });
  }

  async view(tx: Tx, row: ReportRow, callerOrganisationId: string): Promise<ReportView> {
    const grounds = (await this.grounds(tx, row.id)).map(groundOf);
    const cosigners = await this.cosigners(tx, row.id);
    const owner = await this.organisation(tx, row.organisation_id);
    const recipients = row.status === 'DRAFT' ? await this.route(tx, row) : (row.recipients ?? []);
    const problems = row.status === 'DRAFT' ? substantiationProblems({ claims: row.claims, grounds, narrative: row.narrative, recipients }) : [];
    return {
      id: row.id,
      reference: row.reference,
      organisationId: row.organisation_id,
      organisationName: owner.name,
      provider: { siret: row.provider_siret, nda: row.provider_nda, name: row.provider_name, region: row.provider_region },
      title: row.title,
      claims: row.claims,
      narrative: row.narrative,
      certifierId: row.certifier_id,
      status: row.status,
      version: row.version,
      grounds,
      attachments: await this.attachments(tx, row.id),
      cosigners: cosigners.map((c) => ({ organisationId: c.organisation_id, organisationName: c.name, status: c.status, invitedAt: c.invited_at.toISOString(), acceptedAt: iso(c.accepted_at) })),
      recipients,
      problems,
      seal: row.package_sha256
        ? {
            packageSha256: row.package_sha256,
            signature: row.seal_signature!,
            keyId: row.seal_key_id!,
            auditHead: row.audit_head,
            pdfSha256: row.pdf_sha256!,
            pdf: `/api/v1/reports/${row.id}/export?format=pdf`,
          }
        : null,
      submittedAt: iso(row.submitted_at),
      submittedBy: row.submitted_by,
      closedAt: iso(row.closed_at),
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      role: row.organisation_id === callerOrganisationId ? 'OWNER' : cosigners.some((c) => c.organisation_id === callerOrganisationId) ? 'COSIGNER' : 'RECIPIENT',
    };
  }

  async caseRow(tx: Tx, caseId: string, forUpdate = false): Promise<CaseRow> {
    const row = await tx.one<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM report_cases k JOIN reports r ON r.id = k.report_id JOIN organisations o ON o.id = k.recipient_organisation_id
        WHERE k.id = $1${forUpdate ? ' FOR UPDATE OF k' : ''}`,
      [caseId],
    );
    if (!row) throw new AppError('CASE.NOT_FOUND', `No case ${caseId}.`);
    return row;
  }

  async caseRows(tx: Tx, where: { reportId?: string; recipientOrganisationId?: string; handlingStatus?: string; after?: readonly unknown[] | null; limit?: number }): Promise<CaseRow[]> {
    return tx.query<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM report_cases k JOIN reports r ON r.id = k.report_id JOIN organisations o ON o.id = k.recipient_organisation_id
        WHERE ($1::uuid IS NULL OR k.report_id = $1) AND ($2::uuid IS NULL OR k.recipient_organisation_id = $2)
          AND ($3::text IS NULL OR k.handling_status = $3)
          AND ($4::timestamptz IS NULL OR (k.created_at, k.id) < ($4::timestamptz, $5::uuid))
        ORDER BY k.created_at DESC, k.id DESC LIMIT $6`,
      [where.reportId ?? null, where.recipientOrganisationId ?? null, where.handlingStatus ?? null, where.after?.[0] ?? null, where.after?.[1] ?? null, where.limit ?? 1000],
    );
  }

  async caseView(tx: Tx, row: CaseRow): Promise<CaseView> {
    const events = await tx.query<{ id: string; kind: CaseEventKind; organisation_id: string; text: string | null; due_at: Date | null; answers: string | null; actor_id: string | null; at: Date }>(
      `SELECT * FROM report_case_events WHERE case_id = $1 ORDER BY at, id`,
      [row.id],
    );
    const answered = new Set(events.filter((e) => e.kind === 'ANSWERED').map((e) => e.answers));
    const open = row.handling_status === 'INFO_REQUESTED' ? [...events].reverse().find((e) => e.kind === 'INFO_REQUESTED' && !answered.has(e.id)) : undefined;
    return {
      id: row.id,
      reportId: row.report_id,
      reportReference: row.reference,
      recipient: { id: row.recipient_organisation_id, code: row.recipient_code, name: row.recipient_name, kind: row.recipient_kind },
      region: row.region,
      rules: row.rules,
      reason: row.reason,
      forwardedFrom: row.forwarded_from,
      delivery: {
        status: row.delivery_status,
        attempts: row.attempts,
        nextAttemptAt: iso(row.next_attempt_at),
        lastError: row.last_error,
        acknowledgementId: row.acknowledgement_id,
        deliveredAt: iso(row.delivered_at),
      },
      handlingStatus: row.handling_status,
      acknowledgedAt: iso(row.acknowledged_at),
      outcome: row.outcome,
      outcomeNote: row.outcome_note,
      closedAt: iso(row.closed_at),
      createdAt: row.created_at.toISOString(),
      openRequest: open ? { id: open.id, text: open.text ?? '', dueAt: iso(open.due_at), at: open.at.toISOString() } : null,
      events: events.map((e) => ({ id: e.id, kind: e.kind, organisationId: e.organisation_id, text: e.text, dueAt: iso(e.due_at), answers: e.answers, actorId: e.actor_id, at: e.at.toISOString() })),
    };
  }
}
