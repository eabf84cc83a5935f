import { ApiProperty } from '@nestjs/swagger';
import { SHARE_MODES, type ShareMode } from '@bo/access';
import { EstablishmentDto } from '../registry/providers.responses';

const CLAIM_STATUSES = ['GRANTED', 'PENDING', 'REJECTED', 'SUPERSEDED'] as const;
const ACCESS = ['OWN', 'SHARED', 'MANDATE'] as const;
const PLAN_REASONS = ['NO_RECENT_VISIBLE_CHECK', 'UNCERTIFIED_FUNDING', 'MANY_FUNDERS', 'LAST_OUTCOME_NON_COMPLIANT', 'LAST_OUTCOME_RESERVATIONS', 'LARGE_AMOUNT', 'PROFILE_PENDING'] as const;

export class OrganisationRefDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'OPCO-ATLAS' })
  code: string;

  @ApiProperty()
  name: string;
}

export class SharingSettingsViewDto {
  @ApiProperty({ enum: ['PRIVATE', 'POOL'] })
  defaultMode: 'PRIVATE' | 'POOL';

  @ApiProperty()
  needToKnow: boolean;

  @ApiProperty()
  needToKnowYears: number;

  @ApiProperty()
  duplicateWindowMonths: number;

  @ApiProperty()
  planWindowMonths: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: the defaults, never changed' })
  updatedAt: string | null;
}

export class CheckAudienceDto {
  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty()
  state: string;

  @ApiProperty({ enum: SHARE_MODES })
  mode: ShareMode;

  @ApiProperty({ type: [OrganisationRefDto], description: 'Named funders (mode NAMED)' })
  funders: OrganisationRefDto[];

  @ApiProperty({ type: Number, nullable: true, description: "Pool narrowed by the owner's need-to-know to funders funding the provider in the last N years" })
  needToKnowYears: number | null;

  @ApiProperty({ type: [OrganisationRefDto], description: 'Funders that mandated the owning body and see the check through their mandate' })
  mandatingFunders: OrganisationRefDto[];

  @ApiProperty({ description: 'The share applies now (the check is completed)' })
  effective: boolean;

  @ApiProperty({ description: 'Active reliances of other funders on the check' })
  reliances: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  changedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  changedBy: string | null;
}

export class SharedEvidenceDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['FILE', 'RECORD'] })
  kind: 'FILE' | 'RECORD';

  @ApiProperty()
  purpose: string;

  @ApiProperty()
  personalData: boolean;

  @ApiProperty({ enum: ['FULL', 'EXISTENCE_AND_HASH'], description: "EXISTENCE_AND_HASH: another organisation's personal-data evidence, only its existence and hash" })
  disclosure: 'FULL' | 'EXISTENCE_AND_HASH';

  @ApiProperty({ type: String, nullable: true })
  sha256: string | null;

  @ApiProperty({ type: Number, nullable: true })
  size: number | null;

  @ApiProperty({ type: String, nullable: true })
  mediaType: string | null;

  @ApiProperty({ type: String, nullable: true })
  fileName: string | null;

  @ApiProperty({ type: String, nullable: true })
  recordReference: string | null;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ format: 'date-time' })
  uploadedAt: string;
}


/** A graded point of a check's framework. */
class GradedPointDto {
  @ApiProperty()
  pointCode: string;

  @ApiProperty()
  grade: string;
}

export class SharedFindingDto extends GradedPointDto {
  @ApiProperty({ type: String, nullable: true })
  comment: string | null;
}

/** A corrective action on a non-conformity, with its deadline. */
class CorrectiveActionDueDto extends GradedPointDto {
  @ApiProperty({ format: 'date-time' })
  dueAt: string;
}

export class SharedCorrectiveActionDto extends CorrectiveActionDueDto {
  @ApiProperty()
  status: string;
}

export class MyRelianceDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  stale: boolean;

  @ApiProperty({ type: String, nullable: true, enum: ['REVOKED', 'AMENDED'] })
  staleReason: string | null;
}

export class FrameworkRefViewDto {
  @ApiProperty({ type: String, nullable: true })
  code: string | null;

  @ApiProperty({ type: Number, nullable: true })
  version: number | null;
}


