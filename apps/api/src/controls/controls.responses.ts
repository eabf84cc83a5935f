import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import {
  ACTION_CATEGORIES,
  CHECK_METHODS,
  CHECK_STATES,
  DUPLICATE_DECISIONS,
  GRADES,
  SCOPE_FLAGS,
} from '@bo/controls';
import type {
  ActionCategory,
  CheckMethod,
  CheckSample,
  CheckState,
  CheckVersionView,
  CorrectiveActionView,
  EvidencePurpose,
  EvidenceView,
  FindingRevisionView,
  FindingView,
  FrameworkKind,
  FrameworkPointView,
  FrameworkSummary,
  FrameworkView,
  Grade,
  MappedGradesView,
  MappingView,
  Outcome,
  ReceiptChangeView,
} from '@bo/controls';
import { FREE_OBJECT, PageOf } from '../openapi/responses';

const OUTCOMES: Outcome[] = ['COMPLIANT', 'COMPLIANT_WITH_RESERVATIONS', 'NON_COMPLIANT'];
const PURPOSES: EvidencePurpose[] = ['FINDING', 'PROVIDER_RESPONSE', 'CORRECTIVE_FOLLOW_UP'];
const FRAMEWORK_KINDS: FrameworkKind[] = ['RNQ', 'SERVICE_FAIT', 'FUNDER_GRID'];
const BY_CATEGORY = 'Keyed by action category (TRAINING, SKILLS_ASSESSMENT, VAE, APPRENTICESHIP)';

// Frameworks

export class FrameworkSummaryDto implements FrameworkSummary {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'RNQ' })
  code: string;

  @ApiProperty()
  version: number;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: FRAMEWORK_KINDS, enumName: 'FrameworkKind' })
  kind: FrameworkKind;

  @ApiProperty({ description: "True for the caller's own grid; false for a built-in framework" })
  owned: boolean;

  @ApiProperty()
  pointCount: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class FrameworkPointViewDto implements FrameworkPointView {
  @ApiProperty({ example: '1', description: 'Point code (the RNQ indicator number)' })
  code: string;

  @ApiProperty()
  position: number;

  @ApiProperty({ type: String, nullable: true, description: 'Group (the RNQ criterion)' })
  group: string | null;

  @ApiProperty()
  title: string;

  @ApiProperty({ ...FREE_OBJECT, description: 'Grading rules of the point (e.g. majorOnly)' })
  rules: Record<string, unknown>;
}

export class FrameworkGradingDto {
  @ApiProperty({ enum: GRADES, enumName: 'Grade', isArray: true })
  grades: Grade[];

  @ApiPropertyOptional({ description: 'Minor non-conformities from which the outcome is NON_COMPLIANT' })
  minorThreshold?: number;
}

@ApiExtraModels(FrameworkGradingDto)
export class FrameworkDto extends FrameworkSummaryDto implements FrameworkView {
  @ApiProperty({
    description: 'Grades of the framework: the list of grades (RNQ), or the grades with the minor-NC threshold (service fait, funder grids)',
    oneOf: [{ type: 'array', items: { type: 'string', enum: [...GRADES] } }, { $ref: getSchemaPath(FrameworkGradingDto) }],
  })
  grading: unknown;

  @ApiProperty({ type: String, nullable: true })
  source: string | null;

  @ApiProperty({ type: [FrameworkPointViewDto] })
  points: FrameworkPointViewDto[];
}

export class FrameworkIdDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  code: string;

  @ApiProperty()
  version: number;
}

export class PointMappingViewDto {
  @ApiProperty()
  sourceCode: string;

  @ApiProperty()
  targetCode: string;
}

