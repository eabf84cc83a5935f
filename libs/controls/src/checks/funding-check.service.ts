import { Injectable } from '@nestjs/common';
import { AppError, Clock, FieldError } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, checkFilterParam, checksVisibleToActorSql, ownChecksSql, readsOrganisationRecords, tenantOf, visibleChecksSql } from '@bo/access';
import {
  CERTIFICATION_CATEGORIES,
  CertificationCategory,
  CertificationFlag,
  CertificationStatus,
  Exemption,
  FUNDING_ACTIVITY_JSON,
  FUNDING_BLOCKED_JSON,
  FUNDING_CERTIFICATION_FIELDS,
  FUNDING_FACTS_JOINS,
  Observation,
  OwnNoteState,
  isoTimestamp,
  validateIsoDate,
  validateNda,
  validateSiret,
} from '@bo/registry';

/** Most questions one bulk request may ask. */
export const FUNDING_CHECK_BULK_MAX = 1000;

/** One question: an establishment (and optionally one of its NDAs), a category, a date. */
export interface FundingQuestion {
  siret: string;
  nda: string | null;
  category: CertificationCategory;
  /** YYYY-MM-DD; today when the caller gave none. */
  date: string;
}

export interface FundingCheckAnswer {
  siret: string;
  siren: string;
  category: CertificationCategory;
  date: string;
  certification: {
    status: CertificationStatus;
    nda: string | null;
    observationId: string | null;
    exemptionId: string | null;
    flags: CertificationFlag[];
    observation: Observation | null;
    /** The caller's own certification note on the date, beside the shared state, never changing it. */
    ownNote: OwnNoteState | null;
  };
  exemptions: Exemption[];
  activity: {
    inRegistry: boolean;
    listed: boolean;
    lastDeclarationDate: string | null;
    ndas: { nda: string; siret: string; name: string; listed: boolean; delistedAt: string | null; lastDeclarationDate: string | null }[];
  };
  controls: {
    openMajorNonConformities: {
      correctiveActionId: string;
      checkId: string;
      revision: number;
      pointCode: string;
      description: string;
      dueAt: string;
      overdue: boolean;
      siret: string;
    }[];
    /** Null for a caller who does not read funded actions (an auditor; libs/access). */
    blockedPayments: { actions: number; amountFunded: number } | null;
    /**
     * The caller's active price anomalies on the organisation's actions (libs/pricing): open or
     * under review, and confirmed. Null for a caller who does not read funded actions.
     */
    priceAnomalies: { open: number; confirmed: number } | null;
    /**
     * Results across funders (docs/sharing.md): other organisations' completed checks of the
     * organisation (any site) from the last 36 months that the caller may see today (shared with
     * it, or run by a body it mandated), as counts only. None for an auditor.
     */
    acrossFunders: { checks: number; nonCompliant: number; openMajorNonConformities: number; lastCompletedAt: string | null };
    /**
     * Whether submitted reports not yet closed exist on the establishment, from any funder (docs/reports.md):
     * the one cross-funder fact about reports the disclosure catalogue allows, a yes or no, never who or how many.
     */
    openReportsExist: boolean;
  };
}

/** One bulk item: its answer (`A`: the parsed answer, or its JSON text) or why it could not be asked (same codes as the single route). */
type Answered<A> =
  | { index: number; answer: A; error?: undefined }
  | { index: number; answer?: undefined; error: { code: 'REQUEST.VALIDATION'; detail: string; errors: FieldError[] } };

export type FundingCheckItem = Answered<FundingCheckAnswer>;

/**
 * The whole funding check as ONE statement over a set of questions (one for the single route,
 * up to 1,000 for the bulk route), run in one transaction under the caller's row-level security:
 * the registry's facts (FUNDING_FACTS_JOINS: certification by `certification_state`, the
 * observation, declared activity, exemptions, blocked payments) and the caller's own control
 * results (open major non-conformities on any site of the organisation), and results across
 * funders as counts over other organisations' checks the caller may see (docs/sharing.md).
 *
 * Parameters: $1 SIRETs, $2 NDAs (null: none named), $3 categories, $4 dates, $5 the instant
 * "overdue" is judged at, $6 the auditor whose assigned checks only may show (null: all the
 * organisation's checks; `visibleChecksSql` of libs/access), $7 the caller's organisation (its own
 * certification note, `certification_own_note`, under row-level security too), $8 whether the
 * caller reads payment blocks (`readsOrganisationRecords`).
 */
/** The caller's own note (`fc_note`) as `certification.ownNote` (the shape of CertificationsService.ownNoteIn). */
const OWN_NOTE_JSON = `CASE WHEN fc_note.id IS NULL THEN NULL ELSE json_build_object(
    'status', fc_note.status, 'flags', fc_note.flags, 'note', json_build_object(
      'id', fc_note.id::text, 'nda', fc_note.nda, 'category', fc_note.category, 'certified', fc_note.certified,
      'observedOn', fc_note.observed_on::text, 'validUntil', fc_note.valid_until::text, 'source', 'OWN_NOTE',
      'certifier', fc_note.certifier, 'reference', fc_note.reference, 'recordedAt', ${isoTimestamp('fc_note.recorded_at')}, 'ownNote', true)) END`;

