import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@bo/core';
import { Redis } from 'ioredis';

/**
 * A Redis connection for the checks that sit on every request (access-token deny list, rate
 * limits): commands time out after `SECURITY_REDIS_TIMEOUT_MS` and fail at once while Redis is
 * disconnected (no offline queue), so a Redis outage never hangs a request.
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

/**
 * The access-token deny list: revoked token ids (`jti`) and sessions (`sid`, the refresh family),
 * each kept in Redis until the last access token it covers has expired.
 *
 * When Redis cannot answer, `isRevoked` answers false (fail open) with a logged warning: reads
 * must keep working while Redis is down (issue 12), and the window is bounded by the access
 * token's lifetime. Disabling a user or an organisation still takes effect at once (it is read
 * from PostgreSQL on every request). See docs/security.md, "Access-token revocation".
 */
@Injectable()
export class TokenRevocations {
  private readonly logger = new Logger('TokenRevocations');
  private readonly outage = new RateLimitedWarning(this.logger);

  constructor(
    @Inject(SECURITY_REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private key(kind: 'jti' | 'sid', id: string): string {
    return `${this.config.QUEUE_PREFIX}:revoked:${kind}:${id}`;
  }

  /** Denies the token id and/or the whole session for `seconds` (until their tokens expire). */
  async revoke(entries: { kind: 'jti' | 'sid'; id: string; seconds: number }[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      const multi = this.redis.multi();
      for (const e of entries) multi.set(this.key(e.kind, e.id), '1', 'EX', Math.max(1, Math.ceil(e.seconds)));
      await multi.exec();
    } catch (error) {
      // Log-out still revokes the refresh family in PostgreSQL; only the access token's last minutes stay open.
      this.logger.warn({ err: (error as Error).message }, 'access-token revocation not recorded: Redis unavailable');
    }
  }

  async isRevoked(jti: string, sid: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.key('jti', jti), this.key('sid', sid))) > 0;
    } catch (error) {
      this.outage.warn({ err: (error as Error).message }, 'access-token deny list unreadable (Redis unavailable): failing open until Redis is back');
      return false;
    }
  }
}

@Module({
  providers: [{ provide: SECURITY_REDIS, inject: [AppConfig], useFactory: (config: AppConfig) => createSecurityRedis(config.REDIS_URL) }, TokenRevocations],
  exports: [SECURITY_REDIS, TokenRevocations],
})
export class SecurityRedisModule implements OnApplicationShutdown {
  constructor(@Inject(SECURITY_REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
