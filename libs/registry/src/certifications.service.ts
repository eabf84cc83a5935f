import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AppConfig, AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { JobOutbox } from '@bo/queue';
import { BlobStore, BlobTooLargeError, SNIFF_BYTES, sniffMediaType } from '@bo/storage';
import { CertificationCategory } from './public-list-records';
import { CertificationFlag, CertificationState, Observation, ProvidersService, parseSiret } from './providers.service';

/** Documents a platform entry may rest on: a certificate or a decision, as PDF or a scan. */
const DOCUMENT_MEDIA_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/tiff']);

/** A funder's own note: its own observation of a provider, shown only in its own views. */
export interface OwnNote {
  id: string;
  nda: string;
  category: CertificationCategory;
  certified: boolean;
  observedOn: string;
  validUntil: string | null;
  source: 'OWN_NOTE';
  certifier: string | null;
  reference: string | null;
  recordedAt: string;
  /** Always true: the UI shows it as "constat de votre organisation". */
  ownNote: true;
}

/** What the caller's own notes say on a date, next to (never instead of) the shared state. */
export interface OwnNoteState {
  status: 'CERTIFIED' | 'NOT_CERTIFIED';
  flags: CertificationFlag[];
  note: OwnNote;
}

interface NoteRow {
  id: string;
  nda: string;
  category: CertificationCategory;
  certified: boolean;
  observed_on: string;
  valid_until: string | null;
  certifier: string | null;
  reference: string | null;
  recorded_at: Date;
}

const NOTE_COLUMNS = `id::text, nda, category, certified, observed_on::text, valid_until::text, certifier, reference, recorded_at`;

const noteOf = (r: NoteRow): OwnNote => ({
  id: r.id,
  nda: r.nda,
  category: r.category,
  certified: r.certified,
  observedOn: r.observed_on,
  validUntil: r.valid_until,
  source: 'OWN_NOTE',
  certifier: r.certifier,
  reference: r.reference,
  recordedAt: r.recorded_at.toISOString(),
  ownNote: true,
});

export interface CertificationInput {
  certified: boolean;
  observedOn?: string;
  validUntil?: string;
  certifier?: string;
  reference?: string;
  nda?: string;
  documentSha256?: string;
}

/**
 * Who writes what about a provider's certification (docs/registry.md, "Authority"). The writer's
 * organisation kind decides, never the request:
 *
 * - the platform records a shared observation (source `MANUAL`) resting on a document it uploaded
 *   (`registerDocument`: the bytes in the blob store, the SHA-256 on the observation);
 * - a certifier records a shared observation (source `CERTIFIER_DECISION`, certifier = its name)
 *   for the organisations whose certifier it is (`setCertifier`, by the platform, with its source);
 * - a funder (or mandated body) records its own note, under its row-level security: its own
 *   funding check and coverage show it as such, no other funder ever sees it.
 *
 * The database enforces the same rule: the application role writes shared tables only through
 * SECURITY DEFINER functions that check the organisation kind (migration 0009).
 */
@Injectable()
export class CertificationsService {
  constructor(
    private readonly db: Db,
    private readonly providers: ProvidersService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: JobOutbox,
    private readonly blobs: BlobStore,
    private readonly config: AppConfig,
  ) {}

  private async today(): Promise<string> {
    return (await this.clock.now()).toISOString().slice(0, 10);
  }

