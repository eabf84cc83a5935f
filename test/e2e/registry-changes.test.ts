import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, login } from '../support/fixtures';
import { insertProvider, newSiren, siretOf } from '../support/actions-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A registry change re-evaluates the coverage of funded actions (registry.coverage-recompute). */
describe('registry changes and coverage', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  let certifier: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    await createOrganisation(t.db, 'CERT-CHANGES', 'CERTIFIER');
    certifier = await createUser(t.db, 'CERT-CHANGES', ['certifier']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("re-evaluates an action when its certifier records a certification, and again when it is withdrawn; a manager's note shows beside it", async () => {
    const siret = siretOf(newSiren());
    await insertProvider(t.db, { siret, name: 'Formations du Rhône' });
    await t.db.superQuery(`INSERT INTO provider_certifiers (siren, certifier_id, source) SELECT $1, id, 'test' FROM organisations WHERE code = 'CERT-CHANGES'`, [siret.slice(0, 9)]);
    const officerToken = await login(t.http, officer);
    // Name search ignores accents and case.
    const found = await t.http.get('/api/v1/providers').query({ q: 'formations du rhone' }).set(bearer(officerToken));
    expect(found.body.items.map((p: { siret: string }) => p.siret)).toEqual([siret]);
    const created = await t.http.post('/api/v1/actions').set(bearer(officerToken)).send({
      externalRef: 'COV-1',
      providerSiret: siret,
      category: 'TRAINING',
      formacode: '31054',
      modality: 'ON_SITE',
      region: '84',
      fundingDecisionDate: '2026-03-01',
      startDate: '2026-04-01',
      amountFunded: 1200,
    });
    expect(created.status).toBe(201);
    expect(created.body.coverage).toBe('UNKNOWN');

    const certifierToken = await login(t.http, certifier);
    const certified = await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(certifierToken))
      .send({ certified: true, observedOn: '2026-01-10' });
    expect(certified.status).toBe(200);
    expect(certified.body.observation).toMatchObject({ source: 'CERTIFIER_DECISION', certifier: 'CERT-CHANGES', ownNote: false });
    await t.drain();
    expect((await t.http.get(`/api/v1/actions/${created.body.id}`).set(bearer(officerToken))).body.coverage).toBe('CERTIFIED');

    // Withdrawn before the funding decision: the action is now flagged.
    await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(certifierToken))
      .send({ certified: false, observedOn: '2026-02-15' })
      .expect(200);
    await t.drain();
    expect((await t.http.get(`/api/v1/actions/${created.body.id}`).set(bearer(officerToken))).body.coverage).toBe('NOT_CERTIFIED');

    // The funder's manager disagrees: its own note shows beside the shared coverage, never instead of it.
    await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(await login(t.http, manager)))
      .send({ certified: true, certifier: 'Certificateur Démo', observedOn: '2026-02-20' })
      .expect(200);
    await t.drain();
    const action = (await t.http.get(`/api/v1/actions/${created.body.id}`).set(bearer(officerToken))).body;
    expect(action).toMatchObject({ coverage: 'NOT_CERTIFIED', coverageOwnNote: { status: 'CERTIFIED', ownNote: true } });
    const uncertified = await t.http.get('/api/v1/coverage/uncertified').set(bearer(officerToken));
    expect(JSON.stringify(uncertified.body)).toContain(created.body.id);
  });
});
