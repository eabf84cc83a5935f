import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CASE_EVENT_KINDS, CASE_OUTCOMES, CLAIM_KINDS, DELIVERY_STATUSES, HANDLING_STATUSES, RECIPIENT_KINDS, REPORT_STATUSES } from '@bo/reports';
import type { AttachmentView, CaseEventKind, CaseOutcome, CaseView, ClaimKind, DeliveryStatus, GroundView, HandlingStatus, InboxStatistics, ProposedRecipient, RecipientKind, ReportStatus, ReportView, SealVerification, SubstantiationProblem } from '@bo/reports';
import { FREE_OBJECT, PageOf } from '../openapi/responses';

export class ClaimViewDto {
  @ApiProperty({ enum: CLAIM_KINDS, enumName: 'ClaimKind' }) kind: ClaimKind;
  @ApiProperty() code: string;
}

export class NonConformityDto {
  @ApiProperty() pointCode: string;
  @ApiProperty() grade: string;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ description: 'A point of the service-fait checklist (else a quality indicator or grid point)' }) serviceFait: boolean;
}

export class GroundDto implements GroundView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['CHECK_VERSION', 'PRICE_ANOMALY'] }) kind: 'CHECK_VERSION' | 'PRICE_ANOMALY';
  @ApiProperty({ format: 'uuid', description: 'The funder that added it' }) organisationId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) checkId: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The pinned version' }) checkRevision: number | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) anomalyId: string | null;
  @ApiProperty({ type: String, nullable: true }) frameworkCode: string | null;
  @ApiProperty({ type: [NonConformityDto] }) nonConformities: NonConformityDto[];
  @ApiProperty({ description: 'SHA-256 of the pinned content (RFC 8785)' }) contentSha256: string;
  @ApiProperty() personalDataIncluded: boolean;
  @ApiProperty({ format: 'uuid' }) addedBy: string;
  @ApiProperty({ format: 'date-time' }) addedAt: string;
}

export class AttachmentDto implements AttachmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The funder that added it' }) organisationId: string;
  @ApiProperty() sha256: string;
  @ApiProperty() size: number;
  @ApiProperty() mediaType: string;
  @ApiProperty({ type: String, nullable: true }) fileName: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ description: 'Sealed by its hash only' }) personalData: boolean;
  @ApiProperty({ format: 'uuid' }) addedBy: string;
  @ApiProperty({ format: 'date-time' }) addedAt: string;
}

export class RecipientDto implements ProposedRecipient {
  @ApiProperty({ enum: RECIPIENT_KINDS, enumName: 'RecipientKind' }) kind: RecipientKind;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId: string | null;
  @ApiProperty({ type: String, nullable: true }) organisationCode: string | null;
  @ApiProperty({ type: String, nullable: true }) organisationName: string | null;
  @ApiProperty({ type: String, nullable: true }) region: string | null;
  @ApiProperty({ type: [String], description: 'Routing rules that led there (docs/reports.md)' }) rules: string[];
  @ApiProperty({ description: 'Why this recipient (French)' }) reason: string;
  @ApiProperty({ type: [String] }) legalSources: string[];
  @ApiProperty({ type: String, nullable: true, enum: ['CERTIFIER_UNKNOWN', 'REGION_UNKNOWN', null] }) missing: string | null;
}

export class SubstantiationProblemDto implements SubstantiationProblem {
  @ApiProperty({ example: 'REPORT.NOT_SUBSTANTIATED' }) code: string;
  @ApiProperty({ example: 'claims[0]' }) field: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ type: ClaimViewDto }) claim?: ClaimViewDto;
}

export class ReportProviderDto {
  @ApiProperty() siret: string;
  @ApiProperty({ type: String, nullable: true }) nda: string | null;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: String, nullable: true }) region: string | null;
}

export class CosignerDto {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() organisationName: string;
  @ApiProperty({ enum: ['INVITED', 'ACCEPTED'] }) status: 'INVITED' | 'ACCEPTED';
  @ApiProperty({ format: 'date-time' }) invitedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acceptedAt: string | null;
}

export class AuditHeadDto {
  @ApiProperty() seq: number;
  @ApiProperty() hash: string;
}

export class SealDto {
  @ApiProperty({ description: 'SHA-256 of the canonical package (RFC 8785)' }) packageSha256: string;
  @ApiProperty({ description: 'Ed25519 signature (base64url) of the hex digest' }) signature: string;
  @ApiProperty({ description: 'Key id (GET /api/v1/signing-keys)' }) keyId: string;
  @ApiProperty({ type: AuditHeadDto, nullable: true }) auditHead: AuditHeadDto | null;
  @ApiProperty({ description: 'SHA-256 of the PDF dossier' }) pdfSha256: string;
  @ApiProperty({ description: 'Where the PDF dossier is' }) pdf: string;
}

export class ReportDto implements ReportView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'SIG-2026-1A2B3C4D' }) reference: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ type: String, nullable: true }) organisationName: string | null;
  @ApiProperty() provider: ReportProviderDto;
  @ApiProperty() title: string;
  @ApiProperty({ type: [ClaimViewDto] }) claims: ClaimViewDto[];
  @ApiProperty() narrative: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) certifierId: string | null;
  @ApiProperty({ enum: REPORT_STATUSES, enumName: 'ReportStatus' }) status: ReportStatus;
  @ApiProperty() version: number;
  @ApiProperty({ type: [GroundDto] }) grounds: GroundDto[];
  @ApiProperty({ type: [AttachmentDto] }) attachments: AttachmentDto[];
  @ApiProperty({ type: [CosignerDto] }) cosigners: CosignerDto[];
  @ApiProperty({ type: [RecipientDto], description: 'As routed now (draft) or as sealed' }) recipients: RecipientDto[];
  @ApiProperty({ type: [SubstantiationProblemDto], description: 'What submission would refuse now' }) problems: SubstantiationProblemDto[];
  @ApiProperty({ type: SealDto, nullable: true }) seal: SealDto | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) submittedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ enum: ['OWNER', 'COSIGNER', 'RECIPIENT'] }) role: 'OWNER' | 'COSIGNER' | 'RECIPIENT';
}