  async record(actor: Actor, siretInput: string, category: CertificationCategory, input: CertificationInput) {
    const siret = parseSiret(siretInput);
    const observedOn = input.observedOn ?? (await this.today());
    if (input.validUntil && input.validUntil < observedOn) {
      throw new AppError('REQUEST.VALIDATION', 'validUntil is before observedOn.', { errors: [{ field: 'validUntil', message: 'must not be before observedOn' }] });
    }
    const kind = actor.organisationKind;
    if (input.documentSha256 !== undefined && kind !== 'PLATFORM') {
      throw new AppError('REQUEST.VALIDATION', 'Only a platform entry rests on a registry document.', { errors: [{ field: 'documentSha256', message: 'platform entries only' }] });
    }
    const result = await this.db.tx(tenantOf(actor), async (tx) => {
      const { nda, siren } = await this.providers.ndaAtSiret(tx, siret, input.nda);
      // Coverage depends on the entry (an own note counts for its funder's actions): asked for in
      // the transaction that writes it (job outbox).
      await this.outbox.add(tx, 'registry.coverage-recompute', { organisationId: null, requestedBy: actor.id, reason: `certification entry on ${siret}` });
      if (kind === 'FUNDER' || kind === 'MANDATED_BODY') return this.recordOwnNote(tx, actor, siret, nda, category, observedOn, input);
      if (kind === 'PLATFORM') {
        if (!input.certifier) throw new AppError('REQUEST.VALIDATION', 'Name the certifier of the document.', { errors: [{ field: 'certifier', message: 'required' }] });
        const document = input.documentSha256 ? await tx.one(`SELECT 1 FROM registry_documents WHERE sha256 = $1`, [input.documentSha256]) : undefined;
        if (!document) {
          throw new AppError('PROVIDER.DOCUMENT_REQUIRED', 'A platform entry rests on a document: upload it (POST /api/v1/providers/documents) and give its documentSha256.', {
            errors: [{ field: 'documentSha256', message: input.documentSha256 ? 'no such registry document' : 'required' }],
          });
        }
      } else if (kind === 'CERTIFIER') {
        const certifies = await tx.one(`SELECT 1 FROM provider_certifiers WHERE siren = $1 AND certifier_id = $2`, [siren, actor.organisationId]);
        if (!certifies) throw new AppError('PROVIDER.NOT_CERTIFIER', `Your organisation is not recorded as the certifier of SIREN ${siren}.`);
      } else {
        throw new AppError('ACCESS.FORBIDDEN', 'Your organisation does not record certifications.');
      }
      const [{ id }] = await tx.query<{ id: string }>(
        `SELECT registry_record_observation($1, $2, $3, $4, $5, $6, $7, $8)::text AS id`,
        [nda, category, input.certified, observedOn, input.validUntil ?? null, input.certifier ?? null, input.reference ?? null, input.documentSha256 ?? null],
      );
      const observation = (await this.providers.observation(id, tx))!;
      await this.audit.record(tx, actor, { action: 'providers.certification.observe', entityType: 'provider', entityId: nda, after: observation, details: { siret, category } });
      const state: CertificationState = await this.providers.certificationState(tx, siret, nda, category, await this.today());
      return { observation: observation as Observation | OwnNote, state };
    });
    return result;
  }

  private async recordOwnNote(tx: Tx, actor: Actor, siret: string, nda: string, category: CertificationCategory, observedOn: string, input: CertificationInput) {
    const row = await tx.one<NoteRow>(
      `INSERT INTO certification_notes (organisation_id, nda, category, certified, observed_on, valid_until, certifier, reference, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${NOTE_COLUMNS}`,
      [actor.organisationId, nda, category, input.certified, observedOn, input.validUntil ?? null, input.certifier ?? null, input.reference ?? null, actor.kind === 'user' ? actor.id : null],
    );
    const note = noteOf(row!);
    await this.audit.record(tx, actor, { action: 'providers.certification.note', entityType: 'provider', entityId: nda, after: note, details: { siret, category } });
    // The shared state is unchanged by a note: answered as it is, with the note beside it.
    const state = await this.providers.certificationState(tx, siret, nda, category, await this.today());
    return { observation: note as Observation | OwnNote, state, ownNote: await this.ownNoteIn(tx, actor, siret, nda, category, await this.today()) };
  }

  /** The caller's own latest note on the date (`certification_own_note`), or null. */
  async ownNote(actor: Actor, siret: string, nda: string | null, category: CertificationCategory, date: string): Promise<OwnNoteState | null> {
    return this.db.tx(tenantOf(actor), (tx) => this.ownNoteIn(tx, actor, siret, nda, category, date));
  }

  /** Same, in the caller's transaction (the funding check's). */
  async ownNoteIn(tx: Pick<Tx, 'one'>, actor: Actor, siret: string, nda: string | null, category: CertificationCategory, date: string): Promise<OwnNoteState | null> {
    const row = await tx.one<NoteRow & { status: OwnNoteState['status']; flags: CertificationFlag[] }>(
      `SELECT s.status, s.flags, ${NOTE_COLUMNS.split(', ').map((c) => `n.${c}`).join(', ')}
         FROM certification_own_note($1, $2, $3, $4, $5::date) s JOIN certification_notes n ON n.id = s.note_id`,
      [actor.organisationId, siret, nda, category, date],
    );
    return row ? { status: row.status, flags: row.flags, note: noteOf(row) } : null;
  }

