import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { DEFAULT_SHARE_MODES, SHARE_MODES, type ShareMode } from '@bo/access';

export class SharingSettingsDto {
  @ApiPropertyOptional({ enum: DEFAULT_SHARE_MODES, description: 'The share a check takes when it first completes' })
  @IsOptional()
  @IsIn(DEFAULT_SHARE_MODES)
  defaultMode?: 'PRIVATE' | 'POOL';

  @ApiPropertyOptional({ description: 'Pool shares reach only funders funding the provider in the last needToKnowYears years' })
  @IsOptional()
  @IsBoolean()
  needToKnow?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  needToKnowYears?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 120, description: "Other organisations' completed checks younger than this make a new check a duplicate" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  duplicateWindowMonths?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 120, description: 'A visible or relied-on check younger than this covers a provider (plan and coverage)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  planWindowMonths?: number;
}

export class ShareCheckDto {
  @ApiProperty({ enum: SHARE_MODES })
  @IsIn(SHARE_MODES)
  mode: ShareMode;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The named funders (mode NAMED)' })
  @IsOptional()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  funderIds?: string[];
}

export class CreateRelianceDto {
  @ApiProperty({ format: 'uuid', description: "Another organisation's completed check visible to the caller" })
  @IsUUID()
  checkId: string;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/)
  reason: string;
}

export class RelianceListQuery {
  @ApiPropertyOptional({ example: '13002526500013' })
  @IsOptional()
  @Matches(/^[0-9]{14}$/)
  providerSiret?: string;
}

export class CreateMandateDto {
  @ApiProperty({ format: 'uuid', description: 'An organisation of kind MANDATED_BODY' })
  @IsUUID()
  bodyId: string;

  @ApiProperty({ format: 'date', example: '2026-01-01' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  validFrom: string;

  @ApiPropertyOptional({ format: 'date', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  validUntil?: string | null;

  @ApiProperty({ maxLength: 500, description: 'The mandate document or decision it rests on' })
  @IsString()
  @Length(1, 500)
  @Matches(/\S/)
  reference: string;
}

export class EndMandateDto {
  @ApiPropertyOptional({ format: 'date', description: 'Last day of the mandate; today by default' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  validUntil?: string;
}

export class LeadClaimDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/)
  reason: string;
}

export class SettleClaimDto {
  @ApiProperty({ description: 'true: the claimant becomes lead funder; false: the claim is rejected' })
  @IsBoolean()
  grant: boolean;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/)
  note: string;
}

export class LeadClaimListQuery {
  @ApiPropertyOptional({ enum: ['GRANTED', 'PENDING', 'REJECTED', 'SUPERSEDED'] })
  @IsOptional()
  @IsIn(['GRANTED', 'PENDING', 'REJECTED', 'SUPERSEDED'])
  status?: 'GRANTED' | 'PENDING' | 'REJECTED' | 'SUPERSEDED';
}

export class DossierExportQuery {
  @ApiProperty({ enum: ['pdf', 'json'] })
  @IsIn(['pdf', 'json'])
  format: 'pdf' | 'json';
}

export class ControlPlanQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class RecomputeProfilesDto {
  @ApiPropertyOptional({ description: 'Recompute every provider, not only those touched since the last run' })
  @IsOptional()
  @IsBoolean()
  full?: boolean;
}
