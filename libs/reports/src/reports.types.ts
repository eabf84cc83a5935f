/** Reports (signalements): types shared by the service, the jobs, the API and the web UI. */

export const CLAIM_KINDS = ['INDICATOR', 'SERVICE_FAIT', 'PRICE_ANOMALY'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

/** What the report says is wrong: an RNQ indicator, a service-fait point, or a confirmed price anomaly (its id). */
export interface Claim {
  kind: ClaimKind;
  code: string;
}

export const REPORT_STATUSES = ['DRAFT', 'SUBMITTED', 'CLOSED'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const RECIPIENT_KINDS = ['CERTIFIER', 'REGIONAL_CONTROL_SERVICE'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'DEAD_LETTER'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const HANDLING_STATUSES = ['RECEIVED', 'ACKNOWLEDGED', 'INFO_REQUESTED', 'ANSWERED', 'FORWARDED_TO_CERTIFIER', 'CLOSED'] as const;
export type HandlingStatus = (typeof HANDLING_STATUSES)[number];

/** Outcomes a recipient closes a case with; the first four are a certifier's decisions. */
export const CERTIFIER_OUTCOMES = ['ON_SITE_AUDIT', 'SUSPENSION', 'WITHDRAWAL', 'NO_ACTION'] as const;
export const CONTROL_SERVICE_OUTCOMES = ['ACTION_TAKEN', 'NO_ACTION'] as const;
export const CASE_OUTCOMES = ['ON_SITE_AUDIT', 'SUSPENSION', 'WITHDRAWAL', 'NO_ACTION', 'ACTION_TAKEN', 'FORWARDED_TO_CERTIFIER'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const CASE_EVENT_KINDS = ['RECEIVED', 'ACKNOWLEDGED', 'INFO_REQUESTED', 'ANSWERED', 'FORWARDED_TO_CERTIFIER', 'CLOSED', 'REDELIVERY_REQUESTED'] as const;
export type CaseEventKind = (typeof CASE_EVENT_KINDS)[number];

/** Narrative length bounds (characters). */
export const NARRATIVE_MIN = 200;
export const NARRATIVE_MAX = 20_000;

/** Delivery: 10 attempts over about 24 hours, then dead letter (docs/reports.md). */
export const MAX_DELIVERY_ATTEMPTS = 10;
/** Delay before attempt n+1 after the n-th failure: 1 min * 3^(n-1), capped at 6 h (the nine waits sum to 24 h 04 min). */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(60_000 * 3 ** (failedAttempts - 1), 6 * 3600_000);
}

/** A recipient's delivery signature may be this old at most (seconds), either way. */
export const REPLAY_WINDOW_SECONDS = 300;

/** Default time a funder has to answer an information request (days). */
export const DEFAULT_ANSWER_DAYS = 15;

export interface GroundView {
  id: string;
  kind: 'CHECK_VERSION' | 'PRICE_ANOMALY';
  organisationId: string;
  checkId: string | null;
  checkRevision: number | null;
  anomalyId: string | null;
  frameworkCode: string | null;
  /** Non-conformities of the pinned version (point, grade, comment), or the anomaly's kind. */
  nonConformities: { pointCode: string; grade: string; comment: string | null; serviceFait: boolean }[];
  contentSha256: string;
  personalDataIncluded: boolean;
  addedBy: string;
  addedAt: string;
}

export interface AttachmentView {
  id: string;
  organisationId: string;
  sha256: string;
  size: number;
  mediaType: string;
  fileName: string | null;
  description: string | null;
  personalData: boolean;
  addedBy: string;
  addedAt: string;
}

export interface ProposedRecipient {
  kind: RecipientKind;
  organisationId: string | null;
  organisationCode: string | null;
  organisationName: string | null;
  region: string | null;
  rules: string[];
  reason: string;
  legalSources: string[];
  /** Why the recipient is not known yet (the certifier to be named), else null. */
  missing: string | null;
}

export interface SubstantiationProblem {
  /** `REPORT.NOT_SUBSTANTIATED`, `REPORT.NO_GROUNDS`... */
  code: string;
  field: string;
  message: string;
  claim?: Claim;
}

export interface ReportView {
  id: string;
  reference: string;
  organisationId: string;
  organisationName: string | null;
  provider: { siret: string; nda: string | null; name: string | null; region: string | null };
  title: string;
  claims: Claim[];
  narrative: string;
  certifierId: string | null;
  status: ReportStatus;
  version: number;
  grounds: GroundView[];
  attachments: AttachmentView[];
  cosigners: { organisationId: string; organisationName: string; status: 'INVITED' | 'ACCEPTED'; invitedAt: string; acceptedAt: string | null }[];
  /** Recipients as routed now (draft) or as sealed (submitted). */
  recipients: ProposedRecipient[];
  /** What submission would refuse now (empty when the report may be submitted). */
  problems: SubstantiationProblem[];
  seal: { packageSha256: string; signature: string; keyId: string; auditHead: { seq: number; hash: string } | null; pdfSha256: string; pdf: string } | null;
  submittedAt: string | null;
  submittedBy: string | null;
  closedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** What the caller is to this report. */
  role: 'OWNER' | 'COSIGNER' | 'RECIPIENT';
}

export interface CaseEventView {
  id: string;
  kind: CaseEventKind;
  organisationId: string;
  text: string | null;
  dueAt: string | null;
  answers: string | null;
  actorId: string | null;
  at: string;
}

export interface CaseView {
  id: string;
  reportId: string;
  reportReference: string;
  recipient: { id: string; code: string; name: string; kind: RecipientKind };
  region: string | null;
  rules: string[];
  reason: string;
  forwardedFrom: string | null;
  delivery: { status: DeliveryStatus; attempts: number; nextAttemptAt: string | null; lastError: string | null; acknowledgementId: string | null; deliveredAt: string | null };
  handlingStatus: HandlingStatus | null;
  acknowledgedAt: string | null;
  outcome: CaseOutcome | null;
  outcomeNote: string | null;
  closedAt: string | null;
  createdAt: string;
  /** The open information request awaiting the funder's answer, if any. */
  openRequest: { id: string; text: string; dueAt: string | null; at: string } | null;
  events: CaseEventView[];
}
