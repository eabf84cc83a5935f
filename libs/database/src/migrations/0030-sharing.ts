import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sharing checks across funders (issue 14, docs/sharing.md).
 *
 * - `sharing_settings`: per organisation, the default share of a completed check, need-to-know
 *   (its pool shares reach only funders funding the provider in the last N years) and the windows
 *   of duplicate detection and of the control plan.
 * - `check_shares`: the share of a check (`PRIVATE`, `POOL`, `NAMED` funders), one row per check,
 *   set from the owner's default when the check first completes, changed or revoked at any time.
 * - `mandates`: dated grants by which a funder lets a mandated body's checks count as its own.
 * - `reliances`: a funder relies on a visible completed check (stale when revoked or amended).
 * - `lead_funders` and `lead_funder_claims`: who coordinates controls of a provider.
 * - `provider_control_profiles`: the cross-funder aggregate written by the system role only.
 *
 * `check_visible_to(check, organisation)` is the rule in SQL: the row-level security policies of
 * checks and of what hangs on them call it, and libs/access (visibility.ts) builds its SQL on it.
 * It runs as the owner (SECURITY DEFINER) because it must read shares, mandates and the
 * caller's funded actions whatever the caller's policies; it answers a boolean only.
 */
export class Sharing1790000000030 implements MigrationInterface {
  name = 'Sharing1790000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The business clock in SQL: machine time plus the test-mode offset (zero in production).
      CREATE FUNCTION app_now() RETURNS timestamptz LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT now() + coalesce((SELECT offset_ms FROM clock_offset), 0) * interval '1 millisecond' $$;

      CREATE TABLE sharing_settings (
        organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
        default_mode text NOT NULL DEFAULT 'PRIVATE' CHECK (default_mode IN ('PRIVATE','POOL')),
        need_to_know boolean NOT NULL DEFAULT false,
        need_to_know_years integer NOT NULL DEFAULT 3 CHECK (need_to_know_years BETWEEN 1 AND 10),
        duplicate_window_months integer NOT NULL DEFAULT 36 CHECK (duplicate_window_months BETWEEN 1 AND 120),
        plan_window_months integer NOT NULL DEFAULT 36 CHECK (plan_window_months BETWEEN 1 AND 120),
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE check_shares (
        check_id uuid PRIMARY KEY REFERENCES checks(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        mode text NOT NULL CHECK (mode IN ('PRIVATE','POOL','NAMED')),
        funder_ids uuid[] NOT NULL DEFAULT '{}',
        changed_by uuid,
        changed_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((mode = 'NAMED') = (cardinality(funder_ids) > 0))
      );
      CREATE INDEX check_shares_pool ON check_shares (check_id) WHERE mode <> 'PRIVATE';

      CREATE TABLE mandates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        body_id uuid NOT NULL REFERENCES organisations(id),
        valid_from date NOT NULL,
        valid_until date,
        reference text NOT NULL CHECK (length(btrim(reference)) > 0),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        ended_by uuid,
        CHECK (valid_until IS NULL OR valid_until >= valid_from),
        CHECK (organisation_id <> body_id)
      );
      CREATE INDEX mandates_body ON mandates (body_id, organisation_id);

      CREATE TABLE reliances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        check_id uuid NOT NULL REFERENCES checks(id),
        revision integer NOT NULL,
        provider_siret char(14) NOT NULL,
        reason text NOT NULL CHECK (length(btrim(reason)) > 0),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        stale_at timestamptz,
        stale_reason text CHECK (stale_reason IN ('REVOKED','AMENDED')),
        withdrawn_at timestamptz,
        withdrawn_by uuid,
        CHECK ((stale_at IS NULL) = (stale_reason IS NULL))
      );
      CREATE UNIQUE INDEX reliances_active ON reliances (organisation_id, check_id) WHERE withdrawn_at IS NULL;
      CREATE INDEX reliances_check ON reliances (check_id);

