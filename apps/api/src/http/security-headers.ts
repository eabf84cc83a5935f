import helmet from 'helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@bo/core';

/**
 * The Content-Security-Policy of everything the API serves (the web UI, the OpenAPI page, the jobs
 * board). Scripts: our own files only, never inline, never eval. Styles: our own files plus
 * inline styles ('unsafe-inline'), because the web UI is built on MUI, whose emotion engine
 * injects <style> elements at run time; a nonce would need a per-response rewrite of
 * index.html and a nonce-aware emotion cache for no gain against script injection, which is what
 * CSP is here for (docs/security.md, "Headers"). Connections, images and fonts: same origin
 * (data: for inline SVG icons and fonts). No plugins, no framing, no foreign form targets.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Powerful browser features the back office never uses, refused to the page and any frame. */
export const PERMISSIONS_POLICY = 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()';

/**
 * Security headers on every answer (helmet): CSP above, nosniff, no referrer, framing refused,
 * cross-origin isolation of the opener; HSTS (one year, subdomains) in production only, where TLS
 * terminates in front of the API; a Permissions-Policy.
 *
 * helmet's middleware is built ONCE here and run from one `onRequest` hook. @fastify/helmet (the
 * plugin, 13.2) called `helmet(options)` again on every request, parsing and re-validating the
 * whole configuration each time: about 5 KB of garbage per request and 5% of the API process's
 * JavaScript time in a CPU profile of the funding check (docs/benchmarks.md, "API latency"). The headers are helmet's
 * own either way; no route sets helmet options of its own.
 */
export function registerSecurityHeaders(app: NestFastifyApplication, config: AppConfig): void {
  const production = config.NODE_ENV === 'production';
  const applyHelmet = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...CONTENT_SECURITY_POLICY, upgradeInsecureRequests: production ? [] : null },
    },
    strictTransportSecurity: production ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.header('permissions-policy', PERMISSIONS_POLICY);
      applyHelmet(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
    });
}
