import { ApiProperty } from '@nestjs/swagger';
import { ACTION_CATEGORIES, ACTION_MODALITIES, COVERAGE_STATES } from '@bo/registry';
import type { ActionCategory, ActionModality, ActionView, CoverageState, FunderBreakdown } from '@bo/registry';
import { PageOf } from '../openapi/responses';

export class CoverageOwnNoteDto {
  @ApiProperty({ enum: ['CERTIFIED', 'NOT_CERTIFIED'] }) status: 'CERTIFIED' | 'NOT_CERTIFIED';
  @ApiProperty({ format: 'uuid' }) noteId: string;
  @ApiProperty({ enum: [true] }) ownNote: true;
}

export class PaymentBlockDto {
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) checkId: string | null;
}

export class ActionDto implements ActionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ description: "The funder's own reference (unique per funder)" })
  externalRef: string;

  @ApiProperty()
  providerSiret: string;

  @ApiProperty({ type: String, nullable: true })
  providerNda: string | null;

  @ApiProperty({ enum: ACTION_CATEGORIES, enumName: 'ActionCategory' })
  category: ActionCategory;

  @ApiProperty({ type: String, nullable: true, description: 'RNCP or RS code' })
  certificationCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  formacode: string | null;

  @ApiProperty({ enum: ACTION_MODALITIES, enumName: 'ActionModality' })
  modality: ActionModality;

  @ApiProperty({ description: 'INSEE region code' })
  region: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  fundingDecisionDate: string | null;

  @ApiProperty({ format: 'date' })
  startDate: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  endDate: string | null;

  @ApiProperty({ type: Number, nullable: true })
  hoursPerTrainee: number | null;

  @ApiProperty({ type: Number, nullable: true })
  trainees: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Euros, excluding VAT' })
  priceExclVat: number | null;

  @ApiProperty({ description: 'Euros' })
  amountFunded: number;

  @ApiProperty({ type: String, nullable: true })
  branchIdcc: string | null;

  @ApiProperty({ enum: COVERAGE_STATES, enumName: 'CoverageState', description: "The provider's certification for this action" })
  coverage: CoverageState;

  @ApiProperty({ type: [String], description: 'OTHER_SITE, EXPIRED, DELISTED, PAYMENT_BLOCKED...' })
  coverageFlags: string[];

  @ApiProperty({ type: String, nullable: true })
  coverageNda: string | null;
  @ApiProperty({ description: 'Payment blocked by a completed service-fait check with a non-conformity' })
  paymentBlocked: boolean;
  @ApiProperty({ type: CoverageOwnNoteDto, nullable: true, description: "The funder's own certification note on the judged date (\"constat de votre organisation\"), beside the shared coverage" })
  coverageOwnNote: CoverageOwnNoteDto | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the payment is blocked' })
  paymentBlockReason: string | null;

  @ApiProperty({ type: PaymentBlockDto, nullable: true, description: 'The block: its reason and the check behind it' })
  paymentBlock: PaymentBlockDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  coverageEvaluatedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  importId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ description: 'ETag counter (If-Match)' })
  version: number;
}

export class ActionPageDto extends PageOf(ActionDto) {}

export class FunderBreakdownDto implements FunderBreakdown {
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty()
  organisationCode: string;

  @ApiProperty()
  organisationName: string;

  @ApiProperty()
  actions: number;

  @ApiProperty({ description: 'Euros' })
  amountFunded: number;
}

export class UncertifiedTotalsDto {
  @ApiProperty()
  actions: number;

  @ApiProperty()
  amountFunded: number;
}

/**
 * One of two shapes, by `scope`: a funder's own actions, paged (OWN_ACTIONS: items and
 * nextCursor), or counts and amounts per funder (PER_FUNDER: funders and totals).
 */
export class UncertifiedDto {
  @ApiProperty({ enum: ['OWN_ACTIONS', 'PER_FUNDER'] })
  scope: 'OWN_ACTIONS' | 'PER_FUNDER';

  @ApiProperty({ type: [ActionDto], required: false, description: 'OWN_ACTIONS' })
  items?: ActionDto[];

  @ApiProperty({ required: false, description: 'OWN_ACTIONS: absent on the last page' })
  nextCursor?: string;

  @ApiProperty({ type: [FunderBreakdownDto], required: false, description: 'PER_FUNDER' })
  funders?: FunderBreakdownDto[];

  @ApiProperty({ required: false, description: 'PER_FUNDER' })
  totals?: UncertifiedTotalsDto;
}
