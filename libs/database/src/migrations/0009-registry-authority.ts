import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may write the registry's shared facts (docs/registry.md, "Authority"):
 *
 * - shared certification observations come only from the public-list import (system role), a
 *   platform administrator acting on a document kept in the blob store (its SHA-256 on the
 *   observation, the document registered in `registry_documents`), or a user of the CERTIFIER
 *   organisation recorded as the provider's certifier (`provider_certifiers`, entered by a
 *   platform administrator with its source). The source is set here from the writer's
 *   organisation kind, never taken from the request;
 * - a funder's hand entry is its own note (`certification_notes`, row-level security): it never
 *   changes what other funders see. `certification_own_note` answers a funder's latest note with
 *   the same NDA resolution as `certification_state`, as a separate layer a set-based coverage
 *   statement can join;
 * - the application role loses INSERT, UPDATE and DELETE on every shared table (no row-level
 *   security): its writes go through the SECURITY DEFINER functions below, each of which checks
 *   the kind of the transaction's organisation (`app.org_id`). test/security/privileges.test.ts
 *   compares every privilege of `bo_app` with a committed allowlist.
 *
 * Observations that funders' users wrote before this migration (hand entries in the shared
 * table) become those funders' own notes.
 */
export class RegistryAuthority1790000000009 implements MigrationInterface {
  name = 'RegistryAuthority1790000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Documents a platform administrator's entries rest on (bytes in the blob store).
      CREATE TABLE registry_documents (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        file_name text,
        media_type text NOT NULL,
        size bigint NOT NULL,
        uploaded_by uuid,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE certification_observations
        ADD COLUMN evidence_sha256 text REFERENCES registry_documents(sha256),
        ADD COLUMN recorded_by_organisation uuid REFERENCES organisations(id);

      -- The certifier of an organisation (SIREN: Qualiopi covers all its sites), one at a time,
      -- entered by a platform administrator with where it was learnt (certificate, list...).
      CREATE TABLE provider_certifiers (
        siren char(9) PRIMARY KEY CHECK (siren ~ '^[0-9]{9}$'),
        certifier_id uuid NOT NULL REFERENCES organisations(id),
        source text NOT NULL,
        recorded_by uuid,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX provider_certifiers_certifier_idx ON provider_certifiers (certifier_id);

      -- A funder's own notes: what its staff observed, for its own views only.
      CREATE TABLE certification_notes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        nda char(11) NOT NULL REFERENCES providers(nda),
        category text NOT NULL CHECK (category IN ('TRAINING','SKILLS_ASSESSMENT','VAE','APPRENTICESHIP')),
        certified boolean NOT NULL,
        observed_on date NOT NULL,
        valid_until date,
        certifier text,
        reference text,
        recorded_by uuid,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX certification_notes_lookup_idx ON certification_notes (organisation_id, nda, category, observed_on DESC, id DESC);
      ALTER TABLE certification_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON certification_notes USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());
      -- A history: notes are appended, never rewritten.
      REVOKE UPDATE, DELETE, TRUNCATE ON certification_notes FROM bo_app;

      WITH moved AS (
        DELETE FROM certification_observations co
         USING users u JOIN organisations o ON o.id = u.organisation_id
         WHERE co.recorded_by = u.id AND co.source <> 'PUBLIC_LIST' AND o.kind IN ('FUNDER', 'MANDATED_BODY')
        RETURNING co.nda, co.category, co.certified, co.observed_on, co.valid_until, co.certifier, co.reference,
                  co.recorded_by, co.recorded_at, u.organisation_id
      )
      INSERT INTO certification_notes (organisation_id, nda, category, certified, observed_on, valid_until, certifier, reference, recorded_by, recorded_at)
      SELECT organisation_id, nda, category, certified, observed_on, valid_until, certifier, reference, recorded_by, recorded_at FROM moved;

      -- The organisation's own latest note for the establishment (or one NDA), category and date.
      -- Candidates as in certification_state: the NDA named, else the NDAs at the SIRET, else the
      -- NDAs of the SIREN. Security invoker: under bo_app, row-level security adds its own filter,
      -- so a funder passing another organisation's id gets nothing.
      CREATE FUNCTION certification_own_note(p_organisation_id uuid, p_siret text, p_nda text, p_category text, p_date date)
      RETURNS TABLE (status text, nda text, note_id bigint, flags text[])
      LANGUAGE sql STABLE AS $fn$
        WITH named AS (
          SELECT p.nda FROM providers p WHERE p_nda IS NOT NULL AND p.nda = p_nda::char(11)
        ),
        direct AS (
          SELECT nda FROM named
          UNION ALL
          SELECT p.nda FROM providers p
           WHERE NOT EXISTS (SELECT 1 FROM named) AND p_siret IS NOT NULL AND p.siret = p_siret::char(14)
        ),
        candidates AS (
          SELECT nda FROM direct
          UNION ALL
          SELECT p.nda FROM providers p
           WHERE NOT EXISTS (SELECT 1 FROM direct) AND p_siret IS NOT NULL AND p.siren = left(p_siret, 9)::char(9)
        )
        SELECT CASE WHEN n.certified AND (n.valid_until IS NULL OR n.valid_until >= p_date) THEN 'CERTIFIED' ELSE 'NOT_CERTIFIED' END,
               n.nda::text, n.id,
               CASE WHEN n.certified AND n.valid_until < p_date THEN ARRAY['EXPIRED'] ELSE ARRAY[]::text[] END
          FROM certification_notes n
         WHERE n.organisation_id = p_organisation_id AND n.category = p_category AND n.observed_on <= p_date
           AND n.nda IN (SELECT c.nda FROM candidates c)
         ORDER BY n.observed_on DESC, n.id DESC
         LIMIT 1
      $fn$;

      -- Funded actions show the funder's own note next to the shared coverage, never instead of it.
      ALTER TABLE funded_actions
        ADD COLUMN coverage_own_note text CHECK (coverage_own_note IN ('CERTIFIED', 'NOT_CERTIFIED')),
        ADD COLUMN coverage_own_note_id bigint;

      -- The kind of the transaction's organisation (NULL when none or inactive).
      CREATE FUNCTION app_org_kind() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
        $$ SELECT kind FROM organisations WHERE id = app_org_id() AND active $$;

      CREATE FUNCTION registry_assert_platform() RETURNS void
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          IF app_org_kind() IS DISTINCT FROM 'PLATFORM' THEN
            RAISE EXCEPTION 'only the platform writes this registry fact' USING ERRCODE = '42501';
          END IF;
        END $$;

      -- A shared observation. The source follows from who writes: the platform (on a registered
      -- document) or the provider's recorded certifier; anyone else is refused.
      CREATE FUNCTION registry_record_observation(p_nda text, p_category text, p_certified boolean, p_observed_on date,
                                                  p_valid_until date, p_certifier text, p_reference text, p_evidence_sha256 text)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        DECLARE
          v_kind text := app_org_kind();
          v_source text;
          v_certifier text := p_certifier;
          v_id bigint;
        BEGIN
          IF v_kind = 'PLATFORM' THEN
            IF p_evidence_sha256 IS NULL OR NOT EXISTS (SELECT 1 FROM registry_documents d WHERE d.sha256 = p_evidence_sha256) THEN
              RAISE EXCEPTION 'a platform entry rests on a registered document' USING ERRCODE = '42501';
            END IF;
            v_source := 'MANUAL';
          ELSIF v_kind = 'CERTIFIER' THEN
            IF NOT EXISTS (SELECT 1 FROM providers p JOIN provider_certifiers pc ON pc.siren = p.siren
                            WHERE p.nda = p_nda::char(11) AND pc.certifier_id = app_org_id()) THEN
              RAISE EXCEPTION 'this certifier is not the provider''s certifier' USING ERRCODE = '42501';
            END IF;
            v_source := 'CERTIFIER_DECISION';
            SELECT name INTO v_certifier FROM organisations WHERE id = app_org_id();
          ELSE
            RAISE EXCEPTION 'only the platform or the provider''s certifier write shared observations' USING ERRCODE = '42501';
          END IF;
          INSERT INTO certification_observations (nda, category, certified, observed_on, valid_until, source, certifier, reference,
                                                  evidence_sha256, recorded_by, recorded_by_organisation)
          VALUES (p_nda, p_category, p_certified, p_observed_on, p_valid_until, v_source, v_certifier, p_reference,
                  CASE WHEN v_kind = 'PLATFORM' THEN p_evidence_sha256 END,
                  nullif(current_setting('app.user_id', true), '')::uuid, app_org_id())
          RETURNING id INTO v_id;
          RETURN v_id;
        END $$;

      CREATE FUNCTION registry_add_document(p_sha256 text, p_file_name text, p_media_type text, p_size bigint)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          PERFORM registry_assert_platform();
          INSERT INTO registry_documents (sha256, file_name, media_type, size, uploaded_by)
          VALUES (p_sha256, p_file_name, p_media_type, p_size, nullif(current_setting('app.user_id', true), '')::uuid)
          ON CONFLICT (sha256) DO NOTHING;
        END $$;

      CREATE FUNCTION registry_set_provider_certifier(p_siren text, p_certifier_id uuid, p_source text)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          PERFORM registry_assert_platform();
          IF NOT EXISTS (SELECT 1 FROM organisations WHERE id = p_certifier_id AND kind = 'CERTIFIER') THEN
            RAISE EXCEPTION 'not a certifier organisation' USING ERRCODE = '23514';
          END IF;
          INSERT INTO provider_certifiers (siren, certifier_id, source, recorded_by)
          VALUES (p_siren, p_certifier_id, p_source, nullif(current_setting('app.user_id', true), '')::uuid)
          ON CONFLICT (siren) DO UPDATE SET certifier_id = excluded.certifier_id, source = excluded.source,
                                            recorded_by = excluded.recorded_by, recorded_at = now();
        END $$;

      CREATE FUNCTION registry_create_exemption(p_kind text, p_siren text, p_nda text, p_categories text[], p_valid_from date,
                                                p_valid_until date, p_legal_source text, p_note text)
        RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        DECLARE v_id uuid;
        BEGIN
          PERFORM registry_assert_platform();
          INSERT INTO exemptions (kind, siren, nda, categories, valid_from, valid_until, legal_source, note)
          VALUES (p_kind, p_siren, p_nda, p_categories, p_valid_from, p_valid_until, p_legal_source, p_note)
          RETURNING id INTO v_id;
          RETURN v_id;
        END $$;

      CREATE FUNCTION platform_create_organisation(p_code text, p_kind text, p_funder_kind text, p_name text, p_region text)
        RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        DECLARE v_id uuid;
        BEGIN
          PERFORM registry_assert_platform();
          IF p_kind = 'PLATFORM' THEN
            RAISE EXCEPTION 'there is one platform organisation' USING ERRCODE = '42501';
          END IF;
          INSERT INTO organisations (code, kind, funder_kind, name, region)
          VALUES (p_code, p_kind, p_funder_kind, p_name, p_region)
          RETURNING id INTO v_id;
          RETURN v_id;
        END $$;

      REVOKE ALL ON FUNCTION app_org_kind(), registry_assert_platform(),
        registry_record_observation(text, text, boolean, date, date, text, text, text),
        registry_add_document(text, text, text, bigint),
        registry_set_provider_certifier(text, uuid, text),
        registry_create_exemption(text, text, text, text[], date, date, text, text),
        platform_create_organisation(text, text, text, text, text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION registry_record_observation(text, text, boolean, date, date, text, text, text),
        registry_add_document(text, text, text, bigint),
        registry_set_provider_certifier(text, uuid, text),
        registry_create_exemption(text, text, text, text[], date, date, text, text),
        platform_create_organisation(text, text, text, text, text) TO bo_app;
      REVOKE ALL ON FUNCTION registry_assert_platform() FROM bo_app, bo_system;
      REVOKE ALL ON FUNCTION app_org_kind(),
        registry_record_observation(text, text, boolean, date, date, text, text, text),
        registry_add_document(text, text, text, bigint),
        registry_set_provider_certifier(text, uuid, text),
        registry_create_exemption(text, text, text, text[], date, date, text, text),
        platform_create_organisation(text, text, text, text, text) FROM bo_system;

      -- Shared tables: the application role reads them; it writes only through the functions above.
      REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON organisations, providers, certification_observations, exemptions,
        reference_loads, public_list_staging, registry_documents, provider_certifiers FROM bo_app;
      -- Nor does it need the import's staging rows, the observations' sequence or the kind helper.
      REVOKE ALL ON public_list_staging FROM bo_app;
      REVOKE ALL ON SEQUENCE certification_observations_id_seq FROM bo_app;
      REVOKE ALL ON FUNCTION app_org_kind() FROM bo_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      GRANT INSERT, UPDATE, DELETE ON organisations, providers, certification_observations, exemptions, reference_loads, public_list_staging TO bo_app;
      GRANT SELECT ON public_list_staging TO bo_app;
      GRANT USAGE, SELECT ON SEQUENCE certification_observations_id_seq TO bo_app;
      DROP FUNCTION platform_create_organisation(text, text, text, text, text);
      DROP FUNCTION registry_create_exemption(text, text, text, text[], date, date, text, text);
      DROP FUNCTION registry_set_provider_certifier(text, uuid, text);
      DROP FUNCTION registry_add_document(text, text, text, bigint);
      DROP FUNCTION registry_record_observation(text, text, boolean, date, date, text, text, text);
      DROP FUNCTION registry_assert_platform();
      DROP FUNCTION app_org_kind();
      ALTER TABLE funded_actions DROP COLUMN coverage_own_note, DROP COLUMN coverage_own_note_id;
      DROP FUNCTION certification_own_note(uuid, text, text, text, date);
      DROP TABLE certification_notes, provider_certifiers;
      ALTER TABLE certification_observations DROP COLUMN evidence_sha256, DROP COLUMN recorded_by_organisation;
      DROP TABLE registry_documents;
    `);
  }
}
