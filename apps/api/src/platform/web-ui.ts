import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@bo/core';

/**
 * Where the web UI's build is: apps/web/dist, from this file in the sources (apps/api/src/platform)
 * or compiled (dist/apps/api/src/platform).
 */
export function webDistDir(): string | undefined {
  const candidates = [resolve(__dirname, '../../../web/dist'), resolve(__dirname, '../../../../../apps/web/dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Paths the web UI never answers: the API, the admin pages, health. */
const NOT_UI = /^\/(api|admin|health)(\/|$)/;

/**
 * Serves the web UI's build at `/` when it exists. A GET that matches no route and no file gets
 * index.html when it asks for HTML outside the API paths (the UI's own routing: /organismes,
 * /controles/{id}); anything else falls through to the 404 handler, so unknown `/api/...` routes
 * still answer problem+json.
 */
export async function mountWebUi(app: NestFastifyApplication): Promise<void> {
  const root = webDistDir();
  if (!root) return;
  const fastify = app.getHttpAdapter().getInstance();
  // Source maps (the UI's sources) are for development: production answers 404 for them.
  const production = app.get(AppConfig).NODE_ENV === 'production';
  await fastify.register(async (scope) => {
    // wildcard: false registers one route per built file, so a missing file never reaches it.
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      allowedPath: (path: string) => !(production && path.endsWith('.map')),
    });
    scope.get('/*', (request, reply) => {
      const path = request.url.split('?')[0];
      if (!NOT_UI.test(path) && (request.headers.accept ?? '').includes('text/html')) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return reply.callNotFound();
    });
  });
}
