import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, Clock, IdempotencyStore, SystemClock } from '@bo/core';
import { DataSource } from 'typeorm';
import { APP_DATA_SOURCE, SYSTEM_DATA_SOURCE, dataSourceOptions } from './data-sources';
import { Db } from './db.service';
import { SystemDb } from './system-db.service';
import { DbClock } from './db-clock';
import { PgIdempotencyStore } from './idempotency.store';

async function open(url: string, poolSize: number, name: string): Promise<DataSource> {
  return new DataSource(dataSourceOptions(url, poolSize, name)).initialize();
}

@Global()
@Module({
  providers: [
    {
      provide: APP_DATA_SOURCE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => open(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'bo-app'),
    },
    {
      provide: SYSTEM_DATA_SOURCE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => open(config.DATABASE_SYSTEM_URL, Math.max(2, Math.ceil(config.DATABASE_POOL_SIZE / 2)), 'bo-system'),
    },
    Db,
    SystemDb,
    {
      provide: Clock,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.CLOCK_MODE === 'offset' ? new DbClock(config.DATABASE_SYSTEM_URL) : new SystemClock()),
    },
    { provide: IdempotencyStore, useClass: PgIdempotencyStore },
  ],
  exports: [Db, SystemDb, Clock, IdempotencyStore],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(APP_DATA_SOURCE) private readonly app: DataSource,
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
    private readonly clock: Clock,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.app.destroy(), this.system.destroy(), this.clock instanceof DbClock ? this.clock.close() : undefined]);
  }
}
