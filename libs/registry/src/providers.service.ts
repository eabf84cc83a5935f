import { Injectable } from '@nestjs/common';
import { AppError, Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { JobOutbox } from '@bo/queue';
import { CERTIFICATION_CATEGORIES, CertificationCategory } from './public-list-records';
import { validateNda, validateSiret } from './identifiers';

export type CertificationStatus = 'CERTIFIED' | 'NOT_CERTIFIED' | 'EXEMPT' | 'UNKNOWN';
export type CertificationFlag = 'OTHER_SITE' | 'NOT_IN_REGISTRY' | 'NDA_NOT_IN_REGISTRY' | 'EXPIRED' | 'DELISTED';

/** The answer of the SQL function `certification_state` (migration 0004). */
export interface CertificationState {
  status: CertificationStatus;
  /** The NDA the answer rests on (null when none is in the registry). */
  nda: string | null;
  observationId: string | null;
  exemptionId: string | null;
  flags: CertificationFlag[];
}

export interface Observation {
  id: string;
  nda: string;
  category: CertificationCategory;
  certified: boolean;
  observedOn: string;
  validUntil: string | null;
  source: string;
  certifier: string | null;
  reference: string | null;
  importId: string | null;
  /** SHA-256 of the registry document a platform entry rests on. */
  evidenceSha256: string | null;
  recordedAt: string;
  /** False: a shared observation (a funder's own notes are `OwnNote`s). */
  ownNote: false;
}

export interface Exemption {
  id: string;
  kind: 'HIGHER_EDUCATION' | 'NEW_CFA_GRACE';
  siren: string | null;
  nda: string | null;
  categories: CertificationCategory[];
  validFrom: string;
  validUntil: string | null;
  legalSource: string;
  note: string | null;
}

export interface ProviderSummary {
  nda: string;
  siren: string;
  siret: string;
  name: string;
  city: string | null;
  region: string | null;
  listed: boolean;
}

const LEGAL_SOURCE_OF: Record<Exemption['kind'], string> = {
  HIGHER_EDUCATION: 'Code du travail L.6316-4 II',
  NEW_CFA_GRACE: 'Code du travail R.6316-9',
};

const isoDate = (d: Date | string | null): string | null => {
  if (d === null) return null;
  if (typeof d === 'string') return d.slice(0, 10);
  // `date` columns come back as local midnight: format the local calendar day.
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

interface ObservationRow {
  id: string;
  nda: string;
  category: CertificationCategory;
  certified: boolean;
  observed_on: Date | string;
  valid_until: Date | string | null;
  source: string;
  certifier: string | null;
  reference: string | null;
  import_id: string | null;
  evidence_sha256: string | null;
  recorded_at: Date;
}

const OBSERVATION_COLUMNS = `id::text, nda, category, certified, observed_on::text, valid_until::text, source, certifier, reference, import_id, evidence_sha256, recorded_at`;

function observationOf(r: ObservationRow): Observation {
  return {
    id: String(r.id),
    nda: r.nda,
    category: r.category,
    certified: r.certified,
    observedOn: isoDate(r.observed_on)!,
    validUntil: isoDate(r.valid_until),
    source: r.source,
    certifier: r.certifier,
    reference: r.reference,
    importId: r.import_id,
    evidenceSha256: r.evidence_sha256,
    recordedAt: r.recorded_at.toISOString(),
    ownNote: false,
  };
}

interface ExemptionRow {
  id: string;
  kind: Exemption['kind'];
  siren: string | null;
  nda: string | null;
  categories: CertificationCategory[];
  valid_from: string;
  valid_until: string | null;
  legal_source: string;
  note: string | null;
}

const EXEMPTION_COLUMNS = `id, kind, siren, nda, categories, valid_from::text, valid_until::text, legal_source, note`;

function exemptionOf(r: ExemptionRow): Exemption {
  return {
    id: r.id,
    kind: r.kind,
    siren: r.siren,
    nda: r.nda,
    categories: r.categories,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    legalSource: r.legal_source,
    note: r.note,
  };
}

export function parseSiret(siret: string): string {
  const check = validateSiret(siret);
  if (!check.ok) throw new AppError('REQUEST.VALIDATION', check.reason, { errors: [{ field: 'siret', message: check.reason }] });
  return check.value;
}

/**
 * The provider registry as the API reads and amends it: search, an establishment with its NDAs
 * and their state, exemptions, and the funding check's registry facts (certification entries:
 * CertificationsService). Providers are shared reference data (no RLS), written only through the
 * SECURITY DEFINER functions of migration 0009; writes run in the caller's transaction so the
 * audit event lands in the caller's organisation chain.
 */
@Injectable()
export class ProvidersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: JobOutbox,
  ) {}

  /**
   * Certification coverage of funded actions depends on observations and exemptions: asks for its
   * re-evaluation in the transaction that changes them, so that the change never goes without it.
   */
  private recomputeCoverage(tx: Tx, actor: Actor, reason: string): Promise<string> {
    return this.outbox.add(tx, 'registry.coverage-recompute', { organisationId: null, requestedBy: actor.id, reason });
  }

  private async today(): Promise<string> {
    return (await this.clock.now()).toISOString().slice(0, 10);
  }

  /** Calls `certification_state` (the single definition of the rule) for one question. */
  async certificationState(tx: Pick<Tx, 'query'> | undefined, siret: string | null, nda: string | null, category: CertificationCategory, date: string): Promise<CertificationState> {
    const sql = `SELECT status, nda, observation_id::text, exemption_id, flags FROM certification_state($1, $2, $3, $4::date)`;
    const params = [siret, nda, category, date];
    const [row] = tx
      ? await tx.query<{ status: CertificationStatus; nda: string | null; observation_id: string | null; exemption_id: string | null; flags: CertificationFlag[] }>(sql, params)
      : await this.db.shared<{ status: CertificationStatus; nda: string | null; observation_id: string | null; exemption_id: string | null; flags: CertificationFlag[] }>(sql, params);
    return { status: row.status, nda: row.nda, observationId: row.observation_id, exemptionId: row.exemption_id, flags: row.flags };
  }

  /** Search by SIRET, SIREN, NDA (exact, digits) or name (accent- and case-insensitive, trigram index); keyset paging by NDA. */
  async search(q: string | undefined, limit: number, cursor?: string): Promise<Page<ProviderSummary>> {
    const after = decodeCursor(cursor, ['string']);
    const term = (q ?? '').trim();
    const digits = term.replace(/[\s.]/g, '');
    let where = 'true';
    const params: unknown[] = [];
    if (/^\d{14}$/.test(digits)) {
      params.push(digits);
      where = `siret = $1`;
    } else if (/^\d{11}$/.test(digits)) {
      params.push(digits);
      where = `nda = $1`;
    } else if (/^\d{9}$/.test(digits)) {
      params.push(digits);
      where = `siren = $1`;
    } else if (term !== '') {
      // Accent- and case-insensitive, on the trigram-indexed search key (migration 0008).
      params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where = `search_name LIKE search_key($1)`;
    }
    params.push(after?.[0] ?? null, limit + 1);
    const n = params.length;
    const rows = await this.db.shared<{ nda: string; siren: string; siret: string; name: string; city: string | null; region: string | null; listed: boolean }>(
      `SELECT nda, siren, siret, name, city, region, listed FROM providers
        WHERE ${where} AND ($${n - 1}::text IS NULL OR nda > $${n - 1}::char(11))
        ORDER BY nda LIMIT $${n}`,
      params,
    );
    return toPage(rows, limit, (r) => [r.nda], (r) => ({ ...r }));
  }

  /** The establishment: its NDAs, each with its state per category today, and its exemptions. */
  async establishment(siretInput: string) {
    const siret = parseSiret(siretInput);
    const today = await this.today();
    const providers = await this.db.shared<{
      nda: string;
      siren: string;
      name: string;
      street: string | null;
      postal_code: string | null;
      city: string | null;
      region: string | null;
      previous_ndas: string[];
      foreign_body: unknown;
      declared: unknown;
      last_declaration_date: string | null;
      listed: boolean;
      delisted_at: Date | null;
      updated_at: Date;
    }>(
      `SELECT nda, siren, name, street, postal_code, city, region, previous_ndas, foreign_body, declared,
              last_declaration_date::text, listed, delisted_at, updated_at
         FROM providers WHERE siret = $1 ORDER BY nda`,
      [siret],
    );
    if (providers.length === 0) throw new AppError('PROVIDER.NOT_FOUND', `No provider at SIRET ${siret} in the registry.`);
    const siren = providers[0].siren;
    const ndas = [];
    for (const p of providers) {
      const certifications: Record<string, { status: CertificationStatus; flags: CertificationFlag[]; observation: Observation | null }> = {};
      for (const category of CERTIFICATION_CATEGORIES) {
        const state = await this.certificationState(undefined, siret, p.nda, category, today);
        certifications[category] = { status: state.status, flags: state.flags, observation: await this.observation(state.observationId) };
      }
      ndas.push({
        nda: p.nda,
        name: p.name,
        address: { street: p.street, postalCode: p.postal_code, city: p.city, region: p.region },
        previousNdas: p.previous_ndas,
        foreignBody: p.foreign_body,
        declared: p.declared,
        lastDeclarationDate: p.last_declaration_date,
        listed: p.listed,
        delistedAt: p.delisted_at?.toISOString() ?? null,
        updatedAt: p.updated_at.toISOString(),
        certifications,
        // Every observation of the NDA, newest first: the certification history (web UI timeline).
        history: (
          await this.db.shared<ObservationRow>(
            `SELECT ${OBSERVATION_COLUMNS} FROM certification_observations WHERE nda = $1 ORDER BY observed_on DESC, id DESC LIMIT 200`,
            [p.nda],
          )
        ).map(observationOf),
      });
    }
    return { siret, siren, ndas, exemptions: await this.exemptionsOf(siren, providers.map((p) => p.nda)) };
  }

  async observation(id: string | null, tx?: Pick<Tx, 'query'>): Promise<Observation | null> {
    if (id === null) return null;
    const sql = `SELECT ${OBSERVATION_COLUMNS} FROM certification_observations WHERE id = $1`;
    const [row] = tx ? await tx.query<ObservationRow>(sql, [id]) : await this.db.shared<ObservationRow>(sql, [id]);
    return row ? observationOf(row) : null;
  }

  private async exemptionsOf(siren: string, ndas: string[]): Promise<Exemption[]> {
    const rows = await this.db.shared<ExemptionRow>(
      `SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE siren = $1 OR nda = ANY ($2::char(11)[]) ORDER BY valid_from DESC, id`,
      [siren, ndas],
    );
    return rows.map(exemptionOf);
  }

  /** The NDA an observation or exemption is about: the one given, else the only one at the SIRET (else, with `anyNda`, the first). */
  async ndaAtSiret(tx: Pick<Tx, 'query'>, siret: string, ndaInput: string | undefined, anyNda = false): Promise<{ nda: string; siren: string }> {
    const rows = await tx.query<{ nda: string; siren: string }>(`SELECT nda, siren FROM providers WHERE siret = $1 ORDER BY nda`, [siret]);
    if (rows.length === 0) throw new AppError('PROVIDER.NOT_FOUND', `No provider at SIRET ${siret} in the registry.`);
    if (ndaInput !== undefined) {
      const nda = validateNda(ndaInput);
      const found = nda.ok ? rows.find((r) => r.nda === nda.value) : undefined;
      if (!found) throw new AppError('PROVIDER.NDA_NOT_AT_SIRET', `NDA ${ndaInput} is not declared at SIRET ${siret}.`, { ndas: rows.map((r) => r.nda) });
      return found;
    }
    if (rows.length > 1 && !anyNda) {
      throw new AppError('PROVIDER.NDA_REQUIRED', `SIRET ${siret} holds ${rows.length} NDAs: name the one observed.`, { ndas: rows.map((r) => r.nda) });
    }
    return rows[0];
  }

  async createExemption(
    actor: Actor,
    siretInput: string,
    input: { kind: Exemption['kind']; categories: CertificationCategory[]; validFrom: string; validUntil?: string; nda?: string; legalSource?: string; note?: string },
  ): Promise<Exemption> {
    const siret = parseSiret(siretInput);
    let validUntil = input.validUntil ?? null;
    if (input.kind === 'NEW_CFA_GRACE' && validUntil === null) {
      // R.6316-9: six months from the CFA's start (the day before the same date six months on).
      const d = new Date(`${input.validFrom}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() + 6);
      d.setUTCDate(d.getUTCDate() - 1);
      validUntil = d.toISOString().slice(0, 10);
    }
    if (validUntil !== null && validUntil < input.validFrom) {
      throw new AppError('REQUEST.VALIDATION', 'validUntil is before validFrom.', { errors: [{ field: 'validUntil', message: 'must not be before validFrom' }] });
    }
    return this.db.tx(tenantOf(actor), async (tx) => {
      let nda: string | null = null;
      if (input.nda !== undefined) nda = (await this.ndaAtSiret(tx, siret, input.nda)).nda;
      // Shared data: written through the function that checks the platform's authority (migration 0009).
      const [{ id }] = await tx.query<{ id: string }>(
        `SELECT registry_create_exemption($1, $2, $3, $4, $5::date, $6::date, $7, $8) AS id`,
        [input.kind, nda ? null : siret.slice(0, 9), nda, [...new Set(input.categories)], input.validFrom, validUntil, input.legalSource ?? LEGAL_SOURCE_OF[input.kind], input.note ?? null],
      );
      const [row] = await tx.query<ExemptionRow>(`SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE id = $1`, [id]);
      const exemption = exemptionOf(row);
      await this.audit.record(tx, actor, { action: 'providers.exemption.create', entityType: 'exemption', entityId: exemption.id, after: exemption, details: { siret } });
      await this.recomputeCoverage(tx, actor, `exemption on ${siret}`);
      return exemption;
    });
  }
}
