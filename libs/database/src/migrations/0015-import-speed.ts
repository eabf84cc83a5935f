import { MigrationInterface, QueryRunner } from 'typeorm';

/** Luhn sum of the 14 digits of `s` (every second digit from the right doubled), as one SQL expression. */
export function luhnSum(s: string): string {
  const digit = (j: number) => `(ascii(substr(${s}, ${j}, 1)) - 48)`;
  return Array.from({ length: 14 }, (_, k) => {
    const j = k + 1; // from the left; position 15 - j from the right is doubled when even, i.e. j odd
    return j % 2 === 1 ? `(2 * ${digit(j)} - CASE WHEN ${digit(j)} > 4 THEN 9 ELSE 0 END)` : digit(j);
  }).join(' + ');
}

export function digitSum(s: string): string {
  return Array.from({ length: 14 }, (_, k) => `(ascii(substr(${s}, ${k + 1}, 1)) - 48)`).join(' + ');
}

/**
 * Import speed (issue 10):
 * - `siret_is_valid` and `iso_date_or_null` become single SQL expressions (same rules), which the
 *   planner inlines into the import statement: no PL/pgSQL call per value.
 * - `certification_breakpoints`: the dates at which `certification_state` can change its answer
 *   for a SIRET, an NDA and a category (observation dates, the day after a validity end, exemption
 *   bounds). Between two breakpoints the state is constant, so coverage evaluates
 *   `certification_state` once per interval and joins the actions to the intervals by date instead
 *   of calling it once per action; the rule itself stays in one place. ANY new date-dependent input
 *   of `certification_state` must add its dates here (the coverage agreement test fails otherwise).
 * - The system role may ANALYZE the public list's staging table (PostgreSQL 17+ MAINTAIN): the
 *   import's ANALYZE was skipped with a notice, so a first import planned its joins on a table the
 *   planner believed empty (a 20,000-row list took more than ten minutes in a nested loop).
 * - Funded actions get time-ordered ids (uuidv7): inserts append to the primary key's right edge
 *   instead of touching a random page of it per row.
 */
export class ImportSpeed1790000000015 implements MigrationInterface {
  name = 'ImportSpeed1790000000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION siret_is_valid(s text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN s IS NULL OR s !~ '^[0-9]{14}$' THEN false
                  WHEN left(s, 9) = '356000000' THEN s = '35600000000048' OR (${digitSum('s')}) % 5 = 0
                  ELSE (${luhnSum('s')}) % 10 = 0 END;

      CREATE OR REPLACE FUNCTION iso_date_or_null(s text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN s ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                   AND substr(s, 9, 2)::int <= make_date(substr(s, 1, 4)::int + substr(s, 6, 2)::int / 12, substr(s, 6, 2)::int % 12 + 1, 1)
                                              - make_date(substr(s, 1, 4)::int, substr(s, 6, 2)::int, 1)
                  THEN make_date(substr(s, 1, 4)::int, substr(s, 6, 2)::int, substr(s, 9, 2)::int) END;

      CREATE FUNCTION certification_breakpoints(p_siret text, p_nda text, p_category text)
      RETURNS SETOF date LANGUAGE sql STABLE AS $fn$
        -- A superset of certification_state's candidates: the NDA named, every NDA of the SIRET's
        -- organisation (SIREN), and the NDAs they took over.
        WITH related AS (
          SELECT p.nda, p.siren, p.previous_ndas FROM providers p
           WHERE (p_nda IS NOT NULL AND p.nda = p_nda::char(11))
              OR (p_siret IS NOT NULL AND (p.siren = left(p_siret, 9)::char(9) OR p.siret = p_siret::char(14)))
        ),
        ndas AS (SELECT DISTINCT unnest(array_prepend(r.nda::text, r.previous_ndas))::char(11) AS nda FROM related r)
        SELECT '-infinity'::date
        UNION
        SELECT d FROM certification_observations o CROSS JOIN LATERAL (VALUES (o.observed_on), (o.valid_until + 1)) v(d)
         WHERE o.nda IN (SELECT nda FROM ndas) AND o.category = p_category AND d IS NOT NULL
        UNION
        SELECT d FROM exemptions e CROSS JOIN LATERAL (VALUES (e.valid_from), (e.valid_until + 1)) v(d)
         WHERE p_category = ANY (e.categories) AND d IS NOT NULL
           AND (e.nda IN (SELECT r.nda FROM related r) OR e.siren IN (SELECT r.siren FROM related r)
                OR (p_siret IS NOT NULL AND e.siren = left(p_siret, 9)::char(9)))
      $fn$;

      ALTER TABLE funded_actions ALTER COLUMN id SET DEFAULT uuidv7();
      GRANT MAINTAIN ON public_list_staging TO bo_system;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE funded_actions ALTER COLUMN id SET DEFAULT gen_random_uuid();
      DROP FUNCTION certification_breakpoints(text, text, text);
      REVOKE MAINTAIN ON public_list_staging FROM bo_system;
    `);
    // siret_is_valid and iso_date_or_null keep their SQL bodies: same answers as before.
  }
}
