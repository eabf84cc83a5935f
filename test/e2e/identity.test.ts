import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { UsersService } from '@bo/identity';
import { TestApp, createTestApp } from '../support/test-app';
import { TEST_PASSWORD, TestUser, createUser, login } from '../support/fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** The session id (`sid`) an access token carries. */
const decodeSid = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sid;

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('identity, tenancy and audit', () => {
  let t: TestApp;
  let adminA: TestUser;
  let officerA: TestUser;
  let adminB: TestUser;
  let officerB: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    adminA = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    officerA = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    adminB = await createUser(t.db, 'CDC', ['admin']);
    officerB = await createUser(t.db, 'CDC', ['officer']);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('tokens', () => {
    it('logs in, reads /me, and refuses a wrong password with a generic message', async () => {
      const token = await login(t.http, officerA);
      const me = await t.http.get('/api/v1/me').set(bearer(token));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: officerA.id, organisation: { code: 'OPCO-ATLAS' }, roles: ['officer'] });
      const wrong = await t.http.post('/api/v1/auth/login').send({ email: officerA.email, password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('AUTH.INVALID_CREDENTIALS');
      const unknown = await t.http.post('/api/v1/auth/login').send({ email: 'nobody@nowhere.test', password: 'x' });
      expect(unknown.body).toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS', detail: wrong.body.detail });
    });

    it('refuses a wrong signature, alg none, an expired token and a disabled user', async () => {
      const token = await login(t.http, officerB);
      const [header, payload] = token.split('.');
      const forged = `${header}.${payload}.${createHmac('sha256', 'another secret of at least 32 chars!!').update(`${header}.${payload}`).digest('base64url')}`;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      for (const bad of [forged, none, 'not-a-jwt']) {
        const res = await t.http.get('/api/v1/me').set(bearer(bad));
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH.TOKEN_INVALID');
      }
      // Expired: move every process's clock past the 15-minute lifetime.
      await t.setClockOffset(16 * 60 * 1000);
      try {
        expect((await t.http.get('/api/v1/me').set(bearer(token))).status).toBe(401);
      } finally {
        await t.setClockOffset(0);
      }
      expect((await t.http.get('/api/v1/me').set(bearer(token))).status).toBe(200);
      const disabled = await createUser(t.db, 'CDC', ['officer']);
      const disabledToken = await login(t.http, disabled);
      const adminToken = await login(t.http, adminB);
      const patch = await t.http.patch(`/api/v1/users/${disabled.id}`).set(bearer(adminToken)).send({ disabled: true });
      expect(patch.status).toBe(200);
      expect((await t.http.get('/api/v1/me').set(bearer(disabledToken))).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/login').send({ email: disabled.email, password: TEST_PASSWORD })).status).toBe(401);
    });

    it('rotates refresh tokens and revokes the family when a spent one is replayed', async () => {
      const first = await t.http.post('/api/v1/auth/login').send({ email: adminA.email, password: TEST_PASSWORD });
      const second = await t.http.post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken });
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
      const replay = await t.http.post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('AUTH.REFRESH_REUSED');
      // The thief's replay revoked the legitimate holder's newer token too.
      const after = await t.http.post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken });
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('AUTH.REFRESH_REUSED');
      // ... and every access token of the session, from the very next request.
      for (const token of [first.body.accessToken, second.body.accessToken]) {
        const me = await t.http.get('/api/v1/me').set(bearer(token));
        expect(me.status).toBe(401);
        expect(me.body.code).toBe('AUTH.TOKEN_INVALID');
      }
    });

    it('logout ends the session of the access token sent along too, and only the sessions named', async () => {
      const phone = await t.http.post('/api/v1/auth/login').send({ email: officerA.email, password: TEST_PASSWORD });
      const laptop = await t.http.post('/api/v1/auth/login').send({ email: officerA.email, password: TEST_PASSWORD });
      const desk = await t.http.post('/api/v1/auth/login').send({ email: officerA.email, password: TEST_PASSWORD });
      // The laptop's access token with the phone's refresh token: both sessions end, the desk's goes on.
      const out = await t.http.post('/api/v1/auth/logout').set(bearer(laptop.body.accessToken)).send({ refreshToken: phone.body.refreshToken });
      expect(out.status).toBe(204);
      expect((await t.http.get('/api/v1/me').set(bearer(phone.body.accessToken))).status).toBe(401);
      expect((await t.http.get('/api/v1/me').set(bearer(laptop.body.accessToken))).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/refresh').send({ refreshToken: laptop.body.refreshToken })).status).toBe(401);
      expect((await t.http.get('/api/v1/me').set(bearer(desk.body.accessToken))).status).toBe(200);
      const events = await t.db.superQuery<{ entity_id: string }>(`SELECT entity_id FROM audit_events WHERE action = 'auth.logout' AND actor_id = $1`, [officerA.id]);
      expect(events.map((e) => e.entity_id)).toEqual(expect.arrayContaining([decodeSid(phone.body.accessToken), decodeSid(laptop.body.accessToken)]));
      expect(events.map((e) => e.entity_id)).not.toContain(decodeSid(desk.body.accessToken));
    });

    it('logout revokes the refresh token', async () => {
      const pair = await t.http.post('/api/v1/auth/login').send({ email: officerA.email, password: TEST_PASSWORD });
      expect((await t.http.post('/api/v1/auth/logout').send({ refreshToken: pair.body.refreshToken })).status).toBe(204);
      expect((await t.http.post('/api/v1/auth/refresh').send({ refreshToken: pair.body.refreshToken })).status).toBe(401);
    });
  });

  describe('throttling', () => {
    it('slows down repeated failures with 429 and lets an admin unlock', async () => {
      const victim = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push((await t.http.post('/api/v1/auth/login').send({ email: victim.email, password: 'wrong password' })).status);
      }
      expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
      expect(codes[4]).toBe(429);
      const throttled = await t.http.post('/api/v1/auth/login').send({ email: victim.email, password: TEST_PASSWORD });
      expect(throttled.status).toBe(429);
      expect(throttled.body.code).toBe('AUTH.THROTTLED');
      expect(throttled.body.retryAfter).toBeGreaterThan(0);
      const unlock = await t.http.post(`/api/v1/users/${victim.id}/unlock`).set(bearer(await login(t.http, adminA)));
      expect(unlock.status).toBe(204);
      expect((await t.http.post('/api/v1/auth/login').send({ email: victim.email, password: TEST_PASSWORD })).status).toBe(200);
    });
  });

  describe('API keys', () => {
    it('shows the key once, authenticates with its scopes, records last use, and stops on revocation', async () => {
      const adminToken = await login(t.http, adminA);
      const created = await t.http.post('/api/v1/api-keys').set(bearer(adminToken)).send({ label: 'SI', scopes: ['providers:read'] });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^bo_[a-z0-9]{12}_/);
      const list = await t.http.get('/api/v1/api-keys').set(bearer(adminToken));
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
      const [stored] = await t.db.superQuery<{ secret_hash: string }>(`SELECT secret_hash FROM api_keys WHERE id = $1`, [created.body.id]);
      expect(created.body.key).not.toContain(stored.secret_hash);
      // A key may not call user-only routes...
      const me = await t.http.get('/api/v1/me').set('x-api-key', created.body.key);
      expect(me.status).toBe(403);
      expect(me.body.code).toBe('ACCESS.SCOPE_MISSING');
      const [used] = await t.db.superQuery<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [created.body.id]);
      expect(used.last_used_at).not.toBeNull();
      await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(adminToken)).expect(200);
      const revoked = await t.http.get('/api/v1/me').set('x-api-key', created.body.key);
      expect(revoked.status).toBe(401);
      expect((await t.http.get('/api/v1/me').set('x-api-key', 'bo_nope')).status).toBe(401);
    });
  });

  describe('tenancy', () => {
    it('a query without any organisation filter, on the application connection for funder A, returns none of funder B\'s rows', async () => {
      const client = new Client({ connectionString: t.db.urls.DATABASE_URL });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('app.org_id', $1, true)`, [adminA.organisationId]);
        const users = await client.query<{ organisation_id: string }>(`SELECT organisation_id FROM users`);
        const audit = await client.query<{ organisation_id: string }>(`SELECT organisation_id FROM audit_events`);
        expect(users.rows.length).toBeGreaterThan(0);
        expect(new Set(users.rows.map((r) => r.organisation_id))).toEqual(new Set([adminA.organisationId]));
        expect(audit.rows.every((r) => r.organisation_id === adminA.organisationId)).toBe(true);
        const write = await client.query(`UPDATE users SET display_name = 'hijack' WHERE organisation_id = $1`, [adminB.organisationId]);
        expect(write.rowCount).toBe(0);
        await client.query('ROLLBACK');
        // Without an organisation set, the application role sees nothing at all.
        expect((await client.query(`SELECT 1 FROM users`)).rowCount).toBe(0);
        const bypass = await client.query<{ rolbypassrls: boolean }>(`SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user`);
        expect(bypass.rows[0].rolbypassrls).toBe(false);
      } finally {
        await client.end();
      }
    });

    it("answers 404 for another organisation's user and refuses fields the caller does not own", async () => {
      const token = await login(t.http, adminA);
      expect((await t.http.get(`/api/v1/users/${officerB.id}`).set(bearer(token))).status).toBe(404);
      const sneaky = await t.http
        .post('/api/v1/users')
        .set(bearer(token))
        .send({ email: 'sneaky@atlas.test', displayName: 'S', roles: ['officer'], organisationId: adminB.organisationId });
      expect(sneaky.status).toBe(400);
      expect(sneaky.body.errors).toEqual([{ field: 'organisationId', message: 'property organisationId should not exist', constraint: 'whitelistValidation' }]);
      const patch = await t.http.patch(`/api/v1/users/${officerA.id}`).set(bearer(token)).send({ organisationId: adminB.organisationId, email: 'x@y.z' });
      expect(patch.status).toBe(400);
      expect(patch.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'organisationId']);
      const grant = await t.http.patch(`/api/v1/users/${officerA.id}`).set(bearer(token)).send({ roles: ['platform_admin'] });
      expect(grant.status).toBe(422);
      expect(grant.body.code).toBe('USER.ROLE_NOT_ALLOWED');
      const key = await t.http.post('/api/v1/api-keys').set(bearer(token)).send({ label: 'k', scopes: ['providers:read'], organisationId: adminB.organisationId });
      expect(key.status).toBe(400);
      const role = await t.http.post('/api/v1/users').set(bearer(token)).send({ email: 'r@atlas.test', displayName: 'R', roles: ['ministry'] });
      expect(role.status).toBe(422);
    });
  });

  describe('organisations', () => {
    it('lets a platform administrator enter a certifier with its first admin, audited in both chains', async () => {
      const platform = await createUser(t.db, 'PLATFORM', ['platform_admin']);
      const token = await login(t.http, platform);
      const res = await t.http
        .post('/api/v1/organisations')
        .set(bearer(token))
        .send({ code: 'CERT-NEW', kind: 'CERTIFIER', name: 'Nouveau certificateur', firstAdmin: { email: 'boss@cert-new.test', displayName: 'Boss', roles: ['admin', 'certifier'], password: 'a long enough password' } });
      expect(res.status).toBe(201);
      expect(res.body.firstAdmin).toMatchObject({ organisationId: res.body.organisation.id, roles: ['admin', 'certifier'] });
      const bossToken = await login(t.http, { email: 'boss@cert-new.test' }, 'a long enough password');
      const trail = await t.http.get('/api/v1/audit').set(bearer(bossToken));
      expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['auth.login', 'user.created']);
      const platformTrail = await t.http.get('/api/v1/audit').query({ action: 'organisation.created' }).set(bearer(await login(t.http, { email: platform.email })));
      expect(platformTrail.status).toBe(403); // platform_admin without admin role cannot read the trail
      const again = await t.http.post('/api/v1/organisations').set(bearer(token)).send({ code: 'CERT-NEW', kind: 'CERTIFIER', name: 'x' });
      expect(again.status).toBe(409);
      const funderWithoutKind = await t.http.post('/api/v1/organisations').set(bearer(token)).send({ code: 'FUND-X', kind: 'FUNDER', name: 'x' });
      expect(funderWithoutKind.status).toBe(400);
      expect(funderWithoutKind.body.errors[0].field).toBe('funderKind');
      const badRole = await t.http
        .post('/api/v1/organisations')
        .set(bearer(token))
        .send({ code: 'CERT-BAD', kind: 'CERTIFIER', name: 'x', firstAdmin: { email: 'x@cert-bad.test', displayName: 'X', roles: ['officer'] } });
      expect(badRole.status).toBe(422);
      const [{ n }] = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM organisations WHERE code = 'CERT-BAD'`);
      expect(n).toBe(0); // nothing half-written
    });
  });

  describe('audit trail', () => {
    it('records changes in the organisation chain and detects a row altered by a superuser', async () => {
      const token = await login(t.http, adminA);
      const created = await t.http.post('/api/v1/users').set(bearer(token)).send({ email: 'audited@atlas.test', displayName: 'A', roles: ['officer'] });
      expect(created.status).toBe(201);
      const events = await t.http.get('/api/v1/audit').query({ entityType: 'user', entityId: created.body.id }).set(bearer(token));
      expect(events.status).toBe(200);
      expect(events.body.items).toHaveLength(1);
      expect(events.body.items[0]).toMatchObject({ action: 'user.created', actorId: adminA.id, entityId: created.body.id });
      expect(events.body.items[0].afterDigest).toMatch(/^[a-f0-9]{64}$/);
      // Another organisation does not see it.
      const other = await t.http.get('/api/v1/audit').query({ entityId: created.body.id }).set(bearer(await login(t.http, adminB)));
      expect(other.body.items).toEqual([]);
      expect((await t.http.get('/api/v1/audit/verify').set(bearer(token))).body).toMatchObject({ valid: true });
      // The application role cannot rewrite history.
      const app = new Client({ connectionString: t.db.urls.DATABASE_URL });
      await app.connect();
      await expect(app.query(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(/permission denied/);
      await app.end();
      // A superuser can; verify names the first broken link.
      const [target] = await t.db.superQuery<{ seq: string; id: string }>(
        `SELECT seq, id FROM audit_events WHERE organisation_id = $1 AND entity_id = $2`,
        [adminA.organisationId, created.body.id],
      );
      await t.db.superQuery(`UPDATE audit_events SET actor_label = 'someone else' WHERE id = $1`, [target.id]);
      const verify = await t.http.get('/api/v1/audit/verify').set(bearer(token));
      expect(verify.body).toMatchObject({ valid: false, firstBrokenLink: { seq: Number(target.seq), id: String(target.id) } });
      const verifyB = await t.http.get('/api/v1/audit/verify').set(bearer(await login(t.http, adminB)));
      expect(verifyB.body.valid).toBe(true);
    });

    it('pages the trail with a cursor', async () => {
      const token = await login(t.http, adminB);
      const first = await t.http.get('/api/v1/audit').query({ limit: 2 }).set(bearer(token));
      expect(first.body.items).toHaveLength(2);
      const second = await t.http.get('/api/v1/audit').query({ limit: 2, cursor: first.body.nextCursor }).set(bearer(token));
      expect(second.body.items[0].seq).toBeLessThan(first.body.items[1].seq);
      const bad = await t.http.get('/api/v1/audit').query({ cursor: 'bm9wZQ' }).set(bearer(token));
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('cursor');
    });
  });

  describe('platform conventions', () => {
    it('replays an Idempotency-Key with the first response and refuses its reuse for another body', async () => {
      const token = await login(t.http, adminA);
      const body = { label: 'idem', scopes: ['providers:read'] };
      const first = await t.http.post('/api/v1/api-keys').set(bearer(token)).set('idempotency-key', 'key-1').send(body);
      const again = await t.http.post('/api/v1/api-keys').set(bearer(token)).set('idempotency-key', 'key-1').send(body);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const [{ n }] = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE label = 'idem'`);
      expect(n).toBe(1);
      const other = await t.http.post('/api/v1/api-keys').set(bearer(token)).set('idempotency-key', 'key-1').send({ ...body, label: 'other' });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    });

    it('answers 412 to a stale If-Match and accepts the current ETag', async () => {
      const token = await login(t.http, adminA);
      const read = await t.http.get(`/api/v1/users/${officerA.id}`).set(bearer(token));
      const etag = read.headers.etag;
      expect(etag).toMatch(/^".+\.v\d+"$/);
      const ok = await t.http.patch(`/api/v1/users/${officerA.id}`).set(bearer(token)).set('if-match', etag).send({ displayName: 'Camille' });
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).not.toBe(etag);
      const stale = await t.http.patch(`/api/v1/users/${officerA.id}`).set(bearer(token)).set('if-match', etag).send({ displayName: 'Again' });
      expect(stale.status).toBe(412);
      expect(stale.body.code).toBe('REQUEST.PRECONDITION_FAILED');
    });

    it('answers an unexpected exception with a 500 problem without stack, carrying the correlation id', async () => {
      const users = t.app.get(UsersService);
      const original = users.me.bind(users);
      users.me = async () => {
        throw new Error('secret internal detail');
      };
      try {
        const res = await t.http.get('/api/v1/me').set(bearer(await login(t.http, officerA))).set('x-correlation-id', 'corr-12345678');
        expect(res.status).toBe(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['x-correlation-id']).toBe('corr-12345678');
        expect(res.body).toMatchObject({ code: 'INTERNAL.ERROR', correlationId: 'corr-12345678' });
        expect(JSON.stringify(res.body)).not.toMatch(/secret internal detail|at .*\.ts/);
      } finally {
        users.me = original;
      }
    });

    it('answers malformed JSON and unknown routes with problem+json', async () => {
      const malformed = await t.http.post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ code: 'REQUEST.MALFORMED', errors: [{ field: 'body' }] });
      const unknown = await t.http.get('/api/v1/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(unknown.body.code).toBe('HTTP.NOT_FOUND');
      const nested = await t.http.post('/api/v1/auth/login').send({ email: 'not-an-email', password: '' });
      expect(nested.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    });
  });
});
