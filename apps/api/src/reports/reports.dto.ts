import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { PageQuery } from '@bo/core';
import { CASE_OUTCOMES, CLAIM_KINDS, HANDLING_STATUSES, NARRATIVE_MAX, REPORT_STATUSES } from '@bo/reports';
import type { CaseOutcome, ClaimKind, HandlingStatus } from '@bo/reports';

export class ClaimDto {
  @ApiProperty({ enum: CLAIM_KINDS, enumName: 'ClaimKind' })
  @IsIn(CLAIM_KINDS)
  kind: ClaimKind;

  @ApiProperty({ description: 'RNQ indicator (1-32), service-fait point (SF-01...) or confirmed anomaly id', example: '11' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  code: string;
}

export class CreateReportDto {
  @ApiProperty({ example: '73282932000074' })
  @Matches(/^\d{14}$/)
  providerSiret: string;

  @ApiPropertyOptional({ description: 'The NDA, when the establishment holds several' })
  @IsOptional()
  @Matches(/^\d{11}$/)
  providerNda?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 300)
  title: string;

  @ApiPropertyOptional({ type: [ClaimDto] })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ClaimDto)
  claims?: ClaimDto[];

  @ApiPropertyOptional({ description: `The narrative (200 to ${NARRATIVE_MAX} characters at submission)` })
  @IsOptional()
  @IsString()
  @MaxLength(NARRATIVE_MAX)
  narrative?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The provider's certifier, when the registry does not record it" })
  @IsOptional()
  @IsUUID()
  certifierId?: string;
}

export class UpdateReportDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 300)
  title?: string;

  @ApiPropertyOptional({ type: [ClaimDto] })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ClaimDto)
  claims?: ClaimDto[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(NARRATIVE_MAX)
  narrative?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  certifierId?: string | null;
}

export class AddGroundDto {
  @ApiProperty({ enum: ['CHECK_VERSION', 'PRICE_ANOMALY'] })
  @IsIn(['CHECK_VERSION', 'PRICE_ANOMALY'])
  kind: 'CHECK_VERSION' | 'PRICE_ANOMALY';

  @ApiPropertyOptional({ format: 'uuid', description: 'CHECK_VERSION: the check' })
  @ValidateIf((o: AddGroundDto) => o.kind === 'CHECK_VERSION')
  @IsUUID()
  checkId?: string;

  @ApiPropertyOptional({ description: 'CHECK_VERSION: the completed version to pin' })
  @ValidateIf((o: AddGroundDto) => o.kind === 'CHECK_VERSION')
  @Type(() => Number)
  @IsInt()
  @Min(1)
  revision?: number;

  @ApiPropertyOptional({ description: "CHECK_VERSION: include personal-data evidence, on this legal ground (the check owner's manager only)" })
  @IsOptional()
  @IsString()
  @Length(10, 1000)
  personalDataLegalGround?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'PRICE_ANOMALY: a confirmed anomaly of the caller' })
  @ValidateIf((o: AddGroundDto) => o.kind === 'PRICE_ANOMALY')
  @IsUUID()
  anomalyId?: string;
}

export class InviteCosignerDto {
  @ApiProperty({ format: 'uuid', description: 'A funder that funds or has checked the provider' })
  @IsUUID()
  organisationId: string;
}

export class ReportListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['csv'], description: 'The whole filtered list as a CSV file' })
  @IsOptional()
  @IsIn(['csv'])
  format?: 'csv';

  @ApiPropertyOptional({ enum: REPORT_STATUSES })
  @IsOptional()
  @IsIn(REPORT_STATUSES)
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\d{14}$/)
  providerSiret?: string;
}

export class ReportIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class CaseParams extends ReportIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;
}

export class CosignerParams extends ReportIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  orgId: string;
}

export class ReportExportQuery {
  @ApiProperty({ enum: ['pdf', 'json'] })
  @IsIn(['pdf', 'json'])
  format: 'pdf' | 'json';
}

export class AnswerDto {
  @ApiProperty()
  @IsString()
  @Length(1, 20_000)
  text: string;
}

export class InboxListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['csv'], description: 'The whole filtered list as a CSV file' })
  @IsOptional()
  @IsIn(['csv'])
  format?: 'csv';

  @ApiPropertyOptional({ enum: HANDLING_STATUSES })
  @IsOptional()
  @IsIn(HANDLING_STATUSES)
  status?: HandlingStatus;
}

export class RequestInfoDto {
  @ApiProperty({ description: 'What the funder is asked' })
  @IsString()
  @Length(1, 5000)
  text: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Deadline of the answer (default: 15 days)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  dueAt?: string;
}

export class ForwardDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class CloseCaseDto {
  @ApiProperty({ enum: CASE_OUTCOMES.filter((o) => o !== 'FORWARDED_TO_CERTIFIER'), description: 'A certifier: ON_SITE_AUDIT, SUSPENSION, WITHDRAWAL, NO_ACTION; a control service: ACTION_TAKEN, NO_ACTION' })
  @IsIn(CASE_OUTCOMES.filter((o) => o !== 'FORWARDED_TO_CERTIFIER'))
  outcome: CaseOutcome;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
