import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SYSTEM_DATA_SOURCE } from './data-sources';
import { Tx, inTransaction } from './db.service';

/**
 * The system role (`bo_system`, BYPASSRLS). Reserved for cross-funder jobs and platform loads;
 * an eslint rule lets only `*.job.ts` files and the database lib import it.
 */
@Injectable()
export class SystemDb {
  constructor(@Inject(SYSTEM_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async tx<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, work);
  }

  /**
   * Runs `work` holding a transaction-scoped advisory lock on `key`, so two runs of the same
   * aggregation never interleave. Returns `undefined` without running when the lock is taken
   * and `wait` is false.
   */
  async withLock<T>(key: string, work: (tx: Tx) => Promise<T>, wait = true): Promise<T | undefined> {
    return this.tx(async (tx) => {
      if (wait) {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
      } else {
        const row = await tx.one<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok`, [key]);
        if (!row?.ok) return undefined;
      }
      return work(tx);
    });
  }

  get raw(): DataSource {
    return this.dataSource;
  }
}
