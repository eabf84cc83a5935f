import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, login, orgId } from '../support/fixtures';
import { TestProvider, createProvider } from '../support/registry-fixtures';
import { NARRATIVE, completedCheck, listenInbox } from '../support/reports-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The whole path of a report, with the worker: an officer drafts, a co-signing funder adds
 * grounds, a manager submits, the worker delivers (signed POST to the built-in inbox) to the
 * regional control service and to the certifier, the agent acknowledges and requests
 * information, the funder answers, the certifier closes with a suspension, and the provider's
 * certification history shows it. Then a control service forwards a case to the certifier.
 */
describe('reports: the whole path', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (u: TestUser) => bearer(tokens[u.id]);
  let officer: TestUser, manager: TestUser, cdcOfficer: TestUser, cdcManager: TestUser, agent: TestUser, certifier: TestUser;
  let provider: TestProvider;
  let certifierOrg: string;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    const inboxUrl = await listenInbox(t);
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    cdcOfficer = await createUser(t.db, 'CDC', ['officer']);
    cdcManager = await createUser(t.db, 'CDC', ['manager']);
    agent = await createUser(t.db, 'SRC-84', ['ministry']);
    certifierOrg = await createOrganisation(t.db, 'CERT-PATH', 'CERTIFIER');
    certifier = await createUser(t.db, 'CERT-PATH', ['certifier']);
    for (const u of [officer, manager, cdcOfficer, cdcManager, agent, certifier]) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db, 'Organisme du parcours');
    await t.db.superQuery(`INSERT INTO certification_observations (nda, category, certified, observed_on, source) VALUES ($1, 'TRAINING', true, '2024-01-01', 'MANUAL')`, [provider.nda]);
    await t.db.superQuery(`INSERT INTO provider_certifiers (siren, certifier_id, source) VALUES ($1, $2, 'certificat')`, [provider.siret.slice(0, 9), certifierOrg]);
    for (const org of [await orgId(t.db, 'SRC-84'), certifierOrg]) await t.db.superQuery(`INSERT INTO delivery_endpoints (organisation_id, url) VALUES ($1, $2)`, [org, inboxUrl]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('drafts, co-signs, submits, delivers, handles and records the suspension', async () => {
    const rnq = await completedCheck(t, tokens[officer.id], tokens[manager.id], provider.siret, { '1': 'MAJOR_NC' });
    const sf = await completedCheck(t, tokens[officer.id], tokens[manager.id], provider.siret, { 'SF-02': 'MAJOR_NC' }, { code: 'SERVICE-FAIT', version: 1 });
    const cdcRnq = await completedCheck(t, tokens[cdcOfficer.id], tokens[cdcManager.id], provider.siret, { '1': 'MINOR_NC' });

    // The officer drafts.
    const draft = await t.http
      .post('/api/v1/reports')
      .set(as(officer))
      .send({ providerSiret: provider.siret, title: 'Information du public et service fait', claims: [{ kind: 'INDICATOR', code: '1' }, { kind: 'SERVICE_FAIT', code: 'SF-02' }], narrative: NARRATIVE })
      .expect(201);
    const id = draft.body.id as string;
    await t.http.post(`/api/v1/reports/${id}/grounds`).set(as(officer)).send({ kind: 'CHECK_VERSION', checkId: rnq.id, revision: rnq.revision }).expect(200);
    await t.http.post(`/api/v1/reports/${id}/grounds`).set(as(officer)).send({ kind: 'CHECK_VERSION', checkId: sf.id, revision: sf.revision }).expect(200);

    // A co-signing funder adds its grounds.
    const cdc = await orgId(t.db, 'CDC');
    await t.http.post(`/api/v1/reports/${id}/cosigners`).set(as(officer)).send({ organisationId: cdc }).expect(200);
    await t.http.post(`/api/v1/reports/${id}/cosigners/${cdc}/accept`).set(as(cdcOfficer)).expect(200);
    await t.http.post(`/api/v1/reports/${id}/grounds`).set(as(cdcOfficer)).send({ kind: 'CHECK_VERSION', checkId: cdcRnq.id, revision: cdcRnq.revision }).expect(200);

    // A manager submits; the worker delivers to both recipients.
    const submitted = await t.http.post(`/api/v1/reports/${id}/submit`).set(as(manager)).expect(200);
    expect(submitted.body.recipients.map((r: { kind: string }) => r.kind)).toEqual(['CERTIFIER', 'REGIONAL_CONTROL_SERVICE']);
    await t.drain();
    const cases = (await t.http.get(`/api/v1/reports/${id}/cases`).set(as(officer)).expect(200)).body as { id: string; recipient: { code: string }; delivery: { status: string; acknowledgementId: string } }[];
    expect(cases.map((c) => [c.recipient.code, c.delivery.status]).sort()).toEqual([['CERT-PATH', 'DELIVERED'], ['SRC-84', 'DELIVERED']]);
    const srcCase = cases.find((c) => c.recipient.code === 'SRC-84')!;
    const certCase = cases.find((c) => c.recipient.code === 'CERT-PATH')!;

    // The control service's agent acknowledges and requests information; the funder answers.
    const inbox = await t.http.get(`/api/v1/inbox/cases/${srcCase.id}`).set(as(agent)).expect(200);
    expect(inbox.body.seal.valid).toBe(true);
    expect(inbox.body.package.cosigners).toEqual([expect.objectContaining({ code: 'CDC' })]);
    await t.http.post(`/api/v1/inbox/cases/${srcCase.id}/acknowledge`).set(as(agent)).expect(200);
    await t.http.post(`/api/v1/inbox/cases/${srcCase.id}/request-info`).set(as(agent)).send({ text: 'Transmettez les certificats de réalisation.' }).expect(200);
    await t.http.post(`/api/v1/reports/${id}/cases/${srcCase.id}/answer`).set(as(officer)).send({ text: 'Les certificats manquent pour 12 stagiaires.' }).expect(200);
    const answered = await t.http.get(`/api/v1/inbox/cases/${srcCase.id}`).set(as(agent)).expect(200);
    expect(answered.body.case.handlingStatus).toBe('ANSWERED');
    expect(answered.body.case.events.map((e: { kind: string }) => e.kind)).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'INFO_REQUESTED', 'ANSWERED']);
    await t.http.post(`/api/v1/inbox/cases/${srcCase.id}/close`).set(as(agent)).send({ outcome: 'ACTION_TAKEN' }).expect(200);

    // The certifier closes with a suspension: the provider's certification history shows it.
    await t.http.post(`/api/v1/inbox/cases/${certCase.id}/acknowledge`).set(as(certifier)).expect(200);
    await t.http.post(`/api/v1/inbox/cases/${certCase.id}/close`).set(as(certifier)).send({ outcome: 'SUSPENSION', note: 'Suspension de 3 mois' }).expect(200);
    const establishment = await t.http.get(`/api/v1/providers/${provider.siret}`).set(as(officer)).expect(200);
    expect(establishment.body.ndas[0].history[0]).toMatchObject({ source: 'CERTIFIER_DECISION', certified: false, certifier: 'CERT-PATH' });
    expect(establishment.body.ndas[0].certifications.TRAINING.status).toBe('NOT_CERTIFIED');
    expect((await t.http.get(`/api/v1/reports/${id}`).set(as(officer)).expect(200)).body.status).toBe('CLOSED');
    const told = await t.db.superQuery<{ code: string }>(
      `SELECT DISTINCT o.code FROM notifications n JOIN organisations o ON o.id = n.organisation_id WHERE n.kind = 'REPORT_CASE_CLOSED' AND n.payload->>'reportId' = $1 ORDER BY 1`,
      [id],
    );
    expect(told.map((r) => r.code)).toEqual(['CDC', 'OPCO-ATLAS']);
  });

  it('a control service forwards a case to the certifier, which receives it from the worker', async () => {
    const sf = await completedCheck(t, tokens[officer.id], tokens[manager.id], provider.siret, { 'SF-01': 'MINOR_NC' }, { code: 'SERVICE-FAIT', version: 1 });
    const draft = await t.http.post('/api/v1/reports').set(as(officer)).send({ providerSiret: provider.siret, title: 'Service fait', claims: [{ kind: 'SERVICE_FAIT', code: 'SF-01' }], narrative: NARRATIVE }).expect(201);
    await t.http.post(`/api/v1/reports/${draft.body.id}/grounds`).set(as(officer)).send({ kind: 'CHECK_VERSION', checkId: sf.id, revision: sf.revision }).expect(200);
    await t.http.post(`/api/v1/reports/${draft.body.id}/submit`).set(as(manager)).expect(200);
    await t.drain();
    const [srcCase] = (await t.http.get(`/api/v1/reports/${draft.body.id}/cases`).set(as(officer)).expect(200)).body;
    await t.http.post(`/api/v1/inbox/cases/${srcCase.id}/acknowledge`).set(as(agent)).expect(200);
    await t.http.post(`/api/v1/inbox/cases/${srcCase.id}/forward`).set(as(certifier)).send({}).expect(403);
    const forwarded = await t.http.post(`/api/v1/inbox/cases/${srcCase.id}/forward`).set(as(agent)).send({ note: 'Relève de la qualité pédagogique' }).expect(200);
    expect(forwarded.body).toMatchObject({ handlingStatus: 'FORWARDED_TO_CERTIFIER', outcome: 'FORWARDED_TO_CERTIFIER', closedAt: expect.any(String) });
    await t.drain();
    const certCases = (await t.http.get('/api/v1/inbox/cases').set(as(certifier)).expect(200)).body.items.filter((c: { reportId: string }) => c.reportId === draft.body.id);
    expect(certCases).toEqual([expect.objectContaining({ forwardedFrom: srcCase.id, handlingStatus: 'RECEIVED', delivery: expect.objectContaining({ status: 'DELIVERED' }) })]);
  });
});
