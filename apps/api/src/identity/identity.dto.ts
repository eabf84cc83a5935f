import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { API_KEY_SCOPES, ApiKeyScope, ROLES, Role } from '@bo/access';
import { PageQuery } from '@bo/core';

export class LoginDto {
  @ApiProperty({ example: 'officer@opco-atlas.demo' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(20, 200)
  refreshToken: string;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  displayName: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Role[];

  @ApiPropertyOptional({ description: 'At least 12 characters; omit for single sign-on only' })
  @IsOptional()
  @IsString()
  @Length(12, 200)
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class UserListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the e-mail or name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'SI financements — import nocturne' })
  @IsString()
  @Length(1, 200)
  label: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];
}

export class CreateOrganisationDto {
  @ApiProperty({ example: 'CERT-AFNOR' })
  @Matches(/^[A-Z0-9][A-Z0-9-]{1,39}$/)
  code: string;

  @ApiProperty({ enum: ['FUNDER', 'MANDATED_BODY', 'CONTROL_SERVICE', 'CERTIFIER'] })
  @IsIn(['FUNDER', 'MANDATED_BODY', 'CONTROL_SERVICE', 'CERTIFIER'])
  kind: 'FUNDER' | 'MANDATED_BODY' | 'CONTROL_SERVICE' | 'CERTIFIER';

  @ApiPropertyOptional({ enum: ['OPCO', 'CDC', 'REGION', 'FRANCE_TRAVAIL', 'AGEFIPH', 'TRANSITIONS_PRO', 'STATE', 'FAF', 'OTHER'] })
  @IsOptional()
  @IsIn(['OPCO', 'CDC', 'REGION', 'FRANCE_TRAVAIL', 'AGEFIPH', 'TRANSITIONS_PRO', 'STATE', 'FAF', 'OTHER'])
  funderKind?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 300)
  name: string;

  @ApiPropertyOptional({ description: '2-digit INSEE region code' })
  @IsOptional()
  @Matches(/^\d{2}$/)
  region?: string;

  @ApiPropertyOptional({ type: CreateUserDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CreateUserDto)
  firstAdmin?: CreateUserDto;
}

export class OrganisationListQuery {
  @ApiPropertyOptional({ enum: ['FUNDER', 'MANDATED_BODY', 'CONTROL_SERVICE', 'CERTIFIER', 'PLATFORM'] })
  @IsOptional()
  @IsIn(['FUNDER', 'MANDATED_BODY', 'CONTROL_SERVICE', 'CERTIFIER', 'PLATFORM'])
  kind?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actorId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601()
  to?: string;
}
