import { Clock } from '@bo/core';
import { Pool } from 'pg';

/**
 * Test-mode clock: machine time plus the offset stored in `clock_offset`, read on every call so
 * that a test moving time is seen at once by the API and the worker. It has a pool of its own:
 * a service asking the time inside a transaction must never wait for a connection that this very
 * transaction, or a job's COPY stream, is holding.
 */
export class DbClock extends Clock {
  private readonly pool: Pool;

  constructor(url: string) {
    super();
    this.pool = new Pool({ connectionString: url, max: 2, application_name: 'bo-clock' });
    // An idle connection dropped by a restarting server is replaced on the next call; never a crash.
    this.pool.on('error', () => undefined);
  }

  async now(): Promise<Date> {
    const { rows } = await this.pool.query<{ ms: string }>(`SELECT coalesce((SELECT offset_ms FROM clock_offset), 0)::bigint AS ms`);
    return new Date(Date.now() + Number(rows[0].ms));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
