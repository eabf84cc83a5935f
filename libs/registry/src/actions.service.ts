import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, FieldError, Page, decodeCursor, toPage } from '@bo/core';
import { JobOutbox } from '@bo/queue';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { ACTION_CATEGORIES, ACTION_MODALITIES, ActionCategory, ActionModality, CoverageState } from './registry.constants';
import { validateCertificationCode, validateFormacode, validateIsoDate, validateNda, validateRegion, validateSiret } from './identifiers';
import { coverageSql } from './actions.sql';


export interface ActionInput {
  externalRef: string;
  providerSiret: string;
  providerNda?: string | null;
  category: ActionCategory;
  certificationCode?: string | null;
  formacode?: string | null;
  modality: ActionModality;
  region: string;
  fundingDecisionDate?: string | null;
  startDate: string;
  endDate?: string | null;
  hoursPerTrainee?: number | null;
  trainees?: number | null;
  priceExclVat?: number | null;
  amountFunded: number;
  branchIdcc?: string | null;
}

export type ActionPatch = Partial<Omit<ActionInput, 'externalRef'>>;

export interface ActionView extends Required<ActionInput> {
  id: string;
  organisationId: string;
  coverage: CoverageState;
  coverageFlags: string[];
  coverageNda: string | null;
  coverageEvaluatedAt: string | null;
  /** Payment blocked for missing *service fait* proof, by the latest completed check that graded it. */
  paymentBlocked: boolean;
  /** The reason alone (the web UI's list), the same as `paymentBlock.reason`. */
  paymentBlockReason: string | null;
  paymentBlock: { reason: string | null; checkId: string | null } | null;
  /** The funder's own certification note on the judged date, beside the shared coverage (null: none). */
  coverageOwnNote: { status: 'CERTIFIED' | 'NOT_CERTIFIED'; noteId: string; ownNote: true } | null;
  importId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ActionFilter {
  providerSiret?: string;
  category?: string;
  coverage?: string;
  region?: string;
  /** Only the actions whose payment is (true) or is not (false) blocked. */
  paymentBlocked?: boolean;
  /** Start date range, inclusive (YYYY-MM-DD). */
  from?: string;
  to?: string;
  /** `externalRef` (default), `startDate` or `amountFunded`, `-` first for descending. */
  sort?: ActionSort;
  limit: number;
  cursor?: string;
}

export const ACTION_SORTS = ['externalRef', '-externalRef', 'startDate', '-startDate', 'amountFunded', '-amountFunded'] as const;
export type ActionSort = (typeof ACTION_SORTS)[number];
const SORT_COLUMN = { externalRef: 'external_ref', startDate: 'start_date', amountFunded: 'amount_funded' } as const;
const SORT_TYPE = { externalRef: 'text', startDate: 'date', amountFunded: 'numeric' } as const;

interface ActionRow {
  id: string;
  organisation_id: string;
  external_ref: string;
  provider_siret: string;
  provider_nda: string | null;
  category: ActionCategory;
  certification_code: string | null;
  formacode: string | null;
  modality: ActionModality;
  region: string;
  funding_decision_date: string | null;
  start_date: string;
  end_date: string | null;
  hours_per_trainee: string | null;
  trainees: number | null;
  price_excl_vat: string | null;
  amount_funded: string;
  branch_idcc: string | null;
  coverage: CoverageState;
  coverage_flags: string[];
  coverage_nda: string | null;
  coverage_evaluated_at: Date | null;
  payment_blocked: boolean;
  payment_block_reason: string | null;
  payment_block_check_id: string | null;
  coverage_own_note: 'CERTIFIED' | 'NOT_CERTIFIED' | null;
  coverage_own_note_id: string | null;
  import_id: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** Dates come back as text (to_char) so no time zone ever shifts them. */
export const ACTION_COLUMNS = `id, organisation_id, external_ref, provider_siret, provider_nda, category, certification_code, formacode, modality, region,
  to_char(funding_decision_date, 'YYYY-MM-DD') AS funding_decision_date, to_char(start_date, 'YYYY-MM-DD') AS start_date,
  to_char(end_date, 'YYYY-MM-DD') AS end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded, branch_idcc,
  coverage, coverage_flags, coverage_nda, coverage_evaluated_at, coverage_own_note, coverage_own_note_id::text, payment_blocked, payment_block_reason,
  payment_block_check_id, import_id, created_at, updated_at, version`;

const num = (v: string | null) => (v === null ? null : Number(v));

export function toActionView(r: ActionRow): ActionView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    externalRef: r.external_ref,
    providerSiret: r.provider_siret,
    providerNda: r.provider_nda,
    category: r.category,
    certificationCode: r.certification_code,
    formacode: r.formacode,
    modality: r.modality,
    region: r.region,
    fundingDecisionDate: r.funding_decision_date,
    startDate: r.start_date,
    endDate: r.end_date,
    hoursPerTrainee: num(r.hours_per_trainee),
    trainees: r.trainees,
    priceExclVat: num(r.price_excl_vat),
    amountFunded: Number(r.amount_funded),
    branchIdcc: r.branch_idcc,
    coverage: r.coverage,
    coverageFlags: r.coverage_flags,
    coverageNda: r.coverage_nda,
    coverageEvaluatedAt: r.coverage_evaluated_at?.toISOString() ?? null,
    paymentBlocked: r.payment_blocked,
    paymentBlockReason: r.payment_block_reason ?? null,
    paymentBlock: r.payment_blocked ? { reason: r.payment_block_reason, checkId: r.payment_block_check_id } : null,
    coverageOwnNote: r.coverage_own_note && r.coverage_own_note_id ? { status: r.coverage_own_note, noteId: r.coverage_own_note_id, ownNote: true } : null,
    importId: r.import_id,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  };
}

