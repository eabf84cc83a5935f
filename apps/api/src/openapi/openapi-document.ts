import { INestApplication, RequestMethod } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@bo/core';
import { ProblemDto } from './problem.dto';

/** The API's global prefix; the health probes stay at the root for orchestrators. */
export const API_PREFIX = 'api/v1';
export const API_PREFIX_OPTIONS = {
  exclude: [
    { path: 'health/live', method: RequestMethod.GET },
    { path: 'health/ready', method: RequestMethod.GET },
  ],
};

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDto' };
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * The OpenAPI document of the API, built from the controllers' decorators. Served at
 * /api/docs-json and, through `npm run api:types`, the source of the web UI's types.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Back office qualité des financeurs')
      .setDescription(
        'API of the funders\' quality-control back office: identity and audit, the provider registry and the funding check, funded actions and their certification coverage, quality checks with the contradictory procedure. Errors are application/problem+json with a namespaced `code`.',
      )
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'apiKey')
      .build(),
    { extraModels: [ProblemDto] },
  );
  documentProblems(document);
  return document;
}

/**
 * Every error answer is problem+json with the one shared `ProblemDto` schema: error responses
 * declared by decorators (401/403 of `@Allow`, ...) get it as their content, and every operation
 * gets a `default` response for the others (400 validation, 404, 409, 422, 500...).
 */
export function documentProblems(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!response || !/^[45]/.test(status) || '$ref' in response || response.content) continue;
        response.content = { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } };
      }
      operation.responses = {
        ...operation.responses,
        default: { description: 'Error (problem+json; see `code`)', content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } } },
      };
    }
  }
}
