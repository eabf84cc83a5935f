import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, hasRole, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { BlobStore } from '@bo/storage';
import { SigningService } from '@bo/signing';
import { renderPdf } from '@bo/documents';
import { JobOutbox } from '@bo/queue';
import { jcs, sha256Hex } from './canonical';
import { groundOf, ReportRepository, ReportRow } from './report.repository';
import { ReportsService } from './reports.service';
import { reportDossierModel } from './report-dossier';
import { buildPackage, sealSigningInput } from './seal';
import { substantiationProblems } from './substantiation';
import type { CaseView, ProposedRecipient, ReportView } from './reports.types';

export interface SealVerification {
  valid: boolean;
  packageSha256: string;
  keyId: string;
  checks: { storedPackageIntact: boolean; packageMatchesRecords: boolean; signatureValid: boolean; pdfIntact: boolean; groundsIntact: boolean; attachmentsIntact: boolean };
  verifiedAt: string;
}

/**
 * Submission and what follows for the sender: the seal (canonical package, its SHA-256 signed by
 * the platform key, a PDF dossier generated once, both in the blob store), one recipient case per
 * recipient organisation queued for delivery, the seal's verification, the cases' follow-up, the
 * answers to information requests and a manager's redelivery.
 */
@Injectable()
export class SubmissionService {
  constructor(
    private readonly db: Db,
    private readonly repo: ReportRepository,
    private readonly reports: ReportsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly signing: SigningService,
    private readonly outbox: JobOutbox,
  ) {}