/** Checks and normalises a whole action (after a patch is merged); throws ACTION.INVALID with every problem. */
export function normaliseAction(input: ActionInput): ActionInput {
  const errors: FieldError[] = [];
  const out = { ...input };
  const check = (field: keyof ActionInput, result: { ok: true; value: string } | { ok: false; reason: string }) => {
    if (result.ok) (out as Record<string, unknown>)[field] = result.value;
    else errors.push({ field, message: result.reason });
  };
  check('providerSiret', validateSiret(input.providerSiret));
  if (input.providerNda) check('providerNda', validateNda(input.providerNda));
  if (input.certificationCode) check('certificationCode', validateCertificationCode(input.certificationCode));
  if (input.formacode) check('formacode', validateFormacode(input.formacode));
  if (!input.certificationCode && !input.formacode) errors.push({ field: 'certificationCode', message: 'give a certificationCode or a formacode (or both)' });
  if (!ACTION_CATEGORIES.includes(input.category)) errors.push({ field: 'category', message: `one of ${ACTION_CATEGORIES.join(', ')}` });
  if (!ACTION_MODALITIES.includes(input.modality)) errors.push({ field: 'modality', message: `one of ${ACTION_MODALITIES.join(', ')}` });
  check('region', validateRegion(input.region));
  check('startDate', validateIsoDate(input.startDate));
  if (input.fundingDecisionDate) check('fundingDecisionDate', validateIsoDate(input.fundingDecisionDate));
  if (input.endDate) {
    check('endDate', validateIsoDate(input.endDate));
    if (input.endDate < input.startDate) errors.push({ field: 'endDate', message: 'endDate is before startDate' });
  }
  for (const field of ['hoursPerTrainee', 'trainees', 'priceExclVat', 'amountFunded'] as const) {
    const value = input[field];
    if (value !== null && value !== undefined && !(Number.isFinite(value) && value >= 0)) errors.push({ field, message: `${field} must be >= 0` });
  }
  if (input.branchIdcc && !/^\d{1,4}$/.test(input.branchIdcc)) errors.push({ field: 'branchIdcc', message: 'an IDCC of up to 4 digits' });
  if (errors.length) throw new AppError('ACTION.INVALID', 'The funded action is not valid.', { errors });
  return out;
}

