import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on and log-in throttling hardening (issue 8, items 3 and 4):
 * - each organisation's SSO settings carry the allowlist of redirect URIs a sign-in may use;
 * - expired sign-in states of every organisation are purged by a SECURITY DEFINER function (the
 *   anonymous start route calls it, whatever organisation it starts for);
 * - log-in failures are kept as their times in a sliding window instead of a lifetime counter.
 */
export class SsoThrottleHardening1790000000011 implements MigrationInterface {
  name = 'SsoThrottleHardening1790000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE sso_providers ADD COLUMN redirect_uris text[] NOT NULL DEFAULT '{}';
      CREATE INDEX sso_states_expiry_idx ON sso_states (expires_at);

      CREATE FUNCTION purge_expired_sso_states(p_now timestamptz) RETURNS integer
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS
        $$ WITH gone AS (DELETE FROM sso_states WHERE expires_at <= p_now RETURNING 1) SELECT count(*)::int FROM gone $$;
      REVOKE EXECUTE ON FUNCTION purge_expired_sso_states(timestamptz) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION purge_expired_sso_states(timestamptz) TO bo_app, bo_system;

      ALTER TABLE login_throttle ADD COLUMN failure_times timestamptz[] NOT NULL DEFAULT '{}';
      DELETE FROM login_throttle;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE login_throttle DROP COLUMN failure_times;
      DROP FUNCTION purge_expired_sso_states(timestamptz);
      DROP INDEX sso_states_expiry_idx;
      ALTER TABLE sso_providers DROP COLUMN redirect_uris;
    `);
  }
}
