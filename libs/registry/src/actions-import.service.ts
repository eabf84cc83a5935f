import { Injectable } from '@nestjs/common';
import { AppConfig, AppError } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { JobOutbox } from '@bo/queue';
import { BlobStore, BlobTooLargeError } from '@bo/storage';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { checkActionCsvHeader } from './action-csv-records';
import { ImportResource, ImportsService } from './imports.service';

const HEADER_MAX_BYTES = 64 * 1024;


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
    private readonly outbox: JobOutbox,
    private readonly config: AppConfig,
    private readonly imports: ImportsService,
  ) {}

  /** `file` may say it was cut at the multipart limit (`truncated`): then nothing is imported. */
  async start(actor: Actor, file: Readable, fileName: string | null): Promise<ImportResource> {
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
    const ctx = tenantOf(actor);
    // The import and its job are one transaction (the job outbox): Redis being down delays the
    // job, it never orphans the import.
    const importId = await this.db.tx(ctx, async (tx) => {
      const row = await tx.one<{ id: string }>(
        `INSERT INTO imports (organisation_id, kind, file_sha256, file_name, file_size, created_by) VALUES ($1, 'ACTIONS', $2, $3, $4, $5) RETURNING id`,
        [actor.organisationId, blob.sha256, fileName, blob.size, `${actor.kind}:${actor.id}`],
      );
      const jobId = await this.outbox.add(tx, 'actions.import', {
        organisationId: actor.organisationId,
        importId: row!.id,
        actor: { kind: actor.kind, id: actor.id, label: actor.label },
      });
      await tx.query(`UPDATE imports SET job_id = $2 WHERE id = $1`, [row!.id, jobId]);
      return row!.id;
    });
    return this.imports.get(actor, importId);
  }
}
