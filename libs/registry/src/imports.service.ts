import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AppConfig, AppError, Page, decodeCursor, toPage } from '@bo/core';
import { Db } from '@bo/database';
import { AccessService, Actor, readsOrganisationRecords, tenantOf } from '@bo/access';
import { JobOutbox } from '@bo/queue';
import { BlobStore, BlobTooLargeError, HeadGate } from '@bo/storage';
import { AuditService } from '@bo/audit';
import { checkPublicListHeader, splitHeaderLine } from './public-list-records';

export interface ImportResource {
  id: string;
  kind: string;
  mode: string | null;
  status: string;
  fileSha256: string;
  fileName: string | null;
  fileSize: number | null;
  jobId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: unknown;
  counts: unknown;
  error: string | null;
  /** Lines refused (a line with several bad fields counts once): what users call "rejected lines". */
  rejectedLineCount: number;
  /** Field errors over all refused lines (a line may have several). */
  fieldErrorCount: number;
  /** The first line errors; all of them through `/imports/{id}/errors?format=csv`. */
  errors: { line: number; field: string; reason: string }[];
}

/** An import as the list shows it (its line errors: `GET /imports/{id}`). */
export type ImportSummary = Omit<ImportResource, 'rejectedLineCount' | 'fieldErrorCount' | 'errors'>;

interface ImportRow {
  id: string;
  kind: string;
  mode: string | null;
  status: string;
  file_sha256: string;
  file_name: string | null;
  file_size: string | null;
  job_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  progress: unknown;
  counts: unknown;
  error: string | null;
}

const IMPORT_COLUMNS = 'id, kind, mode, status, file_sha256, file_name, file_size, job_id, created_at, started_at, finished_at, progress, counts, error';

function importSummaryOf(row: ImportRow): ImportSummary {
  return {
    id: row.id,
    kind: row.kind,
    mode: row.mode,
    status: row.status,
    fileSha256: row.file_sha256,
    fileName: row.file_name,
    fileSize: row.file_size === null ? null : Number(row.file_size),
    jobId: row.job_id,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    progress: row.progress,
    counts: row.counts,
    error: row.error,
  };
}

const FIRST_ERRORS = 100;

