/**
 * Every error code the API can answer, and its HTTP status. `satisfies` makes the compiler
 * refuse a code without a status; `ErrorCode` is derived from the keys, so a code cannot be
 * thrown without being listed here.
 */
export const ERROR_STATUS = {
  // request shape
  'REQUEST.MALFORMED': 400,
  'REQUEST.VALIDATION': 400,
  'REQUEST.PRECONDITION_FAILED': 412,
  'REQUEST.TOO_LARGE': 413,
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 415,
  'REQUEST.RATE_LIMITED': 429,
  'REQUEST.URI_TOO_LONG': 414,
  'HTTP.NOT_FOUND': 404,
  'HTTP.METHOD_NOT_ALLOWED': 405,
  'IDEMPOTENCY.KEY_REUSED': 422,
  'IDEMPOTENCY.IN_PROGRESS': 409,
  // platform
  'INTERNAL.ERROR': 500,
  'DEPENDENCY.UNAVAILABLE': 503,
  'JOB.NOT_FOUND': 404,
  // identity and access
  'AUTH.UNAUTHENTICATED': 401,
  'AUTH.INVALID_CREDENTIALS': 401,
  'AUTH.TOKEN_INVALID': 401,
  'AUTH.REFRESH_REUSED': 401,
  'AUTH.THROTTLED': 429,
  'AUTH.SSO_NOT_CONFIGURED': 404,
  'AUTH.SSO_FAILED': 401,
  'ACCESS.FORBIDDEN': 403,
  'ACCESS.SCOPE_MISSING': 403,
  'ORGANISATION.NOT_FOUND': 404,
  'ORGANISATION.CODE_TAKEN': 409,
  'USER.NOT_FOUND': 404,
  'USER.EMAIL_TAKEN': 409,
  'USER.ROLE_NOT_ALLOWED': 422,
  'API_KEY.NOT_FOUND': 404,
  'AUDIT.NOT_FOUND': 404,
  'API_KEY.SCOPE_NOT_ALLOWED': 403,
  // registry
  'PROVIDER.NOT_FOUND': 404,
  'PROVIDER.NDA_REQUIRED': 422,
  'PROVIDER.NDA_NOT_AT_SIRET': 422,
  'PROVIDER.NOT_CERTIFIER': 403,
  'PROVIDER.DOCUMENT_REQUIRED': 422,
  'PROVIDER.CERTIFIER_INVALID': 422,
  'IMPORT.NOT_FOUND': 404,
  'IMPORT.HEADER_INVALID': 422,
  'IMPORT.FILE_REQUIRED': 400,
  'IMPORT.TOO_MANY_LINES': 413,
  'ACTION.NOT_FOUND': 404,
  'ACTION.INVALID': 422,
  // controls
  'FRAMEWORK.NOT_FOUND': 404,
  'FRAMEWORK.INVALID': 422,
  'CHECK.NOT_FOUND': 404,
  'CHECK.NOT_EDITABLE': 409,
  'CHECK.INVALID_TRANSITION': 409,
  'CHECK.FINDINGS_MISSING': 422,
  'CHECK.POINT_NOT_IN_FRAMEWORK': 422,
  'CHECK.POINT_NOT_APPLICABLE': 422,
  'CHECK.MINOR_ON_MAJOR_ONLY': 422,
  'CHECK.NC_NEEDS_COMMENT': 422,
  'CHECK.NC_NEEDS_EVIDENCE': 422,
  'CHECK.NA_NEEDS_JUSTIFICATION': 422,
  'CHECK.RECEIPT_ALREADY_RECORDED': 409,
  'CHECK.MAKER_CHECKER': 422,
  'CHECK.RESPONSE_WINDOW_OPEN': 409,
  'CHECK.CONTACT_REQUIRED': 422,
  'CHECK.ACTION_NOT_OF_PROVIDER': 422,
  'CHECK.ASSIGNEE_INVALID': 422,
  'EVIDENCE.NOT_FOUND': 404,
  'EVIDENCE.CORRUPT': 500,
  'EVIDENCE.EMPTY': 422,
  'EVIDENCE.UNKNOWN_REFERENCE': 422,
  'CORRECTIVE_ACTION.NOT_FOUND': 404,
  'CORRECTIVE_ACTION.CLOSED': 409,
  'CHECK.VERSION_NOT_FOUND': 404,
  'CHECK.LETTER_NOT_FOUND': 404,
  'CHECK.DUPLICATE_CONTROL': 409,
  // sharing (docs/sharing.md)
  'SHARING.CHECK_NOT_COMPLETED': 409,
  'SHARING.FUNDER_INVALID': 422,
  'SHARING.NOT_A_FUNDER': 403,
  'RELIANCE.NOT_FOUND': 404,
  'RELIANCE.CHECK_NOT_COMPLETED': 409,
  'RELIANCE.ALREADY_RELIED': 409,
  'RELIANCE.OWN_CHECK': 422,
  'MANDATE.NOT_FOUND': 404,
  'MANDATE.BODY_INVALID': 422,
  'MANDATE.DATES_INVALID': 422,
  'LEAD_FUNDER.ALREADY_LEAD': 409,
  'LEAD_FUNDER.CLAIM_PENDING': 409,
  'LEAD_FUNDER.CLAIM_NOT_FOUND': 404,
  'LEAD_FUNDER.CLAIM_SETTLED': 409,
  // pricing
  'ANOMALY.NOT_FOUND': 404,
  'ANOMALY.INVALID_TRANSITION': 409,
  'ANOMALY.GROUND_REQUIRED': 422,
  'ANOMALY.COMMENT_REQUIRED': 422,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 414 | 415 | 422 | 429 | 500 | 503>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Path of the field at fault, e.g. `items[2].hoursPerTrainee` or `body`. */
  field: string;
  message: string;
  /**
   * The validator constraint that failed (`isNotEmpty`, `maxLength`, `matches`...), when the error
   * comes from DTO validation: the web UI translates the field error from it.
   */
  constraint?: string;
}

/** A domain error: the global filter turns it into problem+json with the mapped status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
