import { Injectable } from '@nestjs/common';
import { AppError, Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, hasRole, tenantOf, writesReports } from '@bo/access';
import { AuditService } from '@bo/audit';
import { CheckProcedureService } from '@bo/controls';
import { PricingService } from '@bo/pricing';
import { ProvidersService } from '@bo/registry';
import { pinAnomaly, pinCheckVersion } from './pinning';
import { ReportRepository, ReportRow } from './report.repository';
import type { Claim, ReportView } from './reports.types';

export interface CreateReportInput {
  providerSiret: string;
  providerNda?: string;
  title: string;
  claims?: Claim[];
  narrative?: string;
  certifierId?: string;
}

export type UpdateReportInput = Partial<Pick<CreateReportInput, 'title' | 'claims' | 'narrative'>> & { certifierId?: string | null };

export type GroundInput =
  | { kind: 'CHECK_VERSION'; checkId: string; revision: number; personalDataLegalGround?: string }
  | { kind: 'PRICE_ANOMALY'; anomalyId: string };

/**
 * Drafting a report: the owner writes it, picks grounds (completed check versions it may see,
 * pinned; its own confirmed price anomalies), invites co-signing funders, who accept and add
 * grounds from their own checks. Submission and what follows are in submission.service.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: Db,
    private readonly repo: ReportRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly providers: ProvidersService,
    private readonly procedure: CheckProcedureService,
    private readonly pricing: PricingService,
  ) {}

  private assertWriter(actor: Actor): void {
    if (!writesReports(actor)) throw new AppError('ACCESS.FORBIDDEN', 'Only the officers and managers of a funder draft reports.');
  }

  async create(actor: Actor, input: CreateReportInput): Promise<ReportView> {
    this.assertWriter(actor);
    const establishment = await this.providers.establishment(input.providerSiret);
    const nda = input.providerNda ? establishment.ndas.find((n) => n.nda === input.providerNda) : establishment.ndas[0];
    if (!nda) throw new AppError('PROVIDER.NDA_NOT_AT_SIRET', `NDA ${input.providerNda} is not at SIRET ${establishment.siret}.`, { errors: [{ field: 'providerNda', message: 'not at this SIRET' }] });
    const now = await this.clock.now();
    return this.db.tx(tenantOf(actor), async (tx) => {
      const [{ id }] = await tx.query<{ id: string }>(`SELECT gen_random_uuid()::text AS id`);
      await tx.query(
        `INSERT INTO reports (id, organisation_id, reference, provider_siret, provider_nda, provider_name, provider_region, title, claims, narrative, certifier_id, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
        [id, actor.organisationId, `SIG-${now.getUTCFullYear()}-${id.slice(0, 8).toUpperCase()}`, establishment.siret, input.providerNda ?? (establishment.ndas.length === 1 ? nda.nda : null),
          nda.name, nda.address.region, input.title, JSON.stringify(input.claims ?? []), input.narrative ?? '', input.certifierId ?? null, actor.id, now],
      );
      if (input.certifierId) await this.assertCertifier(tx, input.certifierId);
      const row = await this.repo.loadRow(tx, id);
      await this.audit.record(tx, actor, { action: 'report.created', entityType: 'report', entityId: id, after: { reference: row.reference, providerSiret: row.provider_siret } });
      return this.repo.view(tx, row, actor.organisationId);
    });
  }

  async list(actor: Actor, query: { limit: number; cursor?: string; status?: string; providerSiret?: string }): Promise<Page<ReportView>> {
    this.assertWriter(actor);
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    return this.db.tx(tenantOf(actor), async (tx) => {
      // Row-level security keeps the reports the organisation is a party to; here, as owner or co-signer.
      const rows = await tx.query<ReportRow>(
        `SELECT r.* FROM reports r
          WHERE (r.organisation_id = $1 OR EXISTS (SELECT 1 FROM report_cosigners c WHERE c.report_id = r.id AND c.organisation_id = $1))
            AND ($2::timestamptz IS NULL OR (r.created_at, r.id) < ($2::timestamptz, $3::uuid))
            AND ($4::text IS NULL OR r.status = $4) AND ($5::text IS NULL OR r.provider_siret = $5)
          ORDER BY r.created_at DESC, r.id DESC LIMIT $6`,
        [actor.organisationId, after?.[0] ?? null, after?.[1] ?? null, query.status ?? null, query.providerSiret ?? null, query.limit + 1],
      );
      const views: ReportView[] = [];
      for (const row of rows) views.push(await this.repo.view(tx, row, actor.organisationId));
      return toPage(views, query.limit, (v) => [v.createdAt, v.id], (v) => v);
    });
  }

  async get(actor: Actor, id: string): Promise<ReportView> {
    this.assertWriter(actor);
    return this.db.tx(tenantOf(actor), async (tx) => this.repo.view(tx, await this.loadForFunder(tx, actor, id), actor.organisationId));
  }

  async update(actor: Actor, id: string, input: UpdateReportInput, checkVersion: (version: number) => void): Promise<ReportView> {
    this.assertWriter(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.loadDraftAsOwner(tx, actor, id);
      checkVersion(row.version);
      if (input.certifierId) await this.assertCertifier(tx, input.certifierId);
      await tx.query(
        `UPDATE reports SET title = $2, claims = $3, narrative = $4, certifier_id = $5, version = version + 1, updated_at = $6 WHERE id = $1`,
        [id, input.title ?? row.title, JSON.stringify(input.claims ?? row.claims), input.narrative ?? row.narrative, input.certifierId === undefined ? row.certifier_id : input.certifierId, await this.clock.now()],
      );
      const after = await this.repo.loadRow(tx, id);
      await this.audit.record(tx, actor, { action: 'report.updated', entityType: 'report', entityId: id, before: { title: row.title, claims: row.claims, narrative: row.narrative }, after: { title: after.title, claims: after.claims, narrative: after.narrative } });
      return this.repo.view(tx, after, actor.organisationId);
    });
  }

  /**
   * Adds a ground, pinned: a completed check version the caller may see (libs/controls decides,
   * under libs/access) whose content is copied in with its hashes, or one of the caller's own
   * confirmed price anomalies. The owner adds any visible check; an accepted co-signer adds its
   * own checks. Personal-data evidence is included only by the check owner's manager, with a
   * stated legal ground.
   */
  async addGround(actor: Actor, id: string, input: GroundInput): Promise<ReportView> {
    this.assertWriter(actor);
    const row = await this.db.tx(tenantOf(actor), (tx) => this.loadForFunder(tx, actor, id));
    if (row.status !== 'DRAFT') throw new AppError('REPORT.NOT_DRAFT', `Report ${row.reference} is sealed.`);
    const owner = row.organisation_id === actor.organisationId;
    if (!owner) {
      const accepted = await this.db.tx(tenantOf(actor), (tx) => tx.one(`SELECT 1 FROM report_cosigners WHERE report_id = $1 AND organisation_id = $2 AND status = 'ACCEPTED'`, [id, actor.organisationId]));
      if (!accepted) throw new AppError('REPORT.NOT_COSIGNER', 'Accept the invitation to co-sign before adding grounds.');
    }
    let pinned;
    let ref: { checkId: string | null; revision: number | null; anomalyId: string | null; legalGround: string | null };
    if (input.kind === 'CHECK_VERSION') {
      const version = await this.procedure.version(actor, input.checkId, input.revision);
      const snapshot = version.snapshot as { check: { organisationId: string; providerSiret: string } };
      if (!version.frozen) throw new AppError('REPORT.GROUND_INVALID', `Version ${input.revision} of check ${input.checkId} is not completed.`, { errors: [{ field: 'revision', message: 'not a completed version' }] });
      if (snapshot.check.providerSiret !== row.provider_siret) throw new AppError('REPORT.GROUND_INVALID', 'The check is about another establishment.', { errors: [{ field: 'checkId', message: 'another establishment' }] });
      const ownsCheck = snapshot.check.organisationId === actor.organisationId;
      if (!owner && !ownsCheck) throw new AppError('REPORT.GROUND_INVALID', 'A co-signer adds grounds from checks it owns.', { errors: [{ field: 'checkId', message: 'not a check of your organisation' }] });
      const legalGround = input.personalDataLegalGround?.trim() || null;
      if (legalGround && !(ownsCheck && hasRole(actor, 'manager'))) {
        throw new AppError('REPORT.PERSONAL_DATA_GROUND', "Only a manager of the check's owner includes personal-data evidence.", { errors: [{ field: 'personalDataLegalGround', message: 'manager of the check owner only' }] });
      }
      pinned = pinCheckVersion(version, legalGround);
      ref = { checkId: input.checkId, revision: input.revision, anomalyId: null, legalGround };
    } else {
      const anomaly = await this.pricing.anomaly(actor, input.anomalyId);
      if (anomaly.status !== 'CONFIRMED') throw new AppError('REPORT.GROUND_INVALID', `Anomaly ${anomaly.id} is ${anomaly.status}, not confirmed.`, { errors: [{ field: 'anomalyId', message: 'not confirmed' }] });
      if (anomaly.providerSiret !== row.provider_siret) throw new AppError('REPORT.GROUND_INVALID', 'The anomaly is about another establishment.', { errors: [{ field: 'anomalyId', message: 'another establishment' }] });
      pinned = pinAnomaly(anomaly);
      ref = { checkId: null, revision: null, anomalyId: anomaly.id, legalGround: null };
    }
    return this.db.tx(tenantOf(actor), async (tx) => {
      const current = await this.repo.loadRow(tx, id, owner);
      if (current.status !== 'DRAFT') throw new AppError('REPORT.NOT_DRAFT', `Report ${current.reference} is sealed.`);
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO report_grounds (report_id, organisation_id, kind, check_id, check_revision, anomaly_id, framework_code, content, content_sha256, personal_data_legal_ground, added_by, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING id`,
        [id, actor.organisationId, input.kind, ref.checkId, ref.revision, ref.anomalyId, pinned.frameworkCode, JSON.stringify(pinned.content), pinned.contentSha256, ref.legalGround, actor.id, await this.clock.now()],
      );
      if (inserted.length) {
        await this.audit.record(tx, actor, { action: 'report.ground.added', entityType: 'report', entityId: id, details: { groundId: inserted[0].id, kind: input.kind, ...ref, contentSha256: pinned.contentSha256 } });
      }
      return this.repo.view(tx, current, actor.organisationId);
    });
  }

  /**
   * Adds a file (already stored and checked by the evidence gate: allowlisted media types, no
   * active content) to a draft, by the owner or an accepted co-signer. A personal-data file is
   * sealed by its hash only.
   */
  async addAttachment(actor: Actor, id: string, file: { sha256: string; size: number; mediaType: string; fileName: string | null }, input: { description?: string; personalData: boolean }): Promise<ReportView> {
    this.assertWriter(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.loadForFunder(tx, actor, id);
      if (row.status !== 'DRAFT') throw new AppError('REPORT.NOT_DRAFT', `Report ${row.reference} is sealed.`);
      if (row.organisation_id !== actor.organisationId) {
        const accepted = await tx.one(`SELECT 1 FROM report_cosigners WHERE report_id = $1 AND organisation_id = $2 AND status = 'ACCEPTED'`, [id, actor.organisationId]);
        if (!accepted) throw new AppError('REPORT.NOT_COSIGNER', 'Accept the invitation to co-sign before adding files.');
      }
      const [{ id: attachmentId }] = await tx.query<{ id: string }>(
        `INSERT INTO report_attachments (report_id, organisation_id, sha256, size, media_type, file_name, description, personal_data, added_by, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [id, actor.organisationId, file.sha256, file.size, file.mediaType, file.fileName, input.description ?? null, input.personalData, actor.id, await this.clock.now()],
      );
      await this.audit.record(tx, actor, { action: 'report.attachment.added', entityType: 'report', entityId: id, details: { attachmentId, sha256: file.sha256, personalData: input.personalData } });
      return this.repo.view(tx, row, actor.organisationId);
    });
  }

  /** The owner invites a funder that funds or has checked the provider. */
  async inviteCosigner(actor: Actor, id: string, organisationId: string): Promise<ReportView> {
    this.assertWriter(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.loadDraftAsOwner(tx, actor, id);
      const may = await tx.one<{ ok: boolean }>(`SELECT report_may_cosign($1, $2) AS ok`, [organisationId, row.provider_siret]);
      if (organisationId === actor.organisationId || !may?.ok) {
        throw new AppError('REPORT.COSIGNER_INVALID', 'Only another funder that funds or has checked this provider may co-sign.', { errors: [{ field: 'organisationId', message: 'neither funds nor has checked the provider' }] });
      }
      await tx.query(`INSERT INTO report_cosigners (report_id, organisation_id, invited_by, invited_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [id, organisationId, actor.id, await this.clock.now()]);
      await this.audit.record(tx, actor, { action: 'report.cosigner.invited', entityType: 'report', entityId: id, details: { organisationId } });
      return this.repo.view(tx, row, actor.organisationId);
    });
  }

  /** An invited funder accepts to co-sign (it may then add grounds from its own checks). */
  async acceptCosigning(actor: Actor, id: string, organisationId: string): Promise<ReportView> {
    this.assertWriter(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.loadForFunder(tx, actor, id);
      if (organisationId !== actor.organisationId) throw new AppError('REPORT.NOT_INVITED', 'You accept for your own organisation only.');
      const updated = await tx.query(
        `UPDATE report_cosigners SET status = 'ACCEPTED', accepted_by = $3, accepted_at = $4 WHERE report_id = $1 AND organisation_id = $2 AND status = 'INVITED' RETURNING 1`,
        [id, organisationId, actor.id, await this.clock.now()],
      );
      const exists = await tx.one(`SELECT 1 FROM report_cosigners WHERE report_id = $1 AND organisation_id = $2`, [id, organisationId]);
      if (!exists) throw new AppError('REPORT.NOT_INVITED', 'Your organisation is not invited to co-sign this report.');
      if (row.status !== 'DRAFT') throw new AppError('REPORT.NOT_DRAFT', `Report ${row.reference} is sealed.`);
      if (updated.length) await this.audit.record(tx, actor, { action: 'report.cosigner.accepted', entityType: 'report', entityId: id });
      return this.repo.view(tx, row, actor.organisationId);
    });
  }

  /** A report the caller's funder owns or co-signs (not merely receives): 404 otherwise. */
  async loadForFunder(tx: Tx, actor: Actor, id: string, forUpdate = false): Promise<ReportRow> {
    const row = await this.repo.loadRow(tx, id, forUpdate);
    if (row.organisation_id === actor.organisationId) return row;
    const cosigner = await tx.one(`SELECT 1 FROM report_cosigners WHERE report_id = $1 AND organisation_id = $2`, [id, actor.organisationId]);
    if (!cosigner) throw new AppError('REPORT.NOT_FOUND', `No report ${id}.`);
    return row;
  }

  async loadDraftAsOwner(tx: Tx, actor: Actor, id: string): Promise<ReportRow> {
    // Only the owner may lock the row (row-level security): check ownership before locking.
    if ((await this.loadForFunder(tx, actor, id)).organisation_id !== actor.organisationId) throw new AppError('REPORT.OWNER_ONLY', 'Only the funder that owns the report does this.');
    const row = await this.repo.loadRow(tx, id, true);
    if (row.status !== 'DRAFT') throw new AppError('REPORT.NOT_DRAFT', `Report ${row.reference} is sealed.`);
    return row;
  }

  private async assertCertifier(tx: Tx, id: string): Promise<void> {
    const found = await tx.one(`SELECT 1 FROM organisations WHERE id = $1 AND kind = 'CERTIFIER' AND active`, [id]);
    if (!found) throw new AppError('PROVIDER.CERTIFIER_INVALID', 'certifierId is not a certifier organisation.', { errors: [{ field: 'certifierId', message: 'not a certifier organisation' }] });
  }
}