  /** The caller's latest own note per NDA and category on the date, for an establishment view. */
  async ownNotesAt(actor: Actor, ndas: readonly string[], date: string): Promise<OwnNote[]> {
    if (!ndas.length) return [];
    const rows = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<NoteRow>(
        `SELECT DISTINCT ON (nda, category) ${NOTE_COLUMNS} FROM certification_notes
          WHERE nda = ANY ($1::char(11)[]) AND observed_on <= $2::date
          ORDER BY nda, category, observed_on DESC, id DESC`,
        [ndas, date],
      ),
    );
    return rows.map(noteOf);
  }

  /** The establishment (ProvidersService), with its certifier and, per NDA and category, the caller's own note today. */
  async establishment(actor: Actor, siret: string) {
    const view = await this.providers.establishment(siret);
    const notes = await this.ownNotesAt(actor, view.ndas.map((n) => n.nda), await this.today());
    const certifier = await this.certifierOf(view.siren);
    return {
      ...view,
      certifier,
      ndas: view.ndas.map((n) => ({
        ...n,
        certifications: Object.fromEntries(
          Object.entries(n.certifications).map(([category, c]) => [category, { ...c, ownNote: notes.find((x) => x.nda === n.nda && x.category === category) ?? null }]),
        ),
      })),
    };
  }

  /**
   * A document a platform entry rests on: streamed into the blob store, recognised from its bytes
   * (PDF or a scan), registered by its SHA-256. Storing the same bytes twice is one document.
   */
  async registerDocument(actor: Actor, stream: Readable, fileName: string | null): Promise<{ sha256: string; size: number; mediaType: string; fileName: string | null }> {
    let stored;
    try {
      stored = await this.blobs.put(stream, { maxBytes: this.config.UPLOAD_MAX_BYTES });
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw new AppError('REQUEST.TOO_LARGE', error.message, { maxBytes: error.maxBytes });
      throw error;
    }
    const head = await this.head(stored.sha256);
    const mediaType = head.length ? await sniffMediaType(head) : undefined;
    if (!mediaType || !DOCUMENT_MEDIA_TYPES.has(mediaType)) {
      throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'A registry document is a PDF or a scan (PNG, JPEG, TIFF).', {
        errors: [{ field: 'file', message: mediaType ? `media type ${mediaType} not accepted` : 'unrecognised content' }],
      });
    }
    const document = { sha256: stored.sha256, size: stored.size, mediaType, fileName };
    await this.db.tx(tenantOf(actor), async (tx) => {
      await tx.query(`SELECT registry_add_document($1, $2, $3, $4)`, [stored.sha256, fileName, mediaType, stored.size]);
      await this.audit.record(tx, actor, { action: 'providers.document.register', entityType: 'registry_document', entityId: stored.sha256, after: document });
    });
    return document;
  }

  private async head(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of (await this.blobs.open(sha256))!) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= SNIFF_BYTES) break;
    }
    return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
  }

  /** Records which certifier organisation certifies the organisation at a SIRET (its SIREN); platform only. */
  async setCertifier(actor: Actor, siretInput: string, input: { certifierId: string; source: string }) {
    const siret = parseSiret(siretInput);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const { siren } = await this.providers.ndaAtSiret(tx, siret, undefined, true);
      const certifier = await tx.one<{ id: string; code: string; name: string }>(`SELECT id, code, name FROM organisations WHERE id = $1 AND kind = 'CERTIFIER'`, [input.certifierId]);
      if (!certifier) throw new AppError('PROVIDER.CERTIFIER_INVALID', 'certifierId is not a certifier organisation.', { errors: [{ field: 'certifierId', message: 'not a certifier organisation' }] });
      const before = await this.certifierOf(siren, tx);
      await tx.query(`SELECT registry_set_provider_certifier($1, $2, $3)`, [siren, certifier.id, input.source]);
      const after = (await this.certifierOf(siren, tx))!;
      await this.audit.record(tx, actor, { action: 'providers.certifier.set', entityType: 'provider_certifier', entityId: siren, before: before ?? undefined, after });
      return after;
    });
  }

  /** The certifier recorded for a SIREN, or null. */
  async certifierOf(siren: string, tx?: Pick<Tx, 'query'>): Promise<{ siren: string; certifier: { id: string; code: string; name: string }; source: string; recordedAt: string } | null> {
    const sql = `SELECT pc.siren, o.id, o.code, o.name, pc.source, pc.recorded_at
                   FROM provider_certifiers pc JOIN organisations o ON o.id = pc.certifier_id WHERE pc.siren = $1`;
    type Row = { siren: string; id: string; code: string; name: string; source: string; recorded_at: Date };
    const [row] = tx ? await tx.query<Row>(sql, [siren]) : await this.db.shared<Row>(sql, [siren]);
    return row ? { siren: row.siren, certifier: { id: row.id, code: row.code, name: row.name }, source: row.source, recordedAt: row.recorded_at.toISOString() } : null;
  }
}
