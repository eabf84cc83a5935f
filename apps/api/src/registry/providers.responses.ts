import { ApiExtraModels, ApiProperty, ApiPropertyOptional, OmitType, getSchemaPath } from '@nestjs/swagger';
import { FieldErrorDto } from '../openapi/problem.dto';
import {
  CERTIFICATION_CATEGORIES,
  CertificationCategory,
  CertificationFlag,
  CertificationStatus,
  Exemption,
  ImportResource,
  Observation,
  ProviderSummary,
  PublicListImportCounts,
} from '@bo/registry';
import { FREE_OBJECT, PageOf } from '../openapi/responses';

const STATUSES: CertificationStatus[] = ['CERTIFIED', 'NOT_CERTIFIED', 'EXEMPT', 'UNKNOWN'];
const FLAGS: CertificationFlag[] = ['OTHER_SITE', 'NOT_IN_REGISTRY', 'NDA_NOT_IN_REGISTRY', 'EXPIRED', 'DELISTED'];

export class ProviderSummaryDto implements ProviderSummary {
  @ApiProperty({ example: '11755555555', description: "Numéro de déclaration d'activité (11 digits)" })
  nda: string;

  @ApiProperty({ example: '812345676' })
  siren: string;

  @ApiProperty({ example: '81234567600124' })
  siret: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  city: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'INSEE region code' })
  region: string | null;

  @ApiProperty({ description: 'On the public list (false once delisted)' })
  listed: boolean;
}

export class ProviderPageDto extends PageOf(ProviderSummaryDto) {}

export class ObservationDto implements Observation {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  nda: string;

  @ApiProperty({ enum: CERTIFICATION_CATEGORIES, enumName: 'CertificationCategory' })
  category: CertificationCategory;

  @ApiProperty()
  certified: boolean;

  @ApiProperty({ format: 'date' })
  observedOn: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  validUntil: string | null;

  @ApiProperty({ example: 'PUBLIC_LIST', description: 'PUBLIC_LIST, MANUAL or CERTIFIER_DECISION' })
  source: string;

  @ApiProperty({ type: String, nullable: true })
  certifier: string | null;

  @ApiProperty({ type: String, nullable: true })
  reference: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  importId: string | null;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the document a platform administrator recorded it on' })
  evidenceSha256: string | null;

  @ApiProperty({ enum: [false], description: 'Always false: a shared observation (a funder\'s own notes carry true)' })
  ownNote: false;
}

/** A funder's own note on a provider (source OWN_NOTE): shown only to its organisation, never shared. */
export class OwnNoteDto extends OmitType(ObservationDto, ['ownNote', 'source', 'importId', 'evidenceSha256'] as const) {
  @ApiProperty({ enum: ['OWN_NOTE'] })
  source: 'OWN_NOTE';

  @ApiProperty({ enum: [true], description: "Always true: the caller's own note (constat de votre organisme), never shared" })
  ownNote: true;
}

export class ExemptionDto implements Exemption {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['HIGHER_EDUCATION', 'NEW_CFA_GRACE'] })
  kind: Exemption['kind'];

  @ApiProperty({ type: String, nullable: true })
  siren: string | null;

  @ApiProperty({ type: String, nullable: true })
  nda: string | null;

  @ApiProperty({ enum: CERTIFICATION_CATEGORIES, enumName: 'CertificationCategory', isArray: true })
  categories: CertificationCategory[];

  @ApiProperty({ format: 'date' })
  validFrom: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  validUntil: string | null;

  @ApiProperty({ example: 'Code du travail L.6316-4 II' })
  legalSource: string;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;
}

export class CertificationAtDateDto {
  @ApiProperty({ enum: STATUSES, enumName: 'CertificationStatus' })
  status: CertificationStatus;

  @ApiProperty({ enum: FLAGS, enumName: 'CertificationFlag', isArray: true })
  flags: CertificationFlag[];

  @ApiProperty({ type: ObservationDto, nullable: true, description: 'The observation the answer rests on' })
  observation: ObservationDto | null;

  @ApiPropertyOptional({ type: OwnNoteDto, nullable: true, description: "The caller's own note on that date (constat de votre organisation), never shared" })
  ownNote?: OwnNoteDto | null;
}

export class CertificationStateDto {
  @ApiProperty({ enum: STATUSES, enumName: 'CertificationStatus' })
  status: CertificationStatus;

  @ApiProperty({ type: String, nullable: true, description: 'The NDA the answer rests on (null when none is in the registry)' })
  nda: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  observationId: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  exemptionId: string | null;

  @ApiProperty({ enum: FLAGS, enumName: 'CertificationFlag', isArray: true })
  flags: CertificationFlag[];
}

export class AddressDto {
  @ApiProperty({ type: String, nullable: true })
  street: string | null;

