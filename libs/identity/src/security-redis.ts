import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { Redis } from 'ioredis';

/**
 * A Redis connection for the checks that sit on requests (the rate limits): commands time out
 * after `SECURITY_REDIS_TIMEOUT_MS` and fail at once while Redis is disconnected (no offline
 * queue), so a Redis outage never hangs a request.
 */
export const SECURITY_REDIS = Symbol('SECURITY_REDIS');
export const SECURITY_REDIS_TIMEOUT_MS = 250;

export function createSecurityRedis(url: string): Redis {
  const redis = new Redis(url, {
    commandTimeout: SECURITY_REDIS_TIMEOUT_MS,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Keep reconnecting in the background, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => undefined); // reported by the callers, rate-limited
  return redis;
}

/** Logs a warning at most once per `everyMs` for one subject (a Redis outage must not flood the logs). */
export class RateLimitedWarning {
  private last = 0;
  constructor(
    private readonly logger: Logger,
    private readonly everyMs = 10_000,
  ) {}

  warn(context: object, message: string): void {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    this.logger.warn(context, message);
  }
}

@Module({
  providers: [{ provide: SECURITY_REDIS, inject: [AppConfig], useFactory: (config: AppConfig) => createSecurityRedis(config.REDIS_URL) }],
  exports: [SECURITY_REDIS],
})
export class SecurityRedisModule implements OnApplicationShutdown {
  constructor(@Inject(SECURITY_REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
