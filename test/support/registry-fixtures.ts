import { randomBytes } from 'node:crypto';
import { TestDatabase } from '@bo/testing';
import { luhnCheckDigit } from '@bo/registry';
import { orgId } from './fixtures';

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const withKey = (body: string) => body + luhnCheckDigit(body);

export interface TestProvider {
  siret: string;
  nda: string;
}

/** A provider written straight into the registry (one NDA at one SIRET, valid Luhn keys). */
export async function createProvider(db: TestDatabase, name = 'Organisme de test'): Promise<TestProvider> {
  const siren = withKey(digits(8));
  const siret = withKey(siren + digits(4));
  const nda = digits(11);
  await db.superQuery(`INSERT INTO providers (nda, siren, siret, name, region) VALUES ($1, $2, $3, $4, '84')`, [nda, siret.slice(0, 9), siret, name]);
  return { siret, nda };
}

export interface TestActionInput {
  category?: 'TRAINING' | 'SKILLS_ASSESSMENT' | 'VAE' | 'APPRENTICESHIP';
  certificationCode?: string | null;
}

/** A funded action of `organisationCode` written straight into the database. */
export async function createAction(db: TestDatabase, organisationCode: string, provider: TestProvider, input: TestActionInput = {}): Promise<string> {
  const organisationId = await orgId(db, organisationCode);
  const [row] = await db.superQuery<{ id: string }>(
    `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, provider_nda, category, certification_code, formacode,
                                 modality, region, start_date, amount_funded)
     VALUES ($1, $2, $3, $4, $5, $6, '22252', 'ON_SITE', '84', '2026-01-15', 1000) RETURNING id`,
    [organisationId, `T-${randomBytes(6).toString('hex')}`, provider.siret, provider.nda, input.category ?? 'TRAINING', input.certificationCode ?? null],
  );
  return row.id;
}
