import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Funded actions import and coverage: SQL helpers the set-based validation uses (SIRET check with
 * La Poste's exception, safe ISO date parse), and a SECURITY DEFINER breakdown of uncertified
 * actions per funder for the platform and the control services: it answers aggregates only,
 * never rows. (The import's staging table is a TEMP table created by the job: PostgreSQL refuses
 * COPY FROM into a table under row-level security, and a temp table is private to the import's
 * session, so no funder ever sees another's staging rows.)
 */
export class Actions1790000000005 implements MigrationInterface {
  name = 'Actions1790000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- SIRET: 14 digits with a Luhn key; La Poste (SIREN 356000000) numbers its establishments
      -- so that the digit sum is a multiple of 5, except its head office which keeps Luhn.
      -- Same rule as validateSiret in libs/registry/src/identifiers.ts.
      CREATE FUNCTION siret_is_valid(s text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE total int := 0; d int;
      BEGIN
        IF s IS NULL OR s !~ '^[0-9]{14}$' THEN RETURN false; END IF;
        IF left(s, 9) = '356000000' THEN
          IF s = '35600000000048' THEN RETURN true; END IF;
          FOR i IN 1..14 LOOP total := total + ascii(substr(s, i, 1)) - 48; END LOOP;
          RETURN total % 5 = 0;
        END IF;
        FOR i IN 1..14 LOOP -- i counts from the right: every second digit is doubled
          d := ascii(substr(s, 15 - i, 1)) - 48;
          IF i % 2 = 0 THEN d := d * 2; IF d > 9 THEN d := d - 9; END IF; END IF;
          total := total + d;
        END LOOP;
        RETURN total % 10 = 0;
      END $$;

      -- YYYY-MM-DD -> date, or NULL when the text is not an existing calendar date (never raises).
      -- PL/pgSQL on purpose: called once per row and value, it costs microseconds where a SQL
      -- function that cannot be inlined costs a plan per call.
      CREATE FUNCTION iso_date_or_null(s text) RETURNS date LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE y int; m int; d int;
      BEGIN
        IF s IS NULL OR s !~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' THEN RETURN NULL; END IF;
        y := substr(s, 1, 4)::int; m := substr(s, 6, 2)::int; d := substr(s, 9, 2)::int;
        IF d > extract(day FROM make_date(y, m, 1) + interval '1 month - 1 day') THEN RETURN NULL; END IF;
        RETURN make_date(y, m, d);
      END $$;

      -- Uncertified funded actions per funder (counts and amounts): for platform admins and
      -- control services, who may not read funders' rows. Owned by the migration role, which
      -- is not subject to RLS (no FORCE), and returns aggregates only.
      CREATE FUNCTION coverage_uncertified_breakdown()
        RETURNS TABLE (organisation_id uuid, organisation_code text, organisation_name text, actions bigint, amount_funded numeric)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT o.id, o.code, o.name, count(*), sum(a.amount_funded)
            FROM funded_actions a JOIN organisations o ON o.id = a.organisation_id
           WHERE a.coverage = 'NOT_CERTIFIED'
           GROUP BY o.id, o.code, o.name
           ORDER BY o.code
      $$;
      REVOKE ALL ON FUNCTION coverage_uncertified_breakdown() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION coverage_uncertified_breakdown() TO bo_app, bo_system;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION coverage_uncertified_breakdown();
      DROP FUNCTION iso_date_or_null(text);
      DROP FUNCTION siret_is_valid(text);
    `);
  }
}
