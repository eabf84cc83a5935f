import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsDateString, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '@bo/core';
import { CERTIFICATION_CATEGORIES, CertificationCategory } from '@bo/registry';
import { FUNDING_CHECK_BULK_MAX } from '@bo/controls';

export class ProviderListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'A SIRET, SIREN or NDA (exact) or part of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class FundingCheckQuery {
  @ApiProperty({ enum: CERTIFICATION_CATEGORIES })
  @IsIn(CERTIFICATION_CATEGORIES)
  category: CertificationCategory;

  @ApiPropertyOptional({ description: 'The funding decision date (YYYY-MM-DD); today when omitted' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  date?: string;

  @ApiPropertyOptional({ description: 'Judge this NDA only (when the action names one)' })
  @IsOptional()
  @Matches(/^\d{11}$/)
  nda?: string;
}

export class RecordCertificationDto {
  @ApiProperty({ description: 'Certified for the category (false records a withdrawal or refusal)' })
  @IsBoolean()
  certified: boolean;

  // No `source`: the server sets it from who writes (a body naming one is refused, 400).
  @ApiPropertyOptional({ description: "Who certified (or withdrew): the certifier's name. Required of the platform; a certifier's own name is used for its entries" })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  certifier?: string;

  @ApiPropertyOptional({ description: 'Platform entries: SHA-256 of the document uploaded with POST /api/v1/providers/documents' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/)
  documentSha256?: string;

  @ApiPropertyOptional({ description: 'Day the state was observed (YYYY-MM-DD); today when omitted' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  observedOn?: string;

  @ApiPropertyOptional({ description: 'End of validity of the certificate (YYYY-MM-DD)' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  validUntil?: string;

  @ApiPropertyOptional({ description: 'Certificate number or decision reference' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reference?: string;

  @ApiPropertyOptional({ description: 'Required when the SIRET holds several NDAs' })
  @IsOptional()
  @Matches(/^\d{11}$/)
  nda?: string;
}

export class CreateExemptionDto {
  @ApiProperty({ enum: ['HIGHER_EDUCATION', 'NEW_CFA_GRACE'], description: 'L.6316-4 II (deemed certified) or R.6316-9 (new CFA, 6 months)' })
  @IsIn(['HIGHER_EDUCATION', 'NEW_CFA_GRACE'])
  kind: 'HIGHER_EDUCATION' | 'NEW_CFA_GRACE';

  @ApiProperty({ enum: CERTIFICATION_CATEGORIES, isArray: true })
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CERTIFICATION_CATEGORIES, { each: true })
  categories: CertificationCategory[];

  @ApiProperty({ description: 'YYYY-MM-DD' })
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  validFrom: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD; for NEW_CFA_GRACE, six months from validFrom when omitted' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  validUntil?: string;

  @ApiPropertyOptional({ description: 'Limit the exemption to one NDA of the SIRET; else it covers the SIREN' })
  @IsOptional()
  @Matches(/^\d{11}$/)
  nda?: string;

  @ApiPropertyOptional({ description: 'Defaults to the article of the kind' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  legalSource?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ImportFormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the line errors as CSV' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class SetCertifierDto {
  @ApiProperty({ description: 'The certifier organisation (kind CERTIFIER)' })
  @IsUUID()
  certifierId: string;

  @ApiProperty({ description: 'Where this was learnt (certificate number, the certifier\'s list...)' })
  @IsString()
  @Length(1, 500)
  source: string;
}

export class ImportListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['PUBLIC_LIST', 'ACTIONS'] })
  @IsOptional()
  @IsIn(['PUBLIC_LIST', 'ACTIONS'])
  kind?: 'PUBLIC_LIST' | 'ACTIONS';

  @ApiPropertyOptional({ enum: ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] })
  @IsOptional()
  @IsIn(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'])
  status?: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
}

/** One question of a bulk funding check (validated item by item by the service, so one bad item does not sink the others). */
export class FundingCheckItemDto {
  @ApiProperty({ description: 'The establishment (14 digits)', example: '79876543400211' })
  siret: string;

  @ApiPropertyOptional({ description: 'Judge this NDA only (11 digits)' })
  nda?: string;

  @ApiProperty({ enum: CERTIFICATION_CATEGORIES })
  category: CertificationCategory;

  @ApiPropertyOptional({ description: 'The funding decision date (YYYY-MM-DD); today when omitted' })
  date?: string;
}

export class BulkFundingCheckDto {
  @ApiProperty({ type: [FundingCheckItemDto], minItems: 1, maxItems: FUNDING_CHECK_BULK_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(FUNDING_CHECK_BULK_MAX)
  @Allow()
  items: unknown[];
}
