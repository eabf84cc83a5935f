import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login } from '../support/fixtures';

describe('foundation (API on real PostgreSQL and Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports readiness with the database and Redis up', async () => {
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', error: {}, details: { database: { status: 'up' }, redis: { status: 'up' } } });
    expect(res.body.details.database.responseTime).toEqual(expect.any(Number));
    expect(res.headers['x-correlation-id']).toBeDefined();
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
  });

  it('runs a job API -> Redis -> worker -> PostgreSQL and shows its status', async () => {
    const admin = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    const token = await login(t.http, admin);
    await t.db.superQuery(`UPDATE organisations SET name = 'renamed by hand' WHERE code = 'OPCO-ATLAS'`);
    const res = await t.http.post('/api/v1/admin/reference/reload').set('authorization', `Bearer ${token}`).send({ force: true });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/api/v1/jobs/${res.body.jobId}`);
    await t.drain();
    const status = await t.http.get(res.headers.location).set('authorization', `Bearer ${token}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: res.body.jobId, name: 'reference.reload', state: 'completed', progress: 100 });
    expect(status.body.result).toMatchObject({ skipped: false, organisations: 1 });
    const [row] = await t.db.superQuery<{ name: string }>(`SELECT name FROM organisations WHERE code = 'OPCO-ATLAS'`);
    expect(row.name).toBe('Atlas');
  });

  it('opens the jobs board to platform administrators only, through the session cookie', async () => {
    expect((await t.http.get('/admin/queues')).status).toBe(401);
    const officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    const officerSession = await t.http.post('/api/v1/auth/session').set('authorization', `Bearer ${await login(t.http, officer)}`);
    const officerCookie = String(officerSession.headers['set-cookie']).split(';')[0];
    const refused = await t.http.get('/admin/queues').set('cookie', officerCookie);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ACCESS.FORBIDDEN');
    const admin = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    const session = await t.http.post('/api/v1/auth/session').set('authorization', `Bearer ${await login(t.http, admin)}`);
    expect(session.status).toBe(204);
    const cookie = String(session.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin/);
    const board = await t.http.get('/admin/queues').set('cookie', cookie.split(';')[0]);
    expect(board.status).toBe(200);
    expect(board.text).toMatch(/<html/i);
  });
});
