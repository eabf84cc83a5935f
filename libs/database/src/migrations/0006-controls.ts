import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quality checks, part one: funders' own grids under row-level security (built-in frameworks,
 * `organisation_id` NULL, stay readable by all), mapping sets between grids, checks with their
 * linked or sampled funded actions, and findings per point.
 *
 * Also loads the built-in frameworks shipped as data in `libs/controls/data` (the *service fait*
 * checklist and one illustrative funder grid). The files are read rather than imported because the
 * database lib may not import the controls lib; `libs/controls/src/frameworks/builtin.ts` imports
 * them, so they are emitted next to the compiled code at the same relative place.
 */
const BUILTIN_FILES = ['service-fait.json', 'illustrative-funder-grid.json'];

interface BuiltinFile {
  code: string;
  version: number;
  title: string;
  kind: string;
  source: string;
  grading: unknown;
  points: { code: string; group?: string; title: string; majorOnly?: boolean }[];
}

export class Controls1790000000006 implements MigrationInterface {
  name = 'Controls1790000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Funder grids are namespaced by their owner: two funders may both have a grid 'GRILLE-1'
      -- without either learning of the other. Built-in codes stay unique among built-ins.
      ALTER TABLE frameworks DROP CONSTRAINT frameworks_code_version_key;
      CREATE UNIQUE INDEX frameworks_builtin_code_version ON frameworks (code, version) WHERE organisation_id IS NULL;
      CREATE UNIQUE INDEX frameworks_owned_code_version ON frameworks (organisation_id, code, version) WHERE organisation_id IS NOT NULL;
      ALTER TABLE frameworks ADD COLUMN created_by uuid;
      ALTER TABLE frameworks ENABLE ROW LEVEL SECURITY;
      ALTER TABLE framework_points ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON frameworks
        USING (organisation_id IS NULL OR organisation_id = app_org_id())
        WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON framework_points
        USING (EXISTS (SELECT 1 FROM frameworks f WHERE f.id = framework_id))
        WITH CHECK (EXISTS (SELECT 1 FROM frameworks f WHERE f.id = framework_id AND f.organisation_id = app_org_id()));

      -- A mapping set: points of a source grid feed points of a target grid (many-to-many).
      CREATE TABLE framework_mappings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        source_framework_id uuid NOT NULL REFERENCES frameworks(id),
        target_framework_id uuid NOT NULL REFERENCES frameworks(id),
        title text,
        pairs jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (source_framework_id <> target_framework_id)
      );

      CREATE TABLE checks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        provider_siret char(14) NOT NULL CHECK (provider_siret ~ '^[0-9]{14}$'),
        provider_nda char(11) CHECK (provider_nda ~ '^[0-9]{11}$'),
        method text NOT NULL CHECK (method IN ('DOCUMENTARY','ON_SITE','REMOTE')),
        framework_id uuid NOT NULL REFERENCES frameworks(id),
        scope_context jsonb NOT NULL DEFAULT '{}',
        scope jsonb NOT NULL,
        assignee_id uuid REFERENCES users(id),
        contact_name text,
        contact_email text,
        state text NOT NULL DEFAULT 'DRAFT' CHECK (state IN ('DRAFT','NOTIFIED','RESPONDED','RESPONSE_OVERDUE','COMPLETED')),
        outcome text CHECK (outcome IN ('COMPLIANT','COMPLIANT_WITH_RESERVATIONS','NON_COMPLIANT')),
        completed_at timestamptz,
        completed_by uuid,
        sample jsonb,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK ((state = 'COMPLETED') = (outcome IS NOT NULL))
      );
      CREATE INDEX checks_org_idx ON checks (organisation_id, created_at DESC, id DESC);
      CREATE INDEX checks_provider_idx ON checks (provider_siret);
      CREATE INDEX checks_assignee_idx ON checks (assignee_id) WHERE assignee_id IS NOT NULL;

      -- Funded actions a check covers: chosen by the officer (LINKED) or drawn (SAMPLE).
      CREATE TABLE check_actions (
        check_id uuid NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
        action_id uuid NOT NULL REFERENCES funded_actions(id),
        organisation_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('LINKED','SAMPLE')),
        PRIMARY KEY (check_id, action_id)
      );
      CREATE INDEX check_actions_action_idx ON check_actions (action_id);

      CREATE TABLE check_findings (
        check_id uuid NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL,
        point_code text NOT NULL,
        grade text NOT NULL CHECK (grade IN ('COMPLIANT','MINOR_NC','MAJOR_NC','NOT_APPLICABLE')),
        comment text,
        evidence_refs text[] NOT NULL DEFAULT '{}',
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (check_id, point_code)
      );

      ALTER TABLE framework_mappings ENABLE ROW LEVEL SECURITY;
      ALTER TABLE checks ENABLE ROW LEVEL SECURITY;
      ALTER TABLE check_actions ENABLE ROW LEVEL SECURITY;
      ALTER TABLE check_findings ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON framework_mappings USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON checks USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON check_actions USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON check_findings USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
    `);

    for (const name of BUILTIN_FILES) {
      const file = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'controls', 'data', name), 'utf8')) as BuiltinFile;
      const [framework] = (await q.query(
        `INSERT INTO frameworks (code, version, title, kind, grading, source) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [file.code, file.version, file.title, file.kind, JSON.stringify(file.grading), file.source],
      )) as { id: string }[];
      const points = file.points.map((p, i) => ({ code: p.code, position: i + 1, groupCode: p.group ?? null, title: p.title, rules: { majorOnly: p.majorOnly ?? false } }));
      await q.query(
        `INSERT INTO framework_points (framework_id, code, position, group_code, title, rules)
         SELECT $1, p.code, p.position, p."groupCode", p.title, p.rules
           FROM jsonb_to_recordset($2::jsonb) AS p(code text, position int, "groupCode" text, title text, rules jsonb)`,
        [framework.id, JSON.stringify(points)],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE check_findings, check_actions, checks, framework_mappings;
      DELETE FROM frameworks WHERE code IN ('SERVICE-FAIT', 'ILLUSTRATIVE-GRID') AND organisation_id IS NULL;
      DROP POLICY tenant ON framework_points;
      DROP POLICY tenant ON frameworks;
      ALTER TABLE framework_points DISABLE ROW LEVEL SECURITY;
      ALTER TABLE frameworks DISABLE ROW LEVEL SECURITY;
      ALTER TABLE frameworks DROP COLUMN created_by;
      DROP INDEX frameworks_owned_code_version;
      DROP INDEX frameworks_builtin_code_version;
      ALTER TABLE frameworks ADD CONSTRAINT frameworks_code_version_key UNIQUE (code, version);
    `);
  }
}
