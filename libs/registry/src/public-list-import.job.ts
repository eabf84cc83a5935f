import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { from as copyFrom } from 'pg-copy-streams';
import { AppConfig, Clock } from '@bo/core';
import { SystemDb } from '@bo/database';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobOutbox, JobPayloads } from '@bo/queue';
import { BlobStore } from '@bo/storage';
import { AuditService } from '@bo/audit';
import { PublicListImportCounts, applyPublicListStaging } from './public-list-import.sql';
import { STAGING_COLUMNS, checkPublicListHeader, checkPublicListRow, readCsvRecords, readFirstLine, splitHeaderLine, stagingLine } from './public-list-records';

interface ImportRow {
  id: string;
  organisation_id: string;
  mode: 'FULL' | 'DELTA';
  status: string;
  file_sha256: string;
  counts: PublicListImportCounts;
}

const PROGRESS_EVERY = 10_000;
const logger = new Logger('PublicListImport');

/**
 * Runs one public-list import: streams the stored file through the reader and validator into the
 * UNLOGGED staging table with COPY (one record in memory at a time), then validates across rows
 * and upserts in SQL under an advisory lock, records one bulk audit event, and empties the
 * staging rows. Safe to run again: an import that succeeded answers its counts; a retried one
 * starts its staging over.
 */
