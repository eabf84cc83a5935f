// Shapes of the API's answers used by the UI, in one module. The `openapi-types` work generates
// `schema.d.ts` from the OpenAPI document: when it lands these aliases point to its components,
// and the UI and the API can no longer drift.

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
  total?: number;
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  organisation: { id: string; code: string; kind: string; name: string };
}

export type Coverage = 'CERTIFIED' | 'NOT_CERTIFIED' | 'EXEMPT' | 'UNKNOWN';

export interface Action {
  id: string;
  externalRef: string;
  providerSiret: string;
  providerNda: string | null;
  category: string;
  certificationCode: string | null;
  formacode: string | null;
  modality: string;
  region: string;
  fundingDecisionDate: string | null;
  startDate: string;
  endDate: string | null;
  hoursPerTrainee: number | null;
  trainees: number | null;
  priceExclVat: number | null;
  amountFunded: number;
  coverage: Coverage;
  coverageFlags: string[];
  coverageNda: string | null;
  coverageEvaluatedAt: string | null;
  paymentBlocked?: boolean;
  paymentBlockReason?: unknown;
  importId: string | null;
  version: number;
}

export interface Observation {
  id: string;
  nda: string;
  category: string;
  certified: boolean;
  observedOn: string;
  validUntil: string | null;
  source: string;
  certifier: string | null;
  reference: string | null;
  recordedAt: string;
}

export interface Certification {
  status: Coverage;
  flags: string[];
  observation: Observation | null;
}

export interface Establishment {
  siret: string;
  siren: string;
  ndas: {
    nda: string;
    name: string;
    address: { street?: string; postalCode?: string; city?: string; region?: string } | null;
    previousNdas: string[];
    lastDeclarationDate: string | null;
    listed: boolean;
    delistedAt: string | null;
    certifications: Record<string, Certification>;
    history?: Observation[];
  }[];
  exemptions: Exemption[];
}

export interface ProviderRow {
  nda: string;
  siren: string;
  siret: string;
  name: string;
  city: string | null;
  region: string | null;
  listed: boolean;
}

export interface Exemption {
  id: string;
  kind: string;
  categories: string[];
  validFrom: string;
  validUntil: string | null;
  legalSource: string;
}

export interface FundingCheck {
  siret: string;
  category: string;
  date: string;
  certification: { status: Coverage; nda: string | null; flags: string[]; observation: Observation | null };
  exemptions: Exemption[];
  activity: { inRegistry: boolean; listed: boolean; lastDeclarationDate: string | null };
  controls: {
    openMajorNonConformities: { correctiveActionId: string; checkId: string; pointCode: string; description: string; dueAt: string; overdue: boolean; siret: string }[];
    blockedPayments: { actions: number; amountFunded: number } | null;
    priceAnomalies: { open: number; confirmed: number } | null;
    acrossFunders: { checks: number; nonCompliant: number; openMajorNonConformities: number; lastCompletedAt: string | null };
  };
}

export interface PointScope {
  applicable: boolean;
  reason?: string;
  byCategory?: Record<string, { applicable: boolean; reason?: string }>;
}

export interface Finding {
  pointCode: string;
  grade: string;
  comment: string | null;
  evidenceRefs?: string[];
  recordedAt: string;
  recordedBy?: string;
}

export interface Check {
  id: string;
  providerSiret: string;
  providerNda: string | null;
  method: string;
  framework: { id: string; code: string; version: number };
  state: string;
  outcome: string | null;
  scope: { categories: string[]; points: Record<string, PointScope>; counts: { total: number; applicable: number; notApplicable: number } };
  actions: { id: string; source: string }[];
  sample: { seed: number; size: number } | null;
  assigneeId: string | null;
  contact: { name?: string; email?: string } | null;
  findings: Finding[];
  completedAt: string | null;
  completedBy: string | null;
  createdBy: string;
  createdAt: string;
  version: number;
  revision: number;
  amendmentReason: string | null;
  procedure: { notifiedAt: string | null; providerReceivedOn: string | null; responseDueAt: string | null; notificationLetter: unknown };
}

export interface FrameworkPoint {
  code: string;
  title: string;
  position: number;
  group?: string | null;
  rules?: { majorOnly?: boolean };
}

export interface Framework {
  id: string;
  code: string;
  version: number;
  title: string;
  points: FrameworkPoint[];
}

export interface Evidence {
  id: string;
  kind?: string;
  fileName: string | null;
  mediaType: string | null;
  size?: number | null;
  sha256: string | null;
  reference?: string | null;
  description: string | null;
  purpose: string;
  personalData: boolean;
  createdAt: string;
  download?: string;
}

