import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsInt, IsNumber, IsOptional, IsString, Length, Matches, Min, ValidateIf } from 'class-validator';
import { Transform } from 'class-transformer';
import { PageQuery } from '@bo/core';
import { ACTION_CATEGORIES, ACTION_MODALITIES, COVERAGE_STATES, REGION_CODES } from '@bo/registry';
import type { ActionCategory, ActionModality } from '@bo/registry';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The fields of a funded action; organisationId is never accepted (the caller's funder owns it). */
export class ActionFieldsDto {
  @ApiProperty({ example: '14600011200017', description: 'SIRET of the establishment (Luhn; La Poste exception)' })
  @IsString()
  @Length(14, 20)
  providerSiret: string;

  @ApiPropertyOptional({ example: '11755555575', nullable: true, description: 'NDA, to choose among the SIRET\'s NDAs' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(11, 14)
  providerNda?: string | null;

  @ApiProperty({ enum: ACTION_CATEGORIES })
  @IsIn(ACTION_CATEGORIES)
  category: ActionCategory;

  @ApiPropertyOptional({ example: 'RNCP37098', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(3, 20)
  certificationCode?: string | null;

  @ApiPropertyOptional({ example: '31054', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(5, 7)
  formacode?: string | null;

  @ApiProperty({ enum: ACTION_MODALITIES })
  @IsIn(ACTION_MODALITIES)
  modality: ActionModality;

  @ApiProperty({ enum: REGION_CODES, description: 'INSEE region code' })
  @IsIn(REGION_CODES)
  region: string;

  @ApiPropertyOptional({ example: '2025-03-01', nullable: true, description: 'Date of the funding decision (R.6316-8)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(ISO_DATE)
  @IsISO8601({ strict: true })
  fundingDecisionDate?: string | null;

  @ApiProperty({ example: '2025-04-01' })
  @Matches(ISO_DATE)
  @IsISO8601({ strict: true })
  startDate: string;

  @ApiPropertyOptional({ example: '2025-06-30', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(ISO_DATE)
  @IsISO8601({ strict: true })
  endDate?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  hoursPerTrainee?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(0)
  trainees?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, description: 'Total price excluding VAT, euros' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  priceExclVat?: number | null;

  @ApiProperty({ minimum: 0, description: 'Amount funded, euros' })
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  amountFunded: number;

  @ApiPropertyOptional({ example: '1486', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(/^\d{1,4}$/)
  branchIdcc?: string | null;
}

export class CreateActionDto extends ActionFieldsDto {
  @ApiProperty({ example: 'ACT-2025-0000001', description: 'Unique per funder: POST with an existing one updates it' })
  @IsString()
  @Length(1, 100)
  externalRef: string;
}

/** Every field optional; externalRef cannot change. */
export class PatchActionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(14, 20) providerSiret?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @Length(11, 14) providerNda?: string | null;
  @ApiPropertyOptional({ enum: ACTION_CATEGORIES }) @IsOptional() @IsIn(ACTION_CATEGORIES) category?: ActionCategory;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @Length(3, 20) certificationCode?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @Length(5, 7) formacode?: string | null;
  @ApiPropertyOptional({ enum: ACTION_MODALITIES }) @IsOptional() @IsIn(ACTION_MODALITIES) modality?: ActionModality;
  @ApiPropertyOptional({ enum: REGION_CODES }) @IsOptional() @IsIn(REGION_CODES) region?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @Matches(ISO_DATE) @IsISO8601({ strict: true }) fundingDecisionDate?: string | null;
  @ApiPropertyOptional() @IsOptional() @Matches(ISO_DATE) @IsISO8601({ strict: true }) startDate?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @Matches(ISO_DATE) @IsISO8601({ strict: true }) endDate?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) hoursPerTrainee?: number | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(0) trainees?: number | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) priceExclVat?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) amountFunded?: number;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @Matches(/^\d{1,4}$/) branchIdcc?: string | null;
}

export class ActionListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Provider SIRET' })
  @IsOptional()
  @Matches(/^\d{14}$/)
  providerSiret?: string;

  @ApiPropertyOptional({ enum: ACTION_CATEGORIES })
  @IsOptional()
  @IsIn(ACTION_CATEGORIES)
  category?: string;

  @ApiPropertyOptional({ enum: COVERAGE_STATES })
  @IsOptional()
  @IsIn(COVERAGE_STATES)
  coverage?: string;

  @ApiPropertyOptional({ enum: REGION_CODES })
  @IsOptional()
  @IsIn(REGION_CODES)
  region?: string;

  @ApiPropertyOptional({ description: 'Only actions whose payment is blocked (true) or not (false)', type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  paymentBlocked?: boolean;

  @ApiPropertyOptional({ description: 'Start date on or after (YYYY-MM-DD)' })
  @IsOptional()
  @Matches(ISO_DATE)
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Start date on or before (YYYY-MM-DD)' })
  @IsOptional()
  @Matches(ISO_DATE)
  @IsISO8601({ strict: true })
  to?: string;
}