async function runImport(deps: { systemDb: SystemDb; blobs: BlobStore; audit: AuditService; clock: Clock; outbox: JobOutbox }, importId: string, requestedBy: string | null, context?: JobContext): Promise<PublicListImportCounts> {
  const { systemDb, blobs } = deps;
  const [imp] = await systemDb.tx((tx) =>
    tx.query<ImportRow>(`SELECT id, organisation_id, mode, status, file_sha256, counts FROM imports WHERE id = $1 AND kind = 'PUBLIC_LIST'`, [importId]),
  );
  if (!imp) throw new Error(`No public-list import ${importId}`);
  if (imp.status === 'SUCCEEDED') return imp.counts;
  await systemDb.tx((tx) => tx.query(`UPDATE imports SET status = 'RUNNING', started_at = now(), error = NULL WHERE id = $1`, [importId]));
  try {
    const source = await blobs.open(imp.file_sha256);
    if (!source) throw new Error(`The file ${imp.file_sha256} of import ${importId} is not in the blob store`);
    const started = Date.now();
    const runner = systemDb.raw.createQueryRunner();
    try {
      const client = (await runner.connect()) as import('pg').PoolClient;
      await client.query(`DELETE FROM public_list_staging WHERE import_id = $1`, [importId]);
      let index: Map<string, number> | undefined;
      let lines = 0;
      const toCopy = new Transform({
        objectMode: false,
        writableObjectMode: true,
        transform(record: { line: number; cells: string[] }, _enc, done) {
          if (!index) {
            const header = checkPublicListHeader(record.cells);
            if (!header.ok) return done(new Error(`The header misses ${header.missing.join(', ')}`));
            index = header.index;
            return done();
          }
          lines++;
          if (lines % PROGRESS_EVERY === 0) {
            void systemDb
              .tx((tx) => tx.query(`UPDATE imports SET progress = $2::jsonb WHERE id = $1`, [importId, JSON.stringify({ phase: 'reading', lines })]))
              .catch(() => undefined);
            void context?.progress({ phase: 'reading', lines }).catch(() => undefined);
          }
          done(null, stagingLine(importId, record.line, checkPublicListRow(record.cells, index)));
        },
      });
      const copy = client.query(copyFrom(`COPY public_list_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(readCsvRecords(source)), toCopy, copy);
      // The planner must know the staging rows exist, or it joins them as if there were none.
      await client.query(`ANALYZE public_list_staging`);
      const read = Date.now();
      const observedOn = (await deps.clock.now()).toISOString().slice(0, 10);
      await systemDb.tx((tx) => tx.query(`UPDATE imports SET progress = $2::jsonb WHERE id = $1`, [importId, JSON.stringify({ phase: 'applying', lines })]));
      const result = await systemDb.withLock('registry.public-list', async (tx) => {
        const applied = await applyPublicListStaging(tx, { importId, organisationId: imp.organisation_id, mode: imp.mode, observedOn });
        await tx.query(
          `UPDATE imports SET status = 'SUCCEEDED', finished_at = now(), counts = $2::jsonb, progress = $3::jsonb WHERE id = $1`,
          [importId, JSON.stringify(applied.counts), JSON.stringify({ phase: 'done', lines })],
        );
        await deps.audit.record(
          tx,
          { kind: 'system', id: requestedBy, organisationId: imp.organisation_id, label: 'public-list import' },
          {
            action: 'providers.import',
            entityType: 'import',
            entityId: importId,
            details: {
              bulk: true,
              mode: imp.mode,
              fileSha256: imp.file_sha256,
              counts: applied.counts,
              affectedIdsDigest: applied.affectedDigest,
              affected: applied.affected,
            },
          },
        );
        // Coverage depends on the registry: its recompute is asked for in the same transaction.
        if (registryChanged(applied.counts)) {
          // Statistics of the changed registry, committed with it: the coverage recompute and the
          // next funded-actions import plan their per-provider look-ups on them (a registry without
          // statistics made them sequential scans; migration 0025). Counts this transaction's rows.
          await tx.query(`ANALYZE providers, certification_observations`);
          await deps.outbox.add(tx, 'registry.coverage-recompute', { organisationId: null, requestedBy, reason: `public-list import ${importId}` });
        }
        return applied.counts;
      });
      logger.log({ importId, lines, readMs: read - started, applyMs: Date.now() - read }, 'public-list import applied');
      await client.query(`DELETE FROM public_list_staging WHERE import_id = $1`, [importId]);
      await context?.progress(100);
      return result!;
    } finally {
      await runner.release();
    }
  } catch (error) {
    await systemDb
      .tx((tx) => tx.query(`UPDATE imports SET status = 'FAILED', finished_at = now(), error = $2 WHERE id = $1`, [importId, (error as Error).message]))
      .catch(() => undefined);
    throw error;
  }
}

/** Whether an import changed what certification coverage depends on. */
function registryChanged(counts: PublicListImportCounts): boolean {
  return counts.changes > 0;
}

/** `registry.public-list-import`: imports an uploaded file. */
@Injectable()
@HandlesJob('registry.public-list-import')
export class PublicListImportJob implements JobHandler<'registry.public-list-import'> {
  constructor(
    private readonly systemDb: SystemDb,
    private readonly blobs: BlobStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: JobOutbox,
  ) {}

  handle(payload: JobPayloads['registry.public-list-import'], context: JobContext): Promise<PublicListImportCounts> {
    return runImport({ systemDb: this.systemDb, blobs: this.blobs, audit: this.audit, clock: this.clock, outbox: this.outbox }, payload.importId, payload.requestedBy, context);
  }
}

/**
 * `registry.public-list-refresh`: fetches PUBLIC_LIST_SOURCE (a path or an http(s) URL) into the
 * blob store and imports it in FULL mode, as the PLATFORM organisation. A file identical to the
 * last imported one is not imported again.
 */
@Injectable()
@HandlesJob('registry.public-list-refresh')
export class PublicListRefreshJob implements JobHandler<'registry.public-list-refresh'> {
  constructor(
    private readonly systemDb: SystemDb,
    private readonly blobs: BlobStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly outbox: JobOutbox,
  ) {}

  async handle(payload: JobPayloads['registry.public-list-refresh'], context: JobContext): Promise<unknown> {
    const source = this.config.PUBLIC_LIST_SOURCE;
    if (!source) return { skipped: 'PUBLIC_LIST_SOURCE is not set' };
    let stream: Readable;
    if (/^https?:\/\//i.test(source)) {
      const response = await fetch(source);
      if (!response.ok || !response.body) throw new Error(`GET ${source} answered ${response.status}`);
      stream = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
    } else {
      stream = createReadStream(source);
    }
    const blob = await this.blobs.put(stream);
    const header = checkPublicListHeader(splitHeaderLine(await readFirstLine((await this.blobs.open(blob.sha256))!)));
    if (!header.ok) throw new Error(`The public list at ${source} has a bad header: missing ${header.missing.join(', ')}`);
    const created = await this.systemDb.tx(async (tx) => {
      const [platform] = await tx.query<{ id: string }>(`SELECT id FROM organisations WHERE kind = 'PLATFORM' ORDER BY created_at LIMIT 1`);
      if (!platform) throw new Error('No PLATFORM organisation');
      const [last] = await tx.query<{ file_sha256: string }>(
        `SELECT file_sha256 FROM imports WHERE kind = 'PUBLIC_LIST' AND status = 'SUCCEEDED' ORDER BY finished_at DESC LIMIT 1`,
      );
      if (last?.file_sha256 === blob.sha256) return undefined;
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO imports (organisation_id, kind, mode, file_sha256, file_name, file_size, job_id, created_by)
         VALUES ($1, 'PUBLIC_LIST', 'FULL', $2, $3, $4, $5, 'scheduler') RETURNING id`,
        [platform.id, blob.sha256, source.split(/[\\/]/).pop() ?? source, blob.size, context.jobId],
      );
      return row.id;
    });
    if (!created) return { skipped: 'the source did not change since the last import', fileSha256: blob.sha256 };
    const counts = await runImport({ systemDb: this.systemDb, blobs: this.blobs, audit: this.audit, clock: this.clock, outbox: this.outbox }, created, payload.requestedBy, context);
    return { importId: created, counts };
  }
}

/** Registers (or removes) the recurring public-list import when the worker starts. */
@Injectable()
export class PublicListScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PublicListScheduler');

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: JobDispatcher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const queue = this.dispatcher.queue('imports');
    if (!this.config.PUBLIC_LIST_SOURCE) {
      await queue.removeJobScheduler('registry.public-list-refresh').catch(() => undefined);
      return;
    }
    await queue.upsertJobScheduler(
      'registry.public-list-refresh',
      { pattern: '0 4 * * *', tz: 'Europe/Paris' },
      { name: 'registry.public-list-refresh', data: { organisationId: null, requestedBy: null } },
    );
    this.logger.log({ source: this.config.PUBLIC_LIST_SOURCE }, 'recurring public-list import scheduled');
  }
}
