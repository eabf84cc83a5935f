import { Injectable, Logger } from '@nestjs/common';
import { Db, Tx } from '@bo/database';
import { AuditService } from '@bo/audit';
import { HandlesJob, JOB_DEFINITIONS, JobContext, JobHandler, JobOutbox, JobPayloads } from '@bo/queue';
import { AppConfig, dependencyFailure } from '@bo/core';
import { BlobStore } from '@bo/storage';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ACTION_CSV_TO_SQL, ActionCsvRecords, checkActionCsvHeader } from './action-csv-records';
import {
  IMPORT_MARKS_PRICE_SCOPES_SQL,
  IMPORT_PARALLEL_SQL,
  IMPORT_SETTINGS_SQL,
  PREFER_HASH_JOINS_SQL,
  createImportCheckedSql,
  createImportKeysSql,
  createImportRepeatedSql,
  createImportSkippedSql,
  createImportSpansSql,
  createStagingSql,
  dropWorkTablesSql,
  importActionsSql,
  importWorkTables,
} from './actions.sql';

export interface ActionsImportCounts {
  rows: number;
  accepted: number;
  rejected: number;
  inserted: number;
  updated: number;
  unchanged: number;
  coverageChanged: number;
}

/** Reads the first line of a stream, then closes it. */
async function firstLine(stream: Readable): Promise<string> {
  let head = '';
  for await (const chunk of stream) {
    head += (chunk as Buffer).toString('utf8');
    const lf = head.indexOf('\n');
    if (lf >= 0 || head.length > 65_536) {
      stream.destroy();
      return lf >= 0 ? head.slice(0, lf) : head;
    }
  }
  return head;
}

/**
 * `actions.import`: streams the stored file into the staging table with COPY, validates every row
 * with its coverage in one statement that PostgreSQL runs in parallel workers (into a work table:
 * `createImportCheckedSql`), then records the line errors and upserts the good rows in ONE
 * statement (each action written once, with its coverage), and records one bulk audit event.
 * Everything runs in one transaction under the funder's RLS context, so a failed import leaves
 * nothing behind but its FAILED status (the work tables go with the rollback). Memory stays flat:
 * the file is never held whole in Node.
 */