      -- Who coordinates the controls of a provider: everyone may read it; written by the claimant
      -- (when no one holds it) or by the platform (settling a dispute), through the service.
      CREATE TABLE lead_funders (
        provider_siret char(14) PRIMARY KEY CHECK (provider_siret ~ '^[0-9]{14}$'),
        funder_id uuid NOT NULL REFERENCES organisations(id),
        since timestamptz NOT NULL,
        decided_by uuid NOT NULL,
        decided_how text NOT NULL CHECK (decided_how IN ('CLAIM','SETTLEMENT'))
      );
      CREATE TABLE lead_funder_claims (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        provider_siret char(14) NOT NULL CHECK (provider_siret ~ '^[0-9]{14}$'),
        reason text NOT NULL CHECK (length(btrim(reason)) > 0),
        status text NOT NULL CHECK (status IN ('GRANTED','PENDING','REJECTED','SUPERSEDED')),
        claimed_by uuid NOT NULL,
        claimed_at timestamptz NOT NULL,
        decided_by uuid,
        decided_at timestamptz,
        decision_note text
      );
      CREATE UNIQUE INDEX lead_funder_claims_pending ON lead_funder_claims (provider_siret, organisation_id) WHERE status = 'PENDING';

      -- A new check that follows visible completed checks of other organisations records the decision.
      ALTER TABLE checks
        ADD COLUMN duplicate_decision text CHECK (duplicate_decision IN ('REUSE','COMPLEMENT','RECHECK')),
        ADD COLUMN duplicate_reason text,
        ADD COLUMN duplicate_of uuid[],
        ADD CONSTRAINT checks_duplicate_reason CHECK ((duplicate_decision IS NULL) = (duplicate_reason IS NULL));

