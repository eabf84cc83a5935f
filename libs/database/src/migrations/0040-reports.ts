import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Substantiated reports (issue 16, docs/reports.md): a funder's report on a provider, its grounds
 * (check versions and confirmed price anomalies, pinned: their frozen content is copied in), the
 * co-signing funders, the seal, one recipient case per recipient organisation with its delivery
 * attempts and its handling events, and the built-in inbox's receipts.
 *
 * Who sees a report: its owner, its co-signers and the organisations it was addressed to
 * (`report_party`, SECURITY DEFINER so that policies on these tables do not recurse). Sealed
 * content never changes: triggers refuse any change of a submitted report's sealed columns and of
 * grounds of a report that is no longer a draft.
 */
export class Reports1790000000040 implements MigrationInterface {
  name = 'Reports1790000000040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        reference text NOT NULL UNIQUE,
        provider_siret char(14) NOT NULL CHECK (provider_siret ~ '^[0-9]{14}$'),
        provider_nda char(11),
        provider_name text,
        provider_region char(2),
        title text NOT NULL,
        claims jsonb NOT NULL DEFAULT '[]',
        narrative text NOT NULL DEFAULT '',
        certifier_id uuid REFERENCES organisations(id),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT','SUBMITTED','CLOSED')),
        version integer NOT NULL DEFAULT 1,
        recipients jsonb,
        package_sha256 text,
        seal_signature text,
        seal_key_id text,
        audit_head jsonb,
        pdf_sha256 text,
        submitted_at timestamptz,
        submitted_by uuid,
        closed_at timestamptz,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'DRAFT') = (package_sha256 IS NULL))
      );
      CREATE INDEX reports_org_idx ON reports (organisation_id, created_at DESC, id DESC);
      CREATE INDEX reports_provider_idx ON reports (provider_siret) WHERE status = 'SUBMITTED';

      CREATE TABLE report_cosigners (
        report_id uuid NOT NULL REFERENCES reports(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        status text NOT NULL DEFAULT 'INVITED' CHECK (status IN ('INVITED','ACCEPTED')),
        invited_by uuid NOT NULL,
        invited_at timestamptz NOT NULL,
        accepted_by uuid,
        accepted_at timestamptz,
        PRIMARY KEY (report_id, organisation_id)
      );
      CREATE INDEX report_cosigners_org_idx ON report_cosigners (organisation_id);

      -- A ground, pinned: the frozen content as it was when added, and its hash.
      CREATE TABLE report_grounds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        report_id uuid NOT NULL REFERENCES reports(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind text NOT NULL CHECK (kind IN ('CHECK_VERSION','PRICE_ANOMALY')),
        check_id uuid,
        check_revision integer,
        anomaly_id uuid,
        framework_code text,
        content jsonb NOT NULL,
        content_sha256 text NOT NULL,
        personal_data_legal_ground text,
        added_by uuid NOT NULL,
        added_at timestamptz NOT NULL,
        CHECK ((kind = 'CHECK_VERSION') = (check_id IS NOT NULL AND check_revision IS NOT NULL)),
        CHECK ((kind = 'PRICE_ANOMALY') = (anomaly_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX report_grounds_check_uq ON report_grounds (report_id, check_id, check_revision) WHERE kind = 'CHECK_VERSION';
      CREATE UNIQUE INDEX report_grounds_anomaly_uq ON report_grounds (report_id, anomaly_id) WHERE kind = 'PRICE_ANOMALY';

      -- Attachments: files added to the report (bytes in the blob store, named by their SHA-256).
      CREATE TABLE report_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        report_id uuid NOT NULL REFERENCES reports(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL,
        media_type text NOT NULL,
        file_name text,
        description text,
        personal_data boolean NOT NULL DEFAULT false,
        added_by uuid NOT NULL,
        added_at timestamptz NOT NULL
      );
      CREATE INDEX report_attachments_report_idx ON report_attachments (report_id, added_at);

      -- One case per recipient organisation: delivery, then handling.
      CREATE TABLE report_cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        report_id uuid NOT NULL REFERENCES reports(id),
        recipient_organisation_id uuid NOT NULL REFERENCES organisations(id),
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('CERTIFIER','REGIONAL_CONTROL_SERVICE')),
        region char(2),
        rules text[] NOT NULL,
        reason text NOT NULL,
        forwarded_from uuid REFERENCES report_cases(id),
        delivery_status text NOT NULL DEFAULT 'PENDING' CHECK (delivery_status IN ('PENDING','DELIVERED','DEAD_LETTER')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        claimed_until timestamptz,
        last_error text,
        acknowledgement_id text,
        delivered_at timestamptz,
        handling_status text CHECK (handling_status IN ('RECEIVED','ACKNOWLEDGED','INFO_REQUESTED','ANSWERED','FORWARDED_TO_CERTIFIER','CLOSED')),
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        outcome text CHECK (outcome IN ('ON_SITE_AUDIT','SUSPENSION','WITHDRAWAL','NO_ACTION','ACTION_TAKEN','FORWARDED_TO_CERTIFIER')),
        outcome_note text,
        closed_at timestamptz,
        closed_by uuid,
        created_at timestamptz NOT NULL,
        UNIQUE (report_id, recipient_organisation_id)
      );
      CREATE INDEX report_cases_due_idx ON report_cases (next_attempt_at) WHERE delivery_status = 'PENDING';
      CREATE INDEX report_cases_recipient_idx ON report_cases (recipient_organisation_id, created_at DESC, id DESC);

      CREATE TABLE report_delivery_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES report_cases(id),
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        http_status integer,
        error text,
        succeeded boolean NOT NULL,
        next_attempt_at timestamptz
      );
      CREATE INDEX report_delivery_attempts_case_idx ON report_delivery_attempts (case_id, id);

      -- Handling: acknowledgement, information requests and answers, forwarding, closing.
      CREATE TABLE report_case_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES report_cases(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind text NOT NULL CHECK (kind IN ('RECEIVED','ACKNOWLEDGED','INFO_REQUESTED','ANSWERED','FORWARDED_TO_CERTIFIER','CLOSED','REDELIVERY_REQUESTED')),
        text text,
        due_at timestamptz,
        answers uuid REFERENCES report_case_events(id),
        details jsonb NOT NULL DEFAULT '{}',
        actor_id uuid,
        at timestamptz NOT NULL
      );
      CREATE INDEX report_case_events_case_idx ON report_case_events (case_id, at, id);

      -- The built-in inbox's side: each accepted delivery once (a repeat gets the same acknowledgement).
      CREATE TABLE inbox_receipts (
        idempotency_key text PRIMARY KEY,
        recipient_organisation_id uuid NOT NULL REFERENCES organisations(id),
        case_id uuid NOT NULL REFERENCES report_cases(id),
        body_sha256 text NOT NULL,
        acknowledgement_id text NOT NULL UNIQUE,
        received_at timestamptz NOT NULL
      );

      -- Where a recipient organisation takes deliveries (none: the built-in inbox).
      CREATE TABLE delivery_endpoints (
        organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
        url text NOT NULL CHECK (url ~ '^https?://'),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE FUNCTION report_owner(p_report uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT EXISTS (SELECT 1 FROM reports r WHERE r.id = p_report AND r.organisation_id = app_org_id()) $$;

      -- Owner, co-signer (invited or accepted) or an organisation the report is addressed to.
      CREATE FUNCTION report_party(p_report uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT EXISTS (SELECT 1 FROM reports r WHERE r.id = p_report AND r.organisation_id = app_org_id())
              OR EXISTS (SELECT 1 FROM report_cosigners c WHERE c.report_id = p_report AND c.organisation_id = app_org_id())
              OR EXISTS (SELECT 1 FROM report_cases k WHERE k.report_id = p_report AND k.recipient_organisation_id = app_org_id())
        $$;

      CREATE FUNCTION report_case_recipient(p_case uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT EXISTS (SELECT 1 FROM report_cases k WHERE k.id = p_case AND k.recipient_organisation_id = app_org_id()) $$;

      CREATE FUNCTION report_case_party(p_case uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT EXISTS (SELECT 1 FROM report_cases k WHERE k.id = p_case AND (k.recipient_organisation_id = app_org_id() OR report_party(k.report_id)))
        $$;

      -- May this organisation co-sign a report on this establishment: a funder (or mandated body)
      -- that funds it or has checked it. Answers a yes/no only, never what or how much.
      CREATE FUNCTION report_may_cosign(p_organisation uuid, p_siret text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT EXISTS (SELECT 1 FROM organisations o WHERE o.id = p_organisation AND o.active AND o.kind IN ('FUNDER','MANDATED_BODY'))
             AND (EXISTS (SELECT 1 FROM funded_actions a WHERE a.organisation_id = p_organisation AND a.provider_siret = p_siret::char(14))
               OR EXISTS (SELECT 1 FROM checks c WHERE c.organisation_id = p_organisation AND c.provider_siret = p_siret::char(14)))
        $$;

      -- "Open reports exist" on an establishment, for any funder's funding check: a yes/no across
      -- funders (the disclosure catalogue allows that much and nothing more).
      CREATE FUNCTION reports_open_exist(p_siret text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT EXISTS (SELECT 1 FROM reports r WHERE r.provider_siret = p_siret::char(14) AND r.status = 'SUBMITTED') $$;

      -- Statistics of the caller's control service: its own cases; the DGEFP's: every control
      -- service's cases (counts only, computed here).
      CREATE FUNCTION inbox_statistics_cases()
        RETURNS TABLE (case_id uuid, region char(2), recipient_kind text, handling_status text, outcome text, funder text,
                       claims jsonb, created_at timestamptz, delivered_at timestamptz, acknowledged_at timestamptz, closed_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT k.id, coalesce(k.region, r.provider_region), k.recipient_kind, k.handling_status, k.outcome, o.code, r.claims,
                 k.created_at, k.delivered_at, k.acknowledged_at, k.closed_at
            FROM report_cases k JOIN reports r ON r.id = k.report_id JOIN organisations o ON o.id = r.organisation_id
           WHERE k.recipient_organisation_id = app_org_id()
              OR (EXISTS (SELECT 1 FROM organisations me WHERE me.id = app_org_id() AND me.code = 'DGEFP' AND me.kind = 'CONTROL_SERVICE')
                  AND k.recipient_kind = 'REGIONAL_CONTROL_SERVICE')
        $$;

      -- Tells the reporting funders (owner and accepted co-signers) of what happened to their
      -- report: a notification row per organisation, written for a caller who is a party to it.
      CREATE FUNCTION report_notify_parties(p_report uuid, p_kind text, p_entity_id text, p_payload jsonb) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        DECLARE v_count integer;
        BEGIN
          IF NOT report_party(p_report) THEN
            RAISE EXCEPTION 'not a party to this report' USING ERRCODE = '42501';
          END IF;
          INSERT INTO notifications (organisation_id, user_id, kind, entity_type, entity_id, payload)
          SELECT org, NULL, p_kind, 'report', p_entity_id, p_payload || jsonb_build_object('reportId', p_report)
            FROM (SELECT r.organisation_id AS org FROM reports r WHERE r.id = p_report
                  UNION SELECT c.organisation_id FROM report_cosigners c WHERE c.report_id = p_report AND c.status = 'ACCEPTED') parties
          ON CONFLICT DO NOTHING;
          GET DIAGNOSTICS v_count = ROW_COUNT;
          RETURN v_count;
        END $$;

      -- A submitted report is CLOSED when every case of it is (closed, or forwarded to the certifier).
      CREATE FUNCTION report_close_if_done(p_report uuid, p_at timestamptz) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          IF NOT report_party(p_report) THEN
            RAISE EXCEPTION 'not a party to this report' USING ERRCODE = '42501';
          END IF;
          UPDATE reports SET status = 'CLOSED', closed_at = p_at, updated_at = p_at
           WHERE id = p_report AND status = 'SUBMITTED'
             AND NOT EXISTS (SELECT 1 FROM report_cases k WHERE k.report_id = p_report
                              AND k.handling_status IS DISTINCT FROM 'CLOSED' AND k.handling_status IS DISTINCT FROM 'FORWARDED_TO_CERTIFIER');
          RETURN FOUND;
        END $$;

      -- A submitted report's sealed content never changes; a ground is added or removed only on a draft.
      CREATE FUNCTION reports_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status <> 'DRAFT' AND (
               NEW.title IS DISTINCT FROM OLD.title OR NEW.claims IS DISTINCT FROM OLD.claims OR NEW.narrative IS DISTINCT FROM OLD.narrative
            OR NEW.provider_siret IS DISTINCT FROM OLD.provider_siret OR NEW.certifier_id IS DISTINCT FROM OLD.certifier_id
            OR NEW.recipients IS DISTINCT FROM OLD.recipients OR NEW.package_sha256 IS DISTINCT FROM OLD.package_sha256
            OR NEW.seal_signature IS DISTINCT FROM OLD.seal_signature OR NEW.seal_key_id IS DISTINCT FROM OLD.seal_key_id
            OR NEW.audit_head IS DISTINCT FROM OLD.audit_head OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256
            OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id
            OR NEW.status = 'DRAFT') THEN
            RAISE EXCEPTION 'a submitted report is sealed' USING ERRCODE = '42501';
          END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER reports_sealed BEFORE UPDATE ON reports FOR EACH ROW EXECUTE FUNCTION reports_sealed_guard();

      CREATE FUNCTION report_grounds_draft_guard() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM reports r WHERE r.id = coalesce(NEW.report_id, OLD.report_id) AND r.status <> 'DRAFT') THEN
            RAISE EXCEPTION 'the grounds of a submitted report are sealed' USING ERRCODE = '42501';
          END IF;
          RETURN coalesce(NEW, OLD);
        END $$;
      CREATE TRIGGER report_grounds_draft BEFORE INSERT OR DELETE ON report_grounds FOR EACH ROW EXECUTE FUNCTION report_grounds_draft_guard();
      CREATE TRIGGER report_attachments_draft BEFORE INSERT OR DELETE ON report_attachments FOR EACH ROW EXECUTE FUNCTION report_grounds_draft_guard();

      ALTER TABLE reports ENABLE ROW LEVEL SECURITY;
      ALTER TABLE report_cosigners ENABLE ROW LEVEL SECURITY;
      ALTER TABLE report_grounds ENABLE ROW LEVEL SECURITY;
      ALTER TABLE report_attachments ENABLE ROW LEVEL SECURITY;
      ALTER TABLE report_cases ENABLE ROW LEVEL SECURITY;
      ALTER TABLE report_delivery_attempts ENABLE ROW LEVEL SECURITY;
      ALTER TABLE report_case_events ENABLE ROW LEVEL SECURITY;
      ALTER TABLE inbox_receipts ENABLE ROW LEVEL SECURITY;
      ALTER TABLE delivery_endpoints ENABLE ROW LEVEL SECURITY;

      CREATE POLICY party_read ON reports FOR SELECT USING (report_party(id));
      CREATE POLICY owner_insert ON reports FOR INSERT WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY owner_update ON reports FOR UPDATE USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY party_read ON report_cosigners FOR SELECT USING (report_party(report_id));
      CREATE POLICY owner_invites ON report_cosigners FOR INSERT WITH CHECK (report_owner(report_id));
      CREATE POLICY invitee_accepts ON report_cosigners FOR UPDATE USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      CREATE POLICY party_read ON report_grounds FOR SELECT USING (report_party(report_id));
      CREATE POLICY own_grounds ON report_grounds FOR INSERT WITH CHECK (organisation_id = app_org_id() AND report_party(report_id));
      CREATE POLICY party_read ON report_attachments FOR SELECT USING (report_party(report_id));
      CREATE POLICY own_attachments ON report_attachments FOR INSERT WITH CHECK (organisation_id = app_org_id() AND report_party(report_id));
      CREATE POLICY party_read ON report_cases FOR SELECT USING (recipient_organisation_id = app_org_id() OR report_party(report_id));
      CREATE POLICY owner_insert ON report_cases FOR INSERT WITH CHECK (report_owner(report_id) OR (forwarded_from IS NOT NULL AND report_case_recipient(forwarded_from)));
      CREATE POLICY party_update ON report_cases FOR UPDATE USING (recipient_organisation_id = app_org_id() OR report_owner(report_id));
      CREATE POLICY party_read ON report_delivery_attempts FOR SELECT USING (report_case_party(case_id));
      CREATE POLICY party_read ON report_case_events FOR SELECT USING (report_case_party(case_id));
      CREATE POLICY party_insert ON report_case_events FOR INSERT WITH CHECK (organisation_id = app_org_id() AND report_case_party(case_id));
      CREATE POLICY recipient ON inbox_receipts USING (recipient_organisation_id = app_org_id()) WITH CHECK (recipient_organisation_id = app_org_id());
      CREATE POLICY own_endpoint ON delivery_endpoints FOR SELECT USING (organisation_id = app_org_id());

      -- Least privilege: the application role writes what the routes write; deliveries are the
      -- worker's (system role).
      REVOKE ALL ON reports, report_cosigners, report_grounds, report_attachments, report_cases, report_delivery_attempts, report_case_events, inbox_receipts, delivery_endpoints FROM bo_app, bo_system;
      GRANT SELECT, INSERT, UPDATE ON reports, report_cosigners TO bo_app;
      GRANT SELECT, INSERT ON report_grounds, report_attachments TO bo_app;
      GRANT SELECT, INSERT ON report_cases, report_case_events TO bo_app;
      GRANT UPDATE (delivery_status, attempts, next_attempt_at, last_error, handling_status, acknowledged_at, acknowledged_by, outcome, outcome_note, closed_at, closed_by) ON report_cases TO bo_app;
      GRANT SELECT ON report_delivery_attempts, delivery_endpoints TO bo_app;
      GRANT SELECT, INSERT ON inbox_receipts TO bo_app;
      GRANT SELECT, UPDATE ON reports, report_cases TO bo_system;
      GRANT SELECT ON report_cosigners, report_grounds, report_attachments, report_case_events, delivery_endpoints TO bo_system;
      GRANT SELECT, INSERT ON report_delivery_attempts TO bo_system;
      REVOKE ALL ON FUNCTION report_notify_parties(uuid, text, text, jsonb), report_close_if_done(uuid, timestamptz), report_owner(uuid), report_party(uuid), report_case_recipient(uuid), report_case_party(uuid), report_may_cosign(uuid, text), reports_open_exist(text), inbox_statistics_cases(), reports_sealed_guard(), report_grounds_draft_guard() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION report_notify_parties(uuid, text, text, jsonb), report_close_if_done(uuid, timestamptz), report_owner(uuid), report_party(uuid), report_case_recipient(uuid), report_case_party(uuid), report_may_cosign(uuid, text), reports_open_exist(text), inbox_statistics_cases() TO bo_app;
      GRANT EXECUTE ON FUNCTION reports_open_exist(text) TO bo_system;
      -- Trigger functions run whoever writes; nobody calls them.
      REVOKE ALL ON FUNCTION reports_sealed_guard(), report_grounds_draft_guard() FROM bo_app, bo_system;
      REVOKE ALL ON SEQUENCE report_delivery_attempts_id_seq FROM bo_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE inbox_receipts, report_case_events, report_delivery_attempts, report_cases, report_attachments, report_grounds, report_cosigners, reports, delivery_endpoints;
      DROP FUNCTION inbox_statistics_cases(), reports_open_exist(text), report_may_cosign(uuid, text), report_case_party(uuid), report_case_recipient(uuid), report_party(uuid), report_owner(uuid);
      DROP FUNCTION reports_sealed_guard(), report_grounds_draft_guard(), report_notify_parties(uuid, text, text, jsonb), report_close_if_done(uuid, timestamptz);
    `);
  }
}
