import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, provisionDatabase, runMigrations, txOf } from '@bo/database';
import { loadReferenceData } from '@bo/reference';
import { TEMPLATE_DATABASE, testServices, testUrls } from './test-env';

/**
 * Once per run: the three roles, a freshly migrated template database with the reference data,
 * and no leftover databases from an earlier run. Each test file clones the template.
 */
export default async function globalSetup(): Promise<void> {
  const services = testServices();
  const urls = testUrls(TEMPLATE_DATABASE, services);
  const admin = new Client({ connectionString: urls.DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'bo\\_test\\_%'`);
    const fresh = (globalThis as { __boTemplateReady?: boolean }).__boTemplateReady;
    if (fresh) return;
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  await provisionDatabase({
    adminUrl: urls.DATABASE_ADMIN_URL,
    database: TEMPLATE_DATABASE,
    passwords: { owner: services.secrets.ownerPassword, app: services.secrets.appPassword, system: services.secrets.systemPassword },
  });
  await runMigrations(urls.DATABASE_MIGRATION_URL);
  const ds = await new DataSource(dataSourceOptions(urls.DATABASE_MIGRATION_URL, 1, 'bo-test-setup')).initialize();
  try {
    await ds.transaction((m) => loadReferenceData(txOf(m)));
  } finally {
    await ds.destroy();
  }
  (globalThis as { __boTemplateReady?: boolean }).__boTemplateReady = true;
}
