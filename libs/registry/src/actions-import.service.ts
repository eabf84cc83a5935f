import { Injectable } from '@nestjs/common';
import { AppConfig, AppError } from '@bo/core';
import { Db } from '@bo/database';
import { Actor } from '@bo/access';
import { JobDispatcher } from '@bo/queue';
import { BlobStore, BlobTooLargeError } from '@bo/storage';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { checkActionCsvHeader } from './action-csv-records';

const HEADER_MAX_BYTES = 64 * 1024;

export interface ActionsImportView {
  id: string;
  kind: string;
  status: string;
  fileSha256: string;
  fileName: string | null;
  fileSize: number | null;
  jobId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: Record<string, unknown>;
  error: string | null;
  /** Bad lines, in line order (at most 1000 here). */
  errors: { line: number; field: string; reason: string }[];
  errorsTruncated: boolean;
}

/**
 * Lets bytes through once the first line is a valid actions header; refuses the whole file
 * otherwise, before any row is read (422 IMPORT.HEADER_INVALID).
 */
export class ActionsHeaderGate extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private passed = false;
  /** Set when the header was refused: the caller throws it (the stream only stops). */
  failure: AppError | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.passed) return callback(null, chunk);
    if (this.failure) return callback();
    this.head.push(chunk);
    this.headBytes += chunk.length;
    const all = Buffer.concat(this.head);
    const lf = all.indexOf(0x0a);
    if (lf < 0 && this.headBytes < HEADER_MAX_BYTES) return callback();
    this.failure = this.check(all.subarray(0, lf < 0 ? all.length : lf).toString('utf8'));
    if (this.failure) return callback(this.failure);
    this.passed = true;
    this.head = [];
    callback(null, all);
  }

  override _flush(callback: TransformCallback): void {
    if (this.passed || this.failure) return callback();
    const all = Buffer.concat(this.head);
    this.failure = this.check(all.toString('utf8'));
    callback(this.failure ?? undefined, all.length ? all : undefined);
  }

  private check(line: string): AppError | undefined {
    if (line.replace(/^\uFEFF/, '').trim() === '') return new AppError('IMPORT.HEADER_INVALID', 'The file is empty: it needs a header line.');
    const header = checkActionCsvHeader(line);
    if (header.ok) return undefined;
    return new AppError('IMPORT.HEADER_INVALID', `The header line is not the funded-actions header: ${header.problems.join('; ')}. Nothing was imported.`, {
      errors: header.problems.map((message) => ({ field: 'file.header', message })),
    });
  }
}

/** Accepting an actions file: header check, storage, an `imports` row, the job. */
@Injectable()
export class ActionsImportService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly jobs: JobDispatcher,
    private readonly config: AppConfig,
  ) {}

  /** `file` may say it was cut at the multipart limit (`truncated`): then nothing is imported. */
  async start(actor: Actor, file: Readable, fileName: string | null): Promise<ActionsImportView> {
    const gate = new ActionsHeaderGate();
    file.once('error', (e) => gate.destroy(e));
    gate.on('error', () => undefined); // a refused header is kept in gate.failure; put() rejects too
    let blob;
    try {
      blob = await this.blobs.put(file.pipe(gate), { maxBytes: this.config.UPLOAD_MAX_BYTES });
    } catch (error) {
      file.unpipe(gate);
      file.resume();
      if (gate.failure) throw gate.failure;
      if (error instanceof BlobTooLargeError) throw new AppError('REQUEST.TOO_LARGE', error.message);
      throw error;
    }
    if ((file as Readable & { truncated?: boolean }).truncated) {
      throw new AppError('REQUEST.TOO_LARGE', `The file is larger than ${this.config.UPLOAD_MAX_BYTES} bytes (UPLOAD_MAX_BYTES).`);
    }
    const ctx = { organisationId: actor.organisationId, userId: actor.id };
    const row = await this.db.tx(ctx, (tx) =>
      tx.one<{ id: string }>(
        `INSERT INTO imports (organisation_id, kind, file_sha256, file_name, file_size, created_by) VALUES ($1, 'ACTIONS', $2, $3, $4, $5) RETURNING id`,
        [actor.organisationId, blob.sha256, fileName, blob.size, `${actor.kind}:${actor.id}`],
      ),
    );
    const importId = row!.id;
    const jobId = await this.jobs.dispatch('actions.import', {
      organisationId: actor.organisationId,
      importId,
      actor: { kind: actor.kind, id: actor.id, label: actor.label },
    });
    await this.db.tx(ctx, (tx) => tx.query(`UPDATE imports SET job_id = $2 WHERE id = $1`, [importId, jobId]));
    return this.get(actor, importId);
  }

  async get(actor: Actor, id: string): Promise<ActionsImportView> {
    return this.db.tx({ organisationId: actor.organisationId, userId: actor.id }, async (tx) => {
      const r = await tx.one<{
        id: string; kind: string; status: string; file_sha256: string; file_name: string | null; file_size: string | null; job_id: string | null;
        created_at: Date; started_at: Date | null; finished_at: Date | null; counts: Record<string, unknown>; error: string | null;
      }>(`SELECT * FROM imports WHERE id = $1 AND kind = 'ACTIONS'`, [id]);
      if (!r) throw new AppError('IMPORT.NOT_FOUND', `No import ${id}.`);
      const errors = await tx.query<{ line: number; field: string; reason: string }>(
        `SELECT line, field, reason FROM import_errors WHERE import_id = $1 ORDER BY line, field LIMIT 1001`,
        [id],
      );
      return {
        id: r.id,
        kind: r.kind,
        status: r.status,
        fileSha256: r.file_sha256,
        fileName: r.file_name,
        fileSize: r.file_size === null ? null : Number(r.file_size),
        jobId: r.job_id,
        createdAt: r.created_at.toISOString(),
        startedAt: r.started_at?.toISOString() ?? null,
        finishedAt: r.finished_at?.toISOString() ?? null,
        counts: r.counts,
        error: r.error,
        errors: errors.slice(0, 1000),
        errorsTruncated: errors.length > 1000,
      };
    });
  }
}
