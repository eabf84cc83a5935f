import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '@bo/core';
import { ANOMALY_KINDS, ANOMALY_STATUSES, JUSTIFICATION_GROUNDS } from '@bo/pricing';

const CATEGORIES = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'] as const;

export class PriceReferenceQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CATEGORIES })
  @IsOptional()
  @IsIn(CATEGORIES)
  category?: string;

  @ApiPropertyOptional({ description: 'RNCP or RS code, e.g. RNCP12345' })
  @IsOptional()
  @Matches(/^(RNCP|RS)\d{1,6}$/)
  certificationCode?: string;

  @ApiPropertyOptional({ description: 'Formacode (5 digits) or Formacode family (3 digits)' })
  @IsOptional()
  @Matches(/^\d{3}(\d{2})?$/)
  formacode?: string;

  @ApiPropertyOptional({ minimum: 2000, maximum: 2100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 4, description: '1 narrowest (certification, modality, region, year) to 4 widest (Formacode family)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  level?: number;
}

export class AnomalyListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ANOMALY_STATUSES })
  @IsOptional()
  @IsIn(ANOMALY_STATUSES)
  status?: (typeof ANOMALY_STATUSES)[number];

  @ApiPropertyOptional({ enum: ANOMALY_KINDS })
  @IsOptional()
  @IsIn(ANOMALY_KINDS)
  kind?: (typeof ANOMALY_KINDS)[number];

  @ApiPropertyOptional({ description: 'Provider SIRET' })
  @IsOptional()
  @Matches(/^\d{14}$/)
  providerSiret?: string;

  @ApiPropertyOptional({ description: 'Only anomalies the latest run still flags (true) or no longer flags (false)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class ReviewAnomalyDto {
  @ApiProperty({ enum: ['UNDER_REVIEW', 'JUSTIFIED', 'CONFIRMED'] })
  @IsIn(['UNDER_REVIEW', 'JUSTIFIED', 'CONFIRMED'])
  status!: 'UNDER_REVIEW' | 'JUSTIFIED' | 'CONFIRMED';

  @ApiPropertyOptional({ enum: JUSTIFICATION_GROUNDS, description: 'Required to justify: one of the four grounds of R.6316-6' })
  @IsOptional()
  @IsIn(JUSTIFICATION_GROUNDS)
  ground?: (typeof JUSTIFICATION_GROUNDS)[number];

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comment?: string;
}
