import { Injectable } from '@nestjs/common';
import { AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, isSharingFunder, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';

export interface RelianceView {
  id: string;
  checkId: string;
  revision: number;
  providerSiret: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  /** Stale: the check was revoked (the funder no longer sees it) or amended; it no longer counts as coverage. */
  stale: boolean;
  staleReason: 'REVOKED' | 'AMENDED' | null;
  staleAt: string | null;
  /** The check as the funder still sees it (null once it no longer may). */
  check: { ownerName: string; completedAt: string | null; outcome: string | null; state: string } | null;
}

interface RelianceRow {
  id: string;
  check_id: string;
  revision: number;
  provider_siret: string;
  reason: string;
  created_by: string;
  created_at: Date;
  stale_at: Date | null;
  stale_reason: 'REVOKED' | 'AMENDED' | null;
  owner_name: string | null;
  completed_at: Date | null;
  outcome: string | null;
  state: string | null;
}

const SELECT_RELIANCES = `
  SELECT r.*, o.name AS owner_name, c.completed_at, c.outcome, c.state
    FROM reliances r
    LEFT JOIN checks c ON c.id = r.check_id
    LEFT JOIN organisations o ON o.id = c.organisation_id`;

/**
 * Reliance: a funder records that it relies on another organisation's completed check visible to
 * it, with a reason; an active reliance counts as its own control coverage. When the check is
 * revoked or amended the reliance turns stale (database function, with a notification row).
 */
@Injectable()
export class ReliancesService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, query: { providerSiret?: string; includeWithdrawn?: boolean } = {}): Promise<RelianceView[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<RelianceRow>(
        `${SELECT_RELIANCES}
          WHERE r.withdrawn_at IS NULL AND ($1::text IS NULL OR r.provider_siret = $1)
          ORDER BY r.created_at DESC, r.id`,
        [query.providerSiret ?? null],
      );
      return rows.map(viewOf);
    });
  }

  async create(actor: Actor, input: { checkId: string; reason: string }): Promise<RelianceView> {
    if (!isSharingFunder(actor)) throw new AppError('SHARING.NOT_A_FUNDER', 'Only a funder relies on a check.');
    return this.db.tx(tenantOf(actor), async (tx) => {
      // The check's audience lock (migration 0031): a revocation or amendment running now either
      // committed before the read below, or waits for this reliance and then marks it stale.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('check-audience:' || $1::text, 0))`, [input.checkId]);
      // Row-level security: only a check the organisation may see is found.
      const check = await tx.one<{ id: string; organisation_id: string; state: string; revision: number; provider_siret: string }>(
        `SELECT id, organisation_id, state, revision, provider_siret FROM checks WHERE id = $1`,
        [input.checkId],
      );
      if (!check) throw new AppError('CHECK.NOT_FOUND', `No check ${input.checkId}.`, { errors: [{ field: 'checkId', message: 'no such visible check' }] });
      if (check.organisation_id === actor.organisationId) throw new AppError('RELIANCE.OWN_CHECK', 'A check of your organisation already counts as your control.');
      if (check.state !== 'COMPLETED') throw new AppError('RELIANCE.CHECK_NOT_COMPLETED', `The check is ${check.state}: rely on it once completed.`, { state: check.state });
      const existing = await tx.one(`SELECT 1 FROM reliances WHERE organisation_id = app_org_id() AND check_id = $1 AND withdrawn_at IS NULL`, [check.id]);
      if (existing) throw new AppError('RELIANCE.ALREADY_RELIED', 'Your organisation already relies on this check.');
      const now = await this.clock.now();
      const row = await tx.one<{ id: string }>(
        `INSERT INTO reliances (organisation_id, check_id, revision, provider_siret, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [actor.organisationId, check.id, check.revision, check.provider_siret, input.reason.trim(), actor.id, now],
      );
      const view = await this.load(tx, row!.id);
      await this.audit.record(tx, actor, { action: 'reliance.recorded', entityType: 'reliance', entityId: view.id, after: view });
      return view;
    });
  }

  async withdraw(actor: Actor, id: string): Promise<RelianceView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const before = await this.load(tx, id);
      await tx.query(`UPDATE reliances SET withdrawn_at = $2, withdrawn_by = $3 WHERE id = $1`, [id, await this.clock.now(), actor.id]);
      await this.audit.record(tx, actor, { action: 'reliance.withdrawn', entityType: 'reliance', entityId: id, before });
      return before;
    });
  }

  private async load(tx: Tx, id: string): Promise<RelianceView> {
    const row = await tx.one<RelianceRow>(`${SELECT_RELIANCES} WHERE r.id = $1 AND r.withdrawn_at IS NULL`, [id]);
    if (!row) throw new AppError('RELIANCE.NOT_FOUND', `No reliance ${id}.`);
    return viewOf(row);
  }
}

function viewOf(r: RelianceRow): RelianceView {
  return {
    id: r.id,
    checkId: r.check_id,
    revision: r.revision,
    providerSiret: r.provider_siret,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    stale: r.stale_at !== null,
    staleReason: r.stale_reason,
    staleAt: r.stale_at?.toISOString() ?? null,
    check: r.state ? { ownerName: r.owner_name ?? '', completedAt: r.completed_at?.toISOString() ?? null, outcome: r.outcome, state: r.state } : null,
  };
}
