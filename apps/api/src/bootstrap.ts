import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import { parse as parseYaml } from 'yaml';
import { Logger } from 'nestjs-pino';
import { AppConfig, CORRELATION_HEADER, ProblemFilter, correlationIdOf, createValidationPipe, loadConfig } from '@bo/core';
import { PACKAGE_MEDIA_TYPE } from '@bo/reports';
import { ApiModule } from './api.module';
import { mountBullBoard } from './platform/bull-board';
import { mountWebUi } from './platform/web-ui';
import { API_PREFIX, API_PREFIX_OPTIONS, createOpenApiDocument } from './openapi/openapi-document';
import { frameworkErrors, registerHostileInputGuards } from './http/hostile-input';
import { registerSecurityHeaders } from './http/security-headers';

export interface BuiltApi {
  app: NestFastifyApplication;
  logger: Logger;
}

/**
 * Builds the API application: Fastify with correlation ids, JSON logs through nestjs-pino (the
 * LoggingModule), problem+json for every error (including those Fastify raises before Nest sees
 * the request), validation, OpenAPI.
 */
export async function buildApi(): Promise<BuiltApi> {
  const adapter = new FastifyAdapter({
    // Request logs come from pino-http (nestjs-pino), which reuses this id as `correlationId`.
    logger: false,
    genReqId: correlationIdOf,
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: loadConfig().TRUST_PROXY,
    frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, adapter, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const config = app.get(AppConfig);
  const fastify = app.getHttpAdapter().getInstance();
  // Uploads stream (request.file()/parts()); the blob store enforces UPLOAD_MAX_BYTES with a 413,
  // so the parser's own limit sits just above it.
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: config.UPLOAD_MAX_BYTES + 1024, files: 1, fields: 20 } });
  // Funders may send their grids as YAML: parsed here, validated by the same DTOs as JSON.
  fastify.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(String(body), { maxAliasCount: 50 }));
    } catch (error) {
      done(Object.assign(new Error(`Body is not valid YAML: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  // Report deliveries to the built-in inbox: the exact bytes, whose HMAC signature is checked.
  fastify.addContentTypeParser(PACKAGE_MEDIA_TYPE, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, request.id);
  });
  registerSecurityHeaders(app, config);
  registerHostileInputGuards(fastify);
  app.setGlobalPrefix(API_PREFIX, API_PREFIX_OPTIONS);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  setupOpenApi(app, config);
  await mountBullBoard(app);
  await mountWebUi(app);
  return { app, logger };
}

function setupOpenApi(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'API — back office qualité',
  });
  void config;
}