export const FUNDING_CHECK_SQL = `
  WITH q AS (
    SELECT u.idx::int AS idx, u.siret::char(14) AS siret, left(u.siret, 9)::char(9) AS siren, u.nda, u.category, u.date
      FROM unnest($1::text[], $2::text[], $3::text[], $4::date[]) WITH ORDINALITY AS u(siret, nda, category, date, idx)
  )
  SELECT q.idx, json_build_object(
           'siret', q.siret, 'siren', q.siren, 'category', q.category, 'date', q.date::text,
           'certification', json_build_object(${FUNDING_CERTIFICATION_FIELDS}, 'ownNote', ${OWN_NOTE_JSON}),
           'exemptions', fc_exemptions.list,
           'activity', ${FUNDING_ACTIVITY_JSON},
           'controls', json_build_object('openMajorNonConformities', majors.list, 'blockedPayments', CASE WHEN $8::boolean THEN ${FUNDING_BLOCKED_JSON} END,
             'priceAnomalies', CASE WHEN $8::boolean THEN json_build_object('open', anomalies.open, 'confirmed', anomalies.confirmed) END,
             'acrossFunders', across.summary,
             -- reports_open_exist (migration 0040, libs/reports OPEN_REPORTS_EXIST_SQL): a yes/no across funders.
             'openReportsExist', reports_open_exist(q.siret::text))
         )::text AS answer
    FROM q
    ${FUNDING_FACTS_JOINS}
    LEFT JOIN LATERAL (
      SELECT s.status, s.flags, n.id, n.nda, n.category, n.certified, n.observed_on, n.valid_until, n.certifier, n.reference, n.recorded_at
        FROM certification_own_note($7::uuid, q.siret::text, q.nda, q.category, q.date) s
        JOIN certification_notes n ON n.id = s.note_id
    ) fc_note ON true
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(
               'correctiveActionId', ca.id, 'checkId', ca.check_id, 'revision', ca.revision, 'pointCode', ca.point_code,
               'description', ca.description, 'dueAt', ${isoTimestamp('ca.due_at')}, 'overdue', ca.due_at < $5::timestamptz,
               'siret', c.provider_siret
             ) ORDER BY ca.due_at, ca.id), '[]'::json) AS list
        FROM checks c JOIN corrective_actions ca ON ca.check_id = c.id AND ca.status = 'OPEN' AND ca.grade = 'MAJOR_NC'
       WHERE c.provider_siret BETWEEN (q.siren || '00000')::char(14) AND (q.siren || '99999')::char(14)
         AND ${ownChecksSql('c')} AND ${visibleChecksSql('c', '$6')}
    ) majors
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE pa.status IN ('OPEN', 'UNDER_REVIEW'))::int AS open,
             count(*) FILTER (WHERE pa.status = 'CONFIRMED')::int AS confirmed
        FROM price_anomalies pa
       WHERE pa.active AND pa.provider_siret BETWEEN (q.siren || '00000')::char(14) AND (q.siren || '99999')::char(14)
    ) anomalies
    CROSS JOIN LATERAL (
      SELECT json_build_object(
               'checks', count(*), 'nonCompliant', count(*) FILTER (WHERE c.outcome = 'NON_COMPLIANT'),
               'openMajorNonConformities', coalesce(sum((SELECT count(*) FROM corrective_actions ca
                                                          WHERE ca.check_id = c.id AND ca.revision = c.revision AND ca.status = 'OPEN' AND ca.grade = 'MAJOR_NC')), 0),
               'lastCompletedAt', ${isoTimestamp('max(c.completed_at)')}) AS summary
        FROM checks c
       WHERE c.provider_siret BETWEEN (q.siren || '00000')::char(14) AND (q.siren || '99999')::char(14)
         AND c.state = 'COMPLETED' AND c.organisation_id <> $7::uuid AND c.completed_at >= $5::timestamptz - interval '36 months'
         AND ${checksVisibleToActorSql('c', '$6')}
    ) across
   ORDER BY q.idx`;

type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * What a funder weighs before funding a provider, in one answer: the registry's facts
 * (certification on the date, exemptions, declared activity) and the funder's own control
 * results on the organisation (all its sites): open major non-conformities and blocked payments.
 * Control facts come from the caller's own checks only (an auditor: the checks assigned to it);
 * other funders' checks join through the sharing rules (a later issue).
 */
