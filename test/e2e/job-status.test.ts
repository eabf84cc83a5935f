import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login } from '../support/fixtures';

/**
 * A job asked for is never "not found" while it waits: until the outbox relay has handed it to
 * the queue (or when Redis lost it), GET /jobs/{id} answers from its outbox row.
 */
describe('job status before the queue has the job', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a pending outbox row as waiting, to its audience only', async () => {
    // Due tomorrow: the relay leaves it in the outbox.
    const [row] = await t.db.superQuery<{ id: string }>(
      `INSERT INTO job_outbox (job_name, queue, payload, organisation_id, available_at)
       VALUES ('reference.reload', 'default', '{"organisationId": null, "requestedBy": null}', NULL, now() + interval '1 day') RETURNING id`,
    );
    const platform = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    const res = await t.http.get(`/api/v1/jobs/default.${row.id}`).set('authorization', `Bearer ${await login(t.http, platform)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: `default.${row.id}`, name: 'reference.reload', state: 'waiting', organisationId: null });
    const officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    expect((await t.http.get(`/api/v1/jobs/default.${row.id}`).set('authorization', `Bearer ${await login(t.http, officer)}`)).status).toBe(404);
    expect((await t.http.get(`/api/v1/jobs/imports.${row.id}`).set('authorization', `Bearer ${await login(t.http, platform)}`)).status).toBe(404);
  });
});
