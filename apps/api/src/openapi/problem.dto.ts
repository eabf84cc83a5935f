import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '@bo/core';

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export class FieldErrorDto {
  @ApiProperty({ description: 'Path of the field at fault, e.g. `items[2].hoursPerTrainee` or `body`', example: 'providerSiret' })
  field: string;

  @ApiProperty({ description: 'English explanation, for logs and developers; the UI translates from `constraint` or `code`' })
  message: string;

  @ApiPropertyOptional({ description: 'The validator constraint that failed (class-validator name: isNotEmpty, maxLength, matches...)', example: 'matches' })
  constraint?: string;
}

/** RFC 9457 problem details, the body of every error answer (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:bo:problem:REQUEST.VALIDATION' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', description: 'Namespaced error code; the one map from code to status is ERROR_STATUS in libs/core' })
  code: ErrorCode;

  @ApiProperty({ description: 'English explanation of this occurrence (the UI shows its French message for `code`)' })
  detail: string;

  @ApiPropertyOptional({ example: '/api/v1/users' })
  instance?: string;

  @ApiProperty({ description: 'Correlation id of the request, also in the x-correlation-id header and the logs' })
  correlationId: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per field at fault' })
  errors?: FieldErrorDto[];
}