export interface CorrectiveAction {
  id: string;
  pointCode: string;
  severity?: string;
  description?: string;
  dueAt: string;
  overdue: boolean;
  closedAt: string | null;
  closeNote?: string | null;
  followUps: { id: string; note: string; recordedAt: string; evidenceIds?: string[] }[];
  grade?: string;
  closureNote?: string | null;
  status?: string;
}

export interface ImportView {
  id: string;
  status: string;
  fileName: string | null;
  fileSize: number | null;
  createdAt: string;
  finishedAt: string | null;
  progress: unknown;
  counts: { rows?: number; accepted?: number; rejected?: number; inserted?: number; updated?: number; unchanged?: number } | null;
  error: string | null;
  rejectedLineCount: number;
  fieldErrorCount: number;
  errors: { line: number; field: string; reason: string }[];
}

export interface ApiKey {
  id: string;
  label: string;
  scopes: string[];
  prefix?: string;
  createdAt: string;
  revokedAt?: string | null;
  lastUsedAt?: string | null;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  version: number;
}

// Price adequacy (docs/pricing.md): the generated types of the OpenAPI document.
import type { components } from './schema';

type Schemas = components['schemas'];
export type Anomaly = Schemas['AnomalyDto'];
export type AnomalyWithHistory = Schemas['AnomalyWithHistoryDto'];
export type AnomalyEvent = Schemas['AnomalyEventDto'];
export type ReviewAnomaly = Schemas['ReviewAnomalyDto'];
export type PriceTestCoverage = Schemas['PriceTestCoverageDto'];
export type PricePositionRow = Schemas['PricePositionDto'];
export type JobStatus = Schemas['JobStatusDto'];

/** The frozen evidence of a group kind (PRICE_HIGH, PRICE_EXTREME, PRICE_LOW). */
export interface GroupEvidence {
  groupKey: string;
  level: number;
  category: string;
  modality: string;
  year: number;
  certificationCode: string | null;
  formacode: string | null;
  region: string | null;
  n: number;
  providers: number;
  funders: number;
  unit: { p10: number; q1: number; median: number; q3: number; p90: number; mad: number };
  fences: { low: number; high: number; extreme: number };
  logIqr: number;
  value: number;
  percentRank: number;
}

/** CROSS_FUNDER_DISPARITY: ratio band and set sizes, never the other funders' prices. */
export interface DisparityEvidence {
  ratioBand: string;
  ownActions: number;
  otherActions: number;
  otherFunders: number;
}

/** DURATION_SHORT: this year's set against the previous year's. */
export interface ShrinkEvidence {
  hoursRatioBand: string;
  priceRatioBand: string;
  actions: number;
  funders: number;
  previousActions: number;
  previousFunders: number;
}

/** ABOVE_NPEC: the level in force and its basis. */
export interface NpecEvidence {
  basis: 'BRANCH' | 'RANGE_ACROSS_BRANCHES';
  certificationCode: string;
  idcc: string | null;
  levelEurPerYear: number;
  range: { min: number | null; max: number | null; branches: number | null };
  value: number;
  ratio: number;
}

// Sharing across funders (docs/sharing.md): the generated types of the OpenAPI document.
export type SharingSettings = Schemas['SharingSettingsViewDto'];
export type CheckAudience = Schemas['CheckAudienceDto'];
export type SharedCheck = Schemas['SharedCheckDto'];
export type Reliance = Schemas['RelianceDto'];
export type Mandate = Schemas['MandateDto'];
export type LeadFunder = Schemas['LeadFunderDto'];
export type LeadClaim = Schemas['LeadClaimViewDto'];
export type Dossier = Schemas['DossierDto'];
export type DossierCheck = Schemas['DossierCheckDto'];
export type ControlPlan = Schemas['ControlPlanDto'];
export type ControlPlanRow = Schemas['ControlPlanRowDto'];
export type ControlCoverage = Schemas['ControlCoverageDto'];
export type OrganisationRef = Schemas['OrganisationRefDto'];

export type Report = Schemas['ReportDto'];
export type ReportCase = Schemas['CaseDto'];
export type InboxCase = Schemas['InboxCaseDto'];
export type InboxCaseDetail = Schemas['InboxCaseDetailDto'];
export type InboxStatistics = Schemas['InboxStatisticsDto'];
export type SealVerification = Schemas['SealVerificationDto'];
