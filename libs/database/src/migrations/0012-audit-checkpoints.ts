import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the audit chains (issue 8, item 7): the head (sequence and hash) of an
 * organisation's chain, signed with the Ed25519 key of libs/signing. Append-only like the events:
 * the application and system roles may insert and read, never update, delete or truncate.
 */
export class AuditCheckpoints1790000000012 implements MigrationInterface {
  name = 'AuditCheckpoints1790000000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        seq bigint NOT NULL,
        hash text NOT NULL,
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        UNIQUE (organisation_id, seq)
      );
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM bo_app, bo_system;
      ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_read ON audit_checkpoints FOR SELECT USING (organisation_id = app_org_id());
      CREATE POLICY tenant_append ON audit_checkpoints FOR INSERT WITH CHECK (organisation_id = app_org_id());
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
  }
}
