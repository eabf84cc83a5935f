import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { JWT_AUDIENCE, JWT_ISSUER } from '@bo/identity';
import { TestApp, createTestApp } from '../support/test-app';
import { TEST_PASSWORD, TestUser, createUser } from '../support/fixtures';

/**
 * Probe: a stolen access token. Replays what an attacker holding a token (or the JWT secret's
 * algorithm confusion) would try: the token after its owner logged out, a token minted with a
 * lifetime longer than the configured one, a token for another audience or issuer, a token not
 * yet valid, `alg: none`, and a token without `jti`.
 */
describe('security: access tokens (issue 8 item 10)', () => {
  let t: TestApp;
  let user: TestUser;
  const secret = () => process.env.JWT_SECRET!;
  const now = () => Math.floor(Date.now() / 1000);
  const me = (token: string) => t.http.get('/api/v1/me').set('authorization', `Bearer ${token}`);

  /** A token signed with the real secret; `overrides` changes what a forger would change. */
  async function forge(user: TestUser, overrides: { iss?: string; aud?: string; iat?: number; nbf?: number; exp?: number; jti?: string | null } = {}): Promise<string> {
    const iat = overrides.iat ?? now();
    let jwt = new SignJWT({ org: user.organisationId, sid: randomUUID(), typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(overrides.iss ?? JWT_ISSUER)
      .setAudience(overrides.aud ?? JWT_AUDIENCE)
      .setIssuedAt(iat)
      .setNotBefore(overrides.nbf ?? iat)
      .setExpirationTime(overrides.exp ?? iat + 600);
    if (overrides.jti !== null) jwt = jwt.setJti(overrides.jti ?? randomUUID());
    return jwt.sign(new TextEncoder().encode(secret()));
  }

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts a well-formed token signed with the pinned algorithm (control)', async () => {
    expect((await me(await forge(user))).status).toBe(200);
  });

  it('refuses the access token once its owner logged out, and every other access token of that session', async () => {
    const login = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD });
    const { accessToken, refreshToken } = login.body as { accessToken: string; refreshToken: string };
    // A second access token of the same session (after a refresh), which the thief might hold.
    const refreshed = await t.http.post('/api/v1/auth/refresh').send({ refreshToken });
    expect((await me(accessToken)).status).toBe(200);
    expect((await me(refreshed.body.accessToken)).status).toBe(200);
    const out = await t.http.post('/api/v1/auth/logout').set('authorization', `Bearer ${refreshed.body.accessToken}`).send({ refreshToken: refreshed.body.refreshToken });
    expect(out.status).toBe(204);
    for (const token of [accessToken, refreshed.body.accessToken]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('AUTH.TOKEN_INVALID');
    }
  });

  it('refuses a token whose lifetime exceeds the configured one, even well signed', async () => {
    const iat = now();
    const res = await me(await forge(user, { iat, exp: iat + 24 * 3600 }));
    expect(res.status).toBe(401);
  });

  it('refuses another issuer or audience, a token not yet valid, and one without jti', async () => {
    for (const token of [
      await forge(user, { iss: 'https://elsewhere.example' }),
      await forge(user, { aud: 'another-service' }),
      await forge(user, { nbf: now() + 600, exp: now() + 900 }),
      await forge(user, { jti: null }),
    ]) {
      expect((await me(token)).status).toBe(401);
    }
  });

  it('refuses alg none and an algorithm other than HS256', async () => {
    const payload = Buffer.from(JSON.stringify({ sub: user.id, org: user.organisationId, sid: randomUUID(), typ: 'access', iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now(), nbf: now(), exp: now() + 600, jti: randomUUID() })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const hs512Header = Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url');
    const hs512 = `${hs512Header}.${payload}.${createHmac('sha512', secret()).update(`${hs512Header}.${payload}`).digest('base64url')}`;
    for (const token of [none, hs512]) expect((await me(token)).status).toBe(401);
  });

  it('issues tokens carrying iss, aud, nbf, jti and the configured lifetime', async () => {
    const login = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD });
    const [header, payload] = (login.body.accessToken as string).split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: JWT_ISSUER, aud: JWT_AUDIENCE, typ: 'access' });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp - payload.iat).toBe(Number(process.env.ACCESS_TOKEN_TTL_SECONDS ?? 900));
  });
});
