import { TestDatabase, createTestDatabase } from '@bo/testing';

/**
 * A guard for every future table: a table that carries `organisation_id` is organisation-owned,
 * so it must have row-level security enabled and at least one policy. Shared reference tables
 * carry no `organisation_id` (or, for frameworks, a nullable one with a policy).
 */
describe('row-level security coverage', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('protects every table that has an organisation_id column', async () => {
    const rows = await db.superQuery<{ table_name: string; rls: boolean; policies: number }>(
      `SELECT c.relname AS table_name, c.relrowsecurity AS rls,
              (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE c.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organisation_id' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const unprotected = rows.filter((r) => !r.rls || r.policies === 0).map((r) => r.table_name);
    expect(unprotected).toEqual([]);
  });

  it('gives the application role no way around it', async () => {
    const [role] = await db.superQuery<{ rolbypassrls: boolean; rolsuper: boolean }>(`SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'bo_app'`);
    expect(role).toEqual({ rolbypassrls: false, rolsuper: false });
    const forced = await db.superQuery<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.relrowsecurity AND r.rolname = 'bo_app'`,
    );
    expect(forced).toEqual([]); // bo_app owns no table (an owner would bypass its policies)
  });
});
