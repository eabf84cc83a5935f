import pino, { Logger } from 'pino';

export type RootLogger = Logger;

/** The field that carries the correlation id on every log line of a request or a job. */
export const CORRELATION_LOG_FIELD = 'correlationId';

/**
 * One JSON logger per process. nestjs-pino (LoggingModule) writes Nest's logs and the request
 * logs through it; scripts and the CLI use it directly.
 */
export function createRootLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): RootLogger {
  const options: pino.LoggerOptions = {
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      // Request lines carry no headers at all (LoggingModule's serializers); these catch a secret
      // in an object a service logs.
      paths: ['*.password', '*.token'],
      censor: '[redacted]',
    },
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
