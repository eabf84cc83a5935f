import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, refresh-token families, log-in throttling, API keys, SSO settings and the audit trail,
 * with row-level security keyed on `app.org_id`. Look-ups that must work before the organisation
 * is known (log-in, token refresh, API key) go through SECURITY DEFINER functions owned by the
 * owner role, which return only what authentication needs.
 */
export class IdentityAudit1790000000002 implements MigrationInterface {
  name = 'IdentityAudit1790000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The organisation of the current transaction; NULL when none is set (sees nothing).
      CREATE FUNCTION app_org_id() RETURNS uuid LANGUAGE sql STABLE AS
        $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL,
        password_hash text,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0),
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        UNIQUE (email)
      );
      CREATE INDEX users_org_idx ON users (organisation_id, email);

      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

      -- Failed log-ins per key ('acct:<email>', 'ip:<address>', 'pair:<email>|<address>').
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0,
        blocked_until timestamptz,
        last_failure_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        label text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        scopes text[] NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz,
        last_used_from text
      );

      -- OpenID Connect per organisation (ProConnect or a funder's own provider).
      CREATE TABLE sso_providers (
        organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret text NOT NULL,
        allow_insecure_loopback boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE user_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        PRIMARY KEY (issuer, subject)
      );
      CREATE TABLE sso_states (
        state text PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        redirect_uri text NOT NULL,
        expires_at timestamptz NOT NULL
      );

      -- Tamper-evident trail: one hash chain per organisation (the PLATFORM organisation's is the platform chain).
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        seq bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_kind text NOT NULL,
        actor_id text,
        actor_label text,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        before_digest text,
        after_digest text,
        details jsonb NOT NULL DEFAULT '{}',
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE (organisation_id, seq)
      );
      CREATE INDEX audit_events_filter_idx ON audit_events (organisation_id, entity_type, occurred_at);
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM bo_app, bo_system;

      ALTER TABLE users ENABLE ROW LEVEL SECURITY;
      ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
      ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
      ALTER TABLE sso_providers ENABLE ROW LEVEL SECURITY;
      ALTER TABLE user_identities ENABLE ROW LEVEL SECURITY;
      ALTER TABLE sso_states ENABLE ROW LEVEL SECURITY;
      ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON users USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON refresh_tokens USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON api_keys USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON sso_providers USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON user_identities USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON sso_states USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant_read ON audit_events FOR SELECT USING (organisation_id = app_org_id());
      CREATE POLICY tenant_append ON audit_events FOR INSERT WITH CHECK (organisation_id = app_org_id());

      -- Authentication look-ups before the organisation is known.
      CREATE FUNCTION auth_user_by_email(p_email text)
        RETURNS TABLE (id uuid, organisation_id uuid, password_hash text, disabled boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT u.id, u.organisation_id, u.password_hash, u.disabled FROM users u WHERE u.email = lower(p_email) $$;

      CREATE FUNCTION auth_principal(p_user_id uuid)
        RETURNS TABLE (id uuid, organisation_id uuid, organisation_kind text, email text, roles text[], disabled boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT u.id, u.organisation_id, o.kind, u.email, u.roles, (u.disabled OR NOT o.active)
             FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = p_user_id $$;

      CREATE FUNCTION auth_refresh_token(p_hash text)
        RETURNS TABLE (id uuid, family_id uuid, user_id uuid, organisation_id uuid, expires_at timestamptz, used_at timestamptz, revoked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT t.id, t.family_id, t.user_id, t.organisation_id, t.expires_at, t.used_at, t.revoked_at
             FROM refresh_tokens t WHERE t.token_hash = p_hash $$;

      CREATE FUNCTION auth_api_key(p_prefix text)
        RETURNS TABLE (id uuid, organisation_id uuid, organisation_kind text, label text, secret_hash text, scopes text[], revoked boolean, last_used_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT k.id, k.organisation_id, o.kind, k.label, k.secret_hash, k.scopes, (k.revoked_at IS NOT NULL OR NOT o.active), k.last_used_at
             FROM api_keys k JOIN organisations o ON o.id = k.organisation_id WHERE k.prefix = p_prefix $$;

      CREATE FUNCTION auth_sso_state(p_state text)
        RETURNS TABLE (organisation_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT s.organisation_id FROM sso_states s WHERE s.state = p_state $$;

      REVOKE EXECUTE ON FUNCTION auth_user_by_email(text), auth_principal(uuid), auth_refresh_token(text), auth_api_key(text), auth_sso_state(text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION auth_user_by_email(text), auth_principal(uuid), auth_refresh_token(text), auth_api_key(text), auth_sso_state(text) TO bo_app, bo_system;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION auth_user_by_email(text), auth_principal(uuid), auth_refresh_token(text), auth_api_key(text), auth_sso_state(text);
      DROP TABLE audit_events, sso_states, user_identities, sso_providers, api_keys, login_throttle, refresh_tokens, users;
      DROP FUNCTION app_org_id();
    `);
  }
}
