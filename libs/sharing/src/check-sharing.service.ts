import { Injectable } from '@nestjs/common';
import { AppError } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, DEFAULT_SHARE_MODES, ShareMode, evidenceDisclosure, seesAssignedChecksOnly, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { organisationRefs } from './organisations.sql';
import { ProfileRequests } from './profile-requests.service';
import type { CheckAudienceView, SharedCheckView, SharingSettingsView } from './sharing.types';

const DEFAULT_SETTINGS: SharingSettingsView = { defaultMode: 'PRIVATE', needToKnow: false, needToKnowYears: 3, duplicateWindowMonths: 36, planWindowMonths: 36, updatedAt: null };

interface SettingsRow {
  default_mode: 'PRIVATE' | 'POOL';
  need_to_know: boolean;
  need_to_know_years: number;
  duplicate_window_months: number;
  plan_window_months: number;
  updated_at: Date;
}

/**
 * The sharing of completed checks: the organisation's settings (default share, need-to-know,
 * windows), the share of each check (PRIVATE, POOL, named funders) with revocation, and the view
 * of a check as another organisation reads it. Row-level security decides what can be read
 * (libs/access); changes are audited and take effect on the very next request.
 */
@Injectable()
export class CheckSharingService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly profiles: ProfileRequests,
  ) {}

  async settings(actor: Actor): Promise<SharingSettingsView> {
    return this.db.tx(tenantOf(actor), (tx) => this.settingsIn(tx));
  }

  async settingsIn(tx: Tx): Promise<SharingSettingsView> {
    const row = await tx.one<SettingsRow>(`SELECT * FROM sharing_settings WHERE organisation_id = app_org_id()`);
    return row ? settingsOf(row) : DEFAULT_SETTINGS;
  }

  async updateSettings(actor: Actor, input: Partial<Omit<SharingSettingsView, 'updatedAt'>>): Promise<SharingSettingsView> {
    if (input.defaultMode && !(DEFAULT_SHARE_MODES as readonly string[]).includes(input.defaultMode)) {
      throw new AppError('REQUEST.VALIDATION', 'The default share is PRIVATE or POOL.', { errors: [{ field: 'defaultMode', message: 'PRIVATE or POOL' }] });
    }
    const result = await this.db.tx(tenantOf(actor), async (tx) => {
      const before = await this.settingsIn(tx);
      const next = { ...before, ...stripUndefined(input) };
      const row = await tx.one<SettingsRow>(
        `INSERT INTO sharing_settings (organisation_id, default_mode, need_to_know, need_to_know_years, duplicate_window_months, plan_window_months, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (organisation_id) DO UPDATE SET default_mode = EXCLUDED.default_mode, need_to_know = EXCLUDED.need_to_know,
           need_to_know_years = EXCLUDED.need_to_know_years, duplicate_window_months = EXCLUDED.duplicate_window_months,
           plan_window_months = EXCLUDED.plan_window_months, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING *`,
        [actor.organisationId, next.defaultMode, next.needToKnow, next.needToKnowYears, next.duplicateWindowMonths, next.planWindowMonths, actor.id],
      );
      const after = settingsOf(row!);
      await this.audit.record(tx, actor, { action: 'sharing.settings_changed', entityType: 'sharing_settings', entityId: actor.organisationId, before, after });
      // Need-to-know narrows pool shares: reliances of funders that no longer see a check turn stale.
      let stale = 0;
      if (after.needToKnow !== before.needToKnow || after.needToKnowYears !== before.needToKnowYears) {
        const rows = await tx.query<{ n: number }>(
          `SELECT coalesce(sum(sharing_mark_reliances_stale(s.check_id, 'REVOKED')), 0)::int AS n FROM check_shares s WHERE s.organisation_id = app_org_id() AND s.mode = 'POOL'`,
        );
        stale = rows[0].n;
      }
      if (stale || after.needToKnow !== before.needToKnow || after.needToKnowYears !== before.needToKnowYears) await this.profiles.recompute(tx, actor.id);
      return after;
    });
    return result;
  }

  /** Who sees one of the organisation's checks (404 for another organisation's check). */
  async audience(actor: Actor, checkId: string): Promise<CheckAudienceView> {
    return this.db.tx(tenantOf(actor), async (tx) => this.audienceIn(tx, actor, checkId));
  }

  private async audienceIn(tx: Tx, actor: Actor, checkId: string): Promise<CheckAudienceView> {
    const check = await this.ownCheck(tx, actor, checkId);
    const share = await tx.one<{ mode: ShareMode; funder_ids: string[]; changed_at: Date; changed_by: string | null }>(`SELECT * FROM check_shares WHERE check_id = $1`, [checkId]);
    const settings = await this.settingsIn(tx);
    const mandating = await tx.query<{ organisation_id: string }>(
      `SELECT DISTINCT organisation_id FROM mandates
        WHERE body_id = app_org_id() AND $1::date >= valid_from AND (valid_until IS NULL OR $1::date <= valid_until)`,
      [check.created_on],
    );
    const reliances = await tx.one<{ n: number }>(`SELECT sharing_active_reliances($1) AS n`, [checkId]);
    const mode = share?.mode ?? 'PRIVATE';
    return {
      checkId,
      state: check.state,
      mode,
      funders: await organisationRefs(tx, share?.funder_ids ?? []),
      needToKnowYears: mode === 'POOL' && settings.needToKnow ? settings.needToKnowYears : null,
      mandatingFunders: await organisationRefs(tx, mandating.map((m) => m.organisation_id)),
      effective: check.state === 'COMPLETED',
      reliances: reliances?.n ?? 0,
      changedAt: share?.changed_at.toISOString() ?? null,
      changedBy: share?.changed_by ?? null,
    };
  }

  /**
   * Shares a completed check with the pool or named funders, or makes it private again
   * (revocation). Takes effect on the next request; reliances of funders that no longer see it
   * turn stale with a notification, and the provider's profile is recomputed.
   */
  async share(actor: Actor, checkId: string, input: { mode: ShareMode; funderIds?: string[] }): Promise<CheckAudienceView> {
    const view = await this.db.tx(tenantOf(actor), async (tx) => {
      const check = await this.ownCheck(tx, actor, checkId, true);
      if (check.state !== 'COMPLETED') {
        throw new AppError('SHARING.CHECK_NOT_COMPLETED', `Only a completed check is shared; this one is ${check.state}.`, { state: check.state });
      }
      const funderIds = input.mode === 'NAMED' ? [...new Set(input.funderIds ?? [])] : [];
      if (input.mode === 'NAMED') await this.assertFunders(tx, actor, funderIds);
      const before = await this.audienceIn(tx, actor, checkId);
      await tx.query(
        `INSERT INTO check_shares (check_id, organisation_id, mode, funder_ids, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (check_id) DO UPDATE SET mode = EXCLUDED.mode, funder_ids = EXCLUDED.funder_ids, changed_by = EXCLUDED.changed_by, changed_at = now()`,
        [checkId, actor.organisationId, input.mode, funderIds, actor.id],
      );
      const stale = await tx.one<{ n: number }>(`SELECT sharing_mark_reliances_stale($1, 'REVOKED') AS n`, [checkId]);
      const after = await this.audienceIn(tx, actor, checkId);
      await this.audit.record(tx, actor, {
        action: input.mode === 'PRIVATE' ? 'check.share_revoked' : 'check.shared',
        entityType: 'check',
        entityId: checkId,
        before: { mode: before.mode, funders: before.funders.map((f) => f.id) },
        after: { mode: after.mode, funders: after.funders.map((f) => f.id) },
        details: { staleReliances: stale?.n ?? 0 },
      });
      await this.profiles.recompute(tx, actor.id);
      return after;
    });
    return view;
  }

  /** A check the caller may read (its own, shared with it, or run by a body it mandated), as shared readers see it. */
  async sharedView(actor: Actor, checkId: string): Promise<SharedCheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await tx.one<{
        id: string; organisation_id: string; provider_siret: string; provider_nda: string | null; method: string; state: string; outcome: string | null;
        revision: number; scope: { categories?: string[] }; completed_at: Date | null; created_at: Date; assignee_id: string | null;
        framework_code: string; framework_version: number; via_mandate: boolean;
      }>(
        `SELECT c.id, c.organisation_id, c.provider_siret, c.provider_nda, c.method, c.state, c.outcome, c.revision, c.scope, c.completed_at, c.created_at,
                c.assignee_id, f.code AS framework_code, f.version AS framework_version,
                check_mandated_for(c.id, app_org_id()) AS via_mandate
           FROM checks c
           LEFT JOIN LATERAL check_framework_of(c.id) f ON true
          WHERE c.id = $1`,
        [checkId],
      );
      if (!row || (seesAssignedChecksOnly(actor) && row.assignee_id !== actor.id)) throw new AppError('CHECK.NOT_FOUND', `No check ${checkId}.`);
      const own = row.organisation_id === actor.organisationId;
      const findings = await tx.query<{ point_code: string; grade: string; comment: string | null }>(
        `SELECT point_code, grade, comment FROM check_findings WHERE check_id = $1 ORDER BY point_code`,
        [checkId],
      );
      const evidence = await tx.query<{
        id: string; kind: 'FILE' | 'RECORD'; purpose: string; personal_data: boolean; sha256: string | null; size: string | null; media_type: string | null;
        file_name: string | null; record_reference: string | null; description: string | null; uploaded_at: Date;
      }>(`SELECT * FROM check_evidence WHERE check_id = $1 ORDER BY uploaded_at, id`, [checkId]);
      const corrective = await tx.query<{ point_code: string; grade: string; due_at: Date; status: string }>(
        `SELECT point_code, grade, due_at, status FROM corrective_actions WHERE check_id = $1 AND revision = $2 ORDER BY point_code`,
        [checkId, row.revision],
      );
      const reliance = await tx.one<{ id: string; stale_at: Date | null; stale_reason: string | null }>(
        `SELECT id, stale_at, stale_reason FROM reliances WHERE check_id = $1 AND organisation_id = app_org_id() AND withdrawn_at IS NULL`,
        [checkId],
      );
      const [owner] = await organisationRefs(tx, [row.organisation_id]);
      return {
        id: row.id,
        owner,
        access: own ? 'OWN' : row.via_mandate ? 'MANDATE' : 'SHARED',
        providerSiret: row.provider_siret,
        providerNda: row.provider_nda,
        method: row.method,
        framework: { code: row.framework_code, version: row.framework_version },
        state: row.state,
        outcome: row.outcome,
        revision: row.revision,
        categories: row.scope.categories ?? [],
        completedAt: row.completed_at?.toISOString() ?? null,
        createdAt: row.created_at.toISOString(),
        findings: findings.map((f) => ({ pointCode: f.point_code, grade: f.grade, comment: f.comment })),
        evidence: evidence.map((e) => {
          const disclosure = evidenceDisclosure(actor.organisationId, row.organisation_id, e.personal_data);
          const full = disclosure === 'FULL';
          return {
            id: e.id,
            kind: e.kind,
            purpose: e.purpose,
            personalData: e.personal_data,
            disclosure,
            sha256: e.sha256,
            size: full && e.size !== null ? Number(e.size) : null,
            mediaType: full ? e.media_type : null,
            fileName: full ? e.file_name : null,
            recordReference: full ? e.record_reference : null,
            description: full ? e.description : null,
            uploadedAt: e.uploaded_at.toISOString(),
          };
        }),
        correctiveActions: corrective.map((c) => ({ pointCode: c.point_code, grade: c.grade, dueAt: c.due_at.toISOString(), status: c.status })),
        myReliance: reliance ? { id: reliance.id, stale: reliance.stale_at !== null, staleReason: reliance.stale_reason } : null,
      };
    });
  }

  private async ownCheck(tx: Tx, actor: Actor, checkId: string, forUpdate = false): Promise<{ id: string; state: string; created_on: string }> {
    const row = await tx.one<{ id: string; state: string; created_on: string; assignee_id: string | null }>(
      `SELECT id, state, (created_at AT TIME ZONE 'Europe/Paris')::date::text AS created_on, assignee_id FROM checks
        WHERE id = $1 AND organisation_id = app_org_id()${forUpdate ? ' FOR UPDATE' : ''}`,
      [checkId],
    );
    if (!row || (seesAssignedChecksOnly(actor) && row.assignee_id !== actor.id)) throw new AppError('CHECK.NOT_FOUND', `No check ${checkId}.`);
    return row;
  }

  /** Named funders: other active organisations of kind FUNDER. */
  private async assertFunders(tx: Tx, actor: Actor, ids: string[]): Promise<void> {
    const found = new Set(
      (await tx.query<{ id: string }>(`SELECT id FROM organisations WHERE id = ANY($1::uuid[]) AND kind = 'FUNDER' AND active AND id <> $2`, [ids, actor.organisationId])).map((r) => r.id),
    );
    const bad = ids.filter((id) => !found.has(id));
    if (!ids.length || bad.length) {
      throw new AppError('SHARING.FUNDER_INVALID', 'Named funders must be other active funders.', {
        errors: ids.length ? bad.map((b) => ({ field: `funderIds[${ids.indexOf(b)}]`, message: 'not another active funder' })) : [{ field: 'funderIds', message: 'name at least one funder' }],
      });
    }
  }
}

function settingsOf(row: SettingsRow): SharingSettingsView {
  return {
    defaultMode: row.default_mode,
    needToKnow: row.need_to_know,
    needToKnowYears: row.need_to_know_years,
    duplicateWindowMonths: row.duplicate_window_months,
    planWindowMonths: row.plan_window_months,
    updatedAt: row.updated_at.toISOString(),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
