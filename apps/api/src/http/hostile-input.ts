import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { AppError, ProblemBody, sendProblem, toProblem } from '@bo/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Longer request targets answer 414 (browsers and proxies stop near 8 KiB; no route of ours needs 4). */
export const MAX_URL_LENGTH = 4096;

/** The path of the first string (or key) holding a NUL byte in a parsed body, or undefined. */
export function nulPath(value: unknown, path = 'body', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('\u0000')) return `${path}.${key.split('\u0000').join('\\0')}`;
    const found = nulPath(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function nulRefused(field: string): AppError {
  return new AppError('REQUEST.VALIDATION', 'The request holds a NUL character, which no field accepts.', { errors: [{ field, message: 'NUL character' }] });
}

function uriTooLong(request: FastifyRequest): ProblemBody {
  // No `instance`: the target is not echoed back.
  return toProblem(new AppError('REQUEST.URI_TOO_LONG', `The request target is too long (at most ${MAX_URL_LENGTH} characters).`), String(request.id));
}

/**
 * Hostile input answers 4xx problem+json before any route sees it: a request target too long
 * (414, not echoed) or holding a NUL byte in its path or query (400), a JSON or YAML body holding
 * NUL in any string or key (400 with the field), and the router's own refusals (a path parameter
 * over the router's length limit: 414; an undecodable path: 400), which Fastify would otherwise
 * answer itself in its own format, echoing the URL.
 */
export function registerHostileInputGuards(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.url.length > MAX_URL_LENGTH) {
      sendProblem(reply, uriTooLong(request));
      return reply;
    }
    if (/%00/i.test(request.url) || request.url.includes('\u0000')) {
      sendProblem(reply, toProblem(nulRefused('url'), String(request.id)));
      return reply;
    }
  });
  fastify.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const field = nulPath(request.body);
    if (field) {
      sendProblem(reply, toProblem(nulRefused(field), String(request.id)));
      return reply;
    }
  });
}

/** Fastify's `frameworkErrors`: the router's refusals as problem+json, never echoing the target. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, uriTooLong(request));
  const problem = toProblem(
    new AppError('REQUEST.MALFORMED', 'The request target is not a valid URL (bad percent-encoding).', { errors: [{ field: 'url', message: 'not decodable' }] }),
    String(request.id),
  );
  sendProblem(reply, problem);
}

/** A path or query integer within PostgreSQL's `integer` (1 to 2^31-1); anything else is a 400 naming the parameter. */
@Injectable()
export class PositiveIntPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > 2_147_483_647) {
      const field = metadata.data ?? 'parameter';
      throw new AppError('REQUEST.VALIDATION', `${field} must be an integer from 1 to 2147483647.`, { errors: [{ field, message: 'integer out of range' }] });
    }
    return n;
  }
}
