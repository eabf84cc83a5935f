import { Injectable } from '@nestjs/common';
import { AppConfig, AppError } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { BlobStore, BlobTooLargeError, EVIDENCE_MEDIA_TYPES, BIDI_CONTROLS, HeadGate, SNIFF_BYTES, ZIP_BASED_MEDIA_TYPES, activeContentMarker, sniffMediaType } from '@bo/storage';
import { Readable } from 'node:stream';
import { CheckRepository } from './check.repository';

export type EvidencePurpose = 'FINDING' | 'PROVIDER_RESPONSE' | 'CORRECTIVE_FOLLOW_UP';

export interface EvidenceView {
  id: string;
  checkId: string;
  kind: 'FILE' | 'RECORD';
  purpose: EvidencePurpose;
  sha256: string | null;
  size: number | null;
  mediaType: string | null;
  fileName: string | null;
  recordReference: string | null;
  description: string | null;
  personalData: boolean;
  uploadedBy: string;
  uploadedAt: string;
  download: string | null;
}

interface EvidenceRow {
  id: string;
  check_id: string;
  kind: 'FILE' | 'RECORD';
  purpose: EvidencePurpose;
  sha256: string | null;
  size: string | null;
  media_type: string | null;
  file_name: string | null;
  record_reference: string | null;
  description: string | null;
  personal_data: boolean;
  uploaded_by: string;
  uploaded_at: Date;
}

const toView = (r: EvidenceRow): EvidenceView => ({
  id: r.id,
  checkId: r.check_id,
  kind: r.kind,
  purpose: r.purpose,
  sha256: r.sha256,
  size: r.size === null ? null : Number(r.size),
  mediaType: r.media_type,
  fileName: r.file_name,
  recordReference: r.record_reference,
  description: r.description,
  personalData: r.personal_data,
  uploadedBy: r.uploaded_by,
  uploadedAt: r.uploaded_at.toISOString(),
  download: r.kind === 'FILE' ? `/api/v1/checks/${r.check_id}/evidence/${r.id}` : null,
});

/** Keeps only the base name, without path or control characters, for the download header. */
function cleanFileName(name: string | undefined): string | null {
  if (!name) return null;
  // Bidirectional controls go too: "facture\u202Efdp.exe" would read as "facture.exe.pdf".
  const base = [...name.split(/[\\/]/).pop()!.replace(BIDI_CONTROLS, '')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && c !== '"')
    .join('')
    .trim();
  return base.slice(0, 200) || null;
}

