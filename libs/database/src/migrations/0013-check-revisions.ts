import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The contradictory procedure's records (issue 9): revisions of findings after the provider's
 * response (with the reason and the response they follow), and corrections of the date the
 * provider received the notification (with the reason). Both append-only, under row-level
 * security. Stored scopes that named the provider's certification as their source now say it was
 * only a proposal.
 */
export class CheckRevisions1790000000013 implements MigrationInterface {
  name = 'CheckRevisions1790000000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE check_finding_revisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        check_id uuid NOT NULL REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        revision integer NOT NULL,
        point_code text NOT NULL,
        response_id uuid NOT NULL REFERENCES check_responses(id),
        reason text NOT NULL CHECK (length(btrim(reason)) > 0),
        before jsonb NOT NULL,
        after jsonb NOT NULL,
        revised_by uuid NOT NULL,
        revised_at timestamptz NOT NULL
      );
      CREATE INDEX check_finding_revisions_check ON check_finding_revisions (check_id, point_code, revised_at);

      CREATE TABLE check_receipt_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        check_id uuid NOT NULL REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        revision integer NOT NULL,
        previous_received_on date,
        received_on date NOT NULL,
        previous_due_at timestamptz,
        due_at timestamptz NOT NULL,
        reason text,
        changed_by uuid NOT NULL,
        changed_at timestamptz NOT NULL
      );
      CREATE INDEX check_receipt_changes_check ON check_receipt_changes (check_id, changed_at);

      ALTER TABLE check_finding_revisions ENABLE ROW LEVEL SECURITY;
      ALTER TABLE check_receipt_changes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON check_finding_revisions USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON check_receipt_changes USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      REVOKE UPDATE, DELETE, TRUNCATE ON check_finding_revisions, check_receipt_changes FROM bo_app, bo_system;

      UPDATE checks SET scope = jsonb_set(scope, '{categorySource}', '"CERTIFIED_PROPOSAL"') || '{"categoriesProposed": true}'
       WHERE scope->>'categorySource' = 'CERTIFIED';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE checks SET scope = jsonb_set(scope, '{categorySource}', '"CERTIFIED"') - 'categoriesProposed'
       WHERE scope->>'categorySource' = 'CERTIFIED_PROPOSAL';
      DROP TABLE check_receipt_changes, check_finding_revisions;
    `);
  }
}
