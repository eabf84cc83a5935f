import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** The two data sources the processes open through TypeOrmModule, by name. */
export const DATA_SOURCE_NAMES = { app: 'app', system: 'system' } as const;
/** Injection tokens of those data sources (`@Inject(APP_DATA_SOURCE) dataSource: DataSource`). */
export const APP_DATA_SOURCE = getDataSourceToken(DATA_SOURCE_NAMES.app) as string;
export const SYSTEM_DATA_SOURCE = getDataSourceToken(DATA_SOURCE_NAMES.system) as string;

/** Fixed role names: migrations grant to them, RLS policies are written against them. */
export const DB_ROLES = { owner: 'bo_owner', app: 'bo_app', system: 'bo_system' } as const;

/** Bounds on waiting for PostgreSQL, so that no request or job hangs on a dead server. */
export interface DatabaseTimeouts {
  /** Server-side `statement_timeout` (0 = none); the client gives up 5 s later if the server is gone. */
  statementTimeoutMs: number;
  /** Longest wait for a connection, new or from the pool. */
  connectTimeoutMs: number;
}

export function dataSourceOptions(url: string, poolSize: number, name: string, timeouts?: DatabaseTimeouts): DataSourceOptions {
  const bounded = timeouts
    ? {
        connectionTimeoutMillis: timeouts.connectTimeoutMs,
        statement_timeout: timeouts.statementTimeoutMs,
        ...(timeouts.statementTimeoutMs > 0 ? { query_timeout: timeouts.statementTimeoutMs + 5_000 } : {}),
        // A transaction left open by a crashed caller must not hold its locks for long.
        idle_in_transaction_session_timeout: 60_000,
        keepAlive: true,
        // Pooled connections stay open through a lull (pg's default closes them after 10 s idle):
        // a new server process starts with cold catalog caches and none of the connection's
        // prepared statements, tens of milliseconds on the first requests after every pause.
        idleTimeoutMillis: 300_000,
      }
    : {};
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    extra: { max: poolSize, application_name: name, ...bounded },
  };
}

/** Runs pending migrations as the owner role. Returns the names applied. */
export async function runMigrations(migrationUrl: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(migrationUrl, 2, 'bo-migrate'));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
