import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, ErrorCode, FieldError } from './error-codes';
import { RETRY_AFTER_SECONDS, dependencyFailure } from './dependency';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  correlationId: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Maps what Nest or Fastify throw (not our own errors) to a code. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'REQUEST.MALFORMED';
    case 401:
      return 'AUTH.UNAUTHENTICATED';
    case 403:
      return 'ACCESS.FORBIDDEN';
    case 404:
      return 'HTTP.NOT_FOUND';
    case 405:
      return 'HTTP.METHOD_NOT_ALLOWED';
    case 413:
      return 'REQUEST.TOO_LARGE';
    case 415:
      return 'REQUEST.UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'REQUEST.RATE_LIMITED';
    case 503:
      return 'DEPENDENCY.UNAVAILABLE';
    default:
      return 'INTERNAL.ERROR';
  }
}

/** Turns any thrown value into an RFC 9457 problem; never leaks a stack or an internal message. */
export function toProblem(error: unknown, correlationId: string, instance?: string): ProblemBody {
  if (error instanceof AppError) {
    const status = ERROR_STATUS[error.code];
    return {
      type: `urn:bo:problem:${error.code}`,
      title: STATUS_TITLES[status] ?? 'Error',
      status,
      code: error.code,
      detail: error.message,
      instance,
      correlationId,
      ...error.details,
    };
  }
  const dependency = dependencyFailure(error);
  if (dependency) {
    return {
      type: 'urn:bo:problem:DEPENDENCY.UNAVAILABLE',
      title: STATUS_TITLES[503],
      status: 503,
      code: 'DEPENDENCY.UNAVAILABLE',
      detail:
        dependency === 'database'
          ? 'The database is unavailable or did not answer in time. Retry after the delay given (a creating request sent again with its Idempotency-Key is not applied twice).'
          : 'The job queue is unavailable. Retry after the delay given.',
      instance,
      correlationId,
      dependency,
      retryAfterSeconds: RETRY_AFTER_SECONDS[dependency],
    };
  }
  let status = 500;
  let detail = 'An unexpected error occurred. Quote the correlation id when reporting it.';
  if (isDataException(error)) {
    // PostgreSQL refused a value the request carried (out of range, wrong type, NUL byte...):
    // bad input, not a server fault. The database's own message is not shown.
    return toProblem(
      new AppError('REQUEST.VALIDATION', 'A value of the request does not fit its field (out of range, wrong type or forbidden character).', {
        errors: [{ field: 'request', message: 'value out of range or of the wrong type' }],
      }),
      correlationId,
      instance,
    );
  }
  if (error instanceof HttpException) {
    status = error.getStatus();
    if (status < 500) detail = error.message;
  } else if (isFastifyError(error) && error.statusCode < 500) {
    status = error.statusCode;
    detail = error.message;
  }
  if (!STATUS_TITLES[status]) status = status < 500 ? 400 : 500;
  const code = codeForStatus(status);
  return {
    type: `urn:bo:problem:${code}`,
    title: STATUS_TITLES[status],
    status: ERROR_STATUS[code],
    code,
    detail,
    instance,
    correlationId,
    ...(code === 'REQUEST.MALFORMED' ? { errors: [{ field: 'body', message: detail }] } : {}),
  };
}

/** A PostgreSQL "data exception" (SQLSTATE class 22): a value that does not fit its type or range. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function isFastifyError(error: unknown): error is { statusCode: number; message: string; code?: string } {
  return typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

export function sendProblem(reply: FastifyReply, problem: ProblemBody): void {
  if (problem.status === 503) void reply.header('retry-after', String(problem.retryAfterSeconds ?? RETRY_AFTER_SECONDS.database));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const problem = toProblem(exception, String(request.id), request.url);
    if (problem.code === 'DEPENDENCY.UNAVAILABLE') {
      this.logger.warn({ dependency: problem.dependency, err: (exception as Error)?.message, correlationId: request.id }, 'dependency unavailable');
    } else if (problem.status >= 500) {
      this.logger.error({ err: exception, correlationId: request.id }, 'unhandled error');
    }
    sendProblem(reply, problem);
  }
}
