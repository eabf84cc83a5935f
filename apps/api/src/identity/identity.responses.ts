import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_KEY_SCOPES, ApiKeyScope, OrganisationKind, ROLES, Role } from '@bo/access';
import type { AuditCheckpoint, AuditEvent, ChainVerification } from '@bo/audit';
import type { PublicSigningKey } from '@bo/signing';
import type { ApiKeyView, OrganisationView, SsoConfigView, TokenPair, UserView } from '@bo/identity';
import { FREE_OBJECT, PageOf } from '../openapi/responses';

const ORGANISATION_KINDS: OrganisationKind[] = ['FUNDER', 'MANDATED_BODY', 'CONTROL_SERVICE', 'CERTIFIER', 'PLATFORM'];

export class TokenPairDto implements TokenPair {
  @ApiProperty({ description: 'JWT to send as `Authorization: Bearer ...`' })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Lifetime of the access token, in seconds', example: 900 })
  expiresIn: number;

  @ApiProperty({ description: 'Single-use: spend it once on POST /auth/refresh; a reuse revokes the family' })
  refreshToken: string;

  @ApiProperty({ format: 'date-time' })
  refreshExpiresAt: string;
}

export class UserDto implements UserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ example: 'claire.martin@atlas.example' })
  email: string;

  @ApiProperty({ example: 'Claire Martin' })
  displayName: string;

  @ApiProperty({ enum: ROLES, isArray: true, enumName: 'Role' })
  roles: Role[];

  @ApiProperty()
  disabled: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'ETag counter (If-Match)' })
  version: number;
}

export class UserPageDto extends PageOf(UserDto) {}

export class MeOrganisationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'OPCO-ATLAS' })
  code: string;

  @ApiProperty({ enum: ORGANISATION_KINDS, enumName: 'OrganisationKind' })
  kind: string;

  @ApiProperty()
  name: string;
}

export class MeDto extends UserDto {
  @ApiProperty()
  organisation: MeOrganisationDto;
}

export class ApiKeyDto implements ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  label: string;

  @ApiProperty({ description: 'First characters of the key, to recognise it' })
  prefix: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, enumName: 'ApiKeyScope' })
  scopes: ApiKeyScope[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Address of the last use' })
  lastUsedFrom: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown in this response only, never again' })
  key: string;
}

export class OrganisationDto implements OrganisationView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'OPCO-ATLAS' })
  code: string;

  @ApiProperty({ enum: ORGANISATION_KINDS, enumName: 'OrganisationKind' })
  kind: OrganisationKind;

  @ApiProperty({ type: String, nullable: true, description: 'For funders: OPCO, CDC, REGION, FRANCE_TRAVAIL...' })
  funderKind: string | null;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true, description: 'INSEE region code' })
  region: string | null;

  @ApiProperty()
  active: boolean;
}

export class CreatedOrganisationDto {
  @ApiProperty()
  organisation: OrganisationDto;

  @ApiPropertyOptional()
  firstAdmin?: UserDto;
}

export class AuditEventDto implements AuditEvent {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Position in the organisation\'s hash chain' })
  seq: number;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ enum: ['user', 'api_key', 'system'] })
  actorKind: string;

  @ApiProperty({ type: String, nullable: true })
  actorId: string | null;

  @ApiProperty({ type: String, nullable: true })
  actorLabel: string | null;

  @ApiProperty({ example: 'users.create' })
  action: string;

  @ApiProperty({ example: 'user' })
  entityType: string;

  @ApiProperty({ type: String, nullable: true })
  entityId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the canonical JSON before the change' })
  beforeDigest: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the canonical JSON after the change' })
  afterDigest: string | null;

  @ApiProperty({ ...FREE_OBJECT, nullable: true })
  details: unknown;

  @ApiProperty({ description: 'Chain hash of this event' })
  hash: string;
}

export class AuditEventPageDto extends PageOf(AuditEventDto) {}

export class BrokenLinkDto {
  @ApiProperty()
  seq: number;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  reason: string;
}

export class MissingTailDto {
  @ApiProperty() fromSeq: number;
  @ApiProperty() toSeq: number;
  @ApiProperty() reason: string;
}

export class CheckpointHeadDto {
  @ApiProperty() seq: number;
  @ApiProperty() hash: string;
  @ApiProperty({ format: 'date-time' }) signedAt: string;
  @ApiProperty() keyId: string;
}

export class ChainVerificationDto implements ChainVerification {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ description: 'Events checked' })
  events: number;

  @ApiPropertyOptional({ description: 'The first event whose hash does not follow from its predecessor and its fields, or differs from a signed checkpoint' })
  firstBrokenLink?: BrokenLinkDto;

  @ApiPropertyOptional({ type: MissingTailDto, description: 'Events a signed checkpoint covers that are no longer in the chain (a cut tail)' })
  missingTail?: MissingTailDto;

  @ApiPropertyOptional({ description: 'A checkpoint whose signature does not verify' })
  checkpointProblem?: string;

  @ApiProperty({ type: CheckpointHeadDto, nullable: true, description: 'The newest signed checkpoint (null: none yet)' })
  latestCheckpoint: CheckpointHeadDto | null;

  @ApiPropertyOptional({ description: 'Events after the latest checkpoint: the chain alone vouches for them until the next one' })
  uncheckpointedEvents?: number;
}

export class AuditCheckpointDto implements AuditCheckpoint {
  @ApiProperty({ enum: ['bo.audit-checkpoint/1'] }) type: 'bo.audit-checkpoint/1';
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() seq: number;
  @ApiProperty() hash: string;
  @ApiProperty({ format: 'date-time' }) signedAt: string;
  @ApiProperty() keyId: string;
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: 'Ed25519';
  @ApiProperty({ description: 'base64url Ed25519 signature of signedBytes' }) signature: string;
  @ApiProperty({ description: 'Exactly the bytes that were signed (UTF-8 canonical JSON)' }) signedBytes: string;
}

export class AuditCheckpointPageDto extends PageOf(AuditCheckpointDto) {}

export class SigningJwkDto {
  @ApiProperty({ enum: ['OKP'] }) kty: 'OKP';
  @ApiProperty({ enum: ['Ed25519'] }) crv: 'Ed25519';
  @ApiProperty() x: string;
  @ApiProperty() kid: string;
  @ApiProperty({ enum: ['EdDSA'] }) alg: 'EdDSA';
  @ApiProperty({ enum: ['sig'] }) use: 'sig';
}

export class PublicSigningKeyDto implements PublicSigningKey {
  @ApiProperty() keyId: string;
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: 'Ed25519';
  @ApiProperty({ enum: ['active', 'retired'] }) status: 'active' | 'retired';
  @ApiProperty() jwk: SigningJwkDto;
  @ApiProperty({ description: 'SubjectPublicKeyInfo PEM' }) pem: string;
}

export class SigningKeysDto {
  @ApiProperty({ type: [PublicSigningKeyDto] }) keys: PublicSigningKeyDto[];
}

export class SsoStartDto {
  @ApiProperty({ description: 'Send the browser there' })
  authorizationUrl: string;
}

export class SsoConfigViewDto implements SsoConfigView {
  @ApiProperty()
  issuer: string;

  @ApiProperty()
  clientId: string;

  @ApiProperty()
  allowInsecureLoopback: boolean;

  @ApiProperty({ type: [String], description: 'The only redirect URIs a sign-in may send the browser back to' })
  redirectUris: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
