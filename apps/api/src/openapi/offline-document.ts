import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ApiModule } from '../api.module';
import { API_PREFIX, API_PREFIX_OPTIONS, createOpenApiDocument } from './openapi-document';

/**
 * The API's OpenAPI document built without PostgreSQL, Redis or configuration: Nest's preview
 * mode scans the modules and controllers without instantiating providers, which is all
 * SwaggerModule needs. Same prefix and builder as the served /api/docs-json.
 */
export async function buildOfflineOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ApiModule, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    app.setGlobalPrefix(API_PREFIX, API_PREFIX_OPTIONS);
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