export class MappingDto implements MappingView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  title: string | null;

  @ApiProperty()
  source: FrameworkIdDto;

  @ApiProperty()
  target: FrameworkIdDto;

  @ApiProperty({ type: [PointMappingViewDto] })
  pairs: PointMappingViewDto[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

// Checks

export class FindingViewDto implements FindingView {
  @ApiProperty()
  pointCode: string;

  @ApiProperty({ enum: GRADES, enumName: 'Grade' })
  grade: Grade;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty({ type: [String], description: 'Evidence ids of the check' })
  evidenceRefs: string[];

  @ApiProperty({ format: 'uuid' })
  recordedBy: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;
}

export class ScopeContextViewDto {
  @ApiPropertyOptional({ enum: ACTION_CATEGORIES, enumName: 'ActionCategory', isArray: true })
  categories?: ActionCategory[];

  @ApiPropertyOptional({ ...FREE_OBJECT, description: `${BY_CATEGORY}: flags set by the officer (${SCOPE_FLAGS.join(', ')})` })
  flags?: Record<string, unknown>;
}

export class PointApplicabilityDto {
  @ApiProperty()
  applicable: boolean;

  @ApiPropertyOptional({ description: 'French, shown to users; present when not applicable' })
  reason?: string;
}

@ApiExtraModels(PointApplicabilityDto)
export class PointScopeDto extends PointApplicabilityDto {
  @ApiPropertyOptional({ type: 'object', description: BY_CATEGORY, additionalProperties: { $ref: getSchemaPath(PointApplicabilityDto) } })
  byCategory?: Record<string, PointApplicabilityDto>;
}

export class ScopeCountsDto {
  @ApiProperty()
  total: number;

  @ApiProperty()
  applicable: number;

  @ApiProperty()
  notApplicable: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: `${BY_CATEGORY}: applicable points` })
  byCategory: Record<string, number>;
}

@ApiExtraModels(PointScopeDto)
export class StoredScopeDto {
  @ApiProperty({ enum: ACTION_CATEGORIES, enumName: 'ActionCategory', isArray: true })
  categories: ActionCategory[];

  @ApiProperty({ enum: ['LINKED_ACTIONS', 'CERTIFIED', 'CHOSEN', 'NONE'], description: 'Where the categories come from' })
  categorySource: string;

  @ApiProperty({ ...FREE_OBJECT, description: `${BY_CATEGORY}: { ${SCOPE_FLAGS.join(', ')} } as booleans` })
  flags: unknown;

  @ApiProperty({ ...FREE_OBJECT, description: `${BY_CATEGORY}: the source of each flag (SET, IMPLIED, DEFAULT)` })
  flagSources: unknown;

  @ApiProperty({ type: 'object', description: 'Keyed by point code: whether it applies and why not', additionalProperties: { $ref: getSchemaPath(PointScopeDto) } })
  points: Record<string, PointScopeDto>;

  @ApiProperty()
  counts: ScopeCountsDto;

  @ApiPropertyOptional({ description: "True when the categories are only a proposal (the provider's certified categories: no linked action, no officer choice)" })
  categoriesProposed?: boolean;
}

export class CheckActionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['LINKED', 'SAMPLE'] })
  source: 'LINKED' | 'SAMPLE';
}

export class CheckContactDto {
  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;
}

export class DuplicateDecisionViewDto {
  @ApiProperty({ enum: DUPLICATE_DECISIONS })
  decision: (typeof DUPLICATE_DECISIONS)[number];

  @ApiProperty()
  reason: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'The visible checks the decision was about' })
  checkIds: string[];
}

/** The recorded seeded draw of the provider's funded actions (POST /checks/{id}/sample). */
export class CheckSampleDto implements CheckSample {
  @ApiProperty({ description: 'Name and version of the drawing algorithm' })
  algorithm: string;

  @ApiProperty({ description: 'Unsigned 32-bit seed: the same seed draws the same sample' })
  seed: number;

  @ApiProperty({ description: 'Size asked for' })
  requested: number;

  @ApiProperty({ description: "Size of the population drawn from (the provider's funded actions)" })
  population: number;

  @ApiProperty({ type: String, enum: ['category'], nullable: true })
  stratifyBy: 'category' | null;

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, nullable: true, description: 'Per stratum (a stratified draw): its key, population and drawn count' })
  strata: { key: string; population: number; drawn: number }[] | null;

  @ApiProperty({ type: [String], description: 'The drawn funded actions, in draw order' })
  actionIds: string[];

  @ApiProperty({ format: 'date-time' })
  drawnAt: string;

  @ApiProperty({ format: 'uuid' })
  drawnBy: string;
}

