import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '@bo/core';
import { ACTION_CATEGORIES, type ActionCategory, CHECK_METHODS, DUPLICATE_DECISIONS, type DuplicateDecision, CHECK_STATES, type CheckMethod, type CheckState, GRADES, type Grade, type ScopeFlags } from '@bo/controls';

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class FrameworkPointDto {
  @ApiProperty({ example: 'G1' })
  @Matches(CODE)
  code: string;

  @ApiProperty()
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  group?: string;

  @ApiPropertyOptional({ description: 'The point can only give rise to a major non-conformity' })
  @IsOptional()
  @IsBoolean()
  majorOnly?: boolean;
}

export class GradingDto {
  @ApiPropertyOptional({ description: 'Minor non-conformities that make a check non-compliant', default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  minorThreshold?: number;
}

export class CreateFrameworkDto {
  @ApiProperty({ example: 'GRILLE-ATLAS' })
  @Matches(CODE)
  code: string;

  @ApiProperty()
  @IsString()
  @Length(1, 300)
  title: string;

  @ApiProperty({ type: [FrameworkPointDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => FrameworkPointDto)
  points: FrameworkPointDto[];

  @ApiPropertyOptional({ type: GradingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => GradingDto)
  grading?: GradingDto;

  @ApiPropertyOptional({ description: 'Where the grid comes from' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  source?: string;
}

export class FrameworkRefDto {
  @ApiProperty({ example: 'RNQ' })
  @Matches(CODE)
  code: string;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  version: number;
}

export class PointMappingDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  sourceCode: string;

  @ApiProperty()
  @IsString()
  @Length(1, 64)
  targetCode: string;
}

export class CreateMappingDto {
  @ApiProperty({ type: FrameworkRefDto })
  @ValidateNested()
  @Type(() => FrameworkRefDto)
  source: FrameworkRefDto;

  @ApiProperty({ type: FrameworkRefDto })
  @ValidateNested()
  @Type(() => FrameworkRefDto)
  target: FrameworkRefDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 300)
  title?: string;

  @ApiProperty({ type: [PointMappingDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @ValidateNested({ each: true })
  @Type(() => PointMappingDto)
  pairs: PointMappingDto[];
}

export class ScopeContextDto {
  @ApiPropertyOptional({ enum: ACTION_CATEGORIES, isArray: true, description: 'Used when no funded action is linked' })
  @IsOptional()
  @ArrayUnique()
  @IsIn(ACTION_CATEGORIES, { each: true })
  categories?: ActionCategory[];

  @ApiPropertyOptional({
    description: 'Flags set per category: certifying, alternance, workSituation, subcontracting (true/false)',
    example: { TRAINING: { subcontracting: false } },
  })
  @IsOptional()
  @IsObject()
  flags?: Partial<Record<ActionCategory, Partial<ScopeFlags>>>;
}

export class ContactDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

export class DuplicateDecisionDto {
  @ApiProperty({ enum: DUPLICATE_DECISIONS, description: 'Reuse the visible checks, complement them, or re-check' })
  @IsIn(DUPLICATE_DECISIONS)
  decision: DuplicateDecision;

  @ApiProperty({ maxLength: 2000, description: 'Why, in a sentence' })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/)
  reason: string;
}

export class CreateCheckDto {
  @ApiProperty({ example: '13002526500013' })
  @Matches(/^[0-9]{14}$/)
  providerSiret: string;

  @ApiPropertyOptional({ example: '11755555575' })
  @IsOptional()
  @Matches(/^[0-9]{11}$/)
  providerNda?: string;

  @ApiPropertyOptional({ type: [String], description: "The caller's funded actions of this provider" })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  actionIds?: string[];

  @ApiProperty({ enum: CHECK_METHODS })
  @IsIn(CHECK_METHODS)
  method: CheckMethod;

  @ApiPropertyOptional({ type: FrameworkRefDto, description: 'Defaults to RNQ version 1' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FrameworkRefDto)
  framework?: FrameworkRefDto;

  @ApiPropertyOptional({ type: ScopeContextDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScopeContextDto)
  scopeContext?: ScopeContextDto;

  @ApiPropertyOptional({ description: 'An officer, manager or auditor of the organisation' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ type: ContactDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto;

  @ApiPropertyOptional({ description: 'Run the service-fait checklist in the same control (its points join the check)' })
  @IsOptional()
  @IsBoolean()
  jointServiceFait?: boolean;

  @ApiPropertyOptional({ type: DuplicateDecisionDto, description: 'Required (409 CHECK.DUPLICATE_CONTROL otherwise) when recent checks of the provider by other organisations are visible' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DuplicateDecisionDto)
  duplicateDecision?: DuplicateDecisionDto;
}

/** The editable fields of a draft check: those of creation but the provider's SIRET, the framework and the duplicate decision. */
export class UpdateCheckDto extends PartialType(OmitType(CreateCheckDto, ['providerSiret', 'framework', 'duplicateDecision'] as const)) {}

export class SampleDto {
  @ApiProperty({ minimum: 1, maximum: 10000 })
  @IsInt()
  @Min(1)
  @Max(10000)
  size: number;

  @ApiPropertyOptional({ description: 'Unsigned 32-bit integer; drawn at random when absent, and recorded' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(0xffffffff)
  seed?: number;

  @ApiPropertyOptional({ enum: ['category'] })
  @IsOptional()
  @IsIn(['category'])
  stratifyBy?: 'category';
}

export class FindingDto {
  @ApiProperty({ enum: GRADES })
  @IsIn(GRADES)
  grade: Grade;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  comment?: string;

  @ApiPropertyOptional({ type: [String], description: 'Record references (file evidence comes later)' })
  @IsOptional()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 500, { each: true })
  evidenceRefs?: string[];
}

export class FindingRevisionDto extends FindingDto {
  @ApiProperty({ description: 'Why the finding changes after the response (e.g. the proof the provider sent)' })
  @IsString()
  @Length(1, 5000)
  reason: string;

  @ApiProperty({ description: "The provider's response this revision follows (GET /checks/{id}/provider-responses)", format: 'uuid' })
  @IsUUID()
  responseId: string;
}

export class CheckListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CHECK_STATES })
  @IsOptional()
  @IsIn(CHECK_STATES)
  state?: CheckState;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[0-9]{14}$/)
  providerSiret?: string;

  @ApiPropertyOptional({ description: "The provider's response is due on or after this date (YYYY-MM-DD, Europe/Paris)", example: '2026-11-01' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'responseDueAfter must be a date YYYY-MM-DD' })
  responseDueAfter?: string;

  @ApiPropertyOptional({ description: "The provider's response is due on or before this date (YYYY-MM-DD, Europe/Paris)", example: '2026-12-31' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'responseDueBefore must be a date YYYY-MM-DD' })
  responseDueBefore?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: awaiting the response past its due date (notified, not responded); false: the others' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ description: "The check's owner: a user id, `me` (the caller) or `none` (no owner)", example: 'me' })
  @IsOptional()
  @Matches(/^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, { message: 'assignee must be a user id, me or none' })
  assignee?: string;
}

export class NotifyDto {
  @ApiPropertyOptional({ description: 'Date the provider received the notification (YYYY-MM-DD); opens the response window', example: '2026-11-20' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'receivedOn must be a date YYYY-MM-DD' })
  receivedOn?: string;
}

export class ReceiptDto {
  @ApiProperty({ description: 'Date the provider received the notification (YYYY-MM-DD)', example: '2026-11-20' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'receivedOn must be a date YYYY-MM-DD' })
  receivedOn: string;
}

export class ReceiptCorrectionDto extends ReceiptDto {
  @ApiProperty({ description: 'Why the recorded receipt date was wrong (kept in the check and the audit trail)' })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class ProviderResponseDto {
  @ApiProperty({ description: "The provider's observations" })
  @IsString()
  @Length(1, 20000)
  text: string;

  @ApiPropertyOptional({ type: [String], description: 'Evidence of this check (uploaded with purpose PROVIDER_RESPONSE)' })
  @IsOptional()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  evidenceIds?: string[];

  @ApiPropertyOptional({ description: 'When the answer reached you; defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  receivedAt?: string;
}

export class RecordEvidenceDto {
  @ApiProperty({ description: 'Reference of a record (a register entry, an information-system id...)', example: 'EDOF-2026-000123' })
  @IsString()
  @Length(1, 500)
  reference: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  description?: string;

  @ApiProperty({ description: 'Holds personal data: never leaves the owning funder' })
  @IsBoolean()
  personalData: boolean;

  @ApiPropertyOptional({ enum: ['FINDING', 'PROVIDER_RESPONSE', 'CORRECTIVE_FOLLOW_UP'], default: 'FINDING' })
  @IsOptional()
  @IsIn(['FINDING', 'PROVIDER_RESPONSE', 'CORRECTIVE_FOLLOW_UP'])
  purpose?: 'FINDING' | 'PROVIDER_RESPONSE' | 'CORRECTIVE_FOLLOW_UP';
}

export class AmendmentDto {
  @ApiProperty({ description: 'Why the completed check is amended' })
  @IsString()
  @Length(3, 2000)
  reason: string;
}

export class FollowUpDto {
  @ApiProperty()
  @IsString()
  @Length(1, 5000)
  note: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  evidenceIds?: string[];
}

export class CloseCorrectiveActionDto {
  @ApiProperty()
  @IsString()
  @Length(1, 5000)
  note: string;
}

export class ExportQuery {
  @ApiProperty({ enum: ['pdf', 'json'] })
  @IsIn(['pdf', 'json'])
  format: 'pdf' | 'json';

  @ApiPropertyOptional({ description: 'Version number; defaults to the current one' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}
