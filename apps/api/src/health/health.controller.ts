import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Db } from '@bo/database';
import { REDIS_CONNECTION } from '@bo/queue';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { Public } from '../auth/public.decorator';
import { LiveDto, ReadyDto } from '../openapi/responses';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: Db,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'ok' };
  }

  /**
   * Ready when PostgreSQL answers. Redis down does not fail readiness (reads go on); it shows as
   * `degraded` so that operators see it.
   */
  @Get('ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ready to serve: 503 without PostgreSQL; Redis down shows as degraded' })
  @ApiOkResponse({ type: ReadyDto, description: 'ok, or degraded when Redis is down' })
  @ApiServiceUnavailableResponse({ type: ReadyDto, description: 'PostgreSQL is down (the same body, status down)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadyDto> {
    const [database, redis] = await Promise.all([
      within(2000, this.db.ping()).then(() => ({ status: 'up' as const }), (e: Error) => ({ status: 'down' as const, error: e.message })),
      within(1000, this.redis.ping()).then(() => ({ status: 'up' as const }), (e: Error) => ({ status: 'down' as const, error: e.message })),
    ]);
    const status = database.status === 'down' ? 'down' : redis.status === 'down' ? 'degraded' : 'ok';
    if (status === 'down') void reply.status(503);
    return { status, checks: { database, redis } };
  }
}
