import { Inject, Injectable } from '@nestjs/common';
import { BeginResult, IdempotencyStore, StoredResponse } from '@bo/core';
import { DataSource } from 'typeorm';
import { SYSTEM_DATA_SOURCE } from './data-sources';
import { queryRows } from './db.service';

/**
 * First responses of creating POSTs, per caller and key, kept 24 hours. It sits on the system
 * connection because the key belongs to the caller, not to a tenant's rows.
 */
@Injectable()
export class PgIdempotencyStore extends IdempotencyStore {
  constructor(@Inject(SYSTEM_DATA_SOURCE) private readonly ds: DataSource) {
    super();
  }

  async begin(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    await queryRows(this.ds, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < now() - interval '24 hours'`, [scope, key]);
    const inserted = (await queryRows(this.ds, 
      `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, requestHash],
    )) as unknown[];
    if (inserted.length === 1) return { state: 'new' };
    const [row] = (await queryRows(this.ds, 
      `SELECT request_hash, status, body, headers FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    )) as { request_hash: string; status: number | null; body: unknown; headers: Record<string, string> }[];
    if (!row) return this.begin(scope, key, requestHash);
    if (row.request_hash !== requestHash) return { state: 'mismatch' };
    if (row.status === null) return { state: 'in_progress' };
    return { state: 'replay', response: { status: row.status, body: row.body, headers: row.headers } };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await queryRows(this.ds, 
      `UPDATE idempotency_keys SET status = $3, body = $4::jsonb, headers = $5::jsonb WHERE scope = $1 AND key = $2`,
      [scope, key, response.status, JSON.stringify(response.body), JSON.stringify(response.headers)],
    );
  }

  async abandon(scope: string, key: string): Promise<void> {
    await queryRows(this.ds, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL`, [scope, key]);
  }
}
