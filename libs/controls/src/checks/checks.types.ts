/** Types of quality checks: inputs of the use cases, views answered, and database rows. */
import type { CheckState, Grade, Outcome, PointScope, ScopeFlags, ScopeResult, ActionCategory } from '../rules';
import type { FrameworkRef } from '../frameworks/frameworks.service';

export type CheckMethod = 'DOCUMENTARY' | 'ON_SITE' | 'REMOTE';
export const CHECK_METHODS: readonly CheckMethod[] = ['DOCUMENTARY', 'ON_SITE', 'REMOTE'];

/** What the officer says about the scope: categories (used when no action is linked) and flags per category. */
export interface ScopeContextInput {
  categories?: ActionCategory[];
  flags?: Partial<Record<ActionCategory, Partial<ScopeFlags>>>;
}

export interface ContactInput {
  name?: string | null;
  email?: string | null;
}

export interface CreateCheckInput {
  providerSiret: string;
  providerNda?: string | null;
  actionIds?: string[];
  method: CheckMethod;
  framework?: FrameworkRef;
  scopeContext?: ScopeContextInput;
  assigneeId?: string | null;
  contact?: ContactInput;
  /** Runs the *service fait* checklist in the same control (its points join the check). */
  jointServiceFait?: boolean;
  /** Required when other organisations' completed checks of the provider are visible (no duplicate controls). */
  duplicateDecision?: DuplicateDecisionInput;
}

export const DUPLICATE_DECISIONS = ['REUSE', 'COMPLEMENT', 'RECHECK'] as const;
export type DuplicateDecision = (typeof DUPLICATE_DECISIONS)[number];
export interface DuplicateDecisionInput {
  decision: DuplicateDecision;
  reason: string;
}

export interface UpdateCheckInput {
  providerNda?: string | null;
  actionIds?: string[];
  method?: CheckMethod;
  scopeContext?: ScopeContextInput;
  assigneeId?: string | null;
  contact?: ContactInput;
  jointServiceFait?: boolean;
}

export interface SampleInput {
  size: number;
  seed?: number;
  stratifyBy?: 'category';
}

export interface FindingInput {
  grade: Grade;
  comment?: string | null;
  evidenceRefs?: string[];
}

export interface FindingView {
  pointCode: string;
  grade: Grade;
  comment: string | null;
  evidenceRefs: string[];
  recordedBy: string;
  recordedAt: string;
}

export interface FindingRevisionInput extends FindingInput {
  /** Why the finding changes (e.g. the proof the provider sent). */
  reason: string;
  /** The provider's response this revision follows. */
  responseId: string;
}

export interface FindingRevisionView {
  id: string;
  revision: number;
  pointCode: string;
  responseId: string;
  reason: string;
  before: FindingView;
  after: FindingView;
  revisedBy: string;
  revisedAt: string;
}

export interface FindingRevisionRow {
  id: string;
  revision: number;
  point_code: string;
  response_id: string;
  reason: string;
  before: FindingView;
  after: FindingView;
  revised_by: string;
  revised_at: Date;
}

/** The recorded seeded draw (POST /checks/{id}/sample), stored as `checks.sample`. */
export interface CheckSample {
  algorithm: string;
  seed: number;
  requested: number;
  population: number;
  stratifyBy: 'category' | null;
  strata: { key: string; population: number; drawn: number }[] | null;
  actionIds: string[];
  drawnAt: string;
  drawnBy: string;
}

/** Filters of the check list (GET /checks). */
export interface CheckListFilters {
  state?: CheckState;
  providerSiret?: string;
  /** YYYY-MM-DD, inclusive, Europe/Paris. */
  responseDueAfter?: string;
  responseDueBefore?: string;
  overdue?: 'true' | 'false';
  /** A user id, `me` or `none`. */
  assignee?: string;
}

export interface ReceiptChangeView {
  revision: number;
  previousReceivedOn: string | null;
  receivedOn: string;
  previousDueAt: string | null;
  dueAt: string;
  reason: string | null;
  changedBy: string;
  changedAt: string;
}

export interface StoredScope {
  categories: ActionCategory[];
  categorySource: ScopeResult['categorySource'];
  /** The categories are only proposed from the provider's certification (no action linked, none chosen). */
  categoriesProposed?: boolean;
  flags: ScopeResult['flags'];
  flagSources: ScopeResult['flagSources'];
  points: Record<string, PointScope | { applicable: boolean; reason?: string }>;
  counts: { total: number; applicable: number; notApplicable: number; byCategory: ScopeResult['counts']['byCategory'] };
}

export interface CheckView {
  id: string;
  organisationId: string;
  providerSiret: string;
  providerNda: string | null;
  method: CheckMethod;
  framework: { id: string; code: string; version: number };
  state: CheckState;
  outcome: Outcome | null;
  scopeContext: ScopeContextInput;
  scope: StoredScope;
  actions: { id: string; source: 'LINKED' | 'SAMPLE' }[];
  sample: CheckSample | null;
  assigneeId: string | null;
  contact: { name: string | null; email: string | null };
  findings: FindingView[];
  /** Revisions of findings after the provider's response, oldest first (this version's). */
  findingRevisions: FindingRevisionView[];
  completedAt: string | null;
  completedBy: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** ETag counter of the working copy. */
  version: number;
  /** Version number of the check itself: 1, then n+1 per amendment. */
  revision: number;
  amendmentReason: string | null;
  jointServiceFait: boolean;
  /** Why this check was drafted although other organisations' recent checks were visible. */
  duplicateDecision: { decision: DuplicateDecision; reason: string; checkIds: string[] } | null;
  procedure: {
    notifiedAt: string | null;
    providerReceivedOn: string | null;
    responseDueAt: string | null;
    notificationLetter: string | null;
    /** The receipt date as first recorded and each correction (with its reason). */
    receiptChanges: ReceiptChangeView[];
  };
}

export interface MappedGradesView {
  checkId: string;
  mapping: { id: string; title: string | null };
  target: { id: string; code: string; version: number; title: string };
  points: { code: string; title: string; grade: Grade | null; sources: { code: string; grade: Grade | null }[] }[];
}

export interface CheckRow {
  id: string;
  organisation_id: string;
  provider_siret: string;
  provider_nda: string | null;
  method: CheckMethod;
  framework_id: string;
  framework_code: string;
  framework_version: number;
  scope_context: ScopeContextInput;
  scope: StoredScope;
  assignee_id: string | null;
  contact_name: string | null;
  contact_email: string | null;
  state: CheckState;
  outcome: Outcome | null;
  completed_at: Date | null;
  completed_by: string | null;
  sample: unknown;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  revision: number;
  joint_service_fait: boolean;
  amendment_reason: string | null;
  region: string | null;
  notified_at: Date | null;
  notified_by: string | null;
  provider_received_on: Date | string | null;
  response_due_at: Date | null;
  notification_letter_sha256: string | null;
  duplicate_decision: DuplicateDecision | null;
  duplicate_reason: string | null;
  duplicate_of: string[] | null;
}

export interface FindingRow {
  point_code: string;
  grade: Grade;
  comment: string | null;
  evidence_refs: string[];
  recorded_by: string;
  recorded_at: Date;
}

