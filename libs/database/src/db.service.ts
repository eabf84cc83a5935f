import { Inject, Injectable } from '@nestjs/common';
import { escapeLiteral } from 'pg';
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';
import { APP_DATA_SOURCE } from './data-sources';
import { TenantContext } from './tenant';

/** A query function bound to one transaction. */
export interface Tx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /**
   * A statement the connection keeps parsed under `name` (a named prepared statement, per pooled
   * connection): for the hot statements of interactive routes, where parsing and planning cost
   * more than running. Give one name to one SQL text only.
   */
  prepared<T = Record<string, unknown>>(name: string, sql: string, params: unknown[]): Promise<T[]>;
  /** Runs `hook` once the transaction has committed (never when it rolls back); errors are the hook's own. */
  afterCommit(hook: () => void): void;
  manager: EntityManager;
}

/** The pg client a query runner holds (connected on first use). */
interface PgClient {
  query(config: string | { name?: string; text: string; values?: unknown[] }, values?: unknown[]): Promise<{ rows?: unknown[] }>;
}

/**
 * Rows of a statement, whatever its kind, straight on the runner's pg client. TypeORM's
 * \`runner.query\` wraps each statement in two event broadcasts, two clock reads, a logger call
 * and a result object, on every statement of every request;
 * no subscriber or query logging is configured, so only its error type is kept: a failed
 * statement still throws TypeORM's \`QueryFailedError\` (driver error, SQL and parameters).
 * A statement list sent at once (simple protocol) answers no rows, as through TypeORM.
 */
async function run<T>(runner: QueryRunner, statement: string | { name: string; text: string; values: unknown[] }, params?: unknown[]): Promise<T[]> {
  const client = (await runner.connect()) as PgClient;
  try {
    const result = typeof statement === 'string' ? await client.query(statement, params) : await client.query(statement);
    return (Array.isArray(result) ? [] : (result.rows ?? [])) as T[];
  } catch (error) {
    const sql = typeof statement === 'string' ? statement : statement.text;
    throw new QueryFailedError(sql, typeof statement === 'string' ? params : statement.values, error as Error);
  }
}

export function txOf(manager: EntityManager, hooks: (() => void)[] = []): Tx {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('txOf needs a transactional entity manager');
  return {
    manager,
    afterCommit: (hook) => void hooks.push(hook),
    query: <T>(sql: string, params: unknown[] = []) => run<T>(runner, sql, params),
    one: async <T>(sql: string, params: unknown[] = []) => (await run<T>(runner, sql, params))[0],
    // A named prepared statement on the query runner's own pg client (TypeORM has none).
    prepared: <T>(name: string, sql: string, params: unknown[]) => run<T>(runner, { name, text: sql, values: params }),
  };
}

/**
 * Runs \`work\` in a transaction of \`dataSource\`, then the hooks it registered with \`afterCommit\`.
 * \`setup\` (statements without parameters) is sent with \`START TRANSACTION\` in ONE round trip
 * (simple query protocol), so a request's tenant costs no round trip of its own. TypeORM's query
 * runner is then told the transaction is open, exactly as its own \`startTransaction\` would leave it
 * (for the rare caller that reaches it through \`tx.manager\`); COMMIT and ROLLBACK go the same
 * direct way as the statements (see \`run\`).
 */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: Tx) => Promise<T>, setup?: string): Promise<T> {
  const hooks: (() => void)[] = [];
  const runner = dataSource.createQueryRunner();
  let result: T;
  try {
    await run(runner, setup ? `START TRANSACTION; ${setup}` : 'START TRANSACTION');
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    Object.assign(state, { isTransactionActive: true, transactionDepth: 1 });
    try {
      result = await work(txOf(runner.manager, hooks));
      await run(runner, 'COMMIT');
      Object.assign(state, { isTransactionActive: false, transactionDepth: 0 });
    } catch (error) {
      // A failed COMMIT has ended the transaction too; ROLLBACK then only draws a warning.
      if (runner.isTransactionActive) await run(runner, 'ROLLBACK').catch(() => undefined);
      Object.assign(state, { isTransactionActive: false, transactionDepth: 0 });
      throw error;
    }
  } finally {
    await runner.release();
  }
  for (const hook of hooks) hook();
  return result;
}

/** Runs one statement on a pooled connection, outside any transaction (`prepare`: as a named prepared statement). */
export async function queryRows<T>(dataSource: DataSource, sql: string, params: unknown[] = [], prepare?: string): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    return await run<T>(runner, prepare ? { name: prepare, text: sql, values: params } : sql, params);
  } finally {
    await runner.release();
  }
}

/**
 * The application's connection (role `bo_app`, under row-level security). Every unit of work
 * runs in a transaction that first sets `app.org_id` for the caller's organisation, so a query
 * that forgets a filter still cannot see another funder's rows.
 */
@Injectable()
export class Db {
  constructor(@Inject(APP_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * `options.genericPlans`: the transaction's prepared statements run on their generic plan
   * (`plan_cache_mode`, transaction-local) instead of being planned again for each set of
   * parameters. For a statement whose plan does not depend on its parameters' values, where
   * planning costs more than running (the funding check: 2.5 ms of planning for 0.5 ms of work).
   */
  async tx<T>(ctx: TenantContext, work: (tx: Tx) => Promise<T>, options: { genericPlans?: boolean } = {}): Promise<T> {
    // Literals, not parameters: the settings travel with START TRANSACTION in the same message.
    const generic = options.genericPlans ? `, set_config('plan_cache_mode', 'force_generic_plan', true)` : '';
    const tenant = `SELECT set_config('app.org_id', ${escapeLiteral(ctx.organisationId ?? '')}, true), set_config('app.user_id', ${escapeLiteral(ctx.userId ?? '')}, true)${generic}`;
    return inTransaction(this.dataSource, work, tenant);
  }

  /**
   * Reads of shared reference tables (no RLS): no tenant needed. \`options.prepare\` names the
   * statement, kept parsed per pooled connection (see \`Tx.prepared\`): for the look-ups of every request.
   */
  async shared<T = Record<string, unknown>>(sql: string, params: unknown[] = [], options: { prepare?: string } = {}): Promise<T[]> {
    return queryRows<T>(this.dataSource, sql, params, options.prepare);
  }

  async ping(): Promise<void> {
    await queryRows(this.dataSource, 'SELECT 1');
  }
}