  @ApiProperty({ type: String, nullable: true })
  postalCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  city: string | null;

  @ApiProperty({ type: String, nullable: true })
  region: string | null;
}

@ApiExtraModels(CertificationAtDateDto)
export class EstablishmentNdaDto {
  @ApiProperty()
  nda: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  address: AddressDto;

  @ApiProperty({ type: [String] })
  previousNdas: string[];

  @ApiProperty({ ...FREE_OBJECT, nullable: true, description: 'Foreign body details from the public list' })
  foreignBody: unknown;

  @ApiProperty({ ...FREE_OBJECT, nullable: true, description: 'Declared activity (trainees, hours, specialities) from the public list' })
  declared: unknown;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  lastDeclarationDate: string | null;

  @ApiProperty()
  listed: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delistedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({
    type: 'object',
    description: 'Certification today, per category (TRAINING, SKILLS_ASSESSMENT, VAE, APPRENTICESHIP)',
    additionalProperties: { $ref: getSchemaPath(CertificationAtDateDto) },
  })
  certifications: Record<string, CertificationAtDateDto>;

  @ApiProperty({ type: [ObservationDto], description: 'Every observation of the NDA, newest first (the certification history)' })
  history: ObservationDto[];
}

export class EstablishmentDto {
  @ApiProperty()
  siret: string;

  @ApiProperty()
  siren: string;

  @ApiProperty({ type: [EstablishmentNdaDto] })
  ndas: EstablishmentNdaDto[];

  @ApiProperty({ type: [ExemptionDto] })
  exemptions: ExemptionDto[];

  @ApiPropertyOptional({ ...FREE_OBJECT, nullable: true, description: "The provider's certifier on record (for its SIREN), with where it was learnt" })
  certifier?: object | null;
}

export class RecordedObservationDto {
  @ApiProperty()
  observation: ObservationDto;

  @ApiProperty({ description: 'The certification state today after this observation' })
  state: CertificationStateDto;
}

export class OwnNoteStateDto {
  @ApiProperty({ enum: ['CERTIFIED', 'NOT_CERTIFIED'] }) status: 'CERTIFIED' | 'NOT_CERTIFIED';
  @ApiProperty({ type: [String] }) flags: string[];
  @ApiProperty({ type: OwnNoteDto, description: "The caller's own note (constat de votre organisation), never shared" }) note: OwnNoteDto;
}

export class FundingCertificationDto extends CertificationStateDto {
  @ApiProperty({ type: OwnNoteStateDto, nullable: true, description: "The caller's own note on that date, beside the shared state (null: none)" })
  ownNote: OwnNoteStateDto | null;

  @ApiProperty({ type: ObservationDto, nullable: true })
  observation: ObservationDto | null;
}

export class ActivityNdaDto {
  @ApiProperty()
  nda: string;

  @ApiProperty()
  siret: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  listed: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delistedAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  lastDeclarationDate: string | null;
}

export class ActivityDto {
  @ApiProperty()
  inRegistry: boolean;

  @ApiProperty()
  listed: boolean;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  lastDeclarationDate: string | null;

  @ApiProperty({ type: [ActivityNdaDto] })
  ndas: ActivityNdaDto[];
}

export class OpenMajorNonConformityDto {
  @ApiProperty({ format: 'uuid' })
  correctiveActionId: string;

  @ApiProperty({ format: 'uuid' })
  checkId: string;

  @ApiProperty()
  revision: number;

  @ApiProperty()
  pointCode: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty()
  overdue: boolean;

  @ApiProperty()
  siret: string;
}

export class BlockedPaymentsDto {
  @ApiProperty()
  actions: number;

  @ApiProperty({ description: 'Euros' })
  amountFunded: number;
}

export class AcrossFundersDto {
  @ApiProperty({ description: "Other organisations' completed checks of the organisation (any site), last 36 months, visible to the caller" })
  checks: number;

  @ApiProperty({ description: 'Of those, non-compliant' })
  nonCompliant: number;

  @ApiProperty({ description: 'Open major non-conformities of those checks' })
  openMajorNonConformities: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastCompletedAt: string | null;
}

export class PriceAnomalyCountsDto {
  @ApiProperty({ description: 'Open or under review' })
  open: number;

  @ApiProperty({ description: 'Confirmed by the funder (can back a report)' })
  confirmed: number;
}

export class FundingControlsDto {
  @ApiProperty({ type: [OpenMajorNonConformityDto], description: "The caller's own checks" })
  openMajorNonConformities: OpenMajorNonConformityDto[];

  @ApiProperty({ type: BlockedPaymentsDto, nullable: true, description: 'null for an auditor (it sees only its assigned checks)' })
  blockedPayments: BlockedPaymentsDto | null;

