import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_DATA_SOURCE } from './data-sources';
import { TenantContext } from './tenant';

/** A query function bound to one transaction. */
export interface Tx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T | undefined>;
  manager: EntityManager;
}

export function txOf(manager: EntityManager): Tx {
  return {
    manager,
    query: <T>(sql: string, params: unknown[] = []) => manager.query(sql, params) as Promise<T[]>,
    one: async <T>(sql: string, params: unknown[] = []) => ((await manager.query(sql, params)) as T[])[0],
  };
}

/**
 * The application's connection (role `bo_app`, under row-level security). Every unit of work
 * runs in a transaction that first sets `app.org_id` for the caller's organisation, so a query
 * that forgets a filter still cannot see another funder's rows.
 */
@Injectable()
export class Db {
  constructor(@Inject(APP_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async tx<T>(ctx: TenantContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)`,
        [ctx.organisationId ?? '', ctx.userId ?? ''],
      );
      return work(txOf(manager));
    });
  }

  /** Reads of shared reference tables (no RLS): no tenant needed. */
  async shared<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params) as Promise<T[]>;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  get raw(): DataSource {
    return this.dataSource;
  }
}