@Injectable()
export class FundingCheckService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * The single route, as the answer's JSON text (a FundingCheckAnswer) as the statement built it:
   * the route sends it as is, as the bulk route does. Bad input is the request's error.
   */
  async checkJson(actor: Actor, siret: string, category: CertificationCategory, date?: string, nda?: string): Promise<string> {
    const now = await this.clock.now();
    const question = this.question({ siret, nda, category, date }, now, '');
    if (!question.ok) {
      throw new AppError('REQUEST.VALIDATION', question.errors.map((e) => e.message).join('; '), { errors: question.errors });
    }
    const [answer] = await this.answerTexts(actor, [question.value], now);
    return answer;
  }

  /**
   * The bulk route: every item answered in order, from one statement; an item that cannot be
   * asked (bad SIRET, NDA, category or date) gets its error in its place, the others their answer.
   */
  async checkMany(actor: Actor, items: readonly unknown[]): Promise<FundingCheckItem[]> {
    return this.answerItems(actor, items, (text) => JSON.parse(text) as FundingCheckAnswer);
  }

  /**
   * `checkMany` as the JSON text of `{items: [...]}`, each answer's text as the statement built it:
   * not parsed and serialised again (about 1 MB for 1,000 answers, 6 ms of the request).
   */
  async checkManyJson(actor: Actor, items: readonly unknown[]): Promise<string> {
    const answered = await this.answerItems(actor, items, (text) => text);
    const parts = answered.map((item) => (item.error ? JSON.stringify(item) : `{"index":${item.index},"answer":${item.answer}}`));
    return `{"items":[${parts.join(',')}]}`;
  }

  private async answerItems<A>(actor: Actor, items: readonly unknown[], read: (text: string) => A): Promise<Answered<A>[]> {
    if (items.length > FUNDING_CHECK_BULK_MAX) {
      throw new AppError('REQUEST.VALIDATION', `At most ${FUNDING_CHECK_BULK_MAX} items per request.`, {
        errors: [{ field: 'items', message: `at most ${FUNDING_CHECK_BULK_MAX} items` }],
      });
    }
    const now = await this.clock.now();
    const checked = items.map((item, i) => this.question(item, now, `items[${i}].`));
    const answers = await this.answerTexts(actor, checked.flatMap((c) => (c.ok ? [c.value] : [])), now);
    let next = 0;
    return checked.map((c, index) =>
      c.ok ? { index, answer: read(answers[next++]) } : { index, error: { code: 'REQUEST.VALIDATION', detail: c.errors.map((e) => e.message).join('; '), errors: c.errors } },
    );
  }

  /** Each question's answer as the JSON text the statement builds, in the order asked. */
  private async answerTexts(actor: Actor, questions: FundingQuestion[], now: Date): Promise<string[]> {
    if (questions.length === 0) return [];
    // One prepared statement on its generic plan (same plan for one question or 1,000, for every
    // caller kind: the parameters only filter rows): planning it cost five times running it.
    const params = [
      questions.map((q) => q.siret),
      questions.map((q) => q.nda),
      questions.map((q) => q.category),
      questions.map((q) => q.date),
      now,
      checkFilterParam(actor),
      actor.organisationId,
      readsOrganisationRecords(actor),
    ];
    const rows = await this.db.tx(tenantOf(actor), (tx) => tx.prepared<{ idx: number; answer: string }>('funding-check', FUNDING_CHECK_SQL, params), {
      genericPlans: true,
    });
    return rows.map((r) => r.answer);
  }

  /** Validates one question; `prefix` names the item in field paths (`items[3].siret`). */
  private question(raw: unknown, now: Date, prefix: string): Checked<FundingQuestion> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, errors: [{ field: prefix.replace(/\.$/, '') || 'item', message: 'an object {siret, nda?, category, date?}' }] };
    }
    const item = raw as Record<string, unknown>;
    const errors: FieldError[] = [];
    const text = (field: string): string | undefined => {
      const value = item[field];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') {
        errors.push({ field: `${prefix}${field}`, message: 'a string' });
        return undefined;
      }
      return value;
    };
    for (const key of Object.keys(item)) {
      if (!['siret', 'nda', 'category', 'date'].includes(key)) errors.push({ field: `${prefix}${key}`, message: 'unknown field' });
    }
    const siret = validateSiret(text('siret') ?? '');
    if (!siret.ok) errors.push({ field: `${prefix}siret`, message: siret.reason });
    const ndaInput = text('nda');
    const nda = ndaInput === undefined ? undefined : validateNda(ndaInput);
    if (nda && !nda.ok) errors.push({ field: `${prefix}nda`, message: nda.reason });
    const category = text('category');
    if (!(CERTIFICATION_CATEGORIES as readonly (string | undefined)[]).includes(category)) {
      errors.push({ field: `${prefix}category`, message: `one of ${CERTIFICATION_CATEGORIES.join(', ')}` });
    }
    const dateInput = text('date');
    const date = dateInput === undefined ? undefined : validateIsoDate(dateInput);
    if (date && !date.ok) errors.push({ field: `${prefix}date`, message: date.reason });
    if (errors.length || !siret.ok) return { ok: false, errors };
    return {
      ok: true,
      value: {
        siret: siret.value,
        nda: nda?.ok ? nda.value : null,
        category: category as CertificationCategory,
        date: date?.ok ? date.value : now.toISOString().slice(0, 10),
      },
    };
  }
}
