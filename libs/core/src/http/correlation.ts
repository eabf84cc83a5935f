import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{8,100}$/;
const ASSIGNED = Symbol('bo.correlationId');

type Tagged = IncomingMessage & { [ASSIGNED]?: string };

/**
 * Reuses a caller's correlation id when it looks sane, else makes one. Fastify calls it first
 * (its request id); the id is kept on the raw request so the log and CLS middlewares, which see
 * only the raw request, reuse the very same id.
 */
export function correlationIdOf(request: IncomingMessage): string {
  const tagged = request as Tagged;
  if (tagged[ASSIGNED]) return tagged[ASSIGNED];
  const given = request.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  tagged[ASSIGNED] = id;
  return id;
}
