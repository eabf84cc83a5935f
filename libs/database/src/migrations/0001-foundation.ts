import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform tables: clock offset (tests), idempotency keys, organisations, reference loads and
 * the framework tables the RNQ is loaded into. Grants follow the three-role design: `bo_owner`
 * owns everything, `bo_app` reads and writes under row-level security, `bo_system` bypasses it.
 */
export class Foundation1790000000001 implements MigrationInterface {
  name = 'Foundation1790000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      GRANT USAGE ON SCHEMA public TO bo_app, bo_system;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bo_app, bo_system;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO bo_app, bo_system;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO bo_app, bo_system;
      CREATE EXTENSION IF NOT EXISTS pg_trgm;

      -- Test mode only: one row moves the clock of every process (CLOCK_MODE=offset).
      CREATE TABLE clock_offset (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        offset_ms bigint NOT NULL DEFAULT 0
      );
      REVOKE INSERT, UPDATE, DELETE ON clock_offset FROM bo_app;

      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status integer,
        body jsonb,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      );
      REVOKE ALL ON idempotency_keys FROM bo_app;

      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('FUNDER','MANDATED_BODY','CONTROL_SERVICE','CERTIFIER','PLATFORM')),
        funder_kind text CHECK (funder_kind IN ('OPCO','CDC','REGION','FRANCE_TRAVAIL','AGEFIPH','TRANSITIONS_PRO','STATE','FAF','OTHER')),
        name text NOT NULL,
        region char(2),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'FUNDER') = (funder_kind IS NOT NULL))
      );

      -- Which reference file was loaded, so a reload with the same bytes changes nothing.
      CREATE TABLE reference_loads (
        name text PRIMARY KEY,
        sha256 text NOT NULL,
        rows integer NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );

      -- Control frameworks: built-in (organisation_id NULL: RNQ, service fait) and funders' own grids.
      CREATE TABLE frameworks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL,
        version integer NOT NULL,
        organisation_id uuid REFERENCES organisations(id),
        title text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('RNQ','SERVICE_FAIT','FUNDER_GRID')),
        grading jsonb NOT NULL,
        source text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (code, version)
      );
      CREATE TABLE framework_points (
        framework_id uuid NOT NULL REFERENCES frameworks(id) ON DELETE CASCADE,
        code text NOT NULL,
        position integer NOT NULL,
        group_code text,
        title text NOT NULL,
        rules jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (framework_id, code)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE framework_points, frameworks, reference_loads, organisations, idempotency_keys, clock_offset`);
  }
}
