import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, login } from '../support/fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const REDIRECT_URI = 'https://bo.example.test/sso/callback';
/** Loaded once the provider's console notices are filtered (it warns on import about the Node.js version). */
let OidcProvider: typeof Provider;

interface Idp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider on 127.0.0.1 (plain http, a free port), with one confidential
 * client and the accounts given (subject -> e-mail, asserted verified). Its development
 * interactions serve the login and consent forms that `signIn` fills in. With `conform` (the
 * specification's default) the e-mail comes from userinfo only and the client authenticates with
 * client_secret_basic only; without, the e-mail is in the ID token and the client uses
 * client_secret_post.
 */
async function startIdp(accounts: Record<string, string>, options: { conform: boolean }): Promise<Idp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = `bo-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new OidcProvider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: options.conform ? 'client_secret_basic' : 'client_secret_post',
      },
    ],
    async findAccount(_ctx, sub) {
      const email = accounts[sub];
      if (!email) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email, email_verified: true }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: options.conform,
    // The strict provider also takes the client secret in the Authorization header only.
    ...(options.conform ? { clientAuthMethods: ['client_secret_basic'] } : {}),
    cookies: { keys: [randomBytes(16).toString('hex')] },
    jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    features: { devInteractions: { enabled: true } },
  } as ConstructorParameters<typeof Provider>[1]);
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Plays the browser at the provider: follows redirects with a cookie jar, signs in as `subject`
 * on the login form and confirms the consent form, and answers the URL the provider finally
 * redirects to (the application's redirect URI, with code and state).
 */
async function signIn(authorizationUrl: string, subject: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const remember = (res: Response) => {
    for (const header of res.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
  };
  let url = authorizationUrl;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(REDIRECT_URI)) return url;
    let res = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    remember(res);
    if (res.status === 200) {
      const html = await res.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!prompt || !action) throw new Error(`unexpected page at ${url}: ${html.slice(0, 300)}`);
      const form: Record<string, string> = prompt === 'login' ? { prompt, login: subject, password: 'any' } : { prompt };
      res = await fetch(new URL(action.replace(/&amp;/g, '&'), url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      remember(res);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`unexpected ${res.status} at ${url}: ${await res.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

describe('single sign-on (OpenID Connect)', () => {
  let t: TestApp;
  let idp: Idp;
  let adminA: TestUser;
  let officerA: TestUser;
  let disabledA: TestUser;
  let officerB: TestUser;

  const start = (organisationCode: string) => t.http.get(`/api/v1/auth/sso/${organisationCode}/start`).query({ redirectUri: REDIRECT_URI });

  /** The whole round trip: start, sign in at the provider as `subject`, hand the callback URL over. */
  async function ssoLogin(organisationCode: string, subject: string) {
    const started = await start(organisationCode);
    expect(started.status).toBe(200);
    const callbackUrl = await signIn(started.body.authorizationUrl, subject);
    return { callbackUrl, res: await t.http.post('/api/v1/auth/sso/callback').send({ callbackUrl }) };
  }

  beforeAll(async () => {
    // The test provider's development-mode notices (in-memory adapter, dev interactions...).
    for (const level of ['info', 'warn'] as const) {
      const original = console[level].bind(console);
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        if (!String(args[0]).includes('oidc-provider')) original(...args);
      });
    }
    OidcProvider = (await import('oidc-provider')).default;
    t = await createTestApp();
    adminA = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    officerA = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    disabledA = await createUser(t.db, 'OPCO-ATLAS', ['officer'], { disabled: true });
    officerB = await createUser(t.db, 'CDC', ['officer']);
    idp = await startIdp(
      {
        'sub-officer-a': officerA.email,
        'sub-stranger': 'stranger@nowhere.test',
        'sub-disabled': disabledA.email,
        'sub-officer-b': officerB.email,
      },
      { conform: false },
    );
    const configured = await t.http
      .put('/api/v1/organisations/me/sso')
      .set(bearer(await login(t.http, adminA)))
      .send({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowInsecureLoopback: true, redirectUris: [REDIRECT_URI] });
    expect(configured.status).toBe(200);
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
    jest.restoreAllMocks();
  });

  describe('configuration', () => {
    it('shows the settings to the admin, never the secret, and audits the change', async () => {
      const res = await t.http.get('/api/v1/organisations/me/sso').set(bearer(await login(t.http, adminA)));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, allowInsecureLoopback: true });
      expect(JSON.stringify(res.body)).not.toContain(idp.clientSecret);
      // Stored sealed: a database dump does not reveal it.
      const [stored] = await t.db.superQuery<{ client_secret: string }>(`SELECT client_secret FROM sso_providers WHERE organisation_id = $1`, [adminA.organisationId]);
      expect(stored.client_secret).toMatch(/^v1\./);
      expect(stored.client_secret).not.toContain(idp.clientSecret);
      const events = await t.db.superQuery<{ details: object }>(
        `SELECT details FROM audit_events WHERE organisation_id = $1 AND action = 'sso.configured'`,
        [adminA.organisationId],
      );
      expect(events).toHaveLength(1);
      expect(JSON.stringify(events)).not.toContain(idp.clientSecret);
    });

    it('refuses a plain-http issuer that is not loopback, and a loopback one without the opt-in', async () => {
      const token = await login(t.http, adminA);
      for (const body of [
        { issuer: 'http://idp.example.test', clientId: 'x', clientSecret: 'y', allowInsecureLoopback: true },
        { issuer: 'http://192.168.1.10:8080', clientId: 'x', clientSecret: 'y', allowInsecureLoopback: true },
        { issuer: idp.issuer, clientId: 'x', clientSecret: 'y' },
      ]) {
        const res = await t.http.put('/api/v1/organisations/me/sso').set(bearer(token)).send(body);
        expect([400, 422]).toContain(res.status);
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'issuer' })]));
      }
      // The refused attempts left the working settings alone.
      const current = await t.http.get('/api/v1/organisations/me/sso').set(bearer(token));
      expect(current.body.issuer).toBe(idp.issuer);
    });

    it('answers 404 AUTH.SSO_NOT_CONFIGURED for an organisation without single sign-on', async () => {
      for (const code of ['CDC', 'NO-SUCH-ORG']) {
        const res = await start(code);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('AUTH.SSO_NOT_CONFIGURED');
      }
      const cdcAdmin = await createUser(t.db, 'CDC', ['admin']);
      const res = await t.http.get('/api/v1/organisations/me/sso').set(bearer(await login(t.http, cdcAdmin)));
      expect(res.status).toBe(404);
    });
  });

  describe('sign-in', () => {
    it('asks for the code flow with PKCE S256, state and nonce', async () => {
      const res = await start('OPCO-ATLAS');
      expect(res.status).toBe(200);
      const url = new URL(res.body.authorizationUrl);
      expect(url.origin).toBe(idp.issuer);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: idp.clientId,
        redirect_uri: REDIRECT_URI,
        code_challenge_method: 'S256',
        code_challenge: expect.any(String),
        state: expect.any(String),
        nonce: expect.any(String),
      });
      const [stored] = await t.db.superQuery<{ expires_at: Date }>(`SELECT expires_at FROM sso_states WHERE state = $1`, [url.searchParams.get('state')]);
      expect(stored.expires_at.getTime() - Date.now()).toBeGreaterThan(9 * 60 * 1000);
      expect(stored.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60 * 1000);
    });

    it('signs in the user of the organisation with the same verified e-mail, links the identity, and refuses a replay', async () => {
      const { callbackUrl, res } = await ssoLogin('OPCO-ATLAS', 'sub-officer-a');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
      const me = await t.http.get('/api/v1/me').set(bearer(res.body.accessToken));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: officerA.id, organisation: { code: 'OPCO-ATLAS' } });

      const links = await t.db.superQuery(`SELECT issuer, subject, user_id, organisation_id FROM user_identities WHERE user_id = $1`, [officerA.id]);
      expect(links).toEqual([{ issuer: idp.issuer, subject: 'sub-officer-a', user_id: officerA.id, organisation_id: officerA.organisationId }]);
      const logins = await t.db.superQuery<{ details: { method: string } }>(
        `SELECT details FROM audit_events WHERE action = 'auth.login' AND entity_id = $1`,
        [officerA.id],
      );
      expect(logins.map((e) => e.details.method)).toEqual(['sso']);
      expect(await t.db.superQuery(`SELECT 1 FROM sso_states WHERE state = $1`, [new URL(callbackUrl).searchParams.get('state')])).toEqual([]);

      const replay = await t.http.post('/api/v1/auth/sso/callback').send({ callbackUrl });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('AUTH.SSO_FAILED');
      expect(replay.body.reason).toMatch(/already used/);
    });

    it('uses the stored link even once the e-mail no longer matches', async () => {
      await t.db.superQuery(`UPDATE users SET email = $2 WHERE id = $1`, [officerA.id, `renamed.${randomBytes(3).toString('hex')}@atlas.test`]);
      const { res } = await ssoLogin('OPCO-ATLAS', 'sub-officer-a');
      expect(res.status).toBe(200);
      expect((await t.http.get('/api/v1/me').set(bearer(res.body.accessToken))).body.id).toBe(officerA.id);
    });

    it('refuses an unknown e-mail, a user of another organisation and a disabled user, and creates no one', async () => {
      const usersBefore = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM users`);
      const cases = [
        ['sub-stranger', /no user of this organisation/],
        ['sub-officer-b', /no user of this organisation/],
        ['sub-disabled', /disabled/],
      ] as const;
      for (const [subject, reason] of cases) {
        const { res } = await ssoLogin('OPCO-ATLAS', subject);
        expect({ subject, status: res.status, code: res.body.code }).toEqual({ subject, status: 401, code: 'AUTH.SSO_FAILED' });
        expect(res.body.reason).toMatch(reason);
      }
      expect(await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM users`)).toEqual(usersBefore);
      expect(await t.db.superQuery(`SELECT subject FROM user_identities WHERE subject IN ('sub-stranger', 'sub-officer-b')`)).toEqual([]);
    });

    it('refuses a sign-in finished after the state expired (10 minutes)', async () => {
      const started = await start('OPCO-ATLAS');
      const callbackUrl = await signIn(started.body.authorizationUrl, 'sub-officer-a');
      await t.setClockOffset(11 * 60 * 1000);
      try {
        const res = await t.http.post('/api/v1/auth/sso/callback').send({ callbackUrl });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: 'AUTH.SSO_FAILED', reason: expect.stringMatching(/too long/) });
      } finally {
        await t.setClockOffset(0);
      }
    });

    it('refuses a forged state and a malformed callback body', async () => {
      const forged = await t.http.post('/api/v1/auth/sso/callback').send({ callbackUrl: `${REDIRECT_URI}?code=abc&state=forged` });
      expect(forged.status).toBe(401);
      expect(forged.body.code).toBe('AUTH.SSO_FAILED');
      const malformed = await t.http.post('/api/v1/auth/sso/callback').send({ callbackUrl: 'not a url' });
      expect(malformed.status).toBe(400);
    });

    it('reads the e-mail from userinfo when the provider keeps it out of the ID token (and takes client_secret_basic only)', async () => {
      const code = `FUND-SSO-${randomBytes(2).toString('hex').toUpperCase()}`;
      await createOrganisation(t.db, code, 'FUNDER', 'OTHER');
      const admin = await createUser(t.db, code, ['admin']);
      const officer = await createUser(t.db, code, ['officer']);
      const strict = await startIdp({ 'sub-strict': officer.email }, { conform: true });
      try {
        const configured = await t.http
          .put('/api/v1/organisations/me/sso')
          .set(bearer(await login(t.http, admin)))
          .send({ issuer: strict.issuer, clientId: strict.clientId, clientSecret: strict.clientSecret, allowInsecureLoopback: true, redirectUris: [REDIRECT_URI] });
        expect(configured.status).toBe(200);
        const { res } = await ssoLogin(code, 'sub-strict');
        expect(res.status).toBe(200);
        expect((await t.http.get('/api/v1/me').set(bearer(res.body.accessToken))).body.id).toBe(officer.id);
      } finally {
        await strict.close();
      }
    });
  });
});
