import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * \`iso_date_or_null\` keeps its rule and its body, and is declared STABLE, which it is (a cast to
 * date and \`pg_input_is_valid(s, 'date')\` are STABLE: date input reads the session's DateStyle).
 * Declared IMMUTABLE, its body was more volatile than its declaration, so PostgreSQL never inlined
 * it: every call ran the SQL-function executor, three per imported action, about 1 s of the
 * 200,000-row import (docs/benchmarks.md, "Import"). STABLE, it is inlined into the import
 * statement like \`siret_is_valid\`. Nothing stored depends on it (no index, no constraint).
 */
export class IsoDateSpeed1790000000035 implements MigrationInterface {
  name = 'IsoDateSpeed1790000000035';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION iso_date_or_null(text) STABLE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION iso_date_or_null(text) IMMUTABLE`);
  }
}