  @ApiProperty({ type: PriceAnomalyCountsDto, nullable: true, description: "The caller's active price anomalies on the organisation's actions; null for an auditor" })
  priceAnomalies: PriceAnomalyCountsDto | null;

  @ApiProperty({ description: 'Results across funders: counts over checks shared with the caller or run by a body it mandated (docs/sharing.md)' })
  acrossFunders: AcrossFundersDto;

  @ApiProperty({ description: 'Submitted reports not yet closed exist on the establishment, from any funder (a yes or no: docs/reports.md)' })
  openReportsExist: boolean;
}

export class FundingCheckDto {
  @ApiProperty()
  siret: string;

  @ApiProperty()
  siren: string;

  @ApiProperty({ enum: CERTIFICATION_CATEGORIES, enumName: 'CertificationCategory' })
  category: CertificationCategory;

  @ApiProperty({ format: 'date' })
  date: string;

  @ApiProperty()
  certification: FundingCertificationDto;

  @ApiProperty({ type: [ExemptionDto] })
  exemptions: ExemptionDto[];

  @ApiProperty()
  activity: ActivityDto;

  @ApiProperty({ description: "The caller's own control results on the organisation (all its sites)" })
  controls: FundingControlsDto;
}

export class LineErrorDto {
  @ApiProperty({ description: 'Line number in the file (the header is line 1)' })
  line: number;

  @ApiProperty()
  field: string;

  @ApiProperty()
  reason: string;
}

export class ActionsImportCountsDto {
  @ApiProperty() rows: number;
  @ApiProperty() accepted: number;
  @ApiProperty() rejected: number;
  @ApiProperty() inserted: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() coverageChanged: number;
}

export class PublicListImportCountsDto implements PublicListImportCounts {
  @ApiProperty() lines: number;
  @ApiProperty() accepted: number;
  @ApiProperty() rejected: number;
  @ApiProperty() inserted: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() delisted: number;
  @ApiProperty() observations: number;
  @ApiProperty() changes: number;
}

@ApiExtraModels(ActionsImportCountsDto, PublicListImportCountsDto)
export class ImportDto implements ImportResource {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['PUBLIC_LIST', 'ACTIONS'] })
  kind: string;

  @ApiProperty({ type: String, nullable: true, enum: ['FULL', 'DELTA'], description: 'Public list imports only' })
  mode: string | null;

  @ApiProperty({ enum: ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] })
  status: string;

  @ApiProperty()
  fileSha256: string;

  @ApiProperty({ type: String, nullable: true })
  fileName: string | null;

  @ApiProperty({ type: Number, nullable: true })
  fileSize: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Follow GET /api/v1/jobs/{jobId}' })
  jobId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ ...FREE_OBJECT, nullable: true, description: 'Public list: { phase: reading | applying, lines }' })
  progress: unknown;

  @ApiProperty({
    nullable: true,
    description: 'Set when SUCCEEDED',
    oneOf: [{ $ref: getSchemaPath(ActionsImportCountsDto) }, { $ref: getSchemaPath(PublicListImportCountsDto) }],
  })
  counts: unknown;

  @ApiProperty({ type: String, nullable: true, description: 'Why the import FAILED' })
  error: string | null;

  @ApiProperty({ description: 'Lines refused (each has one or more field errors)' })
  rejectedLineCount: number;

  @ApiProperty({ description: 'Field errors over all refused lines' })
  fieldErrorCount: number;

  @ApiProperty({ type: [LineErrorDto], description: 'The first line errors; all of them through /imports/{id}/errors' })
  errors: LineErrorDto[];
}

/** An import as the list shows it (its line errors: GET /imports/{id}). */
export class ImportSummaryDto extends OmitType(ImportDto, ['rejectedLineCount', 'fieldErrorCount', 'errors'] as const) {}

export class ImportPageDto extends PageOf(ImportSummaryDto) {}

export class FundingCheckItemErrorDto {
  @ApiProperty({ enum: ['REQUEST.VALIDATION'] })
  code: 'REQUEST.VALIDATION';

  @ApiProperty()
  detail: string;

  @ApiProperty({ type: [FieldErrorDto], description: 'Field paths name the item: items[2].siret' })
  errors: FieldErrorDto[];
}

export class FundingCheckResultItemDto {
  @ApiProperty({ description: 'Position of the question in the request' })
  index: number;

  @ApiPropertyOptional({ type: FundingCheckDto, description: 'The answer, exactly as the single funding check gives it' })
  answer?: FundingCheckDto;

  @ApiPropertyOptional({ type: FundingCheckItemErrorDto, description: 'Why this item could not be asked (the others are answered)' })
  error?: FundingCheckItemErrorDto;
}

export class BulkFundingCheckResultDto {
  @ApiProperty({ type: [FundingCheckResultItemDto], description: 'One per question, in the order asked' })
  items: FundingCheckResultItemDto[];
}
