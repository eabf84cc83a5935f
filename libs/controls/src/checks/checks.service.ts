import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { AccessService, Actor, RecentVisibleCheck, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import {
  ACTION_CATEGORIES,
  ActionCategory,
  CheckState,
  Grade,
  LinkedActionFacts,
  SCOPE_FLAGS,
  ScopeFlag,
  assertTransition,
  deriveOutcome,
  deriveScope,
  drawSample,
  isNonConformity,
  mapGrades,
  newSeed,
  localDateIn,
  resolveCategories,
  responseWindowEnd,
} from '../rules';
import { FrameworksService, PointRow, minorThresholdOf } from '../frameworks/frameworks.service';
import { RNQ_CODE } from '../frameworks/builtin';
import { addsOrWorsensNonConformity, applyPaymentBlocks, freezeVersion, openCorrectiveActions } from './completion';
import { ActionFacts, RegistryFactsService } from '@bo/registry';
import { CheckRepository, isoDate } from './check.repository';
import type {
  CheckListFilters,
  CheckRow,
  CheckView,
  CreateCheckInput,
  FindingRow,
  FindingView,
  MappedGradesView,
  SampleInput,
  ScopeContextInput,
  StoredScope,
  UpdateCheckInput,
} from './checks.types';


/**
 * The scope of a check over its framework. For the RNQ: `deriveScope` (categories of the linked
 * actions, else the officer's; flags implied, set or default). Other frameworks have no scope
 * rules: every point applies.
 */
export function scopeOf(
  framework: { code: string; organisation_id: string | null },
  points: readonly PointRow[],
  context: ScopeContextInput,
  linked: readonly LinkedActionFacts[],
  certifiedCategories: readonly ActionCategory[] = [],
): StoredScope {
  const scopeContext = { linkedActions: linked, certifiedCategories, chosenCategories: context.categories ?? [], flags: context.flags ?? {} };
  if (framework.code === RNQ_CODE && framework.organisation_id === null) {
    const derived = deriveScope(scopeContext);
    return { ...derived };
  }
  const { categories, source } = resolveCategories(scopeContext);
  return {
    categories,
    categorySource: source,
    flags: {},
    flagSources: {},
    points: Object.fromEntries(points.map((p) => [p.code, { applicable: true }])),
    counts: { total: points.length, applicable: points.length, notApplicable: 0, byCategory: {} },
  };
}

/**
 * Quality checks owned by a funder (row-level security on `organisation_id`): scope, linked and
 * sampled funded actions, findings per point, and completion with a fixed outcome. Every write
 * is audited; a check outside DRAFT can no longer be edited.
 */
@Injectable()
export class ChecksService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly frameworks: FrameworksService,
    private readonly registry: RegistryFactsService,
    private readonly repo: CheckRepository,
    private readonly config: AppConfig,
    private readonly access: AccessService,
  ) {}


  async create(actor: Actor, input: CreateCheckInput): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const framework = await this.frameworks.find(tx, input.framework ?? { code: RNQ_CODE, version: 1 });
      await this.assertNda(tx, input.providerSiret, input.providerNda ?? null);
      if (input.assigneeId) await this.assertAssignee(tx, input.assigneeId);
      const actions = await this.actionsOfProvider(tx, input.providerSiret, input.providerNda ?? null, input.actionIds ?? []);
      const duplicates = await this.assertNoDuplicate(tx, input);
      const points = await this.frameworks.points(tx, framework.id);
      const context = normaliseContext(input.scopeContext);
      const scope = scopeOf(framework, points, context, actions.map(factsOf), await this.certifiedCategories(tx, input.providerSiret, input.providerNda ?? null));
      const row = await tx.one<{ id: string }>(
        `INSERT INTO checks (organisation_id, provider_siret, provider_nda, method, framework_id, scope_context, scope,
                             assignee_id, contact_name, contact_email, created_by, joint_service_fait, region,
                             duplicate_decision, duplicate_reason, duplicate_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
        [
          actor.organisationId,
          input.providerSiret,
          input.providerNda ?? null,
          input.method,
          framework.id,
          JSON.stringify(context),
          JSON.stringify(scope),
          input.assigneeId ?? null,
          input.contact?.name ?? null,
          input.contact?.email ?? null,
          actor.kind === 'user' ? actor.id : null,
          input.jointServiceFait ?? false,
          (await this.registry.provider(tx, input.providerSiret, input.providerNda ?? null))?.region ?? null,
          duplicates.length ? input.duplicateDecision!.decision : null,
          duplicates.length ? input.duplicateDecision!.reason.trim() : null,
          duplicates.length ? duplicates.map((d) => d.id) : null,
        ],
      );
      await this.link(tx, actor, row!.id, actions.map((a) => a.id), 'LINKED');
      const view = await this.repo.view(tx, await this.repo.loadRow(tx, row!.id));
      await this.audit.record(tx, actor, { action: 'check.created', entityType: 'check', entityId: view.id, after: auditable(view) });
      return view;
    });
  }

  async list(actor: Actor, query: CheckListFilters & { limit: number; cursor?: string }): Promise<Page<Omit<CheckView, 'findings' | 'scope'> & { scopeCounts: StoredScope['counts'] }>> {
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    const now = await this.clock.now();
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await this.repo.listRows(tx, actor, { ...query, after, now });
      return toPage(
        rows,
        query.limit,
        (r) => [r.created_at.toISOString(), r.id],
        (r) => {
          const { findings: _f, scope, ...rest } = this.repo.baseView(r, [], []);
          return { ...rest, scopeCounts: scope.counts };
        },
      );
    });
  }

  async get(actor: Actor, id: string): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => this.repo.view(tx, await this.repo.loadVisible(tx, actor, id)));
  }

  async update(actor: Actor, id: string, input: UpdateCheckInput, checkVersion: (version: number) => void): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      checkVersion(row.version);
      assertEditable(row);
      const before = await this.repo.view(tx, row);
      const nda = input.providerNda !== undefined ? input.providerNda : row.provider_nda;
      if (input.providerNda !== undefined) await this.assertNda(tx, row.provider_siret, nda);
      if (input.assigneeId) await this.assertAssignee(tx, input.assigneeId);
      if (input.actionIds !== undefined) {
        const actions = await this.actionsOfProvider(tx, row.provider_siret, nda, input.actionIds);
        await tx.query(`DELETE FROM check_actions WHERE check_id = $1 AND source = 'LINKED'`, [id]);
        await this.link(tx, actor, id, actions.map((a) => a.id), 'LINKED');
      }
      const context = input.scopeContext !== undefined ? normaliseContext(input.scopeContext) : row.scope_context;
      const scope = await this.rescope(tx, row, context);
      await tx.query(
        `UPDATE checks SET provider_nda = $2, method = $3, scope_context = $4, scope = $5,
                assignee_id = $6, contact_name = $7, contact_email = $8, joint_service_fait = $9, version = version + 1, updated_at = now()
          WHERE id = $1`,
        [
          id,
          nda,
          input.method ?? row.method,
          JSON.stringify(context),
          JSON.stringify(scope),
          input.assigneeId !== undefined ? input.assigneeId : row.assignee_id,
          input.contact?.name !== undefined ? input.contact.name : row.contact_name,
          input.contact?.email !== undefined ? input.contact.email : row.contact_email,
          input.jointServiceFait ?? row.joint_service_fait,
        ],
      );
      const after = await this.repo.view(tx, await this.repo.loadRow(tx, id));
      await this.audit.record(tx, actor, { action: 'check.updated', entityType: 'check', entityId: id, before: auditable(before), after: auditable(after) });
      return after;
    });
  }

  /**
   * Draws funded actions of the check's provider (the caller's own, by row-level security) with
   * a recorded seed: the same seed over the same actions draws the same sample. Replaces an
   * earlier draw; actions linked by hand stay.
   */
  async sample(actor: Actor, id: string, input: SampleInput): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      assertEditable(row);
      const population = await this.registry.actionsAt(tx, row.provider_siret, row.provider_nda);
      const seed = input.seed ?? newSeed();
      const drawn = drawSample(population, { size: input.size, seed, strata: input.stratifyBy === 'category' ? 'category' : undefined });
      const now = await this.clock.now();
      const sample = {
        algorithm: drawn.algorithm,
        seed: drawn.seed,
        requested: drawn.requested,
        population: drawn.population,
        stratifyBy: input.stratifyBy ?? null,
        strata: drawn.strata ?? null,
        actionIds: drawn.items.map((i) => i.id),
        drawnAt: now.toISOString(),
        drawnBy: actor.id,
      };
      await tx.query(`DELETE FROM check_actions WHERE check_id = $1 AND source = 'SAMPLE'`, [id]);
      await this.link(tx, actor, id, sample.actionIds, 'SAMPLE');
      const scope = await this.rescope(tx, row, row.scope_context);
      await tx.query(`UPDATE checks SET sample = $2, scope = $3, version = version + 1, updated_at = now() WHERE id = $1`, [id, JSON.stringify(sample), JSON.stringify(scope)]);
      const view = await this.repo.view(tx, await this.repo.loadRow(tx, id));
      await this.audit.record(tx, actor, { action: 'check.sampled', entityType: 'check', entityId: id, after: { sample }, details: { seed, size: input.size } });
      return view;
    });
  }

  /**
   * Completes the current version. Without any non-conformity a DRAFT may complete directly;
   * with some, the provider must have been notified and have answered, or its window must have
   * closed. An amendment that adds or worsens a non-conformity must be notified again. Every
   * applicable point is graded; the finalizer recorded none of the findings (maker-checker).
   * The outcome is derived and fixed, the version frozen, corrective actions opened and payment
   * blocks of the linked actions follow the service-fait findings.
   */
  async complete(actor: Actor, id: string, checkVersion: (version: number) => void = () => undefined): Promise<CheckView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id, true);
      checkVersion(row.version);
      const findings = await tx.query<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1`, [id]);
      const graded = new Set(findings.map((f) => f.point_code));
      const points = await this.repo.gradablePoints(tx, row);
      const missing = points.filter((p) => (row.scope.points[p.code]?.applicable ?? true) && !graded.has(p.code)).map((p) => p.code);
      const now = await this.clock.now();
      let hasNonConformities = findings.some((f) => isNonConformity(f.grade));
      if (row.state === 'DRAFT' && row.revision > 1 && hasNonConformities) {
        // An amendment: only non-conformities new or worse than the previous version need the provider heard again.
        const previous = await tx.one<{ snapshot: { check: { findings: FindingView[] } } }>(
          `SELECT snapshot FROM check_versions WHERE check_id = $1 AND revision = $2`,
          [id, row.revision - 1],
        );
        hasNonConformities = addsOrWorsensNonConformity(previous?.snapshot.check.findings ?? [], findings);
      }
      const response = await tx.one(`SELECT 1 FROM check_responses WHERE check_id = $1 AND revision = $2`, [id, row.revision]);
      // The window as the rules say it is (receipt, never before the notification, plus the
      // configured days), not as stored: no stored date can shorten it.
      const windowClosesAt = responseWindowEnd({
        receivedOn: isoDate(row.provider_received_on),
        notifiedAt: row.notified_at,
        days: this.config.RESPONSE_WINDOW_DAYS,
        region: row.region,
      });
      const error = assertTransition(row.state, 'COMPLETED', {
        hasNonConformities,
        responseReceived: response !== undefined,
        windowClosesAt,
        now,
        finalizerId: actor.id,
        recorderIds: [...new Set(findings.map((f) => f.recorded_by))],
        missingFindings: missing.length,
      });
      if (error) {
        const details: Record<string, unknown> = error === 'CHECK.FINDINGS_MISSING' ? { missingPoints: missing } : { state: row.state };
        if (error === 'CHECK.RESPONSE_WINDOW_OPEN') details.responseDueAt = windowClosesAt?.toISOString() ?? null;
        throw new AppError(error, transitionMessage(error, row.state, row.revision), details);
      }
      const framework = await this.frameworks.findById(tx, row.framework_id);
      const outcome = deriveOutcome(
        findings.map((f) => f.grade),
        minorThresholdOf(framework.grading),
      );
      const before = await this.repo.view(tx, row);
      await tx.query(
        `UPDATE checks SET state = 'COMPLETED', outcome = $2, completed_at = $3, completed_by = $4, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, outcome, now, actor.id],
      );
      const after = await this.repo.view(tx, await this.repo.loadRow(tx, id));
      const snapshotSha256 = await freezeVersion(
        tx,
        { id, organisationId: row.organisation_id, revision: row.revision, outcome, completedAt: now, completedBy: actor.id, amendmentReason: row.amendment_reason },
        after,
      );
      const correctiveActions = await openCorrectiveActions(tx, { id, organisationId: row.organisation_id, revision: row.revision, region: row.region }, findings, now);
      const serviceFaitCodes = new Set((await this.repo.serviceFaitPoints(tx, row)).map((p) => p.code));
      const linkedIds = (await tx.query<{ action_id: string }>(`SELECT action_id FROM check_actions WHERE check_id = $1`, [id])).map((l) => l.action_id);
      const payments = await applyPaymentBlocks({ id, revision: row.revision }, findings, serviceFaitCodes, (blocked, reason) =>
        this.registry.setPaymentBlock(tx, linkedIds, { blocked, reason, checkId: id }),
      );
      await this.audit.record(tx, actor, {
        action: 'check.completed',
        entityType: 'check',
        entityId: id,
        before: auditable(before),
        after: auditable(after),
        details: { outcome, revision: row.revision, snapshotSha256, correctiveActions, payments },
      });
      return after;
    });
  }

  /** The grades a mapped grid takes from the check's findings, through one of the caller's mapping sets. */
  async mappedGrades(actor: Actor, id: string, mappingId: string): Promise<MappedGradesView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await this.repo.loadVisible(tx, actor, id);
      const mapping = await this.frameworks.loadMapping(tx, mappingId);
      if (mapping.source.id !== row.framework_id) {
        throw new AppError('FRAMEWORK.INVALID', `The mapping set maps ${mapping.source.code} v${mapping.source.version}; the check uses ${row.framework_code} v${row.framework_version}.`, {
          errors: [{ field: 'mappingId', message: 'source framework differs from the check framework' }],
        });
      }
      const findings = await tx.query<FindingRow>(`SELECT * FROM check_findings WHERE check_id = $1`, [id]);
      const byCode = new Map(findings.map((f) => [f.point_code, f.grade]));
      const sourceGrade = (code: string): Grade | null => byCode.get(code) ?? (row.scope.points[code]?.applicable === false ? 'NOT_APPLICABLE' : null);
      const sourceGrades = new Map<string, Grade | null>(mapping.pairs.map((p) => [p.sourceCode, sourceGrade(p.sourceCode)]));
      const mapped = mapGrades(mapping.pairs, sourceGrades);
      const target = await this.frameworks.findById(tx, mapping.target.id);
      const targetPoints = await this.frameworks.points(tx, target.id);
      return {
        checkId: id,
        mapping: { id: mapping.id, title: mapping.title },
        target: { id: target.id, code: target.code, version: target.version, title: target.title },
        points: targetPoints.map((p) => ({
          code: p.code,
          title: p.title,
          grade: mapped.get(p.code) ?? null,
          sources: mapping.pairs.filter((m) => m.targetCode === p.code).map((m) => ({ code: m.sourceCode, grade: sourceGrades.get(m.sourceCode) ?? null })),
        })),
      };
    });
  }

  // --- helpers -----------------------------------------------------------------------------

  private async rescope(tx: Tx, row: CheckRow, context: ScopeContextInput): Promise<StoredScope> {
    const linkedIds = await tx.query<{ action_id: string }>(`SELECT action_id FROM check_actions WHERE check_id = $1`, [row.id]);
    const linked = await this.registry.actions(tx, linkedIds.map((l) => l.action_id));
    const framework = await this.frameworks.findById(tx, row.framework_id);
    return scopeOf(framework, await this.frameworks.points(tx, framework.id), context, linked.map(factsOf), await this.certifiedCategories(tx, row.provider_siret, row.provider_nda));
  }

  private async link(tx: Tx, actor: Actor, checkId: string, actionIds: string[], source: 'LINKED' | 'SAMPLE'): Promise<void> {
    if (!actionIds.length) return;
    await tx.query(
      `INSERT INTO check_actions (check_id, action_id, organisation_id, source)
       SELECT $1, a, $2, $3 FROM unnest($4::uuid[]) AS a
       ON CONFLICT (check_id, action_id) DO NOTHING`,
      [checkId, actor.organisationId, source, actionIds],
    );
  }

  /** The caller's funded actions with these ids, all of this provider; otherwise 422 (unknown and foreign alike). */
  private async actionsOfProvider(tx: Tx, siret: string, nda: string | null, ids: string[]): Promise<ActionFacts[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const found = new Map((await this.registry.actions(tx, unique)).map((r) => [r.id, r]));
    const bad = unique.filter((id) => {
      const a = found.get(id);
      return !a || a.providerSiret !== siret || (nda !== null && a.providerNda !== null && a.providerNda !== nda);
    });
    if (bad.length) {
      throw new AppError('CHECK.ACTION_NOT_OF_PROVIDER', `Funded actions not of provider ${siret}${nda ? ` (NDA ${nda})` : ''}: ${bad.join(', ')}.`, {
        errors: bad.map((id) => ({ field: `actionIds[${unique.indexOf(id)}]`, message: 'not a funded action of this provider' })),
      });
    }
    return unique.map((id) => found.get(id)!);
  }

  /**
   * No duplicate controls: when other organisations' completed checks of this establishment,
   * visible to the caller (libs/access), fall within its window, a new check needs a decision
   * (reuse, complement, re-check) with a reason; without one, 409 lists those checks.
   */
  private async assertNoDuplicate(tx: Tx, input: CreateCheckInput): Promise<RecentVisibleCheck[]> {
    const recent = await this.access.recentVisibleChecksOfOthers(tx, input.providerSiret);
    if (recent.length && !input.duplicateDecision?.reason?.trim()) {
      throw new AppError('CHECK.DUPLICATE_CONTROL', 'Recent checks of this provider by other organisations are visible to you: decide to reuse, complement or re-check, with a reason.', {
        checks: recent,
        errors: [{ field: 'duplicateDecision', message: 'a decision and a reason are required' }],
      });
    }
    return recent;
  }

  private async assertNda(tx: Tx, siret: string, nda: string | null): Promise<void> {
    if (!nda) return;
    const declaredAt = await this.registry.siretOfNda(tx, nda);
    if (declaredAt && declaredAt !== siret) {
      throw new AppError('PROVIDER.NDA_NOT_AT_SIRET', `NDA ${nda} is declared at SIRET ${declaredAt}, not ${siret}.`, {
        errors: [{ field: 'providerNda', message: 'not declared at this SIRET' }],
      });
    }
  }

  /** The categories the provider is certified for today: the scope's categories when no action is linked. */
  private async certifiedCategories(tx: Tx, siret: string, nda: string | null): Promise<ActionCategory[]> {
    return this.registry.certifiedCategories(tx, siret, nda, localDateIn(null, await this.clock.now()));
  }

  private async assertAssignee(tx: Tx, userId: string): Promise<void> {
    const user = await tx.one<{ roles: string[]; disabled: boolean }>(`SELECT roles, disabled FROM users WHERE id = $1`, [userId]);
    if (!user || user.disabled || !user.roles.some((r) => r === 'officer' || r === 'manager' || r === 'auditor')) {
      throw new AppError('CHECK.ASSIGNEE_INVALID', 'The assignee must be an active officer, manager or auditor of your organisation.', {
        errors: [{ field: 'assigneeId', message: 'not an officer, manager or auditor of this organisation' }],
      });
    }
  }
}

function factsOf(a: ActionFacts): LinkedActionFacts {
  return { category: a.category, certificationCode: a.certificationCode };
}

function normaliseContext(input: ScopeContextInput | undefined): ScopeContextInput {
  const context: ScopeContextInput = {};
  if (input?.categories?.length) context.categories = ACTION_CATEGORIES.filter((c) => input.categories!.includes(c));
  if (input?.flags && Object.keys(input.flags).length) {
    const errors: { field: string; message: string }[] = [];
    for (const [category, flags] of Object.entries(input.flags)) {
      if (!ACTION_CATEGORIES.includes(category as ActionCategory)) errors.push({ field: `scopeContext.flags.${category}`, message: 'unknown category' });
      else if (!flags || typeof flags !== 'object') errors.push({ field: `scopeContext.flags.${category}`, message: 'an object of flags' });
      else {
        for (const [flag, value] of Object.entries(flags)) {
          if (!SCOPE_FLAGS.includes(flag as ScopeFlag) || typeof value !== 'boolean') errors.push({ field: `scopeContext.flags.${category}.${flag}`, message: 'a known flag set to true or false' });
        }
      }
    }
    if (errors.length) throw new AppError('REQUEST.VALIDATION', 'The scope flags are not valid.', { errors });
    context.flags = input.flags;
  }
  return context;
}

function assertEditable(row: CheckRow): void {
  if (row.state !== 'DRAFT') throw new AppError('CHECK.NOT_EDITABLE', `The check is ${row.state}; only a DRAFT check can be changed.`, { state: row.state });
}

/** The audit trail keeps the check without its per-point scope detail (derived, and large). */
function auditable(view: CheckView): Record<string, unknown> {
  const { scope, ...rest } = view;
  return { ...rest, scope: { categories: scope.categories, counts: scope.counts } };
}

function transitionMessage(code: string, state: CheckState, revision: number): string {
  switch (code) {
    case 'CHECK.FINDINGS_MISSING':
      return 'Every applicable point needs a finding before completion.';
    case 'CHECK.MAKER_CHECKER':
      return 'A check is completed by someone who recorded none of its findings.';
    case 'CHECK.RESPONSE_WINDOW_OPEN':
      return "The provider's response window is still open and no response was recorded.";
    default:
      if (state !== 'DRAFT') return `A ${state} check cannot be completed.`;
      return revision > 1
        ? 'This amendment adds or worsens a non-conformity: notify the provider again before completion.'
        : 'A check with non-conformities must be notified to the provider before completion.';
  }
}
