import { TestApp, createTestApp } from '../support/test-app';
import { TEST_PASSWORD, TestUser, createUser, login } from '../support/fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Issue 8, item 6 (probe: creating a user with another organisation's e-mail answered
 * `USER.EMAIL_TAKEN`). The answer must not tell an admin that an address exists elsewhere: the
 * user is created in the admin's organisation as for any address, but inert (it never signs in
 * with a password while the address is another organisation's account).
 */
describe('security: no user enumeration across organisations', () => {
  let t: TestApp;
  let adminB: TestUser;
  let userA: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    adminB = await createUser(t.db, 'CDC', ['admin']);
    userA = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** What an admin can observe of an answer: status, code, field errors, and the shape of the body. */
  const observable = (res: { status: number; body: Record<string, unknown> }) => ({
    status: res.status,
    code: res.body.code,
    keys: Object.keys(res.body).sort(),
    roles: res.body.roles,
    disabled: res.body.disabled,
    organisationId: res.body.organisationId,
  });

  it("answers an address held by another organisation exactly as a fresh one, and the holder's account is untouched", async () => {
    const token = await login(t.http, adminB);
    const body = (email: string) => ({ email, displayName: 'Nouvelle personne', roles: ['officer'], password: 'un mot de passe assez long' });
    const fresh = await t.http.post('/api/v1/users').set(bearer(token)).send(body('personne.nouvelle@cdc.test'));
    const taken = await t.http.post('/api/v1/users').set(bearer(token)).send(body(userA.email.toUpperCase()));
    expect(fresh.status).toBe(201);
    expect(observable(taken)).toEqual(observable(fresh));
    expect(taken.body.email).toBe(userA.email);
    // Later reads do not tell them apart either.
    const read = await t.http.get(`/api/v1/users/${taken.body.id}`).set(bearer(token));
    expect(read.status).toBe(200);
    expect(Object.keys(read.body).sort()).toEqual(Object.keys(fresh.body).sort());

    // The address keeps signing in to its own organisation; the inert copy never signs in.
    const a = await t.http.post('/api/v1/auth/login').send({ email: userA.email, password: TEST_PASSWORD });
    expect(a.status).toBe(200);
    const me = await t.http.get('/api/v1/me').set(bearer(a.body.accessToken));
    expect(me.body.organisationId).toBe(userA.organisationId);
    const inert = await t.http.post('/api/v1/auth/login').send({ email: userA.email, password: 'un mot de passe assez long' });
    expect(inert.status).toBe(401);
    expect(inert.body.code).toBe('AUTH.INVALID_CREDENTIALS');
  });

  it("refuses an address already used in the admin's own organisation (which it sees anyway)", async () => {
    const token = await login(t.http, adminB);
    const again = await t.http.post('/api/v1/users').set(bearer(token)).send({ email: 'personne.nouvelle@cdc.test', displayName: 'Doublon', roles: ['officer'] });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('USER.EMAIL_TAKEN');
  });
});