      CREATE TABLE provider_control_profiles (
        provider_siret char(14) PRIMARY KEY,
        funders_funding integer NOT NULL,
        amount_12m numeric(16,2) NOT NULL,
        uncertified_amount_12m numeric(16,2) NOT NULL,
        shared_checks integer NOT NULL,
        shared_nc_findings integer NOT NULL,
        shared_major_findings integer NOT NULL,
        shared_check_ids uuid[] NOT NULL,
        last_shared_check_id uuid,
        last_shared_completed_at timestamptz,
        last_shared_outcome text,
        exposure_points numeric(6,2) NOT NULL,
        certification_points numeric(6,2) NOT NULL,
        recency_points numeric(6,2) NOT NULL,
        outcome_points numeric(6,2) NOT NULL,
        score_base numeric(6,2) NOT NULL,
        score numeric(6,2) NOT NULL,
        as_of timestamptz NOT NULL,
        computed_at timestamptz NOT NULL
      );
      -- Incremental jobs: rows changed after \`watermark\` (database time) and business windows
      -- crossed after \`as_of\` (the business clock) are what the next run recomputes.
      CREATE TABLE job_watermarks (
        job text PRIMARY KEY,
        watermark timestamptz NOT NULL,
        as_of timestamptz NOT NULL
      );
      CREATE INDEX funded_actions_updated_idx ON funded_actions (updated_at);
      CREATE INDEX funded_actions_coverage_evaluated_idx ON funded_actions (coverage_evaluated_at);
      CREATE INDEX funded_actions_start_idx ON funded_actions (start_date);
      CREATE INDEX checks_updated_idx ON checks (updated_at);
      CREATE INDEX checks_completed_idx ON checks (completed_at);
      CREATE INDEX check_shares_changed_idx ON check_shares (changed_at);
      REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON provider_control_profiles, job_watermarks FROM bo_app;
      REVOKE ALL ON job_watermarks FROM bo_app;

      -- The rule (docs/sharing.md), in three parts. Through a mandate: a funder that mandated the
      -- body owning the check, for checks the body created within the mandate's dates.
      CREATE FUNCTION check_mandated_for(p_check uuid, p_org uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT EXISTS (
          SELECT 1 FROM checks c JOIN mandates m ON m.body_id = c.organisation_id AND m.organisation_id = p_org
           WHERE c.id = p_check
             AND (c.created_at AT TIME ZONE 'Europe/Paris')::date >= m.valid_from
             AND (m.valid_until IS NULL OR (c.created_at AT TIME ZONE 'Europe/Paris')::date <= m.valid_until)) $$;

      -- Through a share: a completed check, named to the funder, or shared with the pool of funders
      -- (narrowed by the owner's need-to-know to funders with a funded action of the provider
      -- starting in the last N years).
      CREATE FUNCTION check_shared_with(p_check uuid, p_org uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT EXISTS (
          SELECT 1 FROM checks c
            JOIN check_shares s ON s.check_id = c.id
            JOIN organisations o ON o.id = p_org AND o.kind = 'FUNDER' AND o.active
            LEFT JOIN sharing_settings ss ON ss.organisation_id = c.organisation_id
           WHERE c.id = p_check AND c.state = 'COMPLETED' AND c.organisation_id <> p_org
             AND ((s.mode = 'NAMED' AND p_org = ANY (s.funder_ids))
               OR (s.mode = 'POOL' AND (NOT coalesce(ss.need_to_know, false) OR EXISTS (
                     SELECT 1 FROM funded_actions fa
                      WHERE fa.organisation_id = p_org AND fa.provider_siret = c.provider_siret
                        AND fa.start_date >= (app_now() - make_interval(years => coalesce(ss.need_to_know_years, 3)))::date))))) $$;

      -- The whole rule: the owner, a mandating funder, or a funder it is shared with.
      CREATE FUNCTION check_visible_to(p_check uuid, p_org uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT p_org IS NOT NULL AND (
          EXISTS (SELECT 1 FROM checks c WHERE c.id = p_check AND c.organisation_id = p_org)
          OR check_mandated_for(p_check, p_org)
          OR check_shared_with(p_check, p_org)) $$;

      -- The framework a visible check uses (a funder's own grid is read through a shared check only).
      CREATE FUNCTION check_framework_of(p_check uuid) RETURNS TABLE (code text, version integer, kind text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT f.code, f.version, f.kind FROM checks c JOIN frameworks f ON f.id = c.framework_id
         WHERE c.id = p_check AND check_visible_to(p_check, app_org_id()) $$;

      -- How many other funders actively rely on one of the caller's own checks (a count only).
      CREATE FUNCTION sharing_active_reliances(p_check uuid) RETURNS integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT count(*)::int FROM reliances r JOIN checks c ON c.id = r.check_id AND c.organisation_id = app_org_id()
         WHERE r.check_id = p_check AND r.withdrawn_at IS NULL AND r.stale_at IS NULL $$;

      -- A completed check takes its owner's default share the first time it completes.
      CREATE FUNCTION sharing_default_share() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          INSERT INTO check_shares (check_id, organisation_id, mode, changed_by, changed_at)
          SELECT NEW.id, NEW.organisation_id, coalesce((SELECT default_mode FROM sharing_settings WHERE organisation_id = NEW.organisation_id), 'PRIVATE'),
                 NEW.completed_by, now()
          ON CONFLICT (check_id) DO NOTHING;
          RETURN NEW;
        END $$;
      CREATE TRIGGER checks_default_share AFTER UPDATE OF state ON checks
        FOR EACH ROW WHEN (NEW.state = 'COMPLETED' AND OLD.state IS DISTINCT FROM 'COMPLETED') EXECUTE FUNCTION sharing_default_share();

      -- Reliances on a check turn stale when their funder no longer sees it (revoked) or when the
      -- check is amended; each relying user gets a notification row. Returns the reliances marked.
      CREATE FUNCTION sharing_mark_reliances_stale(p_check uuid, p_reason text) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        DECLARE marked integer;
        BEGIN
          WITH stale AS (
            UPDATE reliances r SET stale_at = app_now(), stale_reason = p_reason
             WHERE r.check_id = p_check AND r.withdrawn_at IS NULL AND r.stale_at IS NULL
               -- only the check's owner changes what others see of it
               AND EXISTS (SELECT 1 FROM checks c WHERE c.id = p_check AND c.organisation_id = app_org_id())
               AND (p_reason = 'AMENDED' OR NOT check_visible_to(p_check, r.organisation_id))
            RETURNING r.id, r.organisation_id, r.created_by, r.provider_siret
          ), notified AS (
            INSERT INTO notifications (organisation_id, user_id, kind, entity_type, entity_id, payload)
            SELECT organisation_id, created_by, 'RELIANCE_STALE', 'reliance', id::text,
                   jsonb_build_object('checkId', p_check, 'reason', p_reason, 'providerSiret', provider_siret)
              FROM stale
            ON CONFLICT (kind, entity_type, entity_id, user_id) DO NOTHING
          )
          SELECT count(*) INTO marked FROM stale;
          RETURN marked;
        END $$;
      CREATE FUNCTION sharing_amended() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          PERFORM sharing_mark_reliances_stale(NEW.id, 'AMENDED');
          RETURN NEW;
        END $$;
      CREATE TRIGGER checks_amended_reliances AFTER UPDATE OF revision ON checks
        FOR EACH ROW WHEN (NEW.revision > OLD.revision) EXECUTE FUNCTION sharing_amended();

      ALTER TABLE sharing_settings ENABLE ROW LEVEL SECURITY;
      ALTER TABLE check_shares ENABLE ROW LEVEL SECURITY;
      ALTER TABLE mandates ENABLE ROW LEVEL SECURITY;
      ALTER TABLE reliances ENABLE ROW LEVEL SECURITY;
      ALTER TABLE lead_funder_claims ENABLE ROW LEVEL SECURITY;
      ALTER TABLE lead_funders ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON sharing_settings USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON check_shares USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY tenant ON reliances USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      -- A mandate is recorded by its funder; the body reads the mandates it holds.
      CREATE POLICY tenant ON mandates USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY held ON mandates FOR SELECT USING (body_id = app_org_id());
      -- Claims: the claimant's own; the platform settles every claim.
      CREATE POLICY tenant ON lead_funder_claims USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY platform ON lead_funder_claims USING (EXISTS (SELECT 1 FROM organisations o WHERE o.id = app_org_id() AND o.kind = 'PLATFORM')) WITH CHECK (EXISTS (SELECT 1 FROM organisations o WHERE o.id = app_org_id() AND o.kind = 'PLATFORM'));
      CREATE POLICY read ON lead_funders FOR SELECT USING (true);
      CREATE POLICY claim ON lead_funders FOR INSERT WITH CHECK (funder_id = app_org_id() AND decided_how = 'CLAIM');
      CREATE POLICY platform ON lead_funders USING (EXISTS (SELECT 1 FROM organisations o WHERE o.id = app_org_id() AND o.kind = 'PLATFORM')) WITH CHECK (EXISTS (SELECT 1 FROM organisations o WHERE o.id = app_org_id() AND o.kind = 'PLATFORM') AND decided_how = 'SETTLEMENT');

      -- Shared reads: what the rule grants, for reading only (writes stay with the owner).
      CREATE POLICY shared_read ON checks FOR SELECT USING (check_visible_to(id, app_org_id()));
      CREATE POLICY shared_read ON check_findings FOR SELECT USING (check_visible_to(check_id, app_org_id()));
      CREATE POLICY shared_read ON check_evidence FOR SELECT USING (check_visible_to(check_id, app_org_id()));
      CREATE POLICY shared_read ON check_versions FOR SELECT USING (check_visible_to(check_id, app_org_id()));
      CREATE POLICY shared_read ON corrective_actions FOR SELECT USING (check_visible_to(check_id, app_org_id()));
      -- Nothing is ever deleted: a share is revoked to PRIVATE, a mandate ends on a date, a
      -- reliance is withdrawn, a claim is settled, settings are changed.
      REVOKE DELETE, TRUNCATE ON sharing_settings, check_shares, mandates, reliances, lead_funders, lead_funder_claims FROM bo_app;
      -- Trigger functions and the pool part of the rule are not for the application to call.
      REVOKE EXECUTE ON FUNCTION sharing_default_share(), sharing_amended(), check_shared_with(uuid, uuid) FROM PUBLIC, bo_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP POLICY shared_read ON corrective_actions;
      DROP POLICY shared_read ON check_versions;
      DROP POLICY shared_read ON check_evidence;
      DROP POLICY shared_read ON check_findings;
      DROP POLICY shared_read ON checks;
      DROP TRIGGER checks_amended_reliances ON checks;
      DROP TRIGGER checks_default_share ON checks;
      DROP FUNCTION sharing_amended();
      DROP FUNCTION sharing_mark_reliances_stale(uuid, text);
      DROP FUNCTION sharing_default_share();
      DROP FUNCTION sharing_active_reliances(uuid);
      DROP FUNCTION check_framework_of(uuid);
      DROP FUNCTION check_visible_to(uuid, uuid);
      DROP FUNCTION check_shared_with(uuid, uuid);
      DROP FUNCTION check_mandated_for(uuid, uuid);
      DROP INDEX funded_actions_updated_idx, funded_actions_coverage_evaluated_idx, funded_actions_start_idx, checks_updated_idx, checks_completed_idx;
      DROP TABLE job_watermarks, provider_control_profiles, lead_funder_claims, lead_funders, reliances, mandates, check_shares, sharing_settings;
      ALTER TABLE checks DROP CONSTRAINT checks_duplicate_reason, DROP COLUMN duplicate_decision, DROP COLUMN duplicate_reason, DROP COLUMN duplicate_of;
      DROP FUNCTION app_now();
    `);
  }
}
