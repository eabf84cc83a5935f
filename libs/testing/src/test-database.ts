import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DB_ROLES } from '@bo/database';
import { TEMPLATE_DATABASE, assertTestDatabaseName, testServices, testUrls } from './test-env';

export interface TestDatabase {
  name: string;
  urls: ReturnType<typeof testUrls>;
  /** Runs SQL as the superuser on this database (to tamper with rows, set the clock...). */
  superQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const services = testServices();
  const name = `bo_test_${randomBytes(6).toString('hex')}`;
  assertTestDatabaseName(name);
  const urls = testUrls(name, services);
  const admin = new Client({ connectionString: urls.DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}" OWNER ${DB_ROLES.owner}`);
  } finally {
    await admin.end();
  }
  let superClient: Client | undefined;
  return {
    name,
    urls,
    async superQuery<T>(sql: string, params: unknown[] = []) {
      if (!superClient) {
        superClient = new Client({ connectionString: urls.DATABASE_SUPER_URL });
        await superClient.connect();
      }
      return (await superClient.query(sql, params)).rows as T[];
    },
    async drop() {
      await superClient?.end();
      const client = new Client({ connectionString: urls.DATABASE_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
