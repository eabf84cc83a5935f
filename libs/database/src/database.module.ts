import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, Clock, IdempotencyStore, SystemClock } from '@bo/core';
import { DataSource } from 'typeorm';
import { APP_DATA_SOURCE, DatabaseTimeouts, SYSTEM_DATA_SOURCE, dataSourceOptions } from './data-sources';
import { Db } from './db.service';
import { SystemDb } from './system-db.service';
import { DbClock } from './db-clock';
import { PgIdempotencyStore } from './idempotency.store';
import { OutboxStore } from './outbox.store';

async function open(url: string, poolSize: number, name: string, timeouts: DatabaseTimeouts): Promise<DataSource> {
  return new DataSource(dataSourceOptions(url, poolSize, name, timeouts)).initialize();
}

/** The timeouts of this process's connections: a request's by default, a job's in the worker. */
const DATABASE_TIMEOUTS = Symbol('DATABASE_TIMEOUTS');
const timeoutsFrom = (statementTimeoutMs: (config: AppConfig) => number) => ({
  provide: DATABASE_TIMEOUTS,
  inject: [AppConfig],
  useFactory: (config: AppConfig): DatabaseTimeouts => ({ statementTimeoutMs: statementTimeoutMs(config), connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS }),
});

@Global()
@Module({
  providers: [
    timeoutsFrom((config) => config.DATABASE_STATEMENT_TIMEOUT_MS),
    {
      provide: APP_DATA_SOURCE,
      inject: [AppConfig, DATABASE_TIMEOUTS],
      useFactory: (config: AppConfig, timeouts: DatabaseTimeouts) => open(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'bo-app', timeouts),
    },
    {
      provide: SYSTEM_DATA_SOURCE,
      inject: [AppConfig, DATABASE_TIMEOUTS],
      useFactory: (config: AppConfig, timeouts: DatabaseTimeouts) =>
        open(config.DATABASE_SYSTEM_URL, Math.max(2, Math.ceil(config.DATABASE_POOL_SIZE / 2)), 'bo-system', timeouts),
    },
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
  exports: [Db, SystemDb, Clock, IdempotencyStore, OutboxStore],
})
export class DatabaseModule implements OnApplicationShutdown {
  /** The worker's variant: statements bounded by JOB_STATEMENT_TIMEOUT_MS (imports run long). */
  static forJobs(): DynamicModule {
    return { module: DatabaseModule, providers: [timeoutsFrom((config) => config.JOB_STATEMENT_TIMEOUT_MS)] };
  }

  constructor(
    @Inject(APP_DATA_SOURCE) private readonly app: DataSource,
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
    private readonly clock: Clock,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.app.destroy(), this.system.destroy(), this.clock instanceof DbClock ? this.clock.close() : undefined]);
  }
}