/**
 * Evidence of a check: files stored by content hash (the media type sniffed from their bytes,
 * checked against an allowlist) or references to records. Immutable: the hash is shown and
 * checked again on every download, so bytes altered in storage are reported as corrupt.
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly db: Db,
    private readonly repo: CheckRepository,
    private readonly blobs: BlobStore,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}


  /** 404 unless the caller may see the check (asked before reading any upload). */
  async assertCheckVisible(actor: Actor, checkId: string): Promise<void> {
    await this.db.tx(tenantOf(actor), (tx) => this.repo.loadVisible(tx, actor, checkId));
  }

  /**
   * Streams an evidence file into the blob store and checks it: not empty, and a media type
   * sniffed from its bytes that the allowlist accepts. Nothing is recorded yet (`register` does).
   */
  async store(stream: Readable): Promise<{ sha256: string; size: number; mediaType: string }> {
    // Checked while it streams (HeadGate): a refused file never reaches the blob store.
    let mediaType: string | undefined;
    let zipBased = false;
    const gate = new HeadGate({
      headBytes: SNIFF_BYTES,
      inspect: async (head) => {
        if (head.length === 0) return new AppError('EVIDENCE.EMPTY', 'The file is empty.', { errors: [{ field: 'file', message: 'empty' }] });
        mediaType = await sniffMediaType(head);
        if (!mediaType || !EVIDENCE_MEDIA_TYPES.has(mediaType)) {
          return new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', `This kind of file is not accepted as evidence${mediaType ? ` (${mediaType})` : ''}: PDF, images, office documents without macros, e-mails or text.`, {
            errors: [{ field: 'file', message: mediaType ? `media type ${mediaType} not accepted` : 'unrecognised content' }],
          });
        }
        zipBased = ZIP_BASED_MEDIA_TYPES.has(mediaType);
        return undefined;
      },
      scan: (window) => {
        const marker = zipBased ? activeContentMarker(window) : undefined;
        return marker
          ? new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', `Files with macros or active content are not accepted as evidence (${marker}): save the document without macros, or as PDF.`, {
              errors: [{ field: 'file', message: 'macro-enabled or active content' }],
            })
          : undefined;
      },
    });
    stream.once('error', (e) => gate.destroy(e));
    gate.on('error', () => undefined); // kept in gate.failure; put() rejects too
    let stored;
    try {
      stored = await this.blobs.put(stream.pipe(gate), { maxBytes: this.config.UPLOAD_MAX_BYTES });
    } catch (error) {
      stream.unpipe(gate);
      stream.resume();
      if (gate.failure) throw gate.failure;
      if (error instanceof BlobTooLargeError) throw new AppError('REQUEST.TOO_LARGE', `Evidence files are limited to ${this.config.UPLOAD_MAX_BYTES} bytes.`, { errors: [{ field: 'file', message: 'too large' }] });
      throw error;
    }
    return { ...stored, mediaType: mediaType! };
  }

  /** Records a stored file as evidence of the check; audited. */
  async register(
    actor: Actor,
    checkId: string,
    file: { sha256: string; size: number; mediaType: string; fileName: string | null },
    meta: { personalData: boolean; description?: string; purpose: EvidencePurpose },
  ): Promise<EvidenceView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const check = await this.repo.loadVisible(tx, actor, checkId);
      const row = await tx.one<EvidenceRow>(
        `INSERT INTO check_evidence (check_id, organisation_id, kind, purpose, sha256, size, media_type, file_name, description, personal_data, uploaded_by)
         VALUES ($1, $2, 'FILE', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [checkId, check.organisation_id, meta.purpose, file.sha256, file.size, file.mediaType, cleanFileName(file.fileName ?? undefined), meta.description ?? null, meta.personalData, actor.id],
      );
      const view = toView(row!);
      await this.audit.record(tx, actor, { action: 'evidence.added', entityType: 'check', entityId: checkId, after: view });
      return view;
    });
  }

  async addRecord(actor: Actor, checkId: string, input: { reference: string; description?: string; personalData: boolean; purpose: EvidencePurpose }): Promise<EvidenceView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const check = await this.repo.loadVisible(tx, actor, checkId);
      const row = await tx.one<EvidenceRow>(
        `INSERT INTO check_evidence (check_id, organisation_id, kind, purpose, record_reference, description, personal_data, uploaded_by)
         VALUES ($1, $2, 'RECORD', $3, $4, $5, $6, $7) RETURNING *`,
        [checkId, check.organisation_id, input.purpose, input.reference, input.description ?? null, input.personalData, actor.id],
      );
      const view = toView(row!);
      await this.audit.record(tx, actor, { action: 'evidence.added', entityType: 'check', entityId: checkId, after: view });
      return view;
    });
  }

  async list(actor: Actor, checkId: string): Promise<EvidenceView[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, checkId);
      return (await tx.query<EvidenceRow>(`SELECT * FROM check_evidence WHERE check_id = $1 ORDER BY uploaded_at, id`, [checkId])).map(toView);
    });
  }

  /** The file, after checking that its stored bytes still hash to its name. */
  async download(actor: Actor, checkId: string, evidenceId: string): Promise<{ evidence: EvidenceView; stream: Readable }> {
    const evidence = await this.db.tx(tenantOf(actor), async (tx) => {
      await this.repo.loadVisible(tx, actor, checkId);
      const row = await tx.one<EvidenceRow>(`SELECT * FROM check_evidence WHERE id = $1 AND check_id = $2`, [evidenceId, checkId]);
      if (!row || row.kind !== 'FILE') throw new AppError('EVIDENCE.NOT_FOUND', `No evidence file ${evidenceId} on this check.`);
      return toView(row);
    });
    if (!(await this.blobs.verify(evidence.sha256!))) {
      throw new AppError('EVIDENCE.CORRUPT', `The stored bytes of evidence ${evidenceId} no longer match its SHA-256 ${evidence.sha256}: the file is corrupt.`, {
        evidenceId,
        sha256: evidence.sha256,
      });
    }
    return { evidence, stream: (await this.blobs.open(evidence.sha256!))! };
  }
}
