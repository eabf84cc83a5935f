import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { Redis } from 'ioredis';
import { JobDispatcher, REDIS_CONNECTION, createRedis } from './job-dispatcher';
import { JobOutbox, JobOutcomes } from './job-outbox';

@Global()
@Module({
  providers: [
    { provide: REDIS_CONNECTION, inject: [AppConfig], useFactory: (config: AppConfig) => createRedis(config.REDIS_URL) },
    JobDispatcher,
    JobOutbox,
    JobOutcomes,
  ],
  exports: [REDIS_CONNECTION, JobDispatcher, JobOutbox, JobOutcomes],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(
    private readonly dispatcher: JobDispatcher,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
    this.redis.disconnect();
  }
}
