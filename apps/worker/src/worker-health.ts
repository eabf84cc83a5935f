import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Db } from '@bo/database';
import { REDIS_CONNECTION } from '@bo/queue';
import type { Redis } from 'ioredis';
import { Server, createServer } from 'node:http';

/** The worker's only HTTP: a health probe (live, ready = PostgreSQL and Redis answer). */
@Injectable()
export class WorkerHealth implements OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly db: Db,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  async listen(port: number, host: string): Promise<void> {
    this.server = createServer((req, res) => {
      void this.answer(req.url ?? '').then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
  }

  private async answer(url: string): Promise<{ status: number; body: unknown }> {
    if (url === '/health/live') return { status: 200, body: { status: 'ok' } };
    if (url !== '/health/ready') return { status: 404, body: { status: 'not found' } };
    const [db, redis] = await Promise.all([
      this.db.ping().then(() => 'up', () => 'down'),
      this.redis.ping().then(() => 'up', () => 'down'),
    ]);
    const ok = db === 'up' && redis === 'up';
    return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'down', checks: { database: db, redis } } };
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