export class ReportPageDto extends PageOf(ReportDto) {}

export class SealChecksDto {
  @ApiProperty({ description: "The stored package's bytes hash to the seal" }) storedPackageIntact: boolean;
  @ApiProperty({ description: 'The package rebuilt from the records gives the same bytes' }) packageMatchesRecords: boolean;
  @ApiProperty({ description: 'The Ed25519 signature verifies' }) signatureValid: boolean;
  @ApiProperty({ description: "The PDF's bytes hash to the hash kept beside the seal" }) pdfIntact: boolean;
  @ApiProperty({ description: "Each pinned ground's content hashes to its recorded hash" }) groundsIntact: boolean;
  @ApiProperty({ description: "Each attachment's stored bytes hash to its name" }) attachmentsIntact: boolean;
}

export class SealVerificationDto implements SealVerification {
  @ApiProperty() valid: boolean;
  @ApiProperty() packageSha256: string;
  @ApiProperty() keyId: string;
  @ApiProperty() checks: SealChecksDto;
  @ApiProperty({ format: 'date-time' }) verifiedAt: string;
}

export class CaseEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: CASE_EVENT_KINDS, enumName: 'CaseEventKind' }) kind: CaseEventKind;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ type: String, nullable: true }) text: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The request an answer answers' }) answers: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class CaseRecipientDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: RECIPIENT_KINDS, enumName: 'RecipientKind' }) kind: RecipientKind;
}

export class DeliveryDto {
  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'DeliveryStatus' }) status: DeliveryStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgementId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
}

export class OpenRequestDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() text: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class CaseDto implements CaseView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) reportId: string;
  @ApiProperty() reportReference: string;
  @ApiProperty() recipient: CaseRecipientDto;
  @ApiProperty({ type: String, nullable: true }) region: string | null;
  @ApiProperty({ type: [String] }) rules: string[];
  @ApiProperty() reason: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) forwardedFrom: string | null;
  @ApiProperty() delivery: DeliveryDto;
  @ApiProperty({ enum: HANDLING_STATUSES, enumName: 'HandlingStatus', nullable: true }) handlingStatus: HandlingStatus | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ enum: CASE_OUTCOMES, enumName: 'CaseOutcome', nullable: true }) outcome: CaseOutcome | null;
  @ApiProperty({ type: String, nullable: true }) outcomeNote: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: OpenRequestDto, nullable: true }) openRequest: OpenRequestDto | null;
  @ApiProperty({ type: [CaseEventDto] }) events: CaseEventDto[];
}

export class InboxReportSummaryDto {
  @ApiProperty() reference: string;
  @ApiProperty() title: string;
  @ApiProperty() providerSiret: string;
  @ApiProperty({ type: String, nullable: true }) providerName: string | null;
  @ApiProperty() senderName: string;
}

export class InboxCaseDto extends CaseDto {
  @ApiProperty() report: InboxReportSummaryDto;
}

export class InboxCasePageDto extends PageOf(InboxCaseDto) {}

export class InboxCaseDetailDto {
  @ApiProperty() case: CaseDto;
  @ApiProperty({ description: 'The sealed package as delivered (bo.report-package/1)', ...FREE_OBJECT }) package: unknown;
  @ApiProperty({ description: 'The seal verified now' }) seal: SealVerificationDto;
}

export class DeliveryAckDto {
  @ApiProperty({ example: 'ACK-2026-0A1B2C3D4E5F' }) acknowledgementId: string;
  @ApiProperty({ description: 'True when the same delivery came before (same answer)' }) duplicate: boolean;
}

class CountByRegionDto {
  @ApiProperty({ type: String, nullable: true }) region: string | null;
  @ApiProperty() count: number;
}
class CountByIndicatorDto {
  @ApiProperty() indicator: string;
  @ApiProperty() count: number;
}
class CountByFunderDto {
  @ApiProperty() funder: string;
  @ApiProperty() count: number;
}
class CountByOutcomeDto {
  @ApiProperty({ type: String, nullable: true }) outcome: string | null;
  @ApiProperty() count: number;
}
class CountByStatusDto {
  @ApiProperty({ type: String, nullable: true }) status: string | null;
  @ApiProperty() count: number;
}
class TimeToAcknowledgeDto {
  @ApiProperty() acknowledged: number;
  @ApiProperty({ type: Number, nullable: true }) median: number | null;
  @ApiProperty({ type: Number, nullable: true }) average: number | null;
}

export class InboxStatisticsDto implements InboxStatistics {
  @ApiProperty({ enum: ['REGION', 'ALL_REGIONS', 'CERTIFIER'] }) scope: 'REGION' | 'ALL_REGIONS' | 'CERTIFIER';
  @ApiProperty() total: number;
  @ApiProperty({ type: [CountByRegionDto] }) byRegion: CountByRegionDto[];
  @ApiProperty({ type: [CountByIndicatorDto] }) byIndicator: CountByIndicatorDto[];
  @ApiProperty({ type: [CountByFunderDto] }) byFunder: CountByFunderDto[];
  @ApiProperty({ type: [CountByOutcomeDto] }) byOutcome: CountByOutcomeDto[];
  @ApiProperty({ type: [CountByStatusDto] }) byStatus: CountByStatusDto[];
  @ApiProperty({ description: 'Hours from delivery to acknowledgement' }) timeToAcknowledgeHours: TimeToAcknowledgeDto;
}
