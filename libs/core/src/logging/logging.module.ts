import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { IncomingMessage } from 'node:http';
import { ClsModule } from 'nestjs-cls';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { CORRELATION_LOG_FIELD, createRootLogger } from './logger';
import { correlationIdOf } from '../http/correlation';
import { JobLogContext } from './job-log-context';

/**
 * Logs through nestjs-pino and a request or job context through nestjs-cls, so that every log
 * line written while serving a request or running a job carries its correlation id:
 * - HTTP: the ClsMiddleware opens a context whose id is the request's correlation id (the one
 *   Fastify gave the request, see `correlationIdOf`), and pino-http binds it to the request logger
 *   that Nest's `Logger` uses inside the request;
 * - jobs: the worker's job runner opens both contexts around each job (`runInJobContext`).
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
      providers: [JobLogContext],
      exports: [JobLogContext],
      imports: [
        ClsModule.forRoot({
          global: true,
          middleware: options.http
            ? {
                mount: true,
                generateId: true,
                idGenerator: (req: IncomingMessage) => correlationIdOf(req),
                // No proxy providers here: resolving them anyway cost a `require` per request.
                resolveProxyProviders: false,
              }
            : undefined,
        }),
        LoggerModule.forRootAsync({
          imports: [ConfigModule],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              logger: createRootLogger(service, options.level ?? config.LOG_LEVEL, options.destination),
              genReqId: (req: IncomingMessage) => correlationIdOf(req),
              customAttributeKeys: { reqId: CORRELATION_LOG_FIELD },
              quietReqLogger: true,
              // Liveness probes every few seconds would drown the log.
              autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => (req.originalUrl ?? req.url ?? '').startsWith('/health/') },
            },
          }),
        }),
      ],
    };
  }
}
