import { createServer, Server } from 'node:http';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';

/**
 * Probe: single sign-on as a server-side request forgery. Any organisation admin could set any
 * issuer (`https://169.254.169.254` was accepted) and an anonymous `GET /auth/sso/{org}/start`
 * made the server fetch it; any redirect URI was accepted; the anonymous route had no limit.
 * Only addresses on this machine are ever contacted here: the refused issuers are refused before
 * any connection (IP literals, and names resolving to loopback).
 */
const REDIRECT = 'https://bo.example.test/sso/callback';

/** A local HTTP server counting connections, answering with `handler`. */
async function localServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('security: single sign-on issuer and redirect URIs (issue 8 item 3)', () => {
  describe('outside test mode (development settings)', () => {
    let t: TestApp;
    let admin: TestUser;

    beforeAll(async () => {
      t = await createTestApp({ env: { NODE_ENV: 'development', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '3' } });
      admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses issuers at private, loopback or link-local addresses, and names resolving there', async () => {
      const token = await login(t.http, admin);
      for (const issuer of ['https://169.254.169.254', 'https://10.0.0.8/realms/x', 'https://192.168.1.10', 'https://127.0.0.1:8443', 'https://[::1]', 'https://[fe80::1]', 'https://localhost', 'https://[::ffff:169.254.169.254]']) {
        const res = await t.http
          .put('/api/v1/organisations/me/sso')
          .set('authorization', `Bearer ${token}`)
          .send({ issuer, clientId: 'x', clientSecret: 'y', redirectUris: [REDIRECT] });
        expect({ issuer, status: res.status }).toEqual({ issuer, status: 400 });
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'issuer' })]));
      }
      const plainHttp = await t.http
        .put('/api/v1/organisations/me/sso')
        .set('authorization', `Bearer ${token}`)
        .send({ issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y', allowInsecureLoopback: true, redirectUris: [REDIRECT] });
      expect(plainHttp.status).toBe(400);
    });

    it('never contacts a private issuer already stored (anonymous start): refused before any connection', async () => {
      const idp = await localServer((_req, res) => res.end('{}'));
      try {
        // An issuer written behind the API's back (or before this fix) at a loopback address.
        const [org] = await t.db.superQuery<{ id: string }>(`SELECT id FROM organisations WHERE code = 'CDC'`);
        await t.db.superQuery(
          `INSERT INTO sso_providers (organisation_id, issuer, client_id, client_secret, allow_insecure_loopback, redirect_uris) VALUES ($1, $2, 'x', 'v1.x', false, $3)`,
          [org.id, idp.url.replace('http:', 'https:'), [REDIRECT]],
        );
        const res = await t.http.get('/api/v1/auth/sso/CDC/start').query({ redirectUri: REDIRECT });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).not.toBe(500);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(idp.connections()).toBe(0);
      } finally {
        await idp.close();
      }
    });

    it('rate limits the anonymous start route per client address (429 with Retry-After)', async () => {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await t.http.get('/api/v1/auth/sso/NO-SUCH-ORG/start').query({ redirectUri: REDIRECT });
        statuses.push(last.status);
      }
      // The earlier test spent one start: 3 a minute, then 429.
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      expect(last!.status).toBe(429);
      expect(last!.body.code).toBe('REQUEST.RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('in test mode (a loopback identity provider)', () => {
    let t: TestApp;
    let admin: TestUser;

    beforeAll(async () => {
      // process.env keeps what the first app set: the anonymous limit back to its default here.
      t = await createTestApp({ env: { NODE_ENV: 'test', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '30' } });
      admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    });
    afterAll(async () => {
      await t?.close();
    });

    const configure = async (issuer: string, redirectUris = [REDIRECT]) =>
      t.http
        .put('/api/v1/organisations/me/sso')
        .set('authorization', `Bearer ${await login(t.http, admin)}`)
        .send({ issuer, clientId: 'x', clientSecret: 'y', allowInsecureLoopback: true, redirectUris });

    it("accepts only a redirect URI from the organisation's allowlist, before contacting the provider", async () => {
      const idp = await localServer((_req, res) => res.end('{}'));
      try {
        expect((await configure(idp.url)).status).toBe(200);
        const res = await t.http.get('/api/v1/auth/sso/OPCO-ATLAS/start').query({ redirectUri: 'https://attacker.example/steal' });
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'redirectUri' })]);
        expect(idp.connections()).toBe(0);
        // A foreign redirect URI cannot be registered as plain http either.
        expect((await configure(idp.url, ['http://attacker.example/steal'])).status).toBe(400);
      } finally {
        await idp.close();
      }
    });

    it('bounds the discovery fetch in size: an endless answer is cut and answered 503', async () => {
      let sent = 0;
      const idp = await localServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (sent < 20 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (sent = Math.min(sent, 20 * 1024 * 1024)));
        pump();
      });
      try {
        expect((await configure(idp.url)).status).toBe(200);
        const res = await t.http.get('/api/v1/auth/sso/OPCO-ATLAS/start').query({ redirectUri: REDIRECT });
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('DEPENDENCY.UNAVAILABLE');
        expect(sent).toBeLessThan(20 * 1024 * 1024);
      } finally {
        await idp.close();
      }
    });

    it('bounds the discovery fetch in time: a provider that never answers is given up (503)', async () => {
      const idp = await localServer(() => undefined);
      try {
        expect((await configure(idp.url)).status).toBe(200);
        const res = await t.http.get('/api/v1/auth/sso/OPCO-ATLAS/start').query({ redirectUri: REDIRECT }).timeout(20_000);
        expect(res.status).toBe(503);
      } finally {
        await idp.close();
      }
    });

    it('purges expired sign-in states of every organisation', async () => {
      const [org] = await t.db.superQuery<{ id: string }>(`SELECT id FROM organisations WHERE code = 'CDC'`);
      await t.db.superQuery(
        `INSERT INTO sso_states (state, organisation_id, code_verifier, nonce, redirect_uri, expires_at) VALUES ('stale-state', $1, 'v', 'n', $2, now() - interval '1 hour')`,
        [org.id, REDIRECT],
      );
      await t.http.get('/api/v1/auth/sso/OPCO-ATLAS/start').query({ redirectUri: REDIRECT });
      expect(await t.db.superQuery(`SELECT 1 FROM sso_states WHERE state = 'stale-state'`)).toEqual([]);
    });
  });
});
