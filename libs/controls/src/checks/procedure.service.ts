import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { JobOutbox } from '@bo/queue';
import { BlobStore } from '@bo/storage';
import { DocumentModel, renderPdf } from '@bo/documents';
import { RegistryFactsService } from '@bo/registry';
import { Readable } from 'node:stream';
import { assertTransition, isNonConformity, localDateIn, responseDeadline } from '../rules';
import { CheckRow, CheckView, ChecksService, FindingRow, isoDate } from './checks.service';

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

const GRADE_FR: Record<string, string> = {
  COMPLIANT: 'Conforme',
  MINOR_NC: 'Non-conformité mineure',
  MAJOR_NC: 'Non-conformité majeure',
  NOT_APPLICABLE: 'Non applicable',
};

const METHOD_FR: Record<string, string> = { DOCUMENTARY: 'sur pièces', ON_SITE: 'sur place', REMOTE: 'à distance' };

const frDate = (d: Date | string) =>
  new Date(d).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: 'long', year: 'numeric' });

/**
 * The contradictory procedure of a check (R.6332-26: results notified to the provider, who has
 * at least 7 days to answer), its amendments and frozen versions, and its exports.
 */
@Injectable()
export class CheckProcedureService {
  constructor(
    private readonly db: Db,
    private readonly checks: ChecksService,
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
      const row = await this.checks.loadVisible(tx, actor, id, true);
      if (!row.contact_email && !row.contact_name) {
        throw new AppError('CHECK.CONTACT_REQUIRED', "Enter the provider's contact on the check before notifying it.", {
          errors: [{ field: 'contact', message: 'required before notification' }],
        });
      }
      const findings = await tx.query<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1 ORDER BY point_code`, [id]);
      const graded = new Set(findings.map((f) => f.point_code));
      const missing = (await this.checks.gradablePoints(tx, row)).filter((p) => (row.scope.points[p.code]?.applicable ?? true) && !graded.has(p.code));
      const now = await this.clock.now();
      const error = assertTransition(row.state, 'NOTIFIED', { hasNonConformities: findings.some((f) => isNonConformity(f.grade)), now, missingFindings: missing.length });
      if (error) {
        throw new AppError(error, error === 'CHECK.FINDINGS_MISSING' ? 'Every applicable point needs a finding before notification.' : `A ${row.state} check cannot be notified.`, {
          ...(error === 'CHECK.FINDINGS_MISSING' ? { missingPoints: missing.map((p) => p.code) } : { state: row.state }),
        });
      }
      const dueAt = input.receivedOn ? this.deadline(input.receivedOn, row.region, now) : null;
      const letter = await this.renderLetter(tx, row, findings, now, dueAt);
      const stored = await this.blobs.put(letter);
      await tx.query(
        `UPDATE checks SET state = 'NOTIFIED', notified_at = $2, notified_by = $3, provider_received_on = $4, response_due_at = $5,
                notification_letter_sha256 = $6, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, now, actor.id, input.receivedOn ?? null, dueAt, stored.sha256],
      );
      await this.scanAtDeadline(tx, dueAt);
      const after = await this.checks.view(tx, await this.checks.loadRow(tx, id));
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

  /** Records the date the provider received the notification, which opens the response window. */
  async recordReceipt(actor: Actor, id: string, receivedOn: string): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.checks.loadVisible(tx, actor, id, true);
      if (row.state !== 'NOTIFIED') throw new AppError('CHECK.INVALID_TRANSITION', `The receipt date is recorded on a NOTIFIED check; this one is ${row.state}.`, { state: row.state });
      const now = await this.clock.now();
      const dueAt = this.deadline(receivedOn, row.region, now);
      await tx.query(`UPDATE checks SET provider_received_on = $2, response_due_at = $3, version = version + 1, updated_at = now() WHERE id = $1`, [id, receivedOn, dueAt]);
      await this.scanAtDeadline(tx, dueAt);
      const after = await this.checks.view(tx, await this.checks.loadRow(tx, id));
      await this.audit.record(tx, actor, {
        action: 'check.receipt_recorded',
        entityType: 'check',
        entityId: id,
        before: { providerReceivedOn: isoDate(row.provider_received_on), responseDueAt: row.response_due_at?.toISOString() ?? null },
        after: after.procedure,
      });
      return after;
    });
  }

  private deadline(receivedOn: string, region: string | null, now: Date): Date {
    if (receivedOn > localDateIn(region, now)) {
      throw new AppError('REQUEST.VALIDATION', 'The receipt date cannot be in the future.', { errors: [{ field: 'receivedOn', message: 'in the future' }] });
    }
    return responseDeadline(receivedOn, this.config.RESPONSE_WINDOW_DAYS, region);
  }

  /** The provider's answer (text and documents already uploaded as evidence): NOTIFIED or overdue -> RESPONDED. */
  async recordResponse(actor: Actor, id: string, input: ResponseInput): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.checks.loadVisible(tx, actor, id, true);
      const now = await this.clock.now();
      const error = assertTransition(row.state, 'RESPONDED', { hasNonConformities: true, now });
      if (error) throw new AppError(error, `A provider response is recorded on a notified check; this one is ${row.state}.`, { state: row.state });
      const receivedAt = input.receivedAt ? new Date(input.receivedAt) : now;
      if (receivedAt.getTime() > now.getTime()) {
        throw new AppError('REQUEST.VALIDATION', 'The response cannot be received in the future.', { errors: [{ field: 'receivedAt', message: 'in the future' }] });
      }
      const evidenceIds = [...new Set(input.evidenceIds ?? [])];
      await this.checks.assertEvidenceOfCheck(tx, id, evidenceIds, 'evidenceIds');
      const late = row.response_due_at !== null && receivedAt.getTime() > row.response_due_at.getTime();
      await tx.query(
        `INSERT INTO check_responses (check_id, organisation_id, revision, text, evidence_ids, received_at, late, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, row.organisation_id, row.revision, input.text, evidenceIds, receivedAt, late, actor.id],
      );
      await tx.query(`UPDATE checks SET state = 'RESPONDED', version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      const after = await this.checks.view(tx, await this.checks.loadRow(tx, id));
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
      await this.checks.loadVisible(tx, actor, id);
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
      const row = await this.checks.loadVisible(tx, actor, id, true);
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
      const after = await this.checks.view(tx, await this.checks.loadRow(tx, id));
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
      const row = await this.checks.loadVisible(tx, actor, id);
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
      const view = await this.checks.view(tx, row);
      return { checkId: id, revision, state: row.state, frozen: false, outcome: null, completedAt: null, amendmentReason: row.amendment_reason, snapshotSha256: null, snapshot: { check: view } };
    });
  }

  async versions(actor: Actor, id: string): Promise<{ revision: number; outcome: string; completedAt: string; amendmentReason: string | null; snapshotSha256: string }[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.checks.loadVisible(tx, actor, id);
      const rows = await tx.query<{ revision: number; outcome: string; completed_at: Date; amendment_reason: string | null; snapshot_sha256: string }>(
        `SELECT revision, outcome, completed_at, amendment_reason, snapshot_sha256 FROM check_versions WHERE check_id = $1 ORDER BY revision`,
        [id],
      );
      return rows.map((r) => ({ revision: r.revision, outcome: r.outcome, completedAt: r.completed_at.toISOString(), amendmentReason: r.amendment_reason, snapshotSha256: r.snapshot_sha256 }));
    });
  }

  /** The notification letter of the current version, as sent (checked against its hash). */
  async letter(actor: Actor, id: string): Promise<{ stream: Readable; fileName: string }> {
    const row = await this.db.tx(tenantOf(actor), (tx) => this.checks.loadVisible(tx, actor, id));
    if (!row.notification_letter_sha256) throw new AppError('CHECK.LETTER_NOT_FOUND', 'This version of the check has not been notified.');
    if (!(await this.blobs.verify(row.notification_letter_sha256))) throw new AppError('EVIDENCE.CORRUPT', 'The stored notification letter no longer matches its hash.');
    const stream = await this.blobs.open(row.notification_letter_sha256);
    return { stream: stream!, fileName: `notification-controle-${id}-v${row.revision}.pdf` };
  }

  /** The check (a version, or the current one) as JSON or PDF, from the same document model. */
  async export(actor: Actor, id: string, format: 'json' | 'pdf', revision?: number): Promise<{ json?: unknown; pdf?: Buffer; fileName: string }> {
    const version = await this.version(actor, id, revision ?? (await this.currentRevision(actor, id)));
    const fileName = `controle-${id}-v${version.revision}.${format}`;
    if (format === 'json') return { json: version, fileName };
    const snapshot = version.snapshot as { check: CheckView; responses?: { text: string; received_at: string; late: boolean }[] };
    return { pdf: await renderPdf(await this.exportModel(actor, snapshot.check, version, snapshot.responses ?? [])), fileName };
  }

  private async currentRevision(actor: Actor, id: string): Promise<number> {
    return this.db.tx(tenantOf(actor), async (tx) => (await this.checks.loadVisible(tx, actor, id)).revision);
  }

  private async organisationName(tx: Tx, organisationId: string): Promise<string> {
    return (await tx.one<{ name: string }>(`SELECT name FROM organisations WHERE id = $1`, [organisationId]))?.name ?? '';
  }

  private async providerName(tx: Tx, siret: string, nda: string | null): Promise<string> {
    return (await this.registry.provider(tx, siret, nda))?.name ?? 'Organisme de formation';
  }

  private async pointTitles(tx: Tx, row: CheckRow): Promise<Map<string, string>> {
    return new Map((await this.checks.gradablePoints(tx, row)).map((p) => [p.code, p.title]));
  }

  private async renderLetter(tx: Tx, row: CheckRow, findings: FindingRow[], now: Date, dueAt: Date | null): Promise<Buffer> {
    const titles = await this.pointTitles(tx, row);
    const nonConformities = findings.filter((f) => isNonConformity(f.grade));
    const issuer = await this.organisationName(tx, row.organisation_id);
    const provider = await this.providerName(tx, row.provider_siret, row.provider_nda);
    const model: DocumentModel = {
      title: 'Notification des résultats d’un contrôle qualité',
      subtitle: `${provider} — SIRET ${row.provider_siret}${row.provider_nda ? ` — NDA ${row.provider_nda}` : ''}`,
      issuer,
      createdAt: now,
      reference: `Contrôle ${row.id} — version ${row.revision}`,
      sections: [
        {
          heading: 'Destinataire',
          fields: [
            ['Contact', row.contact_name ?? ''],
            ['Courriel', row.contact_email ?? ''],
          ],
        },
        {
          heading: 'Objet',
          paragraphs: [
            `Dans le cadre de ses obligations de contrôle de la qualité des actions qu’il finance (article L.6316-3 du code du travail), ${issuer} a réalisé un contrôle ${METHOD_FR[row.method] ?? ''} au regard du référentiel ${row.framework_code} (version ${row.framework_version}).`,
            nonConformities.length
              ? `Le contrôle relève ${nonConformities.length} non-conformité(s), détaillée(s) ci-dessous.`
              : 'Le contrôle ne relève aucune non-conformité.',
          ],
        },
        {
          heading: 'Constats',
          table: {
            columns: [{ header: 'Point', width: 1 }, { header: 'Libellé', width: 3 }, { header: 'Constat', width: 2 }, { header: 'Commentaire', width: 3 }],
            rows: nonConformities.map((f) => [f.point_code, titles.get(f.point_code) ?? '', GRADE_FR[f.grade], f.comment ?? '']),
          },
        },
        {
          heading: 'Vos observations',
          paragraphs: [
            dueAt
              ? `Vous disposez d’un délai de ${this.config.RESPONSE_WINDOW_DAYS} jours à compter de la réception de la présente notification, soit jusqu’au ${frDate(dueAt)} inclus, pour faire part de vos observations et transmettre toute pièce utile (article R.6332-26 du code du travail).`
              : `Vous disposez d’un délai de ${this.config.RESPONSE_WINDOW_DAYS} jours à compter de la réception de la présente notification pour faire part de vos observations et transmettre toute pièce utile (article R.6332-26 du code du travail).`,
            'À défaut de réponse dans ce délai, les résultats du contrôle pourront être arrêtés en l’état.',
          ],
        },
      ],
    };
    return renderPdf(model);
  }

  private async exportModel(actor: Actor, check: CheckView, version: CheckVersionView, responses: { text: string; received_at: string; late: boolean }[]): Promise<DocumentModel> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.checks.loadRow(tx, check.id);
      const titles = await this.pointTitles(tx, row);
      const provider = await this.providerName(tx, check.providerSiret, check.providerNda);
      return {
        title: `Contrôle qualité — ${provider}`,
        subtitle: `SIRET ${check.providerSiret}${check.providerNda ? ` — NDA ${check.providerNda}` : ''} — référentiel ${check.framework.code} v${check.framework.version}`,
        issuer: await this.organisationName(tx, check.organisationId),
        createdAt: version.completedAt ? new Date(version.completedAt) : new Date(check.updatedAt),
        reference: `Contrôle ${check.id} — version ${version.revision}${version.frozen ? ` — empreinte ${version.snapshotSha256?.slice(0, 16)}` : ' — version de travail'}`,
        sections: [
          {
            heading: 'Synthèse',
            fields: [
              ['État', version.frozen ? 'Terminé' : check.state],
              ['Résultat', version.outcome ?? '—'],
              ['Méthode', METHOD_FR[check.method] ?? check.method],
              ['Catégories', check.scope.categories.join(', ')],
              ['Points applicables', `${check.scope.counts.applicable} / ${check.scope.counts.total}`],
              ['Notifié le', check.procedure.notifiedAt ? frDate(check.procedure.notifiedAt) : '—'],
              ['Reçu par l’organisme le', check.procedure.providerReceivedOn ?? '—'],
              ['Fin du délai de réponse', check.procedure.responseDueAt ? frDate(check.procedure.responseDueAt) : '—'],
              ['Motif de la modification', version.amendmentReason ?? '—'],
            ],
          },
          {
            heading: 'Constats par point',
            table: {
              columns: [{ header: 'Point', width: 1 }, { header: 'Libellé', width: 4 }, { header: 'Constat', width: 2 }, { header: 'Commentaire', width: 3 }],
              rows: check.findings.map((f) => [f.pointCode, titles.get(f.pointCode) ?? '', GRADE_FR[f.grade], f.comment ?? '']),
            },
          },
          {
            heading: 'Réponse de l’organisme',
            paragraphs: responses.length ? responses.map((r) => `${frDate(r.received_at)}${r.late ? ' (hors délai)' : ''} : ${r.text}`) : ['Aucune réponse enregistrée.'],
          },
        ],
      };
    });
  }
}