function csvCell(value: string | number): string {
  const s = String(value);
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Imports as resources: the public-list upload (stored in the blob store, header checked from
 * its first line, then one job), and reading any import of the caller's organisation (RLS) with
 * its line errors.
 */
/** Why the head of a public-list file is refused (its first line is not the list's header), or undefined. */
function publicListHeaderProblem(head: Buffer): AppError | undefined {
  const lf = head.indexOf(0x0a);
  const first = head.subarray(0, lf < 0 ? head.length : lf).toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
  const header = checkPublicListHeader(splitHeaderLine(first));
  if (header.ok) return undefined;
  const reasons = [
    ...header.missing.map((c) => ({ field: c, message: 'required column missing' })),
    ...header.duplicated.map((c) => ({ field: c, message: 'column named twice' })),
  ];
  return new AppError('IMPORT.HEADER_INVALID', `The header of the file is not the public list's: ${reasons.map((r) => `${r.field} (${r.message})`).join(', ')}.`, {
    errors: reasons,
  });
}

@Injectable()
export class ImportsService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly outbox: JobOutbox,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly access: AccessService,
  ) {}

  /**
   * Streams an uploaded public list into the blob store (413 over UPLOAD_MAX_BYTES) and checks its
   * header from the first line before any row is read (422 IMPORT.HEADER_INVALID).
   */
  async storePublicListFile(stream: Readable): Promise<{ sha256: string; size: number }> {
    // The header is checked as the file streams in (HeadGate): a refused file never reaches the blob store.
    const gate = new HeadGate({ headBytes: 64 * 1024, untilNewline: true, inspect: (head) => publicListHeaderProblem(head) });
    stream.once('error', (e) => gate.destroy(e));
    gate.on('error', () => undefined); // kept in gate.failure; put() rejects too
    try {
      return await this.blobs.put(stream.pipe(gate), { maxBytes: this.config.UPLOAD_MAX_BYTES });
    } catch (error) {
      stream.unpipe(gate);
      stream.resume();
      if (gate.failure) throw gate.failure;
      if (error instanceof BlobTooLargeError) throw new AppError('REQUEST.TOO_LARGE', error.message, { maxBytes: error.maxBytes });
      throw error;
    }
  }

  /** Records the import (owned by the caller's organisation, the platform) and queues its job. */
  async createPublicListImport(actor: Actor, blob: { sha256: string; size: number }, fileName: string | null, mode: 'FULL' | 'DELTA'): Promise<ImportResource> {
    const file = { fileName };
    const id = await this.db.tx(tenantOf(actor), async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO imports (organisation_id, kind, mode, file_sha256, file_name, file_size, created_by)
         VALUES ($1, 'PUBLIC_LIST', $2, $3, $4, $5, $6) RETURNING id`,
        [actor.organisationId, mode, blob.sha256, file.fileName, blob.size, actor.id],
      );
      await this.audit.record(tx, actor, {
        action: 'providers.import.request',
        entityType: 'import',
        entityId: row.id,
        details: { mode, fileSha256: blob.sha256, fileSize: blob.size, fileName: file.fileName },
      });
      const jobId = await this.outbox.add(tx, 'registry.public-list-import', { organisationId: actor.organisationId, importId: row.id, requestedBy: actor.id });
      await tx.query(`UPDATE imports SET job_id = $2 WHERE id = $1`, [row.id, jobId]);
      return row.id;
    });
    return this.get(actor, id);
  }

  /** The caller's organisation's imports, newest first; keyset paging on (created_at, id) (index imports_org_keyset_idx). */
  async list(actor: Actor, query: { limit: number; cursor?: string; kind?: string; status?: string }): Promise<Page<ImportSummary>> {
    const after = decodeCursor(query.cursor, 2);
    // Imports are the organisation's records: none for an auditor (libs/access).
    if (!readsOrganisationRecords(actor)) return { items: [] };
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<ImportRow>(
        `SELECT ${IMPORT_COLUMNS} FROM imports
          WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
            AND ($3::text IS NULL OR kind = $3)
            AND ($4::text IS NULL OR status = $4)
          ORDER BY created_at DESC, id DESC LIMIT $5`,
        [after?.[0] ?? null, after?.[1] ?? null, query.kind ?? null, query.status ?? null, query.limit + 1],
      );
      return toPage(rows, query.limit, (r) => [r.created_at.toISOString(), r.id], importSummaryOf);
    });
  }

  async get(actor: Actor, id: string): Promise<ImportResource> {
    await this.access.assertVisible(actor, 'import', id);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const [row] = await tx.query<ImportRow>(`SELECT ${IMPORT_COLUMNS} FROM imports WHERE id = $1`, [id]);
      if (!row) throw new AppError('IMPORT.NOT_FOUND', `No import ${id}.`);
      const [{ n, lines }] = await tx.query<{ n: string; lines: string }>(`SELECT count(*) AS n, count(DISTINCT line) AS lines FROM import_errors WHERE import_id = $1`, [id]);
      const errors = await tx.query<{ line: number; field: string; reason: string }>(
        `SELECT line, field, reason FROM import_errors WHERE import_id = $1 ORDER BY line, field LIMIT ${FIRST_ERRORS}`,
        [id],
      );
      return { ...importSummaryOf(row), rejectedLineCount: Number(lines), fieldErrorCount: Number(n), errors };
    });
  }

  /** Every line error of an import as CSV (`line;field;reason`), in pages of 5,000 rows. */
  async errorsCsv(actor: Actor, id: string): Promise<Readable> {
    await this.get(actor, id); // 404 when not visible
    const db = this.db;
    async function* lines(): AsyncGenerator<string> {
      yield 'line;field;reason\n';
      let after: [number, string] = [0, ''];
      for (;;) {
        const rows = await db.tx(tenantOf(actor), (tx) =>
          tx.query<{ line: number; field: string; reason: string }>(
            `SELECT line, field, reason FROM import_errors WHERE import_id = $1 AND (line, field) > ($2, $3) ORDER BY line, field LIMIT 5000`,
            [id, after[0], after[1]],
          ),
        );
        if (rows.length === 0) return;
        yield rows.map((r) => `${r.line};${csvCell(r.field)};${csvCell(r.reason)}\n`).join('');
        const last = rows[rows.length - 1];
        after = [last.line, last.field];
      }
    }
    return Readable.from(lines());
  }
}
