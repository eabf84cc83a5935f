import { Clock } from '@bo/core';
import { DataSource } from 'typeorm';

/**
 * Test-mode clock: machine time plus the offset stored in `clock_offset`, read on every call so
 * that a test moving time is seen at once by the API and the worker.
 */
export class DbClock extends Clock {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async now(): Promise<Date> {
    const rows = (await this.dataSource.query(`SELECT coalesce((SELECT offset_ms FROM clock_offset), 0)::bigint AS ms`)) as {
      ms: string;
    }[];
    return new Date(Date.now() + Number(rows[0].ms));
  }
}
