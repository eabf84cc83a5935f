import { ExecutionContext, Injectable, Logger, Module, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { AppConfig, AppError } from '@bo/core';
import { Actor } from '@bo/access';
import { RateLimitedWarning, SECURITY_REDIS, SecurityRedisModule } from '@bo/identity';
import type { Redis } from 'ioredis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE } from '../auth/public.decorator';

/**
 * What a route costs against the rate limits (@nestjs/throttler, counters in Redis so that every
 * API process shares them):
 * - `write`: every POST, PUT, PATCH, DELETE of a user or an API key (implicit);
 * - `heavy`: imports, uploads and exports (declared with `@RateLimit('heavy')`), on top of `write`;
 * - `bulk`: the bulk funding check (`@RateLimit('bulk')`, up to 1,000 questions a request), on top
 *   of `write`, a counter of its own so that a funder's nightly batch never eats its imports' budget;
 * - `anonymous`: the public routes declared with `@RateLimit('anonymous')`, per client address.
 * Reads are not limited.
 */
export type RateLimitClass = 'heavy' | 'bulk' | 'anonymous';
const RATE_LIMIT_CLASS = 'bo:rate-limit';
export const RateLimit = (kind: RateLimitClass) => SetMetadata(RATE_LIMIT_CLASS, kind);

const WINDOW_MS = 60_000;

/**
 * Fixed-window counters in Redis, one Lua call per request and limit. When Redis cannot answer
 * (down, or slower than the security connection's command timeout) the limiter FAILS OPEN: the
 * request goes through and a warning is logged (at most every 10 s). Rate limits are a brake on
 * abuse, not an access control; refusing every write while Redis is down would turn an outage
 * of the cache into an outage of the product (docs/security.md, "Rate limits").
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly outage = new RateLimitedWarning(new Logger('RateLimit'));
  private static readonly SCRIPT = `
    local blockTtl = redis.call('PTTL', KEYS[2])
    if blockTtl > 0 then
      return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blockTtl}
    end
    local hits = redis.call('INCR', KEYS[1])
    if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
    local ttl = redis.call('PTTL', KEYS[1])
    if hits > tonumber(ARGV[2]) then
      redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
      return {hits, ttl, 1, tonumber(ARGV[3])}
    end
    return {hits, ttl, 0, 0}`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    // The prefix is a hash tag ({bo}): both keys land in one Redis Cluster slot.
    const hitsKey = `${this.prefix}:throttle:${key}`;
    try {
      const [hits, hitsTtl, blocked, blockTtl] = (await this.redis.eval(RedisThrottlerStorage.SCRIPT, 2, hitsKey, `${hitsKey}:blocked`, ttl, limit, blockDuration)) as number[];
      return {
        totalHits: hits,
        timeToExpire: Math.max(0, Math.ceil(hitsTtl / 1000)),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.max(1, Math.ceil(blockTtl / 1000)),
      };
    } catch (error) {
      this.outage.warn({ err: (error as Error).message, throttler: throttlerName }, 'rate limits not enforced: Redis unavailable (failing open)');
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

/** The throttler guard keyed on the caller (user or API key; the client address when anonymous) and the route's class. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage, reflector: Reflector) {
    super(options, storage, reflector);
  }

  private classOf(context: ExecutionContext): RateLimitClass | undefined {
    return this.reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_CLASS, [context.getHandler(), context.getClass()]);
  }

  /** Whether the limit named `throttler` counts this request (see the classes above). */
  private applies(context: ExecutionContext, throttler: string | undefined): boolean {
    const kind = this.classOf(context);
    if (throttler === 'anonymous') return kind === 'anonymous';
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    if (request.actor === undefined || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return false;
    return throttler === 'write' ? request.method !== 'GET' && request.method !== 'HEAD' : kind === throttler;
  }

  /**
   * A request no limit applies to (most of them: reads) is answered here, before the base class
   * walks its four throttlers through several awaits each (about 3% of the API process's
   * JavaScript time in a CPU profile of the funding check at saturation).
   */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !this.throttlers.some((throttler) => this.applies(context, throttler.name));
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    return this.applies(props.context, props.throttler.name) ? super.handleRequest(props) : true;
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const actor = (request as { actor?: Actor }).actor;
    if (actor) return `${actor.kind}:${actor.id}`;
    return `ip:${(request as unknown as FastifyRequest).ip}`;
  }

  /** One counter per caller and limit, whatever the route (the default key is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
    throw new AppError('REQUEST.RATE_LIMITED', `Too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s. Try again in ${retryAfter} s.`, { retryAfter, limit: detail.limit });
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [SecurityRedisModule],
      inject: [AppConfig, SECURITY_REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [
          { name: 'write', ttl: WINDOW_MS, limit: config.RATE_LIMIT_WRITES_PER_MINUTE },
          { name: 'heavy', ttl: WINDOW_MS, limit: config.RATE_LIMIT_HEAVY_PER_MINUTE },
          { name: 'bulk', ttl: WINDOW_MS, limit: config.RATE_LIMIT_BULK_PER_MINUTE },
          { name: 'anonymous', ttl: WINDOW_MS, limit: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE },
        ],
        storage: new RedisThrottlerStorage(redis, config.QUEUE_PREFIX),
        setHeaders: false,
      }),
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
