import { JobOutbox } from '@bo/queue';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { insertProvider, newSiren, siretOf } from '../support/actions-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Issue 8, item 2 (probe: an external auditor gets 404 on an unassigned check, but the funding
 * check returned that check's id and its non-conformity comments, and the organisation's imports
 * and jobs were readable). The auditor sees only what it is assigned.
 */
describe('security: the external auditor sees only what it is assigned', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  let auditor: TestUser;
  let siret: string;
  let unassigned: string;
  let assigned: string;
  const as = async (user: TestUser) => bearer(await login(t.http, user));

  /** A one-point check with a major non-conformity, notified, answered and completed: it has an open corrective action. */
  async function checkWithMajor(comment: string, assigneeId?: string): Promise<string> {
    const grid = await t.http
      .post('/api/v1/frameworks')
      .set(await as(officer))
      .send({ code: `SEC-GRID-${comment.length}-${Date.now()}`, title: 'Grille', points: [{ code: 'P1', title: 'Point unique' }] });
    expect(grid.status).toBe(201);
    const created = await t.http
      .post('/api/v1/checks')
      .set(await as(officer))
      .send({ method: 'DOCUMENTARY', providerSiret: siret, framework: { code: grid.body.code, version: grid.body.version }, contact: { name: 'Contact OF' }, assigneeId });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await t.http.put(`/api/v1/checks/${id}/findings/P1`).set(await as(officer)).send({ grade: 'MAJOR_NC', comment, evidenceRefs: ['REGISTRE-1'] }).expect(200);
    await t.http.post(`/api/v1/checks/${id}/notify`).set(await as(officer)).send({}).expect(200);
    await t.http.post(`/api/v1/checks/${id}/provider-response`).set(await as(officer)).send({ text: 'Réponse' }).expect(200);
    const completed = await t.http.post(`/api/v1/checks/${id}/complete`).set(await as(manager));
    expect(completed.status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    auditor = await createUser(t.db, 'OPCO-ATLAS', ['auditor']);
    siret = siretOf(newSiren());
    await insertProvider(t.db, { siret, name: 'Organisme audité' });
    unassigned = await checkWithMajor('Écart majeur confidentiel (non assigné)');
    assigned = await checkWithMajor('Écart majeur du dossier assigné', auditor.id);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the funding check shows the auditor only its assigned checks: no id, no comment of the others, no payment blocks', async () => {
    const path = `/api/v1/providers/${siret}/funding-check?category=TRAINING`;
    const asOfficer = await t.http.get(path).set(await as(officer));
    expect(asOfficer.body.controls.openMajorNonConformities.map((m: { checkId: string }) => m.checkId).sort()).toEqual([assigned, unassigned].sort());
    expect(asOfficer.body.controls.blockedPayments).toEqual({ actions: 0, amountFunded: 0 });

    const asAuditor = await t.http.get(path).set(await as(auditor));
    expect(asAuditor.status).toBe(200);
    expect(asAuditor.body.controls.openMajorNonConformities).toEqual([expect.objectContaining({ checkId: assigned, description: 'Écart majeur du dossier assigné' })]);
    const text = JSON.stringify(asAuditor.body);
    expect(text).not.toContain(unassigned);
    expect(text).not.toContain('confidentiel');
    expect(asAuditor.body.controls.blockedPayments).toBeNull();
    expect(asAuditor.body.controls.priceAnomalies).toBeNull();
    expect((await t.http.get(`/api/v1/checks/${unassigned}`).set(await as(auditor))).status).toBe(404);
  });

  it("the organisation's imports and jobs are not readable by the auditor (404, as if absent)", async () => {
    const [{ id: importId }] = await t.db.superQuery<{ id: string }>(
      `INSERT INTO imports (organisation_id, kind, status, file_sha256) VALUES ($1, 'ACTIONS', 'SUCCEEDED', repeat('0', 64)) RETURNING id`,
      [officer.organisationId],
    );
    expect((await t.http.get(`/api/v1/imports/${importId}`).set(await as(officer))).status).toBe(200);
    expect((await t.http.get(`/api/v1/imports/${importId}`).set(await as(auditor))).status).toBe(404);
    expect((await t.http.get(`/api/v1/imports/${importId}/errors`).set(await as(auditor))).status).toBe(404);

    // A job of the organisation (no worker runs here: it stays queued).
    const jobId = await t.app.get(JobOutbox).addNow('actions.import', { organisationId: officer.organisationId, importId, actor: { kind: 'user', id: officer.id, label: officer.email } });
    expect((await t.http.get(`/api/v1/jobs/${jobId}`).set(await as(officer))).status).toBe(200);
    const job = await t.http.get(`/api/v1/jobs/${jobId}`).set(await as(auditor));
    expect(job.status).toBe(404);
    expect(job.body.code).toBe('JOB.NOT_FOUND');
  });
});