/** A check as any view of the checks the caller may see shows it: whose, why visible, where it stands. */
class VisibleCheckDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  owner: OrganisationRefDto;

  @ApiProperty({ enum: ACCESS, description: 'Why the caller sees it: its own, shared with it, or run by a body it mandated' })
  access: (typeof ACCESS)[number];

  @ApiProperty()
  state: string;

  @ApiProperty({ type: String, nullable: true })
  outcome: string | null;

  @ApiProperty()
  method: string;

  @ApiProperty()
  framework: FrameworkRefViewDto;

  @ApiProperty()
  revision: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;
}

export class SharedCheckDto extends VisibleCheckDto {
  @ApiProperty()
  providerSiret: string;

  @ApiProperty({ type: String, nullable: true })
  providerNda: string | null;

  @ApiProperty({ type: [String] })
  categories: string[];

  @ApiProperty({ type: [SharedFindingDto] })
  findings: SharedFindingDto[];

  @ApiProperty({ type: [SharedEvidenceDto] })
  evidence: SharedEvidenceDto[];

  @ApiProperty({ type: [SharedCorrectiveActionDto] })
  correctiveActions: SharedCorrectiveActionDto[];

  @ApiProperty({ type: MyRelianceDto, nullable: true })
  myReliance: MyRelianceDto | null;
}

export class RelianceCheckDto {
  @ApiProperty()
  ownerName: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  outcome: string | null;

  @ApiProperty()
  state: string;
}

export class RelianceDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty({ description: 'The version of the check relied on' })
  revision: number;

  @ApiProperty()
  providerSiret: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'uuid' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'The check was revoked or amended: the reliance no longer counts' })
  stale: boolean;

  @ApiProperty({ type: String, nullable: true, enum: ['REVOKED', 'AMENDED'] })
  staleReason: 'REVOKED' | 'AMENDED' | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  staleAt: string | null;

  @ApiProperty({ type: RelianceCheckDto, nullable: true, description: 'The check as the caller still sees it; null once it may not' })
  check: RelianceCheckDto | null;
}

export class MandateDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  funder: OrganisationRefDto;

  @ApiProperty()
  body: OrganisationRefDto;

  @ApiProperty({ format: 'date' })
  validFrom: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  validUntil: string | null;

  @ApiProperty()
  reference: string;

  @ApiProperty({ format: 'uuid' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class LeadClaimViewDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  providerSiret: string;

  @ApiProperty()
  funder: OrganisationRefDto;

  @ApiProperty()
  reason: string;

  @ApiProperty({ enum: CLAIM_STATUSES })
  status: (typeof CLAIM_STATUSES)[number];

  @ApiProperty({ format: 'date-time' })
  claimedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  decisionNote: string | null;

  @ApiProperty({ type: OrganisationRefDto, nullable: true })
  currentLead: OrganisationRefDto | null;
}

export class LeadDto {
  @ApiProperty()
  funder: OrganisationRefDto;

  @ApiProperty({ format: 'date-time' })
  since: string;

  @ApiProperty({ enum: ['CLAIM', 'SETTLEMENT'] })
  decidedHow: 'CLAIM' | 'SETTLEMENT';
}

export class LeadFunderDto {
  @ApiProperty()
  providerSiret: string;

  @ApiProperty({ type: LeadDto, nullable: true })
  lead: LeadDto | null;

  @ApiProperty({ type: LeadClaimViewDto, nullable: true })
  myPendingClaim: LeadClaimViewDto | null;
}

export class RiskPartsDto {
  @ApiProperty({ description: 'Funders funding it (out of 20)' })
  exposure: number;

  @ApiProperty({ description: 'Share of the amount funded on uncertified or unknown actions (out of 30)' })
  certification: number;

  @ApiProperty({ description: 'Age of the last shared check (out of 30)' })
  recency: number;

  @ApiProperty({ description: 'Its outcome (out of 20)' })
  outcome: number;
}

export class LastSharedCheckDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  completedAt: string;

  @ApiProperty()
  outcome: string;
}

export class ProfileDto {
  @ApiProperty()
  providerSiret: string;

  @ApiProperty()
  fundersFunding: number;

  @ApiProperty({ description: '0 to 100 (docs/sharing.md)' })
  riskScore: number;

  @ApiProperty()
  parts: RiskPartsDto;

  @ApiProperty()
  sharedChecks: number;