  async submit(actor: Actor, id: string): Promise<ReportView> {
    if (!hasRole(actor, 'manager')) throw new AppError('ACCESS.FORBIDDEN', 'A manager submits reports.');
    const now = await this.clock.now();
    const view = await this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.reports.loadDraftAsOwner(tx, actor, id);
      const grounds = await this.repo.grounds(tx, id);
      const recipients = await this.repo.route(tx, row);
      const problems = substantiationProblems({ claims: row.claims, grounds: grounds.map(groundOf), narrative: row.narrative, recipients });
      if (problems.length) {
        const first = problems.find((p) => p.code === 'REPORT.NOT_SUBSTANTIATED') ?? problems[0];
        throw new AppError(first.code as 'REPORT.NOT_SUBSTANTIATED', problems.map((p) => p.message).join(' '), {
          errors: problems.map((p) => ({ field: p.field, message: p.message, constraint: p.code })),
          missing: problems.map((p) => ({ code: p.code, field: p.field, ...(p.claim ? { claim: p.claim } : {}) })),
        });
      }
      await this.audit.record(tx, actor, { action: 'report.sealing', entityType: 'report', entityId: id, details: { grounds: grounds.map((g) => g.content_sha256) } });
      const auditHead = await this.audit.head(tx, actor.organisationId);
      const submitted: ReportRow = { ...row, submitted_at: now, submitted_by: actor.id, recipients, audit_head: auditHead };
      const pkg = await this.packageOf(tx, submitted);
      const signature = this.signing.sign(sealSigningInput(pkg.sha256));
      const stored = await this.blobs.put(pkg.bytes);
      const pdf = await renderPdf(reportDossierModel(JSON.parse(pkg.bytes.toString('utf8')), { sha256: pkg.sha256, keyId: signature.keyId, signature: signature.signature }));
      const pdfBlob = await this.blobs.put(pdf);
      await tx.query(
        `UPDATE reports SET status = 'SUBMITTED', recipients = $2, package_sha256 = $3, seal_signature = $4, seal_key_id = $5, audit_head = $6, pdf_sha256 = $7,
                submitted_at = $8, submitted_by = $9, version = version + 1, updated_at = $8 WHERE id = $1`,
        [id, JSON.stringify(recipients), stored.sha256, signature.signature, signature.keyId, JSON.stringify(auditHead), pdfBlob.sha256, now, actor.id],
      );
      for (const r of recipients) {
        await tx.query(
          `INSERT INTO report_cases (report_id, recipient_organisation_id, recipient_kind, region, rules, reason, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
          [id, r.organisationId, r.kind, r.region, r.rules, r.reason, now],
        );
      }
      await this.audit.record(tx, actor, {
        action: 'report.submitted',
        entityType: 'report',
        entityId: id,
        after: { packageSha256: stored.sha256, pdfSha256: pdfBlob.sha256 },
        details: { keyId: signature.keyId, recipients: recipients.map((r) => r.organisationCode), auditHead },
      });
      await this.requestDelivery(tx);
      return this.repo.view(tx, await this.repo.loadRow(tx, id), actor.organisationId);
    });
    return view;
  }

  /** Asks the worker, with the state that needs it, to scan due deliveries now (the scan also runs every minute). */
  async requestDelivery(tx: Tx): Promise<void> {
    await this.outbox.add(tx, 'reports.delivery-scan', { organisationId: null });
  }

  /** The package built from the stored rows (same bytes at submission and at every verification). */
  async packageOf(tx: Tx, row: ReportRow): Promise<{ bytes: Buffer; sha256: string }> {
    const sender = await this.repo.organisation(tx, row.organisation_id);
    const cosigners = (await this.repo.cosigners(tx, row.id)).filter((c) => c.status === 'ACCEPTED');
    const grounds = await this.repo.grounds(tx, row.id);
    return buildPackage({
      report: {
        id: row.id,
        reference: row.reference,
        title: row.title,
        claims: row.claims,
        narrative: row.narrative,
        submittedAt: row.submitted_at!.toISOString(),
        submittedBy: row.submitted_by!,
        provider: { siret: row.provider_siret, nda: row.provider_nda, name: row.provider_name, region: row.provider_region },
      },
      sender: { id: sender.id, code: sender.code, name: sender.name },
      cosigners: cosigners.map((c) => ({ organisationId: c.organisation_id, code: c.code, name: c.name, acceptedAt: c.accepted_at!.toISOString() })),
      recipients: (row.recipients ?? []) as ProposedRecipient[],
      grounds: grounds.map((g) => ({ id: g.id, kind: g.kind, organisationId: g.organisation_id, content: g.content, contentSha256: g.content_sha256 })),
      attachments: (await this.repo.attachments(tx, row.id)).map((a) => ({ id: a.id, organisationId: a.organisationId, sha256: a.sha256, size: a.size, mediaType: a.mediaType, fileName: a.fileName, description: a.description, personalData: a.personalData })),
      auditHead: row.audit_head,
    });
  }

  /**
   * Recomputes the seal: the stored package's bytes hash to the seal, the package rebuilt from
   * the records gives the same bytes, each ground's content hashes to its recorded hash, the
   * signature verifies under the platform key, and the PDF's bytes hash to the hash kept beside
   * the seal. Any changed byte fails one of them.
   */
  async verify(actor: Actor, id: string): Promise<SealVerification> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadRow(tx, id);
      return this.verifyRow(tx, row);
    });
  }

  async verifyRow(tx: Tx, row: ReportRow): Promise<SealVerification> {
    if (!row.package_sha256) throw new AppError('REPORT.NOT_SUBMITTED', `Report ${row.reference} is not sealed yet.`);
    const stored = await this.readBlob(row.package_sha256);
    const rebuilt = await this.packageOf(tx, row);
    const grounds = await this.repo.grounds(tx, row.id);
    const checks = {
      storedPackageIntact: stored !== undefined && sha256Hex(stored) === row.package_sha256,
      packageMatchesRecords: rebuilt.sha256 === row.package_sha256 && stored !== undefined && rebuilt.bytes.equals(stored),
      signatureValid: this.signing.verify(sealSigningInput(row.package_sha256), row.seal_signature!, row.seal_key_id!),
      pdfIntact: row.pdf_sha256 !== null && (await this.blobs.verify(row.pdf_sha256)),
      groundsIntact: grounds.every((g) => sha256Hex(jcs(g.content)) === g.content_sha256),
      attachmentsIntact: (await Promise.all((await this.repo.attachments(tx, row.id)).map((a) => this.blobs.verify(a.sha256)))).every(Boolean),
    };
    return { valid: Object.values(checks).every(Boolean), packageSha256: row.package_sha256, keyId: row.seal_key_id!, checks, verifiedAt: (await this.clock.now()).toISOString() };
  }

  async readBlob(sha256: string): Promise<Buffer | undefined> {
    const stream = await this.blobs.open(sha256);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** The sealed package (JSON) or the PDF dossier of a submitted report, for any party to it. */
  async export(actor: Actor, id: string, format: 'pdf' | 'json'): Promise<{ stream: Readable; reference: string; sha256: string; preview: boolean }> {
    const row = await this.db.tx(tenantOf(actor), (tx) => this.repo.loadRow(tx, id));
    if (!row.package_sha256 && format === 'pdf') return this.preview(actor, row);
    if (!row.package_sha256) throw new AppError('REPORT.NOT_SUBMITTED', `Report ${row.reference} is not sealed yet: its package is built at submission.`);
    const sha256 = format === 'pdf' ? row.pdf_sha256! : row.package_sha256;
    const stream = await this.blobs.open(sha256);
    if (!stream) throw new AppError('INTERNAL.ERROR', `The stored ${format} of report ${row.reference} is missing.`);
    return { stream, reference: row.reference, sha256, preview: false };
  }

  /**
   * A draft's PDF as it would be sealed now, marked as a draft, neither stored nor signed: what the
   * builder previews. Only the report's funders see a draft.
   */
  private async preview(actor: Actor, draft: ReportRow): Promise<{ stream: Readable; reference: string; sha256: string; preview: boolean }> {
    const pdf = await this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.reports.loadForFunder(tx, actor, draft.id);
      const recipients = await this.repo.route(tx, row);
      const pkg = await this.packageOf(tx, { ...row, submitted_at: await this.clock.now(), submitted_by: actor.id, recipients, audit_head: null });
      return renderPdf(reportDossierModel(JSON.parse(pkg.bytes.toString('utf8')), null));
    });
    return { stream: Readable.from(pdf), reference: draft.reference, sha256: sha256Hex(pdf), preview: true };
  }

  async cases(actor: Actor, id: string): Promise<CaseView[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.reports.loadForFunder(tx, actor, id);
      const rows = await this.repo.caseRows(tx, { reportId: id });
      const views: CaseView[] = [];
      for (const r of rows) views.push(await this.repo.caseView(tx, r));
      return views;
    });
  }

  /** The owner's answer to the recipient's open information request. */
  async answer(actor: Actor, id: string, caseId: string, text: string): Promise<CaseView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.reports.loadForFunder(tx, actor, id);
      if (row.organisation_id !== actor.organisationId) throw new AppError('REPORT.OWNER_ONLY', 'The funder that owns the report answers.');
      const kase = await this.repo.caseRow(tx, caseId, true);
      if (kase.report_id !== id) throw new AppError('CASE.NOT_FOUND', `No case ${caseId} on this report.`);
      const view = await this.repo.caseView(tx, kase);
      if (kase.handling_status !== 'INFO_REQUESTED' || !view.openRequest) throw new AppError('CASE.INVALID_TRANSITION', 'No information request awaits an answer on this case.');
      const now = await this.clock.now();
      await tx.query(`INSERT INTO report_case_events (case_id, organisation_id, kind, text, answers, actor_id, at, details) VALUES ($1, $2, 'ANSWERED', $3, $4, $5, $6, $7)`, [
        caseId, actor.organisationId, text, view.openRequest.id, actor.id, now, JSON.stringify({ late: view.openRequest.dueAt !== null && now.toISOString() > view.openRequest.dueAt }),
      ]);
      await tx.query(`UPDATE report_cases SET handling_status = 'ANSWERED' WHERE id = $1`, [caseId]);
      await this.audit.record(tx, actor, { action: 'report.case.answered', entityType: 'report_case', entityId: caseId, details: { reportId: id, requestId: view.openRequest.id } });
      return this.repo.caseView(tx, await this.repo.caseRow(tx, caseId));
    });
  }

  /** A manager sends a dead-lettered (or still pending) case again: ten new attempts from now. */
  async redeliver(actor: Actor, id: string, caseId: string): Promise<CaseView> {
    if (!hasRole(actor, 'manager')) throw new AppError('ACCESS.FORBIDDEN', 'A manager redelivers reports.');
    const view = await this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.reports.loadForFunder(tx, actor, id);
      if (row.organisation_id !== actor.organisationId) throw new AppError('REPORT.OWNER_ONLY', 'The funder that owns the report redelivers it.');
      const kase = await this.repo.caseRow(tx, caseId, true);
      if (kase.report_id !== id) throw new AppError('CASE.NOT_FOUND', `No case ${caseId} on this report.`);
      if (kase.delivery_status === 'DELIVERED') throw new AppError('CASE.INVALID_TRANSITION', 'This case was delivered; there is nothing to send again.');
      const now = await this.clock.now();
      await tx.query(`UPDATE report_cases SET delivery_status = 'PENDING', attempts = 0, next_attempt_at = $2, last_error = NULL WHERE id = $1`, [caseId, now]);
      await tx.query(`INSERT INTO report_case_events (case_id, organisation_id, kind, actor_id, at, details) VALUES ($1, $2, 'REDELIVERY_REQUESTED', $3, $4, $5)`, [
        caseId, actor.organisationId, actor.id, now, JSON.stringify({ previousStatus: kase.delivery_status, previousAttempts: kase.attempts }),
      ]);
      await this.audit.record(tx, actor, { action: 'report.case.redeliver', entityType: 'report_case', entityId: caseId, details: { reportId: id, previousStatus: kase.delivery_status } });
      await this.requestDelivery(tx);
      return this.repo.caseView(tx, await this.repo.caseRow(tx, caseId));
    });
    return view;
  }
}
