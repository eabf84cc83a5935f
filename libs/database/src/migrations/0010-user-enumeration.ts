import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No user enumeration across organisations (docs/security.md, "Threat model"). An e-mail address
 * stays the log-in of one account; when an admin creates a user whose address already belongs to
 * another organisation's account, the user is still created in the admin's organisation, but
 * inert: `email_held_elsewhere`, it never signs in with a password (`auth_user_by_email` skips
 * it), and nothing the admin sees tells it apart from any other new user. Uniqueness moves from
 * "one row per address" to "one active account per address, one row per address and organisation".
 */
export class UserEnumeration1790000000010 implements MigrationInterface {
  name = 'UserEnumeration1790000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN email_held_elsewhere boolean NOT NULL DEFAULT false;
      ALTER TABLE users DROP CONSTRAINT users_email_key;
      CREATE UNIQUE INDEX users_email_account_key ON users (email) WHERE NOT email_held_elsewhere;
      ALTER TABLE users ADD CONSTRAINT users_organisation_email_key UNIQUE (organisation_id, email);

      CREATE OR REPLACE FUNCTION auth_user_by_email(p_email text)
        RETURNS TABLE (id uuid, organisation_id uuid, password_hash text, disabled boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT u.id, u.organisation_id, u.password_hash, u.disabled FROM users u
            WHERE u.email = lower(p_email) AND NOT u.email_held_elsewhere $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION auth_user_by_email(p_email text)
        RETURNS TABLE (id uuid, organisation_id uuid, password_hash text, disabled boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT u.id, u.organisation_id, u.password_hash, u.disabled FROM users u WHERE u.email = lower(p_email) $$;
      DELETE FROM users WHERE email_held_elsewhere;
      ALTER TABLE users DROP CONSTRAINT users_organisation_email_key;
      DROP INDEX users_email_account_key;
      ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
      ALTER TABLE users DROP COLUMN email_held_elsewhere;
    `);
  }
}