  @ApiProperty()
  sharedNonConformities: number;

  @ApiProperty()
  sharedMajorNonConformities: number;

  @ApiProperty({ type: LastSharedCheckDto, nullable: true })
  lastSharedCheck: LastSharedCheckDto | null;

  @ApiProperty({ format: 'date-time' })
  asOf: string;
}

export class NonConformityCountsDto {
  @ApiProperty()
  minor: number;

  @ApiProperty()
  major: number;
}


export class DossierCheckDto extends VisibleCheckDto {
  @ApiProperty()
  nonConformities: NonConformityCountsDto;
}

export class IndicatorCountDto extends NonConformityCountsDto {
  @ApiProperty()
  frameworkCode: string;

  @ApiProperty()
  pointCode: string;

  @ApiProperty({ type: String, nullable: true, description: 'RNQ criterion (1-7)' })
  criterion: string | null;

  @ApiProperty({ description: 'Visible checks with this non-conformity' })
  checks: number;
}

export class CriterionCountDto extends NonConformityCountsDto {
  @ApiProperty()
  criterion: string;
}

export class DossierCorrectiveActionDto extends CorrectiveActionDueDto {
  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty()
  owner: string;

  @ApiProperty()
  overdue: boolean;
}

export class DossierDto {
  @ApiProperty()
  siret: string;

  @ApiProperty({ type: EstablishmentDto, nullable: true })
  registry: EstablishmentDto | null;

  @ApiProperty({ type: [DossierCheckDto] })
  timeline: DossierCheckDto[];

  @ApiProperty({ type: [IndicatorCountDto] })
  nonConformitiesByIndicator: IndicatorCountDto[];

  @ApiProperty({ type: [CriterionCountDto] })
  nonConformitiesByCriterion: CriterionCountDto[];

  @ApiProperty({ type: [DossierCorrectiveActionDto] })
  openCorrectiveActions: DossierCorrectiveActionDto[];

  @ApiProperty({ type: [RelianceDto] })
  reliances: RelianceDto[];

  @ApiProperty()
  leadFunder: LeadFunderDto;

  @ApiProperty({ type: ProfileDto, nullable: true })
  profile: ProfileDto | null;

  @ApiProperty({ description: 'Submitted reports not yet closed exist on the establishment, from any funder (a yes or no)' })
  openReportsExist: boolean;

  @ApiProperty({ type: Number, nullable: true, description: "The caller's own active price anomalies (open, under review, confirmed) on the establishment; null for an auditor" })
  priceAnomalies: number | null;

  @ApiProperty({ format: 'date-time' })
  generatedAt: string;
}

export class ControlPlanRowDto {
  @ApiProperty()
  rank: number;

  @ApiProperty()
  providerSiret: string;

  @ApiProperty({ type: String, nullable: true })
  providerName: string | null;

  @ApiProperty({ description: "The caller's amount funded in the last 12 months" })
  amountFunded: number;

  @ApiProperty()
  actions: number;

  @ApiProperty({ type: Number, nullable: true })
  riskScore: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'riskScore x amountFunded' })
  priority: number | null;

  @ApiProperty({ type: ProfileDto, nullable: true })
  profile: ProfileDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastVisibleCheckAt: string | null;

  @ApiProperty({ enum: PLAN_REASONS, isArray: true })
  reasons: (typeof PLAN_REASONS)[number][];
}

export class ControlPlanDto {
  @ApiProperty()
  windowMonths: number;

  @ApiProperty()
  fundingWindowMonths: number;

  @ApiProperty()
  coveredProviders: number;

  @ApiProperty({ type: [ControlPlanRowDto] })
  rows: ControlPlanRowDto[];
}

export class CoverageProvenanceDto {
  @ApiProperty()
  own: number;

  @ApiProperty()
  visible: number;

  @ApiProperty()
  reliance: number;
}

export class ControlCoverageDto {
  @ApiProperty()
  windowMonths: number;

  @ApiProperty()
  actions: number;

  @ApiProperty()
  amount: number;

  @ApiProperty()
  coveredActions: number;

  @ApiProperty()
  coveredAmount: number;

  @ApiProperty({ type: Number, nullable: true })
  share: number | null;

  @ApiProperty()
  byProvenance: CoverageProvenanceDto;
}