/**
 * Funded actions of the caller's funder (RLS keeps every read and write inside it). POST is an
 * upsert on externalRef; every write is audited and re-evaluates the coverage of the action.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly outbox: JobOutbox,
    private readonly config: AppConfig,
  ) {}

  /** Prices changed: the cross-funder recompute at the end of the debounce window (coalesced). */
  private priceRecompute(tx: Tx): Promise<string> {
    return this.outbox.add(tx, 'pricing.recompute', { organisationId: null, requestedBy: null, incremental: true }, { debounceMs: this.config.PRICE_RECOMPUTE_DEBOUNCE_MINUTES * 60_000, coalesceAs: 'incremental' });
  }


  async list(actor: Actor, filter: ActionFilter): Promise<Page<ActionView>> {
    // Keyset paging on (sort column, external_ref): the cursor holds both values of the last row.
    const sort = filter.sort ?? 'externalRef';
    const desc = sort.startsWith('-');
    const field = (desc ? sort.slice(1) : sort) as keyof typeof SORT_COLUMN;
    const column = SORT_COLUMN[field];
    const after = decodeCursor(filter.cursor, 2);
    const cmp = desc ? '<' : '>';
    const dir = desc ? 'DESC' : 'ASC';
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<ActionRow & { sort_key: string }>(
        `SELECT ${ACTION_COLUMNS}, ${column}::text AS sort_key FROM funded_actions
          WHERE ($1::text IS NULL OR provider_siret = $1)
            AND ($2::text IS NULL OR category = $2)
            AND ($3::text IS NULL OR coverage = $3)
            AND ($4::text IS NULL OR region = $4)
            AND ($5::date IS NULL OR start_date >= $5)
            AND ($6::date IS NULL OR start_date <= $6)
            AND ($7::boolean IS NULL OR payment_blocked = $7)
            AND ($8::text IS NULL OR (${column}, external_ref) ${cmp} ($8::${SORT_TYPE[field]}, $9::text))
          ORDER BY ${column} ${dir}, external_ref ${dir} LIMIT $10`,
        [
          filter.providerSiret ?? null,
          filter.category ?? null,
          filter.coverage ?? null,
          filter.region ?? null,
          filter.from ?? null,
          filter.to ?? null,
          filter.paymentBlocked ?? null,
          after?.[0] ?? null,
          after?.[1] ?? null,
          filter.limit + 1,
        ],
      );
      return toPage(rows, filter.limit, (r) => [r.sort_key, r.external_ref], toActionView);
    });
  }

  /** The caller's blocked payments: how many actions, and the amount funded they hold. */
  async paymentBlocks(actor: Actor): Promise<{ blockedActions: number; amountFunded: number }> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await tx.one<{ n: number; amount: string | null }>(`SELECT count(*)::int AS n, sum(amount_funded)::text AS amount FROM funded_actions WHERE payment_blocked`);
      return { blockedActions: row?.n ?? 0, amountFunded: Number(row?.amount ?? 0) };
    });
  }

  async get(actor: Actor, id: string): Promise<ActionView> {
    return this.db.tx(tenantOf(actor), async (tx) => toActionView(await this.load(tx, id)));
  }

  private async load(tx: Tx, id: string, lock = false): Promise<ActionRow> {
    const row = await tx.one<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM funded_actions WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row) throw new AppError('ACTION.NOT_FOUND', `No funded action ${id}.`);
    return row;
  }

  /** Creates the action, or updates the one with the same externalRef. `created` says which. */
  async upsert(actor: Actor, raw: ActionInput): Promise<{ action: ActionView; created: boolean }> {
    const input = normaliseAction(raw);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const before = await tx.one<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM funded_actions WHERE external_ref = $1 FOR UPDATE`, [input.externalRef]);
      const values = valuesOf(input);
      let id: string;
      if (before) {
        id = before.id;
        await tx.query(
          `UPDATE funded_actions SET ${UPDATABLE.map((c, i) => `${c} = $${i + 2}`).join(', ')}, version = version + 1, updated_at = now(), source_digest = NULL, source_line_digest = NULL
            WHERE id = $1 AND (${UPDATABLE.join(', ')}) IS DISTINCT FROM (${UPDATABLE.map((c, i) => `$${i + 2}::${UPDATABLE_TYPES[i]}`).join(', ')})`,
          [id, ...values],
        );
      } else {
        const row = await tx.one<{ id: string }>(
          `INSERT INTO funded_actions (organisation_id, external_ref, ${UPDATABLE.join(', ')})
           VALUES ($1, $2, ${UPDATABLE.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING id`,
          [actor.organisationId, input.externalRef, ...values],
        );
        id = row!.id;
      }
      await evaluateCoverage(tx, [id]);
      const after = toActionView(await this.load(tx, id));
      if (!before || after.version !== before.version) {
        await this.priceRecompute(tx);
        await this.audit.record(tx, actor, {
          action: before ? 'action.updated' : 'action.created',
          entityType: 'funded_action',
          entityId: id,
          before: before ? toActionView(before) : undefined,
          after,
        });
      }
      return { action: after, created: !before };
    });
  }

  async patch(actor: Actor, id: string, patch: ActionPatch, checkVersion: (version: number) => void): Promise<ActionView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const beforeRow = await this.load(tx, id, true);
      checkVersion(beforeRow.version);
      const before = toActionView(beforeRow);
      // DTO instances carry every declared field, undefined when absent: only given ones apply.
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const merged = normaliseAction({ ...pickInput(before), ...given } as ActionInput);
      await tx.query(
        `UPDATE funded_actions SET ${UPDATABLE.map((c, i) => `${c} = $${i + 2}`).join(', ')}, version = version + 1, updated_at = now(), source_digest = NULL, source_line_digest = NULL
          WHERE id = $1`,
        [id, ...valuesOf(merged)],
      );
      await evaluateCoverage(tx, [id]);
      const after = toActionView(await this.load(tx, id));
      await this.priceRecompute(tx);
      await this.audit.record(tx, actor, { action: 'action.updated', entityType: 'funded_action', entityId: id, before, after });
      return after;
    });
  }
}

const UPDATABLE = [
  'provider_siret', 'provider_nda', 'category', 'certification_code', 'formacode', 'modality', 'region', 'funding_decision_date',
  'start_date', 'end_date', 'hours_per_trainee', 'trainees', 'price_excl_vat', 'amount_funded', 'branch_idcc',
];
const UPDATABLE_TYPES = ['char(14)', 'char(11)', 'text', 'text', 'char(5)', 'text', 'char(2)', 'date', 'date', 'date', 'numeric', 'integer', 'numeric', 'numeric', 'text'];

function valuesOf(i: ActionInput): unknown[] {
  return [
    i.providerSiret, i.providerNda || null, i.category, i.certificationCode || null, i.formacode || null, i.modality, i.region,
    i.fundingDecisionDate || null, i.startDate, i.endDate || null, i.hoursPerTrainee ?? null, i.trainees ?? null, i.priceExclVat ?? null,
    i.amountFunded, i.branchIdcc || null,
  ];
}

function pickInput(v: ActionView): ActionInput {
  const { externalRef, providerSiret, providerNda, category, certificationCode, formacode, modality, region, fundingDecisionDate, startDate, endDate, hoursPerTrainee, trainees, priceExclVat, amountFunded, branchIdcc } = v;
  return { externalRef, providerSiret, providerNda, category, certificationCode, formacode, modality, region, fundingDecisionDate, startDate, endDate, hoursPerTrainee, trainees, priceExclVat, amountFunded, branchIdcc };
}

/** Re-evaluates the coverage of the given actions, in the caller's transaction (one statement). */
export async function evaluateCoverage(tx: Tx, ids: string[]): Promise<number> {
  const [row] = await tx.query<{ n: number }>(`WITH u AS (${coverageSql('a.id = ANY ($1::uuid[])')}) SELECT count(*)::int AS n FROM u`, [ids]);
  return row?.n ?? 0;
}
