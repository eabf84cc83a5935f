import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login } from '../support/fixtures';
import { webDistDir } from '../../apps/api/src/platform/web-ui';

/**
 * Probe: headers. No Content-Security-Policy, no Permissions-Policy, no HSTS in production, and
 * the web UI's source maps served in production. (The browser test checks that the UI loads
 * under the CSP with no violation.)
 */
function cspOf(header: string): Record<string, string[]> {
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('security: headers (issue 8 item 9)', () => {
  describe('every answer', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('carries a CSP without inline or eval script, a Permissions-Policy, nosniff and no framing', async () => {
      for (const path of ['/', '/api/v1/signing-keys', '/api/v1/nothing-here', '/api/docs']) {
        const res = await t.http.get(path).set('accept', 'text/html');
        const csp = cspOf(res.headers['content-security-policy'] ?? '');
        expect(csp['script-src']).toEqual(["'self'"]);
        expect(csp['default-src']).toEqual(["'self'"]);
        expect(csp['object-src']).toEqual(["'none'"]);
        expect(csp['frame-ancestors']).toEqual(["'none'"]);
        expect(res.headers['permissions-policy']).toMatch(/camera=\(\)/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        // Outside production, no HSTS (development runs on plain http).
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
    });
  });

  describe('in production', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { NODE_ENV: 'production', CLOCK_MODE: 'system' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sends HSTS and marks the admin-pages cookie Secure (set and cleared)', async () => {
      const res = await t.http.get('/api/v1/signing-keys');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
      const user = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      const opened = await t.http.post('/api/v1/auth/session').set('authorization', `Bearer ${await login(t.http, user)}`);
      expect(opened.headers['set-cookie'][0]).toMatch(/; Secure/);
      const closed = await t.http.delete('/api/v1/auth/session');
      expect(closed.headers['set-cookie'][0]).toMatch(/; Secure/);
    });

    it('does not serve the web UI source maps', async () => {
      const dist = webDistDir();
      expect(dist).toBeDefined();
      // The production build writes no source map; should one appear in the folder, it is not served.
      const maps = readdirSync(join(dist!, 'assets')).filter((f) => f.endsWith('.map'));
      for (const map of maps) expect((await t.http.get(`/assets/${map}`)).status).toBe(404);
      const script = readdirSync(join(dist!, 'assets')).find((f) => f.endsWith('.js'))!;
      expect((await t.http.get(`/assets/${script}`)).status).toBe(200);
      expect((await t.http.get(`/assets/${script}.map`)).status).toBe(404);
    });
  });
});
