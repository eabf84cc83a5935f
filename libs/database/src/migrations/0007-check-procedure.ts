import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quality checks, part two: the contradictory procedure (notification letter, the date the
 * provider received it, the response window, the provider's answer), evidence files, frozen
 * versions with amendments, corrective actions with follow-up, payment blocks on linked actions,
 * and the notification rows that tell people about deadlines.
 */
export class CheckProcedure1790000000007 implements MigrationInterface {
  name = 'CheckProcedure1790000000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE checks
        ADD COLUMN revision integer NOT NULL DEFAULT 1,
        ADD COLUMN joint_service_fait boolean NOT NULL DEFAULT false,
        ADD COLUMN amendment_reason text,
        ADD COLUMN region char(2),
        ADD COLUMN notified_at timestamptz,
        ADD COLUMN notified_by uuid,
        ADD COLUMN provider_received_on date,
        ADD COLUMN response_due_at timestamptz,
        ADD COLUMN notification_letter_sha256 text;
      CREATE INDEX checks_response_due_idx ON checks (response_due_at) WHERE state = 'NOTIFIED';

      -- Every completed version, frozen: the check as it was completed, findings and procedure included.
      CREATE TABLE check_versions (
        check_id uuid NOT NULL REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        revision integer NOT NULL,
        outcome text NOT NULL,
        completed_at timestamptz NOT NULL,
        completed_by uuid NOT NULL,
        amendment_reason text,
        snapshot jsonb NOT NULL,
        snapshot_sha256 text NOT NULL,
        PRIMARY KEY (check_id, revision)
      );

      -- Evidence: a file (content-addressed) or a record reference; immutable once stored.
      CREATE TABLE check_evidence (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        check_id uuid NOT NULL REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind text NOT NULL CHECK (kind IN ('FILE','RECORD')),
        purpose text NOT NULL DEFAULT 'FINDING' CHECK (purpose IN ('FINDING','PROVIDER_RESPONSE','CORRECTIVE_FOLLOW_UP')),
        sha256 text,
        size bigint,
        media_type text,
        file_name text,
        record_reference text,
        description text,
        personal_data boolean NOT NULL DEFAULT false,
        uploaded_by uuid NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'FILE') = (sha256 IS NOT NULL)),
        CHECK ((kind = 'RECORD') = (record_reference IS NOT NULL))
      );
      CREATE INDEX check_evidence_check_idx ON check_evidence (check_id);

      CREATE TABLE check_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        check_id uuid NOT NULL REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        revision integer NOT NULL,
        text text NOT NULL,
        evidence_ids uuid[] NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL,
        late boolean NOT NULL DEFAULT false,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE corrective_actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        check_id uuid NOT NULL REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        revision integer NOT NULL,
        point_code text NOT NULL,
        grade text NOT NULL CHECK (grade IN ('MINOR_NC','MAJOR_NC')),
        description text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','CLOSED')),
        closed_at timestamptz,
        closed_by uuid,
        closure_note text,
        overdue_notified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (check_id, revision, point_code)
      );
      CREATE INDEX corrective_actions_due_idx ON corrective_actions (due_at) WHERE status = 'OPEN';
      CREATE TABLE corrective_action_followups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        corrective_action_id uuid NOT NULL REFERENCES corrective_actions(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        note text NOT NULL,
        evidence_ids uuid[] NOT NULL DEFAULT '{}',
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );

      -- Who must be told of what; shown and mailed by the notifications feature.
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        user_id uuid REFERENCES users(id),
        kind text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        UNIQUE (kind, entity_type, entity_id, user_id)
      );

      ALTER TABLE funded_actions ADD COLUMN payment_block_check_id uuid;

      ALTER TABLE check_versions ENABLE ROW LEVEL SECURITY;
      ALTER TABLE check_evidence ENABLE ROW LEVEL SECURITY;
      ALTER TABLE check_responses ENABLE ROW LEVEL SECURITY;
      ALTER TABLE corrective_actions ENABLE ROW LEVEL SECURITY;
      ALTER TABLE corrective_action_followups ENABLE ROW LEVEL SECURITY;
      ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON check_versions USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON check_evidence USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON check_responses USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON corrective_actions USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON corrective_action_followups USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON notifications USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());

      -- Frozen versions and evidence never change.
      REVOKE UPDATE, DELETE, TRUNCATE ON check_versions, check_evidence, check_responses FROM bo_app, bo_system;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE funded_actions DROP COLUMN payment_block_check_id;
      DROP TABLE notifications, corrective_action_followups, corrective_actions, check_responses, check_evidence, check_versions;
      ALTER TABLE checks DROP COLUMN revision, DROP COLUMN joint_service_fait, DROP COLUMN amendment_reason, DROP COLUMN region,
        DROP COLUMN notified_at, DROP COLUMN notified_by, DROP COLUMN provider_received_on, DROP COLUMN response_due_at,
        DROP COLUMN notification_letter_sha256;
    `);
  }
}
