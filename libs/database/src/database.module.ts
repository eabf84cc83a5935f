import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, Clock, ConfigModule, IdempotencyStore, SystemClock } from '@bo/core';
import { DATA_SOURCE_NAMES, DatabaseTimeouts, dataSourceOptions } from './data-sources';
import { Db } from './db.service';
import { SystemDb } from './system-db.service';
import { DbClock } from './db-clock';
import { PgIdempotencyStore } from './idempotency.store';
import { OutboxStore } from './outbox.store';

/** Present (from `JobDatabaseProfile`) in the worker: its statements get the jobs' timeout. */
const JOB_PROFILE = Symbol('JOB_DATABASE_PROFILE');

/** Imported by the worker before DatabaseModule: statements bounded by JOB_STATEMENT_TIMEOUT_MS (imports run long). */
@Global()
@Module({ providers: [{ provide: JOB_PROFILE, useValue: true }], exports: [JOB_PROFILE] })
export class JobDatabaseProfile {}

/**
 * Opens the application's data source (role bo_app, under row-level security) and the system one
 * (bo_system, BYPASSRLS, for cross-funder jobs only) through TypeOrmModule, which also closes them
 * at shutdown. The migration role's data source is opened by the CLI only. Every connection is
 * bounded (docs/reliability.md): a request's statements by DATABASE_STATEMENT_TIMEOUT_MS, a job's
 * by JOB_STATEMENT_TIMEOUT_MS, the wait for a connection by DATABASE_CONNECT_TIMEOUT_MS.
 */
function dataSource(name: string, url: (c: AppConfig) => string, poolSize: (c: AppConfig) => number) {
  return TypeOrmModule.forRootAsync({
    name,
    imports: [ConfigModule],
    inject: [AppConfig, { token: JOB_PROFILE, optional: true }],
    useFactory: (config: AppConfig, jobs?: boolean) => {
      const timeouts: DatabaseTimeouts = {
        statementTimeoutMs: jobs ? config.JOB_STATEMENT_TIMEOUT_MS : config.DATABASE_STATEMENT_TIMEOUT_MS,
        connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      };
      return {
        ...dataSourceOptions(url(config), poolSize(config), `bo-${name}`, timeouts),
        // A process that cannot reach PostgreSQL at boot fails fast with the driver's message.
        retryAttempts: 2,
        retryDelay: 1000,
      };
    },
  });
}

@Global()
@Module({
  imports: [
    dataSource(DATA_SOURCE_NAMES.app, (c) => c.DATABASE_URL, (c) => c.DATABASE_POOL_SIZE),
    dataSource(DATA_SOURCE_NAMES.system, (c) => c.DATABASE_SYSTEM_URL, (c) => Math.max(2, Math.ceil(c.DATABASE_POOL_SIZE / 2))),
  ],
  providers: [
    Db,
    SystemDb,
    {
      provide: Clock,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.CLOCK_MODE === 'offset' ? new DbClock(config.DATABASE_SYSTEM_URL) : new SystemClock()),
    },
    { provide: IdempotencyStore, useClass: PgIdempotencyStore },
    OutboxStore,
  ],
  exports: [TypeOrmModule, Db, SystemDb, Clock, IdempotencyStore, OutboxStore],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Clock) private readonly clock: Clock) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.clock instanceof DbClock) await this.clock.close();
  }
}
