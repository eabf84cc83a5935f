import { DynamicModule, Module } from '@nestjs/common';
import pino, { type DestinationStream } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClsModule } from 'nestjs-cls';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { CORRELATION_LOG_FIELD, createRootLogger } from './logger';
import { correlationIdOf } from '../http/correlation';
import { JobLogContext } from './job-log-context';

/** A request as its log line shows it (the correlation id is the line's own field). */
function requestLogFields(req: IncomingMessage & { originalUrl?: string }) {
  return { method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket?.remoteAddress, userAgent: req.headers['user-agent'] };
}

function responseLogFields(res: ServerResponse) {
  return { statusCode: res.statusCode };
}

/**
 * Logs through nestjs-pino, so that every log line written while serving a request or running a
 * job carries its correlation id:
 * - HTTP (the API): pino-http gives each request a logger bound to the request's correlation id
 *   (the one Fastify gave the request, see `correlationIdOf`) and nestjs-pino keeps it in its
 *   AsyncLocalStorage, so Nest's `Logger` writes through it anywhere inside the request. Nothing
 *   else in the API reads a request context, so no nestjs-cls context is opened per request: its
 *   module also puts every request through a guard and an interceptor that do nothing when
 *   nothing is mounted (an RxJS pipeline per request; docs/benchmarks.md, "API latency").
 * - jobs (the worker): nestjs-cls and nestjs-pino contexts are opened around each job by
 *   `JobLogContext` (the job runner), whose id is the job's correlation id.
 */
@Module({})
export class LoggingModule {
  /**
   * `level` and `destination` override the configured level and standard output (tests read the
   * lines they cause).
   */
  static forRoot(service: string, options: { http: boolean; level?: string; destination?: DestinationStream }): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: options.http ? [] : [JobLogContext],
      exports: options.http ? [] : [JobLogContext],
      imports: [
        ...(options.http ? [] : [ClsModule.forRoot({ global: true })]),
        LoggerModule.forRootAsync({
          imports: [ConfigModule],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              logger: createRootLogger(service, options.level ?? config.LOG_LEVEL, options.destination),
              genReqId: (req: IncomingMessage) => correlationIdOf(req),
              customAttributeKeys: { reqId: CORRELATION_LOG_FIELD },
              quietReqLogger: true,
              // What a request line says of the request and its answer: no headers, so no credential
              // (Authorization, cookies, an API key) can reach the log, and no per-request work to
              // serialise and redact them: pino-http binds the request to a child logger on every
              // request, logged or not.
              wrapSerializers: false,
              serializers: { req: requestLogFields, res: responseLogFields, err: pino.stdSerializers.err },
              // Liveness probes every few seconds would drown the log.
              autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => (req.originalUrl ?? req.url ?? '').startsWith('/health/') },
            },
          }),
        }),
      ],
    };
  }
}
