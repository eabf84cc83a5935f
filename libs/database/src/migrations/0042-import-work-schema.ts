import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema of the funded-actions import's work tables (libs/registry/src/actions.sql.ts,
 * \`importWorkTables\`). The import validates its rows in a \`CREATE TABLE AS\` that PostgreSQL runs in
 * parallel workers, and parallel workers cannot read a session's TEMP tables, so its staging rows,
 * recognised lines, coverage intervals and checked rows are UNLOGGED tables here instead. The
 * import creates and drops them inside its own transaction: their catalog rows are never committed,
 * so no other session (no tenant, no other import) ever sees them, and a failed or killed import
 * leaves nothing behind (its rollback removes them). The application role may create tables here
 * and nowhere else; it owns what it creates. Nothing else lives in this schema, and no role but the
 * owner and the application role has any right on it.
 */
export class ImportWorkSchema1790000000042 implements MigrationInterface {
  name = 'ImportWorkSchema1790000000042';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SCHEMA import_work;
      REVOKE ALL ON SCHEMA import_work FROM PUBLIC;
      GRANT USAGE, CREATE ON SCHEMA import_work TO bo_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA import_work CASCADE`);
  }
}
