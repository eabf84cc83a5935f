import { TestDatabase } from '@bo/testing';
import { luhnCheckDigit } from '@bo/registry';

/** Registry rows written straight into the database, so the actions tests need no public-list import. */

let sirenSeq = 700_000;
let ndaSeq = 11_000_000;

/** A fresh valid SIREN (Luhn). */
export function newSiren(): string {
  const body = `${sirenSeq++}`.padStart(8, '0');
  return body + luhnCheckDigit(body);
}

/** A valid SIRET of `siren` for establishment number `nic` (4 digits before the key). */
export function siretOf(siren: string, nic = 1): string {
  const body = siren + `${nic}`.padStart(4, '0');
  return body + luhnCheckDigit(body);
}

export function newNda(): string {
  return `84${ndaSeq++}`.padEnd(11, '0').slice(0, 11);
}

export async function insertProvider(db: TestDatabase, p: { nda?: string; siret: string; name?: string }): Promise<string> {
  const nda = p.nda ?? newNda();
  await db.superQuery(`INSERT INTO providers (nda, siren, siret, name, region) VALUES ($1, $2, $3, $4, '84')`, [
    nda,
    p.siret.slice(0, 9),
    p.siret,
    p.name ?? `Provider ${nda}`,
  ]);
  return nda;
}

export async function observe(
  db: TestDatabase,
  o: { nda: string; category?: string; certified: boolean; observedOn: string; validUntil?: string | null },
): Promise<void> {
  await db.superQuery(
    `INSERT INTO certification_observations (nda, category, certified, observed_on, valid_until, source) VALUES ($1, $2, $3, $4, $5, 'MANUAL')`,
    [o.nda, o.category ?? 'TRAINING', o.certified, o.observedOn, o.validUntil ?? null],
  );
}

export async function insertExemption(
  db: TestDatabase,
  e: { siren?: string; nda?: string; categories?: string[]; validFrom: string; validUntil?: string | null; kind?: string },
): Promise<void> {
  await db.superQuery(
    `INSERT INTO exemptions (kind, siren, nda, categories, valid_from, valid_until, legal_source) VALUES ($1, $2, $3, $4, $5, $6, 'L.6316-4 II')`,
    [e.kind ?? 'HIGHER_EDUCATION', e.siren ?? null, e.nda ?? null, e.categories ?? ['TRAINING'], e.validFrom, e.validUntil ?? null],
  );
}

/** A valid action body for POST /api/v1/actions. */
export function actionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalRef: `T-${Math.random().toString(36).slice(2, 10)}`,
    providerSiret: siretOf(newSiren()),
    category: 'TRAINING',
    formacode: '31054',
    modality: 'ON_SITE',
    region: '84',
    fundingDecisionDate: '2025-03-01',
    startDate: '2025-04-01',
    endDate: '2025-05-01',
    hoursPerTrainee: 35,
    trainees: 2,
    priceExclVat: 2100,
    amountFunded: 2000,
    ...overrides,
  };
}
