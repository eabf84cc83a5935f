import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { APP_DATA_SOURCE } from '@bo/database';
import { REDIS_CONNECTION } from '@bo/queue';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';

/**
 * Liveness and readiness through @nestjs/terminus. Readiness fails (503) only when PostgreSQL does
 * not answer; Redis down shows as `degraded` (200), because reads go on without the queue.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(APP_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Ready to serve: 503 without PostgreSQL; Redis down shows as degraded' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { connection: this.dataSource, timeout: 2000 }),
        async () => {
          const session = this.indicators.check('redis');
          const result = await session.attempt(async () => void (await this.redis.ping())).withTimeout(1000);
          return result.redis.status === 'up' ? result : session.degraded({ message: 'Redis does not answer: jobs wait, reads go on' });
        },
      ]);
    } catch (error) {
      // Terminus answers the failed check as the body of a 503: probes read it as is.
      if (error instanceof ServiceUnavailableException) {
        void reply.status(503);
        return error.getResponse();
      }
      throw error;
    }
  }
}
