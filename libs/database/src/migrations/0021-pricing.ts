import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Price adequacy (R.6316-6): settings kept as data, the runs of the cross-funder recompute, the
 * usable price references of each run (shared: only groups that pass every floor are stored, so
 * nothing below the floors can ever be read), and each funder's anomalies under its RLS, with the
 * history of their reviews. The unit price of a funded action is one SQL expression in the view
 * `action_unit_prices`, owned here and read by the recompute only.
 */
export class Pricing1790000000021 implements MigrationInterface {
  name = 'Pricing1790000000021';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pricing_settings (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        method_version text NOT NULL DEFAULT 'prix-2026.1',
        min_actions integer NOT NULL DEFAULT 8 CHECK (min_actions >= 1),
        min_providers integer NOT NULL DEFAULT 3 CHECK (min_providers >= 1),
        min_funders integer NOT NULL DEFAULT 3 CHECK (min_funders >= 1),
        max_provider_share numeric NOT NULL DEFAULT 0.60 CHECK (max_provider_share > 0 AND max_provider_share <= 1),
        log_iqr_floor numeric NOT NULL DEFAULT 0.05 CHECK (log_iqr_floor >= 0),
        high_fence numeric NOT NULL DEFAULT 1.5,
        extreme_fence numeric NOT NULL DEFAULT 3.0,
        low_fence numeric NOT NULL DEFAULT 1.5,
        disparity_ratio numeric NOT NULL DEFAULT 1.3,
        disparity_min_actions integer NOT NULL DEFAULT 8,
        disparity_min_other_funders integer NOT NULL DEFAULT 3,
        shrink_hours_ratio numeric NOT NULL DEFAULT 0.75,
        shrink_min_actions integer NOT NULL DEFAULT 8,
        shrink_min_funders integer NOT NULL DEFAULT 3,
        material_rank_change numeric NOT NULL DEFAULT 0.05,
        suspect_flag_share numeric NOT NULL DEFAULT 0.10
      );
      INSERT INTO pricing_settings DEFAULT VALUES;

      -- EUR per hour per trainee (training), per person (skills assessment, VAE), per apprentice
      -- per contract-year (apprenticeship); NULL when the action lacks what its unit needs.
      CREATE VIEW action_unit_prices AS
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
                             a.end_date, a.hours_per_trainee, a.trainees, a.price_excl_vat)) AS data_digest
          FROM funded_actions a;

      CREATE TABLE price_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        method_version text NOT NULL,
        input_watermark timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        requested_by uuid,
        test_coverage jsonb
      );

      CREATE TABLE price_references (
        run_id uuid NOT NULL REFERENCES price_runs(id) ON DELETE CASCADE,
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
        group_key text NOT NULL,
        category text NOT NULL,
        certification_code text,
        formacode text,
        modality text NOT NULL,
        region char(2),
        year integer NOT NULL,
        n integer NOT NULL,
        providers integer NOT NULL,
        funders integer NOT NULL,
        top_provider_share numeric NOT NULL,
        unit_p10 numeric NOT NULL, unit_q1 numeric NOT NULL, unit_median numeric NOT NULL,
        unit_q3 numeric NOT NULL, unit_p90 numeric NOT NULL, unit_mad numeric NOT NULL,
        hours_n integer NOT NULL,
        hours_p10 numeric, hours_q1 numeric, hours_median numeric, hours_q3 numeric, hours_p90 numeric, hours_mad numeric,
        log_q1 double precision NOT NULL, log_q3 double precision NOT NULL, log_iqr double precision NOT NULL,
        PRIMARY KEY (run_id, level, group_key)
      );

      CREATE TABLE price_anomalies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        subject_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('PRICE_HIGH','PRICE_EXTREME','PRICE_LOW','CROSS_FUNDER_DISPARITY','DURATION_SHORT','ABOVE_NPEC')),
        action_id uuid,
        provider_siret char(14) NOT NULL,
        category text NOT NULL,
        certification_code text,
        year integer NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','UNDER_REVIEW','JUSTIFIED','CONFIRMED')),
        active boolean NOT NULL DEFAULT true,
        evidence jsonb NOT NULL,
        level smallint,
        percent_rank double precision,
        data_digest text,
        method_version text NOT NULL,
        run_id uuid NOT NULL REFERENCES price_runs(id),
        input_watermark timestamptz,
        change_note text,
        review_ground text CHECK (review_ground IN ('TRAINING_NEED','PEDAGOGICAL_ENGINEERING','INNOVATION','OPERATING_CONDITIONS')),
        review_comment text,
        reviewed_by uuid,
        reviewed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organisation_id, subject_key)
      );
      CREATE INDEX price_anomalies_list_idx ON price_anomalies (organisation_id, created_at DESC, id DESC);
      ALTER TABLE price_anomalies ENABLE ROW LEVEL SECURITY;
      CREATE POLICY price_anomalies_tenant ON price_anomalies
        USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());

      CREATE TABLE price_anomaly_events (
        id bigserial PRIMARY KEY,
        anomaly_id uuid NOT NULL REFERENCES price_anomalies(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        at timestamptz NOT NULL DEFAULT now(),
        event text NOT NULL CHECK (event IN ('FLAGGED','REOPENED','REVIEWED')),
        actor_id uuid,
        detail jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX price_anomaly_events_idx ON price_anomaly_events (anomaly_id, id);
      ALTER TABLE price_anomaly_events ENABLE ROW LEVEL SECURITY;
      CREATE POLICY price_anomaly_events_tenant ON price_anomaly_events
        USING (organisation_id = app_org_id()) WITH CHECK (organisation_id = app_org_id());

      -- Only what the routes need: the application role reads references and its own anomalies,
      -- and writes reviews; everything else is the recompute's (system role).
      REVOKE ALL ON pricing_settings, action_unit_prices, price_runs, price_references, price_anomalies, price_anomaly_events FROM bo_app, bo_system;
      GRANT SELECT ON pricing_settings, price_runs, price_references TO bo_app;
      GRANT SELECT ON pricing_settings, action_unit_prices, price_runs, price_references, price_anomalies, price_anomaly_events TO bo_system;
      GRANT INSERT, UPDATE ON price_runs, price_references, price_anomalies TO bo_system;
      GRANT DELETE ON price_references TO bo_system;
      GRANT INSERT ON price_anomaly_events TO bo_system;
      GRANT USAGE ON SEQUENCE price_anomaly_events_id_seq TO bo_app, bo_system;
      GRANT SELECT, UPDATE (status, review_ground, review_comment, reviewed_by, reviewed_at, updated_at) ON price_anomalies TO bo_app;
      GRANT SELECT, INSERT ON price_anomaly_events TO bo_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE price_anomaly_events; DROP TABLE price_anomalies; DROP TABLE price_references; DROP TABLE price_runs;
      DROP VIEW action_unit_prices; DROP TABLE pricing_settings;
    `);
  }
}
