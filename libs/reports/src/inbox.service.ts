import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig, AppError, Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, handlesReportCases, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { SigningService } from '@bo/signing';
import { CERTIFICATION_CATEGORIES, CertificationsService, ProvidersService } from '@bo/registry';
import { sha256Hex } from './canonical';
import { DELIVERY_HEADERS, PACKAGE_MEDIA_TYPE, recipientSecret, verifyDelivery } from './delivery-signature';
import { ReportRepository } from './report.repository';
import { SubmissionService, SealVerification } from './submission.service';
import { CERTIFIER_OUTCOMES, CONTROL_SERVICE_OUTCOMES, DEFAULT_ANSWER_DAYS } from './reports.types';
import type { CaseOutcome, CaseView, HandlingStatus } from './reports.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface InboxStatistics {
  scope: 'REGION' | 'ALL_REGIONS' | 'CERTIFIER';
  total: number;
  byRegion: { region: string | null; count: number }[];
  byIndicator: { indicator: string; count: number }[];
  byFunder: { funder: string; count: number }[];
  byOutcome: { outcome: string | null; count: number }[];
  byStatus: { status: string | null; count: number }[];
  timeToAcknowledgeHours: { acknowledged: number; median: number | null; average: number | null };
}

/**
 * The receiving side, inside the product: the built-in inbox takes signed deliveries (checked
 * signature and timestamp, deduplicated by key), and the agents of the recipient organisation
 * (control service `ministry`, certifier `certifier`) handle their cases: acknowledge, request
 * information (the funder answers), forward to the certifier (control services), close with an
 * outcome; a certifier's outcome becomes an observation on the provider's certification.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly repo: ReportRepository,
    private readonly submission: SubmissionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly signing: SigningService,
    private readonly config: AppConfig,
    private readonly certifications: CertificationsService,
    private readonly providers: ProvidersService,
  ) {}

  /** `POST /inbox/deliveries`: authenticated by the HMAC signature, not by a token. */
  async receive(headers: Record<string, string | string[] | undefined>, raw: Buffer | undefined): Promise<{ acknowledgementId: string; duplicate: boolean }> {
    const header = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const recipient = header(DELIVERY_HEADERS.recipient) ?? '';
    const caseId = header(DELIVERY_HEADERS.caseId) ?? '';
    if (!UUID.test(recipient)) throw new AppError('INBOX.SIGNATURE_INVALID', 'The delivery names no valid recipient.');
    // Signed bytes only: any other media type would have been parsed, and its bytes lost.
    if (!raw) throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', `Send the sealed package as ${PACKAGE_MEDIA_TYPE}.`);
    const body = raw;
    const check = verifyDelivery(recipientSecret(this.config.JWT_SECRET, recipient), { timestamp: header(DELIVERY_HEADERS.timestamp), signature: header(DELIVERY_HEADERS.signature) }, body, (await this.clock.now()).getTime());
    if (!check.ok) {
      throw new AppError(check.reason === 'SIGNATURE_INVALID' ? 'INBOX.SIGNATURE_INVALID' : 'INBOX.TIMESTAMP_INVALID', check.reason === 'SIGNATURE_INVALID' ? 'The delivery signature does not verify.' : 'The delivery timestamp is missing or outside the replay window.');
    }
    const key = header(DELIVERY_HEADERS.idempotencyKey);
    if (!key || key.length > 200) throw new AppError('REQUEST.VALIDATION', 'A delivery carries an Idempotency-Key.', { errors: [{ field: 'Idempotency-Key', message: 'required (1-200 characters)' }] });
    if (!UUID.test(caseId)) throw new AppError('INBOX.DELIVERY_UNKNOWN', 'The delivery names no valid case.');
    const bodySha = sha256Hex(body);
    const actor = { kind: 'system' as const, id: null, organisationId: recipient, label: 'inbox' };
    return this.db.tx({ organisationId: recipient, userId: null }, async (tx) => {
      const previous = await tx.one<{ acknowledgement_id: string; body_sha256: string }>(`SELECT acknowledgement_id, body_sha256 FROM inbox_receipts WHERE idempotency_key = $1`, [key]);
      if (previous) {
        if (previous.body_sha256 !== bodySha) throw new AppError('INBOX.KEY_REUSED', 'This Idempotency-Key came with another package.');
        return { acknowledgementId: previous.acknowledgement_id, duplicate: true };
      }
      const target = await tx.one<{ package_sha256: string; seal_signature: string; seal_key_id: string; report_id: string }>(
        `SELECT r.package_sha256, r.seal_signature, r.seal_key_id, r.id AS report_id FROM report_cases k JOIN reports r ON r.id = k.report_id
          WHERE k.id = $1 AND k.recipient_organisation_id = $2`,
        [caseId, recipient],
      );
      if (!target || target.package_sha256 !== bodySha || !this.signing.verify(target.package_sha256, target.seal_signature, target.seal_key_id)) {
        throw new AppError('INBOX.DELIVERY_UNKNOWN', 'The package is not the sealed package of a report addressed to this recipient.');
      }
      const now = await this.clock.now();
      const ack = `ACK-${now.getUTCFullYear()}-${randomBytes(6).toString('hex').toUpperCase()}`;
      const inserted = await tx.query(
        `INSERT INTO inbox_receipts (idempotency_key, recipient_organisation_id, case_id, body_sha256, acknowledgement_id, received_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1`,
        [key, recipient, caseId, bodySha, ack, now],
      );
      if (!inserted.length) {
        const raced = await tx.one<{ acknowledgement_id: string }>(`SELECT acknowledgement_id FROM inbox_receipts WHERE idempotency_key = $1`, [key]);
        return { acknowledgementId: raced!.acknowledgement_id, duplicate: true };
      }
      await tx.query(`UPDATE report_cases SET handling_status = 'RECEIVED' WHERE id = $1 AND handling_status IS NULL`, [caseId]);
      await tx.query(`INSERT INTO report_case_events (case_id, organisation_id, kind, at, details) VALUES ($1, $2, 'RECEIVED', $3, $4)`, [caseId, recipient, now, JSON.stringify({ acknowledgementId: ack, packageSha256: bodySha })]);
      await this.audit.record(tx, actor, { action: 'inbox.delivery.received', entityType: 'report_case', entityId: caseId, details: { reportId: target.report_id, acknowledgementId: ack, packageSha256: bodySha } });
      return { acknowledgementId: ack, duplicate: false };
    });
  }

  private assertAgent(actor: Actor): void {
    if (!handlesReportCases(actor)) throw new AppError('ACCESS.FORBIDDEN', 'Only the agents of a control service or a certifier handle report cases.');
  }

  /** A case addressed to the caller's organisation (404 otherwise, and before delivery). */
  private async ownCase(tx: Tx, actor: Actor, caseId: string, forUpdate = false) {
    if (!UUID.test(caseId)) throw new AppError('CASE.NOT_FOUND', `No case ${caseId}.`);
    const row = await this.repo.caseRow(tx, caseId, forUpdate);
    if (row.recipient_organisation_id !== actor.organisationId || row.handling_status === null) throw new AppError('CASE.NOT_FOUND', `No case ${caseId}.`);
    return row;
  }

  async list(actor: Actor, query: { limit: number; cursor?: string; status?: HandlingStatus }): Promise<Page<CaseView & { report: { reference: string; title: string; providerSiret: string; providerName: string | null; senderName: string } }>> {
    this.assertAgent(actor);
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = (await this.repo.caseRows(tx, { recipientOrganisationId: actor.organisationId, handlingStatus: query.status, after, limit: query.limit + 1 })).filter((r) => r.handling_status !== null);
      const views = [];
      for (const r of rows) {
        const report = await this.repo.loadRow(tx, r.report_id);
        const sender = await this.repo.organisation(tx, report.organisation_id);
        views.push({ ...(await this.repo.caseView(tx, r)), report: { reference: report.reference, title: report.title, providerSiret: report.provider_siret, providerName: report.provider_name, senderName: sender.name } });
      }
      return toPage(views, query.limit, (v) => [v.createdAt, v.id], (v) => v);
    });
  }

  /** The case with its sealed package (as delivered) and the seal verified now. */
  async get(actor: Actor, caseId: string): Promise<{ case: CaseView; package: unknown; seal: SealVerification }> {
    this.assertAgent(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.ownCase(tx, actor, caseId);
      const report = await this.repo.loadRow(tx, row.report_id);
      const bytes = await this.submission.readBlob(report.package_sha256!);
      return { case: await this.repo.caseView(tx, row), package: bytes ? JSON.parse(bytes.toString('utf8')) : null, seal: await this.submission.verifyRow(tx, report) };
    });
  }

  private async transition(actor: Actor, caseId: string, from: readonly HandlingStatus[], work: (tx: Tx, row: Awaited<ReturnType<InboxService['ownCase']>>, now: Date) => Promise<void>): Promise<CaseView> {
    this.assertAgent(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.ownCase(tx, actor, caseId, true);
      if (!from.includes(row.handling_status!)) throw new AppError('CASE.INVALID_TRANSITION', `The case is ${row.handling_status}; this needs ${from.join(' or ')}.`);
      await work(tx, row, await this.clock.now());
      return this.repo.caseView(tx, await this.repo.caseRow(tx, caseId));
    });
  }

  async acknowledge(actor: Actor, caseId: string): Promise<CaseView> {
    return this.transition(actor, caseId, ['RECEIVED'], async (tx, row, now) => {
      await tx.query(`UPDATE report_cases SET handling_status = 'ACKNOWLEDGED', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1`, [caseId, now, actor.id]);
      await this.event(tx, actor, caseId, 'ACKNOWLEDGED', now);
      await tx.query(`SELECT report_notify_parties($1, 'REPORT_CASE_ACKNOWLEDGED', $2, $3)`, [row.report_id, caseId, JSON.stringify({ caseId, recipient: row.recipient_name })]);
      await this.audit.record(tx, actor, { action: 'inbox.case.acknowledged', entityType: 'report_case', entityId: caseId });
    });
  }

  /** Asks the reporting funder for information, with a deadline (default 15 days). */
  async requestInfo(actor: Actor, caseId: string, input: { text: string; dueAt?: string }): Promise<CaseView> {
    return this.transition(actor, caseId, ['ACKNOWLEDGED', 'ANSWERED'], async (tx, row, now) => {
      const dueAt = input.dueAt ? new Date(input.dueAt) : new Date(now.getTime() + DEFAULT_ANSWER_DAYS * 86_400_000);
      if (dueAt <= now) throw new AppError('REQUEST.VALIDATION', 'The deadline is in the past.', { errors: [{ field: 'dueAt', message: 'must be in the future' }] });
      await tx.query(`UPDATE report_cases SET handling_status = 'INFO_REQUESTED' WHERE id = $1`, [caseId]);
      const id = await this.event(tx, actor, caseId, 'INFO_REQUESTED', now, input.text, dueAt);
      await tx.query(`SELECT report_notify_parties($1, 'REPORT_INFO_REQUESTED', $2, $3)`, [row.report_id, id, JSON.stringify({ caseId, recipient: row.recipient_name, dueAt: dueAt.toISOString() })]);
      await this.audit.record(tx, actor, { action: 'inbox.case.info_requested', entityType: 'report_case', entityId: caseId, details: { dueAt: dueAt.toISOString() } });
    });
  }

  /**
   * A control service forwards the case to the provider's certifier: a case opens for the
   * certifier (delivered by the worker like any other) and counts as closed for the service.
   */
  async forward(actor: Actor, caseId: string, note: string | undefined): Promise<CaseView> {
    if (actor.organisationKind !== 'CONTROL_SERVICE') throw new AppError('CASE.OUTCOME_NOT_ALLOWED', 'Only a control service forwards a case to the certifier.');
    const view = await this.transition(actor, caseId, ['ACKNOWLEDGED', 'ANSWERED'], async (tx, row, now) => {
      const report = await this.repo.loadRow(tx, row.report_id);
      const recorded = await this.certifications.certifierOf(report.provider_siret.slice(0, 9), tx);
      const certifierId = recorded?.certifier.id ?? report.certifier_id;
      if (!certifierId) throw new AppError('REPORT.CERTIFIER_UNKNOWN', "The provider's certifier is not known: the case cannot be forwarded.");
      await tx.query(
        `INSERT INTO report_cases (report_id, recipient_organisation_id, recipient_kind, region, rules, reason, forwarded_from, next_attempt_at, created_at)
         VALUES ($1, $2, 'CERTIFIER', NULL, ARRAY['FORWARDED_BY_CONTROL_SERVICE'], $3, $4, $5, $5) ON CONFLICT (report_id, recipient_organisation_id) DO NOTHING`,
        [row.report_id, certifierId, `Transmis par ${row.recipient_name}${note ? ` : ${note}` : ''}`, caseId, now],
      );
      await tx.query(`UPDATE report_cases SET handling_status = 'FORWARDED_TO_CERTIFIER', outcome = 'FORWARDED_TO_CERTIFIER', outcome_note = $2, closed_at = $3, closed_by = $4 WHERE id = $1`, [caseId, note ?? null, now, actor.id]);
      await this.event(tx, actor, caseId, 'FORWARDED_TO_CERTIFIER', now, note ?? null, null, { certifierId });
      await tx.query(`SELECT report_notify_parties($1, 'REPORT_CASE_FORWARDED', $2, $3)`, [row.report_id, caseId, JSON.stringify({ caseId, recipient: row.recipient_name })]);
      await tx.query(`SELECT report_close_if_done($1, $2)`, [row.report_id, now]);
      await this.audit.record(tx, actor, { action: 'inbox.case.forwarded', entityType: 'report_case', entityId: caseId, details: { certifierId } });
      await this.submission.requestDelivery(tx);
    });
    return view;
  }

  /**
   * Closes the case with an outcome. A certifier's decision is recorded first as an observation
   * on the provider's certification (source CERTIFIER_DECISION, through the registry's authority
   * rules) for each category the establishment holds: suspended or withdrawn => not certified;
   * an on-site audit or no action restates the certification with the decision as reference.
   */
  async close(actor: Actor, caseId: string, input: { outcome: CaseOutcome; note?: string }): Promise<CaseView> {
    this.assertAgent(actor);
    const allowed: readonly string[] = actor.organisationKind === 'CERTIFIER' ? CERTIFIER_OUTCOMES : CONTROL_SERVICE_OUTCOMES;
    if (!allowed.includes(input.outcome)) {
      throw new AppError('CASE.OUTCOME_NOT_ALLOWED', `Outcome ${input.outcome} is not one your organisation gives (${allowed.join(', ')}).`, { errors: [{ field: 'outcome', message: `one of ${allowed.join(', ')}` }] });
    }
    const { row, report } = await this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.ownCase(tx, actor, caseId);
      if (!['ACKNOWLEDGED', 'ANSWERED', 'INFO_REQUESTED'].includes(row.handling_status!)) throw new AppError('CASE.INVALID_TRANSITION', `The case is ${row.handling_status}; acknowledge it first.`);
      return { row, report: await this.repo.loadRow(tx, row.report_id) };
    });
    const observations: string[] = [];
    // Only the certifier the registry records for the provider writes its certification history
    // (docs/registry.md, "Authority"); one the author named by hand closes its case without it.
    const recorded = actor.organisationKind === 'CERTIFIER' ? await this.certifications.certifierOf(report.provider_siret.slice(0, 9)) : null;
    const registryWritten = recorded?.certifier.id === actor.organisationId;
    if (registryWritten) {
      const establishment = await this.providers.establishment(report.provider_siret);
      for (const nda of establishment.ndas.filter((n) => !report.provider_nda || n.nda === report.provider_nda)) {
        for (const category of CERTIFICATION_CATEGORIES) {
          if (nda.certifications[category]?.status !== 'CERTIFIED') continue;
          const observation = await this.certifications.record(actor, report.provider_siret, category, {
            nda: nda.nda,
            certified: !(input.outcome === 'SUSPENSION' || input.outcome === 'WITHDRAWAL'),
            reference: `Signalement ${report.reference} — ${input.outcome}${input.note ? ` — ${input.note.slice(0, 200)}` : ''}`,
          });
          observations.push(String((observation.observation as { id: string }).id));
        }
      }
    }
    return this.transition(actor, caseId, ['ACKNOWLEDGED', 'ANSWERED', 'INFO_REQUESTED'], async (tx, kase, now) => {
      await tx.query(`UPDATE report_cases SET handling_status = 'CLOSED', outcome = $2, outcome_note = $3, closed_at = $4, closed_by = $5 WHERE id = $1`, [caseId, input.outcome, input.note ?? null, now, actor.id]);
      await this.event(tx, actor, caseId, 'CLOSED', now, input.note ?? null, null, {
        outcome: input.outcome,
        observations,
        ...(actor.organisationKind === 'CERTIFIER' && !registryWritten ? { registry: 'NOT_THE_RECORDED_CERTIFIER' } : {}),
      });
      await tx.query(`SELECT report_notify_parties($1, 'REPORT_CASE_CLOSED', $2, $3)`, [kase.report_id, caseId, JSON.stringify({ caseId, recipient: kase.recipient_name, outcome: input.outcome })]);
      await tx.query(`SELECT report_close_if_done($1, $2)`, [kase.report_id, now]);
      await this.audit.record(tx, actor, { action: 'inbox.case.closed', entityType: 'report_case', entityId: caseId, details: { outcome: input.outcome, observations, reportId: row.report_id } });
    });
  }

  private async event(tx: Tx, actor: Actor, caseId: string, kind: string, at: Date, text: string | null = null, dueAt: Date | null = null, details: object = {}): Promise<string> {
    const [{ id }] = await tx.query<{ id: string }>(
      `INSERT INTO report_case_events (case_id, organisation_id, kind, text, due_at, actor_id, at, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [caseId, actor.organisationId, kind, text, dueAt, actor.id, at, JSON.stringify(details)],
    );
    return id;
  }

  /**
   * Counts for the caller's organisation: a regional service its own cases (its region), the
   * DGEFP every regional service's (counts only), a certifier its own.
   */
  async statistics(actor: Actor): Promise<InboxStatistics> {
    this.assertAgent(actor);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const me = await this.repo.organisation(tx, actor.organisationId);
      const count = (sql: string) => tx.query<{ key: string | null; count: number }>(`WITH s AS (SELECT * FROM inbox_statistics_cases()) ${sql}`);
      const byRegion = await count(`SELECT region::text AS key, count(*)::int AS count FROM s GROUP BY 1 ORDER BY 2 DESC, 1`);
      const byIndicator = await count(`SELECT c->>'code' AS key, count(DISTINCT s.case_id)::int AS count FROM s, jsonb_array_elements(s.claims) c WHERE c->>'kind' = 'INDICATOR' GROUP BY 1 ORDER BY 2 DESC, 1`);
      const byFunder = await count(`SELECT funder AS key, count(*)::int AS count FROM s GROUP BY 1 ORDER BY 2 DESC, 1`);
      const byOutcome = await count(`SELECT outcome AS key, count(*)::int AS count FROM s GROUP BY 1 ORDER BY 2 DESC, 1`);
      const byStatus = await count(`SELECT handling_status AS key, count(*)::int AS count FROM s GROUP BY 1 ORDER BY 2 DESC, 1`);
      const ack = await tx.one<{ total: number; acknowledged: number; median: number | null; average: number | null }>(
        `WITH s AS (SELECT * FROM inbox_statistics_cases()),
              waits AS (SELECT extract(epoch FROM acknowledged_at - delivered_at) / 3600.0 AS hours FROM s WHERE acknowledged_at IS NOT NULL AND delivered_at IS NOT NULL)
         SELECT (SELECT count(*)::int FROM s) AS total, (SELECT count(*)::int FROM waits) AS acknowledged,
                (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FROM waits)::float8 AS median, (SELECT avg(hours) FROM waits)::float8 AS average`,
      );
      return {
        scope: me.kind === 'CERTIFIER' ? 'CERTIFIER' : me.code === 'DGEFP' ? 'ALL_REGIONS' : 'REGION',
        total: ack?.total ?? 0,
        byRegion: byRegion.map((r) => ({ region: r.key, count: r.count })),
        byIndicator: byIndicator.map((r) => ({ indicator: r.key ?? '', count: r.count })),
        byFunder: byFunder.map((r) => ({ funder: r.key ?? '', count: r.count })),
        byOutcome: byOutcome.map((r) => ({ outcome: r.key, count: r.count })),
        byStatus: byStatus.map((r) => ({ status: r.key, count: r.count })),
        timeToAcknowledgeHours: { acknowledged: ack?.acknowledged ?? 0, median: ack?.median ?? null, average: ack?.average ?? null },
      };
    });
  }
}
