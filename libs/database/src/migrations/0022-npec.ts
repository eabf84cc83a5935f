import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Apprenticeship funding levels (NPEC: niveaux de prise en charge, per certification and branch,
 * in EUR per contract-year): shared reference data, replaced wholesale by a platform
 * administrator's CSV through a SECURITY DEFINER function that refuses any other organisation.
 * The unit-price view gains the start date and the branch the comparison needs.
 */
export class Npec1790000000022 implements MigrationInterface {
  name = 'Npec1790000000022';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE npec_levels (
        rncp text NOT NULL CHECK (rncp ~ '^RNCP[0-9]{1,6}$'),
        idcc char(4) NOT NULL CHECK (idcc ~ '^[0-9]{4}$'),
        eur_per_year numeric(12,2) NOT NULL CHECK (eur_per_year > 0),
        valid_from date NOT NULL,
        valid_to date,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rncp, idcc, valid_from),
        CHECK (valid_to IS NULL OR valid_to >= valid_from)
      );
      REVOKE ALL ON npec_levels FROM bo_app, bo_system;
      GRANT SELECT ON npec_levels TO bo_app, bo_system;

      -- Replaces every level with the given rows, for the platform organisation only.
      CREATE FUNCTION npec_replace(levels jsonb) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      DECLARE n integer;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM organisations WHERE id = app_org_id() AND kind = 'PLATFORM') THEN
          RAISE EXCEPTION 'npec_replace: only the platform organisation loads NPEC levels' USING ERRCODE = '42501';
        END IF;
        DELETE FROM npec_levels;
        INSERT INTO npec_levels (rncp, idcc, eur_per_year, valid_from, valid_to)
        SELECT l->>'rncp', l->>'idcc', (l->>'eurPerYear')::numeric, (l->>'validFrom')::date, (l->>'validTo')::date
          FROM jsonb_array_elements(levels) AS l;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
      END $$;
      REVOKE ALL ON FUNCTION npec_replace(jsonb) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION npec_replace(jsonb) TO bo_app;

      CREATE OR REPLACE VIEW action_unit_prices WITH (security_invoker = true) AS
        SELECT a.id AS action_id, a.organisation_id, a.provider_siret, a.category, a.certification_code, a.formacode,
               a.modality, a.region, extract(year FROM a.start_date)::int AS year, a.hours_per_trainee AS hours,
               a.updated_at,
               CASE
                 WHEN a.price_excl_vat IS NULL OR a.price_excl_vat <= 0 OR a.trainees IS NULL OR a.trainees <= 0 THEN NULL
                 WHEN a.category = 'TRAINING' THEN
                   CASE WHEN a.hours_per_trainee > 0 THEN a.price_excl_vat / (a.hours_per_trainee * a.trainees) END
                 WHEN a.category = 'APPRENTICESHIP' THEN
                   CASE WHEN a.end_date IS NOT NULL
                        THEN a.price_excl_vat / a.trainees / greatest(1, (a.end_date - a.start_date) / 365.25) END
                 ELSE a.price_excl_vat / a.trainees
               END AS unit_price,
               CASE WHEN a.price_excl_vat > 0 AND a.trainees > 0 THEN a.price_excl_vat / a.trainees END AS price_per_trainee,
               md5(concat_ws('|', a.category, a.certification_code, a.formacode, a.modality, a.region, a.start_date,
                             a.end_date, a.hours_per_trainee, a.trainees, a.price_excl_vat, a.branch_idcc)) AS data_digest,
               a.start_date, a.branch_idcc
          FROM funded_actions a;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION npec_replace(jsonb); DROP TABLE npec_levels;`);
  }
}
