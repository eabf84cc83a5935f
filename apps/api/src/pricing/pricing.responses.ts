import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ANOMALY_KINDS, ANOMALY_STATUSES, JUSTIFICATION_GROUNDS, PRICE_POSITIONS } from '@bo/pricing';
import type { AnomalyEventView, AnomalyKind, AnomalyStatus, AnomalyView, JustificationGround, NpecLevel, NpecLoadResult, PricePosition, PricePositionView, PriceReferenceView } from '@bo/pricing';
import { FREE_OBJECT, PageOf } from '../openapi/responses';

export class UnitPriceStatsDto {
  @ApiProperty({ description: 'Euros per hour and trainee' }) p10: number;
  @ApiProperty() q1: number;
  @ApiProperty() median: number;
  @ApiProperty() q3: number;
  @ApiProperty() p90: number;
  @ApiProperty({ description: 'Median absolute deviation' }) mad: number;
}

export class HoursStatsDto {
  @ApiProperty({ description: 'Actions with a duration' }) n: number;
  @ApiProperty({ type: Number, nullable: true }) p10: number | null;
  @ApiProperty({ type: Number, nullable: true }) q1: number | null;
  @ApiProperty({ type: Number, nullable: true }) median: number | null;
  @ApiProperty({ type: Number, nullable: true }) q3: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90: number | null;
  @ApiProperty({ type: Number, nullable: true }) mad: number | null;
}

export class PriceSnapshotDto {
  @ApiProperty({ format: 'uuid' }) runId: string;
  @ApiProperty({ type: String, nullable: true }) inputWatermark: string | null;
  @ApiProperty() methodVersion: string;
}

export class PriceReferenceDto implements PriceReferenceView {
  @ApiProperty({ description: 'Level of the comparison ladder (1 the most precise)' }) level: number;
  @ApiProperty() groupKey: string;
  @ApiProperty() category: string;
  @ApiProperty({ type: String, nullable: true }) certificationCode: string | null;
  @ApiProperty({ type: String, nullable: true }) formacode: string | null;
  @ApiProperty() modality: string;
  @ApiProperty({ type: String, nullable: true }) region: string | null;
  @ApiProperty() year: number;
  @ApiProperty({ description: 'Actions in the group' }) n: number;
  @ApiProperty() providers: number;
  @ApiProperty() funders: number;
  @ApiProperty() unit: UnitPriceStatsDto;
  @ApiProperty() hours: HoursStatsDto;
  @ApiProperty() snapshot: PriceSnapshotDto;
}

export class PriceReferencePageDto extends PageOf(PriceReferenceDto) {}

export class AnomalyReviewDto {
  @ApiProperty({ enum: JUSTIFICATION_GROUNDS, enumName: 'JustificationGround', nullable: true }) ground: JustificationGround | null;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) reviewedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reviewedAt: string | null;
}

export class AnomalyDto implements AnomalyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ANOMALY_KINDS, enumName: 'AnomalyKind' }) kind: AnomalyKind;
  @ApiProperty({ enum: ANOMALY_STATUSES, enumName: 'AnomalyStatus' }) status: AnomalyStatus;
  @ApiProperty({ description: 'Still flagged by the latest run' }) active: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actionId: string | null;
  @ApiProperty() providerSiret: string;
  @ApiProperty() category: string;
  @ApiProperty({ type: String, nullable: true }) certificationCode: string | null;
  @ApiProperty() year: number;
  @ApiProperty({ ...FREE_OBJECT, description: 'Frozen evidence: the price, the reference group and its figures at flagging' }) evidence: Record<string, unknown>;
  @ApiProperty() methodVersion: string;
  @ApiProperty({ format: 'uuid' }) runId: string;
  @ApiProperty({ type: String, nullable: true, description: 'What changed materially when it was reopened' }) changeNote: string | null;
  @ApiProperty() review: AnomalyReviewDto;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class AnomalyPageDto extends PageOf(AnomalyDto) {}

export class AnomalyEventDto implements AnomalyEventView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ['FLAGGED', 'REOPENED', 'REVIEWED'] }) event: 'FLAGGED' | 'REOPENED' | 'REVIEWED';
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ ...FREE_OBJECT }) detail: Record<string, unknown>;
}

export class AnomalyWithHistoryDto extends AnomalyDto {
  @ApiProperty({ type: [AnomalyEventDto] }) history: AnomalyEventDto[];
}

export class KindCoverageDto {
  @ApiProperty({ enum: ANOMALY_KINDS, enumName: 'AnomalyKind' }) kind: string;
  @ApiProperty() tested: number;
  @ApiProperty() flagged: number;
  @ApiProperty() notComputable: number;
  @ApiProperty() withoutUsableGroup: number;
  @ApiPropertyOptional({ description: 'Flag share above the suspect threshold' }) suspect?: boolean;
}

export class PriceTestCoverageDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) runId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) methodVersion: string | null;
  @ApiProperty({ type: [KindCoverageDto] }) kinds: unknown[];
}

export class PriceFencesDto {
  @ApiProperty({ description: 'exp(Q1 - 1.5 x IQR) of ln(unit), in euros' }) low: number;
  @ApiProperty({ description: 'exp(Q3 + 1.5 x IQR)' }) high: number;
  @ApiProperty({ description: 'exp(Q3 + 3 x IQR)' }) extreme: number;
}

export class PricePositionGroupDto {
  @ApiProperty() level: number;
  @ApiProperty() groupKey: string;
  @ApiProperty() n: number;
  @ApiProperty() q1: number;
  @ApiProperty() median: number;
  @ApiProperty() q3: number;
  @ApiProperty() fences: PriceFencesDto;
}

export class PricePositionDto implements PricePositionView {
  @ApiProperty({ format: 'uuid' }) actionId: string;
  @ApiProperty() externalRef: string;
  @ApiProperty() category: string;
  @ApiProperty({ type: String, nullable: true }) certificationCode: string | null;
  @ApiProperty({ format: 'date' }) startDate: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Unit price in euros (null: not computable)' }) unitPrice: number | null;
  @ApiProperty({ enum: PRICE_POSITIONS, enumName: 'PricePosition' }) position: PricePosition;
  @ApiProperty({ type: PricePositionGroupDto, nullable: true }) group: PricePositionGroupDto | null;
}

export class PricePositionPageDto extends PageOf(PricePositionDto) {}

export class NpecLevelDto implements NpecLevel {
  @ApiProperty({ example: 'RNCP35341' }) rncp: string;
  @ApiProperty({ example: '1486' }) idcc: string;
  @ApiProperty({ description: 'Euros per contract-year' }) eurPerYear: number;
  @ApiProperty({ format: 'date' }) validFrom: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) validTo: string | null;
}

export class NpecLineErrorDto {
  @ApiProperty() line: number;
  @ApiProperty() field: string;
  @ApiProperty() message: string;
}

export class NpecLoadResultDto implements NpecLoadResult {
  @ApiProperty({ description: 'Lines kept (the levels now in force)' }) accepted: number;
  @ApiProperty({ description: 'Lines refused' }) rejected: number;
  @ApiProperty({ type: [NpecLineErrorDto], description: 'Each bad field of each refused line (first 1,000)' }) errors: NpecLineErrorDto[];
}
