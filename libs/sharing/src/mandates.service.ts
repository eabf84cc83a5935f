import { Injectable } from '@nestjs/common';
import { AppError } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, isSharingFunder, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import type { OrganisationRef } from './sharing.types';

export interface MandateView {
  id: string;
  funder: OrganisationRef;
  body: OrganisationRef;
  validFrom: string;
  validUntil: string | null;
  reference: string;
  createdBy: string;
  createdAt: string;
}

interface MandateRow {
  id: string;
  organisation_id: string;
  body_id: string;
  valid_from: string;
  valid_until: string | null;
  reference: string;
  created_by: string;
  created_at: Date;
  funder_code: string;
  funder_name: string;
  body_code: string;
  body_name: string;
}

const SELECT_MANDATES = `
  SELECT m.id, m.organisation_id, m.body_id, m.valid_from::text, m.valid_until::text, m.reference, m.created_by, m.created_at,
         f.code AS funder_code, f.name AS funder_name, b.code AS body_code, b.name AS body_name
    FROM mandates m JOIN organisations f ON f.id = m.organisation_id JOIN organisations b ON b.id = m.body_id`;

/**
 * Mandates (R.6316-7): a funder records a dated grant to a mandated body; the body owns the
 * checks it runs, and the funder sees those the body created within the mandate's dates and
 * counts them as its coverage (the rule lives in libs/access and the database). A funder reads
 * the mandates it gave, a body those it holds.
 */
@Injectable()
export class MandatesService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Actor): Promise<MandateView[]> {
    return this.db.tx(tenantOf(actor), async (tx) =>
      (await tx.query<MandateRow>(`${SELECT_MANDATES} ORDER BY m.valid_from DESC, m.id`)).map(viewOf),
    );
  }

  async create(actor: Actor, input: { bodyId: string; validFrom: string; validUntil?: string | null; reference: string }): Promise<MandateView> {
    if (!isSharingFunder(actor)) throw new AppError('SHARING.NOT_A_FUNDER', 'Only a funder mandates a body.');
    if (input.validUntil && input.validUntil < input.validFrom) {
      throw new AppError('MANDATE.DATES_INVALID', 'The mandate ends before it starts.', { errors: [{ field: 'validUntil', message: 'before validFrom' }] });
    }
    return this.db.tx(tenantOf(actor), async (tx) => {
      const body = await tx.one(`SELECT 1 FROM organisations WHERE id = $1 AND kind = 'MANDATED_BODY' AND active`, [input.bodyId]);
      if (!body) throw new AppError('MANDATE.BODY_INVALID', 'The mandatary must be an active mandated body.', { errors: [{ field: 'bodyId', message: 'not an active mandated body' }] });
      const row = await tx.one<{ id: string }>(
        `INSERT INTO mandates (organisation_id, body_id, valid_from, valid_until, reference, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [actor.organisationId, input.bodyId, input.validFrom, input.validUntil ?? null, input.reference.trim(), actor.id],
      );
      const view = await this.load(tx, row!.id, true);
      await this.audit.record(tx, actor, { action: 'mandate.granted', entityType: 'mandate', entityId: view.id, after: view });
      return view;
    });
  }

  /** Ends a mandate on a date (today by default): checks the body created after it are no longer the funder's. */
  async end(actor: Actor, id: string, validUntil: string): Promise<MandateView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const before = await this.load(tx, id, true);
      if (validUntil < before.validFrom) {
        throw new AppError('MANDATE.DATES_INVALID', 'The mandate ends before it starts.', { errors: [{ field: 'validUntil', message: 'before validFrom' }] });
      }
      await tx.query(`UPDATE mandates SET valid_until = $2, ended_by = $3 WHERE id = $1 AND organisation_id = app_org_id()`, [id, validUntil, actor.id]);
      const after = await this.load(tx, id, true);
      await this.audit.record(tx, actor, { action: 'mandate.ended', entityType: 'mandate', entityId: id, before, after });
      return after;
    });
  }

  private async load(tx: Tx, id: string, grantedOnly = false): Promise<MandateView> {
    const row = await tx.one<MandateRow>(`${SELECT_MANDATES} WHERE m.id = $1${grantedOnly ? ' AND m.organisation_id = app_org_id()' : ''}`, [id]);
    if (!row) throw new AppError('MANDATE.NOT_FOUND', `No mandate ${id}.`);
    return viewOf(row);
  }
}

function viewOf(r: MandateRow): MandateView {
  return {
    id: r.id,
    funder: { id: r.organisation_id, code: r.funder_code, name: r.funder_name },
    body: { id: r.body_id, code: r.body_code, name: r.body_name },
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    reference: r.reference,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}