@Injectable()
@HandlesJob('actions.import')
export class ActionsImportJob implements JobHandler<'actions.import'> {
  private readonly logger = new Logger('ActionsImportJob');

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly audit: AuditService,
    private readonly outbox: JobOutbox,
    private readonly config: AppConfig,
  ) {}

  async handle(payload: JobPayloads['actions.import'], context: JobContext): Promise<unknown> {
    const ctx = { organisationId: payload.organisationId, userId: payload.actor.kind === 'user' ? payload.actor.id : null };
    const started = await this.db.tx(ctx, (tx) =>
      tx.one<{ file_sha256: string; status: string }>(
        `UPDATE imports SET status = 'RUNNING', started_at = now(), error = NULL WHERE id = $1 AND kind = 'ACTIONS' AND status <> 'SUCCEEDED'
         RETURNING file_sha256, status`,
        [payload.importId],
      ),
    );
    if (!started) return { skipped: 'already imported or unknown' };
    try {
      const counts = await this.db.tx(ctx, (tx) => this.run(tx, payload, started.file_sha256, context));
      await context.progress(100);
      return { importId: payload.importId, counts };
    } catch (error) {
      // PostgreSQL went away under the import (rolled back whole): the job's next attempt
      // imports it again, rather than leaving the funder a FAILED import to send again.
      if (dependencyFailure(error) && context.attempt < JOB_DEFINITIONS['actions.import'].options.attempts) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`import ${payload.importId} failed: ${message}`);
      await this.db.tx(ctx, (tx) =>
        tx.query(`UPDATE imports SET status = 'FAILED', finished_at = now(), error = $2 WHERE id = $1`, [payload.importId, message.slice(0, 2000)]),
      );
      return { importId: payload.importId, failed: message };
    }
  }

  private async run(tx: Tx, payload: JobPayloads['actions.import'], sha256: string, context: JobContext): Promise<ActionsImportCounts> {
    const { importId, organisationId } = payload;
    // One import per funder at a time: two files naming the same externalRef never interleave.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('actions.import:' || $1, 0))`, [organisationId]);
    await tx.query(`DELETE FROM import_errors WHERE import_id = $1`, [importId]);
    const work = importWorkTables(importId);
    await tx.query(createStagingSql(work));

    const head = await this.blobs.open(sha256);
    if (!head) throw new Error(`the stored file ${sha256} is missing`);
    const header = checkActionCsvHeader(await firstLine(head));
    if (!header.ok) throw new Error(`header: ${header.problems.join('; ')}`);

    const source = await this.blobs.open(sha256);
    const records = new ActionCsvRecords(header.columns.length);
    const client = (tx.manager.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const copy = client.query(
      copyFrom(`COPY ${work.rows} (line, shape_error, ${header.columns.map((c) => ACTION_CSV_TO_SQL[c]).join(', ')}) FROM STDIN WITH (FORMAT csv)`),
    );
    const started = performance.now();
    await pipeline(source!, records, copy);
    // The planner needs the row count of the fresh table, and the statistics of the columns the
    // statements filter, join or group on (without shape_error's, \`shape_error IS NULL\` is guessed
    // at 0.5% of the rows); the other columns' (every value as text) took two thirds of the ANALYZE
    // for nothing.
    await tx.query(`ANALYZE ${work.rows} (line, shape_error, external_ref, provider_siret, provider_nda, category)`);
    const copied = performance.now();
    await tx.query(IMPORT_PARALLEL_SQL);
    await tx.query(createImportRepeatedSql(work));
    await tx.query(createImportSkippedSql(work), [organisationId]); // the lines of a re-sent file that change nothing
    await tx.query(`ANALYZE ${work.skipped}`);
    const recognised = performance.now();
    await tx.query(createImportKeysSql(work));
    await tx.query(`ANALYZE ${work.keys}`);
    await tx.query(createImportSpansSql(work));
    await tx.query(`ANALYZE ${work.spans}`);
    const spanned = performance.now();
    await tx.query(PREFER_HASH_JOINS_SQL);
    await tx.query(IMPORT_SETTINGS_SQL);
    await tx.query(createImportCheckedSql(work));
    const checked = performance.now();
    await context.progress(40);
    await tx.query(IMPORT_MARKS_PRICE_SCOPES_SQL(true));

    const [r] = await tx.query<{
      recognised: number;
      rows: number;
      accepted: number;
      rejected: number;
      inserted: number;
      updated: number;
      coverage_changed: number;
      affected_digest: string;
    }>(importActionsSql(work), [importId, organisationId]);
    await tx.query(IMPORT_MARKS_PRICE_SCOPES_SQL(false));
    await tx.query(dropWorkTablesSql(work));

    const counts: ActionsImportCounts = {
      rows: r.rows,
      accepted: r.accepted,
      rejected: r.rejected,
      inserted: r.inserted,
      updated: r.updated,
      unchanged: r.accepted - r.inserted - r.updated,
      coverageChanged: r.coverage_changed,
    };
    // Where the time went, for operators and the import benchmark (milliseconds per phase), and how
    // many lines were recognised as unchanged before any parsing.
    const phases = {
      copyMs: Math.round(copied - started),
      recogniseMs: Math.round(recognised - copied),
      spansMs: Math.round(spanned - recognised),
      checkMs: Math.round(checked - spanned),
      applyMs: Math.round(performance.now() - checked),
      recognisedLines: r.recognised,
    };
    await tx.query(`UPDATE imports SET status = 'SUCCEEDED', finished_at = clock_timestamp(), counts = $2::jsonb, progress = $3::jsonb WHERE id = $1`, [
      importId,
      JSON.stringify(counts),
      JSON.stringify({ phase: 'done', ...phases }),
    ]);
    // Prices changed: the cross-funder recompute runs at the end of the debounce window, once for
    // every import of that window (coalesced in the outbox), with the import's commit.
    if (counts.inserted + counts.updated > 0) {
      await this.outbox.add(tx, 'pricing.recompute', { organisationId: null, requestedBy: null, incremental: true }, { debounceMs: this.config.PRICE_RECOMPUTE_DEBOUNCE_MINUTES * 60_000, coalesceAs: 'incremental' });
    }
    // One event for the whole import (same shape as AuditService.recordBulk; the id digest is
    // computed in SQL so a million ids never travel to Node).
    await this.audit.record(tx, { ...payload.actor, organisationId }, {
      action: 'actions.imported',
      entityType: 'import',
      entityId: importId,
      details: {
        bulk: true,
        fileSha256: sha256,
        counts: { rows: counts.rows, accepted: counts.accepted, rejected: counts.rejected, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged },
        affectedIdsDigest: r.affected_digest,
        affected: r.inserted + r.updated,
      },
    });
    return counts;
  }
}
