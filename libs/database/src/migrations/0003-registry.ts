import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provider registry (shared reference data, no RLS): one row per NDA, certification observations
 * as a dated history, exemptions as data. Imports as resources with per-line errors. Funded
 * actions, owned by a funder (RLS), with their certification coverage.
 */
export class Registry1790000000003 implements MigrationInterface {
  name = 'Registry1790000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE providers (
        nda char(11) PRIMARY KEY CHECK (nda ~ '^[0-9]{11}$'),
        siren char(9) NOT NULL CHECK (siren ~ '^[0-9]{9}$'),
        siret char(14) NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
        name text NOT NULL,
        street text,
        postal_code text,
        city text,
        region char(2),
        previous_ndas text[] NOT NULL DEFAULT '{}',
        foreign_body jsonb,
        declared jsonb NOT NULL DEFAULT '{}',
        last_declaration_date date,
        listed boolean NOT NULL DEFAULT true,
        delisted_at timestamptz,
        source_digest text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX providers_siret_idx ON providers (siret);
      CREATE INDEX providers_siren_idx ON providers (siren);
      CREATE INDEX providers_previous_ndas_idx ON providers USING gin (previous_ndas);
      CREATE INDEX providers_name_trgm_idx ON providers USING gin (name gin_trgm_ops);

      -- Qualiopi state per NDA and category: dated observations; the latest one on or before a
      -- date wins; none = UNKNOWN. The public list only adds one when a flag changes.
      CREATE TABLE certification_observations (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        nda char(11) NOT NULL REFERENCES providers(nda),
        category text NOT NULL CHECK (category IN ('TRAINING','SKILLS_ASSESSMENT','VAE','APPRENTICESHIP')),
        certified boolean NOT NULL,
        observed_on date NOT NULL,
        valid_until date,
        source text NOT NULL CHECK (source IN ('PUBLIC_LIST','MANUAL','CERTIFIER_DECISION')),
        certifier text,
        reference text,
        import_id uuid,
        recorded_by uuid,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX certification_observations_lookup_idx ON certification_observations (nda, category, observed_on DESC, id DESC);

      -- Exemptions as data (kind, who, period, legal source).
      CREATE TABLE exemptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('HIGHER_EDUCATION','NEW_CFA_GRACE')),
        siren char(9),
        nda char(11),
        categories text[] NOT NULL,
        valid_from date NOT NULL,
        valid_until date,
        legal_source text NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (siren IS NOT NULL OR nda IS NOT NULL)
      );
      CREATE INDEX exemptions_siren_idx ON exemptions (siren);

      -- An import is a resource pointing to its job; errors are kept per line.
      CREATE TABLE imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind text NOT NULL CHECK (kind IN ('PUBLIC_LIST','ACTIONS')),
        mode text,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED','RUNNING','SUCCEEDED','FAILED')),
        file_sha256 text NOT NULL,
        file_name text,
        file_size bigint,
        job_id text,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        progress jsonb NOT NULL DEFAULT '{}',
        counts jsonb NOT NULL DEFAULT '{}',
        error text
      );
      CREATE INDEX imports_org_idx ON imports (organisation_id, created_at DESC);
      CREATE TABLE import_errors (
        import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL,
        line integer NOT NULL,
        field text NOT NULL DEFAULT '',
        reason text NOT NULL,
        PRIMARY KEY (import_id, line, field)
      );

      CREATE TABLE funded_actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        external_ref text NOT NULL,
        provider_siret char(14) NOT NULL,
        provider_nda char(11),
        category text NOT NULL CHECK (category IN ('TRAINING','SKILLS_ASSESSMENT','VAE','APPRENTICESHIP')),
        certification_code text,
        formacode char(5),
        modality text NOT NULL CHECK (modality IN ('ON_SITE','REMOTE','BLENDED')),
        region char(2) NOT NULL,
        funding_decision_date date,
        start_date date NOT NULL,
        end_date date,
        hours_per_trainee numeric(10,2) CHECK (hours_per_trainee >= 0),
        trainees integer CHECK (trainees >= 0),
        price_excl_vat numeric(14,2) CHECK (price_excl_vat >= 0),
        amount_funded numeric(14,2) NOT NULL CHECK (amount_funded >= 0),
        branch_idcc text,
        coverage text NOT NULL DEFAULT 'UNKNOWN' CHECK (coverage IN ('CERTIFIED','NOT_CERTIFIED','EXEMPT','UNKNOWN')),
        coverage_flags text[] NOT NULL DEFAULT '{}',
        coverage_nda char(11),
        coverage_evaluated_at timestamptz,
        payment_blocked boolean NOT NULL DEFAULT false,
        payment_block_reason text,
        source_digest text,
        import_id uuid,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organisation_id, external_ref),
        CHECK (certification_code IS NOT NULL OR formacode IS NOT NULL),
        CHECK (end_date IS NULL OR end_date >= start_date)
      );
      CREATE INDEX funded_actions_provider_idx ON funded_actions (provider_siret);
      CREATE INDEX funded_actions_siren_idx ON funded_actions (left(provider_siret, 9));
      CREATE INDEX funded_actions_coverage_idx ON funded_actions (organisation_id, coverage) WHERE coverage = 'NOT_CERTIFIED';

      ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
      ALTER TABLE import_errors ENABLE ROW LEVEL SECURITY;
      ALTER TABLE funded_actions ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON imports USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON import_errors USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON funded_actions USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE funded_actions, import_errors, imports, exemptions, certification_observations, providers`);
  }
}
