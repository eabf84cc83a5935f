/**
 * Recognises a failure to reach PostgreSQL or Redis in whatever a driver threw, so that the API
 * answers 503 DEPENDENCY.UNAVAILABLE with Retry-After instead of 500. Core depends on no driver:
 * errors are recognised by their documented codes and names.
 */
export type Dependency = 'database' | 'queue';

/** SQLSTATEs that mean "the server is not there or not serving now" (not a bug of ours). */
const PG_UNAVAILABLE = [
  /^08/, // connection exception
  /^57P0[1-3]$/, // admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down)
  /^57014$/, // query_canceled: the statement timeout fired
  /^53300$/, // too_many_connections
  /^55P03$/, // lock_not_available (lock_timeout)
];
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|terminating connection|the database system is (starting up|shutting down|in recovery)|Client has encountered a connection error/i;
const REDIS_MESSAGES = /Stream isn't writeable|Connection is closed|Reached the max retries per request|Command timed out|enableOfflineQueue/i;
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

export function dependencyFailure(error: unknown, depth = 0): Dependency | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const e = error as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (typeof e.name === 'string' && REDIS_NAMES.has(e.name)) return 'queue';
  if (REDIS_MESSAGES.test(message)) return 'queue';
  if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE.some((re) => re.test(code))) return 'database';
  if (PG_MESSAGES.test(message)) return 'database';
  // ioredis reports its own network failures with the messages above; a bare socket error is pg's.
  if (NET_CODES.has(code)) return 'database';
  // TypeORM wraps the driver's error; AggregateError and `cause` carry the network one.
  for (const inner of [e.driverError, e.cause, ...((error as { errors?: unknown[] }).errors ?? [])]) {
    const found = dependencyFailure(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Seconds a client should wait before retrying when `dependency` is down. */
export const RETRY_AFTER_SECONDS: Record<Dependency, number> = { database: 5, queue: 10 };
