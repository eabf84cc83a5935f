import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two import-speed fixes found by the import benchmark on a fresh database.
 *
 * 1. The public-list import ANALYZEs the registry tables it changed, as the system role (PostgreSQL
 * 17+ MAINTAIN). Without it, a registry loaded a minute earlier had no statistics: the planner took
 * the providers related to a SIRET for 225 rows and joined the certification observations by a
 * sequential scan per (SIRET, NDA, category) key, so a funded-actions import of 20,000 rows right
 * after a first public list took 40-75 s instead of 1.4 s (found by the import benchmark on a
 * fresh database; autovacuum's analyze comes too late for the import that follows the list).
 *
 * 2. \`iso_date_or_null\` keeps its rule (YYYY-MM-DD, year 1000 to 2999, a day that exists) and asks
 *    PostgreSQL's own date input whether the day exists (\`pg_input_is_valid\`, no error raised)
 *    instead of computing the month's length with three \`make_date\` calls: three dates per action.
 */
export class ImportPlanning1790000000025 implements MigrationInterface {
  name = 'ImportPlanning1790000000025';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT MAINTAIN ON providers, certification_observations TO bo_system`);
    await q.query(`
      CREATE OR REPLACE FUNCTION iso_date_or_null(s text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN s ~ '^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$' AND pg_input_is_valid(s, 'date') THEN s::date END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE MAINTAIN ON providers, certification_observations FROM bo_system`);
    await q.query(`
      CREATE OR REPLACE FUNCTION iso_date_or_null(s text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN s ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                   AND substr(s, 9, 2)::int <= make_date(substr(s, 1, 4)::int + substr(s, 6, 2)::int / 12, substr(s, 6, 2)::int % 12 + 1, 1)
                                              - make_date(substr(s, 1, 4)::int, substr(s, 6, 2)::int, 1)
                  THEN make_date(substr(s, 1, 4)::int, substr(s, 6, 2)::int, substr(s, 9, 2)::int) END`);
  }
}
