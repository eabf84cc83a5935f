import { Injectable } from '@nestjs/common';
import { AppError, Clock } from '@bo/core';
import { parseSiret } from '@bo/registry';
import { Db, Tx } from '@bo/database';
import { Actor, isSharingFunder, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import type { OrganisationRef } from './sharing.types';

export interface LeadFunderView {
  providerSiret: string;
  lead: { funder: OrganisationRef; since: string; decidedHow: 'CLAIM' | 'SETTLEMENT' } | null;
  /** The caller's own pending claim, if any (a platform administrator settles it). */
  myPendingClaim: LeadClaimView | null;
}

export interface LeadClaimView {
  id: string;
  providerSiret: string;
  funder: OrganisationRef;
  reason: string;
  status: 'GRANTED' | 'PENDING' | 'REJECTED' | 'SUPERSEDED';
  claimedAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
  /** Who holds the lead now (for the platform administrator settling a dispute). */
  currentLead: OrganisationRef | null;
}

interface ClaimRow {
  id: string;
  provider_siret: string;
  organisation_id: string;
  code: string;
  name: string;
  reason: string;
  status: LeadClaimView['status'];
  claimed_at: Date;
  decided_at: Date | null;
  decision_note: string | null;
  lead_id: string | null;
  lead_code: string | null;
  lead_name: string | null;
}

const SELECT_CLAIMS = `
  SELECT k.id, k.provider_siret, k.organisation_id, o.code, o.name, k.reason, k.status, k.claimed_at, k.decided_at, k.decision_note,
         l.funder_id AS lead_id, lo.code AS lead_code, lo.name AS lead_name
    FROM lead_funder_claims k JOIN organisations o ON o.id = k.organisation_id
    LEFT JOIN lead_funders l ON l.provider_siret = k.provider_siret
    LEFT JOIN organisations lo ON lo.id = l.funder_id`;

/**
 * The lead funder of a provider, who coordinates its controls: a funder claims it; when nobody
 * holds it the claim is granted at once, otherwise it waits for a platform administrator, who
 * settles it. Everyone sees who leads; every change is audited (the claimant's chain for a claim,
 * the platform's for a settlement).
 */
@Injectable()
export class LeadFunderService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(actor: Actor, siretInput: string): Promise<LeadFunderView> {
    const siret = parseSiret(siretInput);
    return this.db.tx(tenantOf(actor), (tx) => this.viewIn(tx, siret));
  }

  async claim(actor: Actor, siretInput: string, reason: string): Promise<LeadFunderView> {
    const siret = parseSiret(siretInput);
    if (!isSharingFunder(actor)) throw new AppError('SHARING.NOT_A_FUNDER', 'Only a funder leads the controls of a provider.');
    return this.db.tx(tenantOf(actor), async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('lead-funder:' || $1, 0))`, [siret]);
      const lead = await tx.one<{ funder_id: string }>(`SELECT funder_id FROM lead_funders WHERE provider_siret = $1`, [siret]);
      if (lead?.funder_id === actor.organisationId) throw new AppError('LEAD_FUNDER.ALREADY_LEAD', 'Your organisation already leads the controls of this provider.');
      const pending = await tx.one(`SELECT 1 FROM lead_funder_claims WHERE provider_siret = $1 AND organisation_id = app_org_id() AND status = 'PENDING'`, [siret]);
      if (pending) throw new AppError('LEAD_FUNDER.CLAIM_PENDING', 'Your claim already waits for a platform administrator.');
      const now = await this.clock.now();
      const status = lead ? 'PENDING' : 'GRANTED';
      const claim = await tx.one<{ id: string }>(
        `INSERT INTO lead_funder_claims (organisation_id, provider_siret, reason, status, claimed_by, claimed_at, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [actor.organisationId, siret, reason.trim(), status, actor.id, now, lead ? null : now],
      );
      if (!lead) {
        await tx.query(`INSERT INTO lead_funders (provider_siret, funder_id, since, decided_by, decided_how) VALUES ($1, $2, $3, $4, 'CLAIM')`, [siret, actor.organisationId, now, actor.id]);
      }
      await this.audit.record(tx, actor, {
        action: lead ? 'lead_funder.claimed' : 'lead_funder.taken',
        entityType: 'lead_funder',
        entityId: siret,
        details: { claimId: claim!.id, reason: reason.trim(), status, disputedWith: lead?.funder_id ?? null },
      });
      return this.viewIn(tx, siret);
    });
  }

  /** Claims: a funder's own; every claim for a platform administrator (pending first). */
  async claims(actor: Actor, query: { status?: LeadClaimView['status'] } = {}): Promise<LeadClaimView[]> {
    return this.db.tx(tenantOf(actor), async (tx) =>
      (
        await tx.query<ClaimRow>(
          `${SELECT_CLAIMS} WHERE ($1::text IS NULL OR k.status = $1) ORDER BY (k.status = 'PENDING') DESC, k.claimed_at DESC, k.id LIMIT 500`,
          [query.status ?? null],
        )
      ).map(claimOf),
    );
  }

  /** A platform administrator grants or rejects a pending claim; granting makes the claimant lead. */
  async settle(actor: Actor, claimId: string, input: { grant: boolean; note: string }): Promise<LeadClaimView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const claim = await tx.one<ClaimRow>(`${SELECT_CLAIMS} WHERE k.id = $1`, [claimId]);
      if (!claim) throw new AppError('LEAD_FUNDER.CLAIM_NOT_FOUND', `No claim ${claimId}.`);
      if (claim.status !== 'PENDING') throw new AppError('LEAD_FUNDER.CLAIM_SETTLED', `The claim is already ${claim.status}.`, { claimStatus: claim.status });
      const now = await this.clock.now();
      await tx.query(`UPDATE lead_funder_claims SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5 WHERE id = $1`, [
        claimId,
        input.grant ? 'GRANTED' : 'REJECTED',
        actor.id,
        now,
        input.note.trim(),
      ]);
      if (input.grant) {
        await tx.query(
          `INSERT INTO lead_funders (provider_siret, funder_id, since, decided_by, decided_how) VALUES ($1, $2, $3, $4, 'SETTLEMENT')
           ON CONFLICT (provider_siret) DO UPDATE SET funder_id = EXCLUDED.funder_id, since = EXCLUDED.since, decided_by = EXCLUDED.decided_by, decided_how = 'SETTLEMENT'`,
          [claim.provider_siret, claim.organisation_id, now, actor.id],
        );
        await tx.query(
          `UPDATE lead_funder_claims SET status = 'SUPERSEDED', decided_by = $3, decided_at = $4 WHERE provider_siret = $1 AND status = 'PENDING' AND id <> $2`,
          [claim.provider_siret, claimId, actor.id, now],
        );
      }
      await this.audit.record(tx, actor, {
        action: 'lead_funder.settled',
        entityType: 'lead_funder',
        entityId: claim.provider_siret,
        before: { lead: claim.lead_id },
        after: { lead: input.grant ? claim.organisation_id : claim.lead_id },
        details: { claimId, grant: input.grant, note: input.note.trim(), claimant: claim.organisation_id },
      });
      const after = await tx.one<ClaimRow>(`${SELECT_CLAIMS} WHERE k.id = $1`, [claimId]);
      return claimOf(after!);
    });
  }

  async viewIn(tx: Tx, siret: string): Promise<LeadFunderView> {
    const lead = await tx.one<{ funder_id: string; code: string; name: string; since: Date; decided_how: 'CLAIM' | 'SETTLEMENT' }>(
      `SELECT l.funder_id, o.code, o.name, l.since, l.decided_how FROM lead_funders l JOIN organisations o ON o.id = l.funder_id WHERE l.provider_siret = $1`,
      [siret],
    );
    const mine = await tx.one<ClaimRow>(`${SELECT_CLAIMS} WHERE k.provider_siret = $1 AND k.organisation_id = app_org_id() AND k.status = 'PENDING'`, [siret]);
    return {
      providerSiret: siret,
      lead: lead ? { funder: { id: lead.funder_id, code: lead.code, name: lead.name }, since: lead.since.toISOString(), decidedHow: lead.decided_how } : null,
      myPendingClaim: mine ? claimOf(mine) : null,
    };
  }
}

function claimOf(r: ClaimRow): LeadClaimView {
  return {
    id: r.id,
    providerSiret: r.provider_siret,
    funder: { id: r.organisation_id, code: r.code, name: r.name },
    reason: r.reason,
    status: r.status,
    claimedAt: r.claimed_at.toISOString(),
    decidedAt: r.decided_at?.toISOString() ?? null,
    decisionNote: r.decision_note,
    currentLead: r.lead_id ? { id: r.lead_id, code: r.lead_code!, name: r.lead_name! } : null,
  };
}
