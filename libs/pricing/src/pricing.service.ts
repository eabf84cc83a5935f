import { Injectable } from '@nestjs/common';
import { AppError, Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { JobOutbox } from '@bo/queue';
import { TabularColumn, csvStream, xlsxStream } from '@bo/documents';
import type { Readable } from 'node:stream';
import { ANOMALY_KIND_LABELS, ANOMALY_STATUS_LABELS, JUSTIFICATION_GROUND_LABELS } from './pricing.labels';
import { ANOMALY_KINDS, ANOMALY_STATUSES, AnomalyKind, AnomalyStatus, JUSTIFICATION_GROUNDS, JustificationGround, nextReviewProblem } from './pricing.rules';

export interface PriceReferenceView {
  level: number;
  groupKey: string;
  category: string;
  certificationCode: string | null;
  formacode: string | null;
  modality: string;
  region: string | null;
  year: number;
  n: number;
  providers: number;
  funders: number;
  unit: { p10: number; q1: number; median: number; q3: number; p90: number; mad: number };
  hours: { n: number; p10: number | null; q1: number | null; median: number | null; q3: number | null; p90: number | null; mad: number | null };
  snapshot: { runId: string; inputWatermark: string | null; methodVersion: string };
}

export interface AnomalyView {
  id: string;
  kind: AnomalyKind;
  status: AnomalyStatus;
  active: boolean;
  actionId: string | null;
  providerSiret: string;
  category: string;
  certificationCode: string | null;
  year: number;
  evidence: Record<string, unknown>;
  methodVersion: string;
  runId: string;
  changeNote: string | null;
  review: { ground: JustificationGround | null; comment: string | null; reviewedBy: string | null; reviewedAt: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface AnomalyEventView {
  at: string;
  event: 'FLAGGED' | 'REOPENED' | 'REVIEWED';
  actorId: string | null;
  detail: Record<string, unknown>;
}

export interface ReferenceFilter {
  category?: string;
  certificationCode?: string;
  formacode?: string;
  year?: number;
  level?: number;
  limit: number;
  cursor?: string;
}

export interface AnomalyFilter {
  status?: AnomalyStatus;
  kind?: AnomalyKind;
  providerSiret?: string;
  active?: boolean;
  limit: number;
  cursor?: string;
}

/** Where an action's unit price sits in its narrowest usable group. */
export const PRICE_POSITIONS = [
  'BELOW_LOW_FENCE',
  'LOW_FENCE_TO_Q1',
  'Q1_TO_MEDIAN',
  'MEDIAN_TO_Q3',
  'Q3_TO_HIGH_FENCE',
  'ABOVE_HIGH_FENCE',
  'ABOVE_EXTREME_FENCE',
  'NO_USABLE_GROUP',
  'NOT_COMPUTABLE',
] as const;
export type PricePosition = (typeof PRICE_POSITIONS)[number];

export interface PricePositionView {
  actionId: string;
  externalRef: string;
  category: string;
  certificationCode: string | null;
  startDate: string;
  unitPrice: number | null;
  position: PricePosition;
  group: null | {
    level: number;
    groupKey: string;
    n: number;
    q1: number;
    median: number;
    q3: number;
    fences: { low: number; high: number; extreme: number };
  };
}

export interface ReviewInput {
  status: 'UNDER_REVIEW' | 'JUSTIFIED' | 'CONFIRMED';
  ground?: JustificationGround;
  comment?: string;
}

interface ReferenceRow {
  level: number;
  group_key: string;
  category: string;
  certification_code: string | null;
  formacode: string | null;
  modality: string;
  region: string | null;
  year: number;
  n: number;
  providers: number;
  funders: number;
  unit_p10: string;
  unit_q1: string;
  unit_median: string;
  unit_q3: string;
  unit_p90: string;
  unit_mad: string;
  hours_n: number;
  hours_p10: string | null;
  hours_q1: string | null;
  hours_median: string | null;
  hours_q3: string | null;
  hours_p90: string | null;
  hours_mad: string | null;
  run_id: string;
  input_watermark: Date | null;
  method_version: string;
}

interface AnomalyRow {
  id: string;
  kind: AnomalyKind;
  status: AnomalyStatus;
  active: boolean;
  action_id: string | null;
  provider_siret: string;
  category: string;
  certification_code: string | null;
  year: number;
  evidence: Record<string, unknown>;
  method_version: string;
  run_id: string;
  change_note: string | null;
  review_ground: JustificationGround | null;
  review_comment: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const money = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);

function referenceView(r: ReferenceRow): PriceReferenceView {
  return {
    level: r.level,
    groupKey: r.group_key,
    category: r.category,
    certificationCode: r.certification_code,
    formacode: r.formacode,
    modality: r.modality,
    region: r.region,
    year: r.year,
    n: r.n,
    providers: r.providers,
    funders: r.funders,
    unit: { p10: money(r.unit_p10)!, q1: money(r.unit_q1)!, median: money(r.unit_median)!, q3: money(r.unit_q3)!, p90: money(r.unit_p90)!, mad: money(r.unit_mad)! },
    hours: { n: r.hours_n, p10: money(r.hours_p10), q1: money(r.hours_q1), median: money(r.hours_median), q3: money(r.hours_q3), p90: money(r.hours_p90), mad: money(r.hours_mad) },
    snapshot: { runId: r.run_id, inputWatermark: r.input_watermark?.toISOString() ?? null, methodVersion: r.method_version },
  };
}

function anomalyView(r: AnomalyRow): AnomalyView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    active: r.active,
    actionId: r.action_id,
    providerSiret: r.provider_siret,
    category: r.category,
    certificationCode: r.certification_code,
    year: r.year,
    evidence: r.evidence,
    methodVersion: r.method_version,
    runId: r.run_id,
    changeNote: r.change_note,
    review: { ground: r.review_ground, comment: r.review_comment, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at?.toISOString() ?? null },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const ANOMALY_COLUMNS = `id, kind, status, active, action_id, provider_siret, category, certification_code, year, evidence,
  method_version, run_id, change_note, review_ground, review_comment, reviewed_by, reviewed_at, created_at, updated_at`;

/**
 * Price references (usable groups of the latest run: every funder may read them, they hold no
 * funder's or provider's own price) and the caller's own anomalies (row-level security), with
 * their review. The recompute itself is the `pricing.recompute` job.
 */
@Injectable()
export class PricingService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly outbox: JobOutbox,
    private readonly clock: Clock,
  ) {}

  async references(actor: Actor, filter: ReferenceFilter): Promise<Page<PriceReferenceView>> {
    const after = decodeCursor(filter.cursor, 2);
    const rows = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<ReferenceRow>(
        `WITH latest AS (SELECT id, input_watermark, method_version FROM price_runs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1)
         SELECT r.*, latest.input_watermark, latest.method_version
           FROM price_references r JOIN latest ON r.run_id = latest.id
          WHERE ($1::text IS NULL OR r.category = $1) AND ($2::text IS NULL OR r.certification_code = $2)
            AND ($3::text IS NULL OR r.formacode = $3) AND ($4::int IS NULL OR r.year = $4) AND ($5::int IS NULL OR r.level = $5)
            AND ($6::int IS NULL OR (r.level, r.group_key) > ($6::int, $7::text))
          ORDER BY r.level, r.group_key
          LIMIT $8`,
        [filter.category ?? null, filter.certificationCode ?? null, filter.formacode ?? null, filter.year ?? null, filter.level ?? null, after?.[0] ?? null, after?.[1] ?? null, filter.limit + 1],
      ),
    );
    return toPage(rows, filter.limit, (r) => [r.level, r.group_key], referenceView);
  }

  async anomalies(actor: Actor, filter: AnomalyFilter): Promise<Page<AnomalyView>> {
    const after = decodeCursor(filter.cursor, 2);
    const rows = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<AnomalyRow>(
        `SELECT ${ANOMALY_COLUMNS} FROM price_anomalies
          WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR provider_siret = $3)
            AND ($4::boolean IS NULL OR active = $4)
            AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
          ORDER BY created_at DESC, id DESC
          LIMIT $7`,
        [filter.status ?? null, filter.kind ?? null, filter.providerSiret ?? null, filter.active ?? null, after?.[0] ?? null, after?.[1] ?? null, filter.limit + 1],
      ),
    );
    return toPage(rows, filter.limit, (r) => [r.created_at.toISOString(), r.id], anomalyView);
  }

  async anomaly(actor: Actor, id: string): Promise<AnomalyView & { history: AnomalyEventView[] }> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await tx.one<AnomalyRow>(`SELECT ${ANOMALY_COLUMNS} FROM price_anomalies WHERE id = $1`, [id]);
      if (!row) throw new AppError('ANOMALY.NOT_FOUND', 'No such price anomaly.');
      const events = await tx.query<{ at: Date; event: AnomalyEventView['event']; actor_id: string | null; detail: Record<string, unknown> }>(
        `SELECT at, event, actor_id, detail FROM price_anomaly_events WHERE anomaly_id = $1 ORDER BY id`,
        [id],
      );
      return { ...anomalyView(row), history: events.map((e) => ({ at: e.at.toISOString(), event: e.event, actorId: e.actor_id, detail: e.detail })) };
    });
  }

  /** Every anomaly the filter selects, page after page (exports stream them). */
  async *allAnomalies(actor: Actor, filter: Omit<AnomalyFilter, 'limit' | 'cursor'>): AsyncIterable<AnomalyView> {
    let cursor: string | undefined;
    do {
      const page = await this.anomalies(actor, { ...filter, limit: 500, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** The anomaly list as CSV or XLSX, with French headers and labels. */
  exportAnomalies(actor: Actor, filter: Omit<AnomalyFilter, 'limit' | 'cursor'>, format: 'csv' | 'xlsx'): Readable {
    const frDate = (iso: string) => iso.slice(0, 10).split('-').reverse().join('/');
    const columns: TabularColumn<AnomalyView>[] = [
      { header: 'Identifiant', value: (a) => a.id },
      { header: 'Type', value: (a) => ANOMALY_KIND_LABELS[a.kind] },
      { header: 'Statut', value: (a) => ANOMALY_STATUS_LABELS[a.status] },
      { header: 'Toujours signalée', value: (a) => (a.active ? 'oui' : 'non') },
      { header: 'Action financée', value: (a) => a.actionId ?? '' },
      { header: 'SIRET', value: (a) => a.providerSiret },
      { header: 'Catégorie', value: (a) => a.category },
      { header: 'Certification', value: (a) => a.certificationCode ?? '' },
      { header: 'Année', value: (a) => a.year },
      { header: 'Prix unitaire (€)', value: (a) => a.evidence.value ?? '' },
      { header: 'Médiane du groupe (€)', value: (a) => (a.evidence.unit as { median?: number } | undefined)?.median ?? '' },
      { header: 'Rang centile', value: (a) => a.evidence.percentRank ?? '' },
      { header: 'Niveau', value: (a) => a.evidence.level ?? '' },
      { header: "Bande d'écart", value: (a) => a.evidence.ratioBand ?? a.evidence.hoursRatioBand ?? '' },
      { header: 'Signalée le', value: (a) => frDate(a.createdAt) },
      { header: 'Motif de justification', value: (a) => (a.review.ground ? JUSTIFICATION_GROUND_LABELS[a.review.ground] : '') },
      { header: 'Commentaire', value: (a) => a.review.comment ?? '' },
    ];
    const rows = this.allAnomalies(actor, filter);
    return format === 'csv' ? csvStream(columns, rows) : xlsxStream('Anomalies de prix', columns, rows);
  }

  /** OPEN -> UNDER_REVIEW -> JUSTIFIED | CONFIRMED; a justification names one of the law's grounds. */
  async review(actor: Actor, id: string, input: ReviewInput): Promise<AnomalyView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await tx.one<AnomalyRow>(`SELECT ${ANOMALY_COLUMNS} FROM price_anomalies WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) throw new AppError('ANOMALY.NOT_FOUND', 'No such price anomaly.');
      const problem = nextReviewProblem(row.status, input);
      if (problem) throw new AppError(problem.code, problem.message, problem.field ? { errors: [{ field: problem.field, message: problem.message }] } : undefined);
      const now = await this.clock.now();
      const [updated] = await tx.query<AnomalyRow>(
        `UPDATE price_anomalies SET status = $2, review_ground = $3, review_comment = $4, reviewed_by = $5, reviewed_at = $6, updated_at = $6
          WHERE id = $1 RETURNING ${ANOMALY_COLUMNS}`,
        [id, input.status, input.ground ?? null, input.comment ?? null, actor.id, now],
      );
      await tx.query(
        `INSERT INTO price_anomaly_events (anomaly_id, organisation_id, at, event, actor_id, detail) VALUES ($1, $2, $3, 'REVIEWED', $4, $5)`,
        [id, actor.organisationId, now, actor.id, JSON.stringify({ from: row.status, to: input.status, ground: input.ground ?? null, comment: input.comment ?? null })],
      );
      await this.audit.record(tx, actor, {
        action: 'price-anomaly.reviewed',
        entityType: 'price_anomaly',
        entityId: id,
        before: { status: row.status },
        after: { status: input.status, ground: input.ground ?? null },
      });
      return anomalyView(updated);
    });
  }

  /**
   * The caller's own actions with a provider (SIRET), each placed in its narrowest usable group of
   * the latest run: the band its unit price falls in, and the group's quartiles and fences. Row-level
   * security limits the views to the caller's actions; references are shared by design.
   */
  async pricePosition(actor: Actor, siret: string, limit: number, cursor?: string): Promise<Page<PricePositionView>> {
    const after = decodeCursor(cursor, 2);
    const rows = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<{
        id: string; external_ref: string; category: string; certification_code: string | null; start_date: string;
        unit_price: string | null; position: PricePosition; level: number | null; group_key: string | null; n: number | null;
        unit_q1: string | null; unit_median: string | null; unit_q3: string | null; fence_low: string | null; fence_high: string | null; fence_extreme: string | null;
      }>(
        `WITH latest AS (SELECT id FROM price_runs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1),
         s AS (SELECT * FROM pricing_settings),
         placed AS (
           SELECT DISTINCT ON (g.action_id) g.action_id, r.level, r.group_key, r.n, r.unit_q1, r.unit_median, r.unit_q3,
                  r.log_q1 - s.low_fence * r.log_iqr AS log_low, r.log_q3 + s.high_fence * r.log_iqr AS log_high,
                  r.log_q3 + s.extreme_fence * r.log_iqr AS log_extreme
             FROM action_price_groups g
             JOIN price_references r ON r.run_id = (SELECT id FROM latest) AND r.level = g.level AND r.group_key = g.group_key
            CROSS JOIN s
            WHERE g.provider_siret = $1
            ORDER BY g.action_id, g.level
         )
         SELECT a.id, a.external_ref, a.category, a.certification_code, to_char(a.start_date, 'YYYY-MM-DD') AS start_date,
                u.unit_price, p.level, p.group_key, p.n, p.unit_q1, p.unit_median, p.unit_q3,
                exp(p.log_low) AS fence_low, exp(p.log_high) AS fence_high, exp(p.log_extreme) AS fence_extreme,
                CASE
                  WHEN u.unit_price IS NULL THEN 'NOT_COMPUTABLE'
                  WHEN p.action_id IS NULL THEN 'NO_USABLE_GROUP'
                  WHEN ln(u.unit_price::float8) > p.log_extreme THEN 'ABOVE_EXTREME_FENCE'
                  WHEN ln(u.unit_price::float8) > p.log_high THEN 'ABOVE_HIGH_FENCE'
                  WHEN u.unit_price > p.unit_q3 THEN 'Q3_TO_HIGH_FENCE'
                  WHEN u.unit_price >= p.unit_median THEN 'MEDIAN_TO_Q3'
                  WHEN u.unit_price >= p.unit_q1 THEN 'Q1_TO_MEDIAN'
                  WHEN ln(u.unit_price::float8) >= p.log_low THEN 'LOW_FENCE_TO_Q1'
                  ELSE 'BELOW_LOW_FENCE'
                END AS position
           FROM funded_actions a
           JOIN action_unit_prices u ON u.action_id = a.id
           LEFT JOIN placed p ON p.action_id = a.id
          WHERE a.provider_siret = $1
            AND ($2::date IS NULL OR (a.start_date, a.id) < ($2::date, $3::uuid))
          ORDER BY a.start_date DESC, a.id DESC
          LIMIT $4`,
        [siret, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      ),
    );
    return toPage(rows, limit, (r) => [r.start_date, r.id], (r) => ({
      actionId: r.id,
      externalRef: r.external_ref,
      category: r.category,
      certificationCode: r.certification_code,
      startDate: r.start_date,
      unitPrice: money(r.unit_price),
      position: r.position,
      group:
        r.level === null
          ? null
          : {
              level: r.level,
              groupKey: r.group_key!,
              n: r.n!,
              q1: money(r.unit_q1)!,
              median: money(r.unit_median)!,
              q3: money(r.unit_q3)!,
              fences: { low: money(r.fence_low)!, high: money(r.fence_high)!, extreme: money(r.fence_extreme)! },
            },
    }));
  }

  /** The latest full run's test coverage per kind (counts only, across all funders; an incremental run reports none). */
  async testCoverage(actor: Actor): Promise<{ runId: string | null; finishedAt: string | null; methodVersion: string | null; kinds: unknown[] }> {
    const [run] = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<{ id: string; finished_at: Date; method_version: string; test_coverage: unknown[] | null }>(
        `SELECT id, finished_at, method_version, test_coverage FROM price_runs WHERE finished_at IS NOT NULL AND test_coverage IS NOT NULL ORDER BY finished_at DESC LIMIT 1`,
      ),
    );
    return { runId: run?.id ?? null, finishedAt: run?.finished_at.toISOString() ?? null, methodVersion: run?.method_version ?? null, kinds: run?.test_coverage ?? [] };
  }

  requestRecompute(actor: Actor): Promise<string> {
    // Through the job outbox (docs/architecture.md): asked for even while Redis is down.
    return this.db.tx(tenantOf(actor), (tx) => this.outbox.add(tx, 'pricing.recompute', { organisationId: actor.organisationId, requestedBy: actor.id }));
  }
}

export { ANOMALY_KINDS, ANOMALY_STATUSES, JUSTIFICATION_GROUNDS };