/** One change of the recorded receipt date (its first recording has no reason, a correction has one). */
export class ReceiptChangeDto implements ReceiptChangeView {
  @ApiProperty({ description: 'Version of the check' })
  revision: number;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  previousReceivedOn: string | null;

  @ApiProperty({ format: 'date' })
  receivedOn: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  previousDueAt: string | null;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'Why the date was corrected (null: first recording)' })
  reason: string | null;

  @ApiProperty({ format: 'uuid' })
  changedBy: string;

  @ApiProperty({ format: 'date-time' })
  changedAt: string;
}

/** A finding revised after the provider's response: the reason, the response it follows, before and after. */
export class FindingRevisionViewDto implements FindingRevisionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Version of the check' })
  revision: number;

  @ApiProperty()
  pointCode: string;

  @ApiProperty({ format: 'uuid', description: 'The provider response the revision follows' })
  responseId: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ type: FindingViewDto })
  before: FindingViewDto;

  @ApiProperty({ type: FindingViewDto })
  after: FindingViewDto;

  @ApiProperty({ format: 'uuid' })
  revisedBy: string;

  @ApiProperty({ format: 'date-time' })
  revisedAt: string;
}

export class CheckProcedureDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  notifiedAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  providerReceivedOn: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  responseDueAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Path of the notification letter (PDF)' })
  notificationLetter: string | null;

  @ApiPropertyOptional({ type: () => [ReceiptChangeDto], description: 'Receipt date recorded then corrected, with the reasons, oldest first' })
  receiptChanges?: ReceiptChangeDto[];
}

/** The fields of a check shared by the list and the detail. */
export class CheckSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty()
  providerSiret: string;

  @ApiProperty({ type: String, nullable: true })
  providerNda: string | null;

  @ApiProperty({ enum: CHECK_METHODS, enumName: 'CheckMethod' })
  method: CheckMethod;

  @ApiProperty()
  framework: FrameworkIdDto;

  @ApiProperty({ enum: CHECK_STATES, enumName: 'CheckState' })
  state: CheckState;

  @ApiProperty({ enum: OUTCOMES, enumName: 'Outcome', nullable: true })
  outcome: Outcome | null;

  @ApiProperty()
  scopeContext: ScopeContextViewDto;

  @ApiProperty({ type: [CheckActionDto] })
  actions: CheckActionDto[];

  @ApiProperty({ type: () => CheckSampleDto, nullable: true, description: 'The recorded draw: seed, algorithm, strata, drawn ids' })
  sample: CheckSampleDto | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  assigneeId: string | null;

  @ApiProperty()
  contact: CheckContactDto;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  completedBy: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  createdBy: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ description: 'ETag counter of the working copy (If-Match)' })
  version: number;

  @ApiProperty({ description: 'Version number of the check itself: 1, then n+1 per amendment' })
  revision: number;

  @ApiProperty({ type: String, nullable: true })
  amendmentReason: string | null;

  @ApiProperty()
  jointServiceFait: boolean;

  @ApiProperty({ type: () => DuplicateDecisionViewDto, nullable: true, description: "Why the check was drafted although other organisations' recent checks were visible" })
  duplicateDecision: DuplicateDecisionViewDto | null;

  @ApiProperty()
  procedure: CheckProcedureDto;
}

export class CheckDto extends CheckSummaryDto {
  @ApiProperty()
  scope: StoredScopeDto;

  @ApiProperty({ type: [FindingViewDto] })
  findings: FindingViewDto[];

  @ApiPropertyOptional({ type: [FindingRevisionViewDto], description: "Finding revisions after the provider's response, with reason and the response they follow" })
  findingRevisions?: FindingRevisionViewDto[];
}

export class CheckListItemDto extends CheckSummaryDto {
  @ApiProperty()
  scopeCounts: ScopeCountsDto;

  @ApiPropertyOptional({ type: [FindingRevisionViewDto], description: "Finding revisions after the provider's response" })
  findingRevisions?: FindingRevisionViewDto[];
}

export class CheckPageDto extends PageOf(CheckListItemDto) {}

export class MappedSourceGradeDto {
  @ApiProperty()
  code: string;

  @ApiProperty({ enum: GRADES, enumName: 'Grade', nullable: true })
  grade: Grade | null;
}

