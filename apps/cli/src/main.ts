import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, assertNodeVersion, loadConfig } from '@bo/core';
import { DatabaseModule, dataSourceOptions, provisionDatabase, queryRows, runMigrations, txOf } from '@bo/database';
import { AuditModule } from '@bo/audit';
import { AccessModule } from '@bo/access';
import { IdentityModule } from '@bo/identity';
import { loadReferenceData } from '@bo/reference';
import { DataSource } from 'typeorm';
import { QueueModule } from '@bo/queue';
import { ActionsModule } from '@bo/registry';
import { ControlsModule } from '@bo/controls';
import { ReportsModule } from '@bo/reports';
import { StorageModule } from '@bo/storage';
import { DemoSeeder } from './demo-data';
import { SharingModule } from '@bo/sharing';

@Module({ imports: [ConfigModule, DatabaseModule, QueueModule, StorageModule, AccessModule, AuditModule, IdentityModule, ActionsModule, ControlsModule, SharingModule, ReportsModule], providers: [DemoSeeder] })
class SetupModule {}

function credentialsOf(url: string): { user: string; password: string; database: string } {
  const u = new URL(url);
  return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) };
}

/** Creates roles and database (with DATABASE_ADMIN_URL), migrates, loads reference data. */
export async function setupDatabase(config: AppConfig, log: (msg: string) => void): Promise<void> {
  if (config.DATABASE_ADMIN_URL) {
    const owner = credentialsOf(config.DATABASE_MIGRATION_URL);
    await provisionDatabase({
      adminUrl: config.DATABASE_ADMIN_URL,
      database: owner.database,
      passwords: {
        owner: owner.password,
        app: credentialsOf(config.DATABASE_URL).password,
        system: credentialsOf(config.DATABASE_SYSTEM_URL).password,
      },
    });
    log(`roles and database "${owner.database}" ready`);
  }
  const applied = await runMigrations(config.DATABASE_MIGRATION_URL);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: up to date');
  const ds = await new DataSource(dataSourceOptions(config.DATABASE_MIGRATION_URL, 1, 'bo-setup')).initialize();
  try {
    const result = await ds.transaction((m) => loadReferenceData(txOf(m)));
    log(result.skipped ? 'reference data: unchanged' : `reference data: ${result.organisations} organisations, ${result.indicators} RNQ indicators written`);
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  assertNodeVersion();
  const command = process.argv[2] ?? 'setup';
  const config = loadConfig();
  const log = (msg: string) => console.log(`[setup] ${msg}`);
  if (command !== 'setup' && command !== 'migrate') throw new Error(`Unknown command ${command}: use setup or migrate`);
  await setupDatabase(config, log);
  if (command === 'setup' && config.DEMO_DATA) {
    const app = await NestFactory.createApplicationContext(SetupModule, { logger: ['error', 'warn'] });
    // Shared registry rows are the owner's to write (the application role may not).
    const owner = await new DataSource(dataSourceOptions(config.DATABASE_MIGRATION_URL, 1, 'bo-demo')).initialize();
    try {
      const seeded = await app.get(DemoSeeder).seedIfEmpty((sql, params) => queryRows(owner, sql, params));
      log(seeded ? 'demo data loaded' : 'demo data: already there');
    } finally {
      await owner.destroy();
      await app.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
