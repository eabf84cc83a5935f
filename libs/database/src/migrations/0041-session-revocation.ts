import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * \`auth_session(user, session)\`: the caller of an access token as \`auth_principal\` answers it,
 * plus whether the token's session (\`sid\`, its refresh-token family) was revoked: log-out and a
 * reused refresh token set \`revoked_at\` on every token of the family, so a revoked family has at
 * least one such row (index \`refresh_tokens_family_idx\`). The API reads the account and the
 * session in this ONE statement on every request; the deny list in Redis it replaces cost a round
 * trip of its own and failed open while Redis was down (docs/security.md, "Access-token revocation").
 */
export class SessionRevocation1790000000041 implements MigrationInterface {
  name = 'SessionRevocation1790000000041';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION auth_session(p_user_id uuid, p_family_id uuid)
        RETURNS TABLE (id uuid, organisation_id uuid, organisation_kind text, email text, roles text[], disabled boolean, session_revoked boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT u.id, u.organisation_id, o.kind, u.email, u.roles, (u.disabled OR NOT o.active),
                  EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = p_family_id AND t.revoked_at IS NOT NULL)
             FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = p_user_id $$;
      REVOKE EXECUTE ON FUNCTION auth_session(uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION auth_session(uuid, uuid) TO bo_app, bo_system;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION auth_session(uuid, uuid)`);
  }
}