export class MappedPointDto {
  @ApiProperty()
  code: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: GRADES, enumName: 'Grade', nullable: true })
  grade: Grade | null;

  @ApiProperty({ type: [MappedSourceGradeDto] })
  sources: MappedSourceGradeDto[];
}

export class MappedTargetDto extends FrameworkIdDto {
  @ApiProperty()
  title: string;
}

export class MappingTitleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  title: string | null;
}

export class MappedGradesDto implements MappedGradesView {
  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty()
  mapping: MappingTitleDto;

  @ApiProperty()
  target: MappedTargetDto;

  @ApiProperty({ type: [MappedPointDto] })
  points: MappedPointDto[];
}

// Procedure, evidence, corrective actions, versions

export class ProviderResponseViewDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  revision: number;

  @ApiProperty()
  text: string;

  @ApiProperty({ type: [String] })
  evidenceIds: string[];

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ description: 'Received after the response window closed' })
  late: boolean;

  @ApiProperty({ format: 'uuid' })
  recordedBy: string;
}

export class EvidenceDto implements EvidenceView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty({ enum: ['FILE', 'RECORD'] })
  kind: 'FILE' | 'RECORD';

  @ApiProperty({ enum: PURPOSES, enumName: 'EvidencePurpose' })
  purpose: EvidencePurpose;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the bytes (files)' })
  sha256: string | null;

  @ApiProperty({ type: Number, nullable: true })
  size: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Sniffed from the bytes' })
  mediaType: string | null;

  @ApiProperty({ type: String, nullable: true })
  fileName: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Reference of a record (RECORD evidence)' })
  recordReference: string | null;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty()
  personalData: boolean;

  @ApiProperty({ format: 'uuid' })
  uploadedBy: string;

  @ApiProperty({ format: 'date-time' })
  uploadedAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'Download path (files)' })
  download: string | null;
}

export class CreatedFollowUpDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() note: string;
  @ApiProperty({ type: [String] }) evidenceIds: string[];
  @ApiProperty({ format: 'uuid' }) recordedBy: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ format: 'uuid' }) correctiveActionId: string;
}

export class FollowUpViewDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  note: string;

  @ApiProperty({ type: [String] })
  evidenceIds: string[];

  @ApiProperty({ format: 'uuid' })
  recordedBy: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;
}

export class CorrectiveActionDto implements CorrectiveActionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty()
  revision: number;

  @ApiProperty()
  pointCode: string;

  @ApiProperty({ enum: ['MINOR_NC', 'MAJOR_NC'] })
  grade: 'MINOR_NC' | 'MAJOR_NC';

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ enum: ['OPEN', 'CLOSED'] })
  status: 'OPEN' | 'CLOSED';

  @ApiProperty({ description: 'Computed from the clock, never stored' })
  overdue: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  closedBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  closureNote: string | null;

  @ApiProperty({ type: [FollowUpViewDto] })
  followUps: FollowUpViewDto[];
}

export class CheckVersionSummaryDto {
  @ApiProperty()
  revision: number;

  @ApiProperty({ enum: OUTCOMES, enumName: 'Outcome' })
  outcome: string;

  @ApiProperty({ format: 'date-time' })
  completedAt: string;

  @ApiProperty({ type: String, nullable: true })
  amendmentReason: string | null;

  @ApiProperty({ description: 'SHA-256 of the frozen snapshot' })
  snapshotSha256: string;
}

export class CheckVersionDto implements CheckVersionView {
  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty()
  revision: number;

  @ApiProperty({ enum: CHECK_STATES, enumName: 'CheckState' })
  state: CheckVersionView['state'];

  @ApiProperty({ description: 'True for a completed version (its snapshot never changes)' })
  frozen: boolean;

  @ApiProperty({ type: String, nullable: true, enum: OUTCOMES })
  outcome: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  amendmentReason: string | null;

  @ApiProperty({ type: String, nullable: true })
  snapshotSha256: string | null;

  @ApiProperty({ ...FREE_OBJECT, description: 'The check as frozen at completion (the working copy for a draft): the shape of CheckDto' })
  snapshot: unknown;
}
