import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, AppError } from '@bo/core';
import { Actor } from '@bo/access';
import { REDIS_CONNECTION } from '@bo/queue';
import type { Redis } from 'ioredis';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Requests per minute one caller (an API key, or a user) may make to the bulk funding check;
 * each request may ask up to 1,000 questions (docs/registry.md, docs/security.md).
 */
export const BULK_FUNDING_CHECKS_PER_MINUTE = 60;
const WINDOW_MS = 60_000;

/** INCR a fixed one-minute window; answers [hits, ms to the window's end]. */
const SCRIPT = `
  local hits = redis.call('INCR', KEYS[1])
  if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
  return {hits, redis.call('PTTL', KEYS[1])}`;

/**
 * The per-caller limit of the bulk funding check: a fixed-window counter in Redis (shared by every
 * API process), keyed on the authenticated caller, so that one funder's system cannot starve the
 * others. Fails open when Redis cannot answer: a rate limit is a brake, not an access control.
 *
 * When the general @nestjs/throttler set-up lands (Redis storage, tracker = the actor), this guard
 * becomes one more named throttler (`{ name: 'bulk', ttl: 60_000, limit: 60 }`) declared on the
 * route: same key (the caller), same window, same 429 problem with Retry-After.
 */
@Injectable()
export class BulkRateLimitGuard implements CanActivate {
  private readonly logger = new Logger('RateLimit');

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const actor = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>().actor;
    if (!actor) return true; // the auth guard has refused already
    let hits: number;
    let ttlMs: number;
    try {
      [hits, ttlMs] = (await this.redis.eval(SCRIPT, 1, `${this.config.QUEUE_PREFIX}:throttle:bulk-funding-check:${actor.kind}:${actor.id}`, WINDOW_MS)) as [number, number];
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'bulk funding-check rate limit not enforced: Redis unavailable (failing open)');
      return true;
    }
    if (hits <= BULK_FUNDING_CHECKS_PER_MINUTE) return true;
    const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
    throw new AppError('REQUEST.RATE_LIMITED', `Too many bulk funding checks: at most ${BULK_FUNDING_CHECKS_PER_MINUTE} requests per minute. Try again in ${retryAfter} s.`, {
      retryAfter,
      limit: BULK_FUNDING_CHECKS_PER_MINUTE,
    });
  }
}
