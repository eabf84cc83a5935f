import { readFileSync } from 'node:fs';

/**
 * What `npm test` (scripts/test.mjs) started: a PostgreSQL and a Redis of the tests' own, on
 * their own ports and data folder. A test that finds them missing fails loudly.
 */
export interface TestServices {
  pgPort: number;
  redisUrl: string;
  secrets: { superPassword: string; ownerPassword: string; appPassword: string; systemPassword: string; jwtSecret: string; signingKey: string };
}

export const TEMPLATE_DATABASE = 'bo_test_template';

export function testServices(): TestServices {
  const port = process.env.BO_TEST_PG_PORT;
  const secretsFile = process.env.BO_TEST_SECRETS_FILE;
  const redisUrl = process.env.BO_TEST_REDIS_URL;
  if (!port || !secretsFile || !redisUrl) {
    throw new Error('Test services are not running: run the tests with `npm test` (it starts PostgreSQL and Redis for them).');
  }
  return { pgPort: Number(port), redisUrl, secrets: JSON.parse(readFileSync(secretsFile, 'utf8')) };
}

export function assertTestDatabaseName(name: string): void {
  if (!name.includes('test')) throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
}

export function testUrls(database: string, services = testServices()) {
  assertTestDatabaseName(database);
  const { pgPort, secrets } = services;
  const url = (user: string, password: string, db = database) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/${db}`;
  return {
    DATABASE_URL: url('bo_app', secrets.appPassword),
    DATABASE_MIGRATION_URL: url('bo_owner', secrets.ownerPassword),
    DATABASE_SYSTEM_URL: url('bo_system', secrets.systemPassword),
    DATABASE_ADMIN_URL: url('postgres', secrets.superPassword, 'postgres'),
    /** Superuser on the test database itself (tamper tests). */
    DATABASE_SUPER_URL: url('postgres', secrets.superPassword),
  };
}
