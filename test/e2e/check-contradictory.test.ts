import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { TestProvider, createProvider } from '../support/registry-fixtures';
import { localDay, parisToday } from '../support/dates';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const DAY = 24 * 3600 * 1000;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/**
 * Issue 9: the officer's scope choice, the receipt date rules, findings revised after the
 * provider's answer, NOT_APPLICABLE justified. Time moves with the test clock (CLOCK_MODE=offset).
 */
describe('scope sources, receipt rules, finding revisions', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  const tokens: Record<string, string> = {};
  let provider: TestProvider;
  const as = (u: TestUser) => bearer(tokens[u.id]);

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    for (const u of [officer, manager]) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db, 'Formation Quatre Catégories');
    for (const category of ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP']) {
      await t.db.superQuery(`INSERT INTO certification_observations (nda, category, certified, observed_on, source) VALUES ($1, $2, true, '2024-01-01', 'MANUAL')`, [provider.nda, category]);
    }
  });
  afterEach(async () => {
    await moveClock(0);
  });

  /** Moves the test clock; access tokens expire with it, so the users log in again. */
  async function moveClock(ms: number) {
    await t.setClockOffset(ms);
    for (const u of [officer, manager]) tokens[u.id] = await login(t.http, u);
  }
  afterAll(async () => {
    await t?.close();
  });

  async function newCheck(scopeContext: object = { categories: ['SKILLS_ASSESSMENT'] }) {
    const res = await t.http
      .post('/api/v1/checks')
      .set(as(officer))
      .send({ method: 'DOCUMENTARY', providerSiret: provider.siret, scopeContext, contact: { name: 'Mme Durand', email: 'qualite@quatre.test' } });
    expect(res.status).toBe(201);
    return res.body as { id: string; scope: { points: Record<string, { applicable: boolean }> } };
  }

  async function gradeAll(check: { id: string; scope: { points: Record<string, { applicable: boolean }> } }, nc: Record<string, 'MINOR_NC' | 'MAJOR_NC'>) {
    const evidence = await t.http.post(`/api/v1/checks/${check.id}/evidence`).set(as(officer)).attach('file', PDF, 'piece.pdf');
    expect(evidence.status).toBe(201);
    for (const [code, scope] of Object.entries(check.scope.points)) {
      if (!scope.applicable) continue;
      const body = nc[code] ? { grade: nc[code], comment: 'Pièce absente', evidenceRefs: [evidence.body.id] } : { grade: 'COMPLIANT' };
      expect((await t.http.put(`/api/v1/checks/${check.id}/findings/${code}`).set(as(officer)).send(body)).status).toBe(200);
    }
    return evidence.body.id as string;
  }

  it("keeps the officer's categories and flags on a provider certified in all four categories", async () => {
    const chosen = await newCheck({ categories: ['TRAINING'], flags: { TRAINING: { subcontracting: false } } });
    const res = await t.http.get(`/api/v1/checks/${chosen.id}`).set(as(officer));
    expect(res.body.scope).toMatchObject({ categories: ['TRAINING'], categorySource: 'CHOSEN', categoriesProposed: false, counts: { total: 32, applicable: 22 } });
    expect(res.body.scope.points['27'].applicable).toBe(false);
    const proposed = await t.http.post('/api/v1/checks').set(as(officer)).send({ method: 'DOCUMENTARY', providerSiret: provider.siret });
    expect(proposed.body.scope).toMatchObject({ categorySource: 'CERTIFIED_PROPOSAL', categoriesProposed: true, counts: { applicable: 32 } });
  });

  it('needs a written justification for NOT_APPLICABLE on an indicator in scope', async () => {
    const check = await newCheck();
    const bare = await t.http.put(`/api/v1/checks/${check.id}/findings/1`).set(as(officer)).send({ grade: 'NOT_APPLICABLE' });
    expect(bare.status).toBe(422);
    expect(bare.body.code).toBe('CHECK.NA_NEEDS_JUSTIFICATION');
    const justified = await t.http.put(`/api/v1/checks/${check.id}/findings/1`).set(as(officer)).send({ grade: 'NOT_APPLICABLE', comment: 'Aucune information publique diffusée' });
    expect(justified.status).toBe(200);
    const outOfScope = Object.entries(check.scope.points).find(([, s]) => !s.applicable)![0];
    expect((await t.http.put(`/api/v1/checks/${check.id}/findings/${outOfScope}`).set(as(officer)).send({ grade: 'NOT_APPLICABLE' })).status).toBe(200);
  });

  it('refuses a receipt before the notification or a second one, corrects it with a reason, and completes only once the window ran', async () => {
    const check = await newCheck();
    await gradeAll(check, { '1': 'MINOR_NC' });
    expect((await t.http.post(`/api/v1/checks/${check.id}/notify`).set(as(officer)).send({})).status).toBe(200);

    const monthBefore = await t.http.post(`/api/v1/checks/${check.id}/notification-receipt`).set(as(officer)).send({ receivedOn: localDay(-30) });
    expect(monthBefore.status).toBe(400);
    expect(monthBefore.body.errors[0].field).toBe('receivedOn');
    const future = await t.http.post(`/api/v1/checks/${check.id}/notification-receipt`).set(as(officer)).send({ receivedOn: localDay(3) });
    expect(future.status).toBe(400);

    const first = await t.http.post(`/api/v1/checks/${check.id}/notification-receipt`).set(as(officer)).send({ receivedOn: parisToday() });
    expect(first.status).toBe(200);
    const second = await t.http.post(`/api/v1/checks/${check.id}/notification-receipt`).set(as(officer)).send({ receivedOn: parisToday() });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CHECK.RECEIPT_ALREADY_RECORDED');
    const noReason = await t.http.post(`/api/v1/checks/${check.id}/notification-receipt/corrections`).set(as(officer)).send({ receivedOn: parisToday() });
    expect(noReason.status).toBe(400);

    // Whatever the stored dates say, completion computes the window from the receipt.
    await t.db.superQuery(`UPDATE checks SET response_due_at = now() - interval '40 days', provider_received_on = current_date - 60 WHERE id = $1`, [check.id]);
    const tooEarly = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager));
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.code).toBe('CHECK.RESPONSE_WINDOW_OPEN');

    await moveClock(2 * DAY);
    const corrected = await t.http
      .post(`/api/v1/checks/${check.id}/notification-receipt/corrections`)
      .set(as(officer))
      .send({ receivedOn: localDay(1), reason: "L'accusé de réception porte le lendemain" });
    expect(corrected.status).toBe(200);
    expect(corrected.body.procedure.receiptChanges).toHaveLength(2);
    expect(corrected.body.procedure.receiptChanges[1]).toMatchObject({ receivedOn: localDay(1), reason: "L'accusé de réception porte le lendemain" });
    const audit = await t.db.superQuery<{ action: string }>(`SELECT action FROM audit_events WHERE entity_id = $1 AND action = 'check.receipt_corrected'`, [check.id]);
    expect(audit).toHaveLength(1);

    await moveClock(16 * DAY); // 15 days after the corrected receipt: the last day is still running
    expect((await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager))).body.code).toBe('CHECK.RESPONSE_WINDOW_OPEN');
    await moveClock(18 * DAY);
    const done = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager));
    expect(done.status).toBe(200);
    expect(done.body.outcome).toBe('COMPLIANT_WITH_RESERVATIONS');
  });

  it("revises a finding after the provider's response, with the reason and the response, and keeps the history", async () => {
    const check = await newCheck();
    const evidenceId = await gradeAll(check, { '1': 'MAJOR_NC' });
    expect((await t.http.post(`/api/v1/checks/${check.id}/notify`).set(as(officer)).send({ receivedOn: parisToday() })).status).toBe(200);
    const revision = { grade: 'COMPLIANT', comment: 'Le programme transmis répond au critère', evidenceRefs: [evidenceId], reason: 'Pièce fournie dans la réponse' };
    const tooSoon = await t.http.post(`/api/v1/checks/${check.id}/findings/1/revisions`).set(as(officer)).send({ ...revision, responseId: '00000000-0000-4000-8000-000000000000' });
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.code).toBe('CHECK.NOT_EDITABLE');

    expect((await t.http.post(`/api/v1/checks/${check.id}/provider-response`).set(as(officer)).send({ text: 'Voici le programme.' })).status).toBe(200);
    const [response] = (await t.http.get(`/api/v1/checks/${check.id}/provider-responses`).set(as(officer))).body;
    const wrongResponse = await t.http.post(`/api/v1/checks/${check.id}/findings/1/revisions`).set(as(officer)).send({ ...revision, responseId: '00000000-0000-4000-8000-000000000000' });
    expect(wrongResponse.status).toBe(400);
    expect(wrongResponse.body.errors[0].field).toBe('responseId');
    const noReason = await t.http.post(`/api/v1/checks/${check.id}/findings/1/revisions`).set(as(officer)).send({ ...revision, reason: undefined, responseId: response.id });
    expect(noReason.status).toBe(400);

    const revised = await t.http.post(`/api/v1/checks/${check.id}/findings/1/revisions`).set(as(officer)).send({ ...revision, responseId: response.id });
    expect(revised.status).toBe(201);
    expect(revised.body).toMatchObject({ pointCode: '1', responseId: response.id, reason: 'Pièce fournie dans la réponse', before: { grade: 'MAJOR_NC' }, after: { grade: 'COMPLIANT' } });
    const history = await t.http.get(`/api/v1/checks/${check.id}/findings/1/revisions`).set(as(officer));
    expect(history.body).toHaveLength(1);
    const view = await t.http.get(`/api/v1/checks/${check.id}`).set(as(officer));
    expect(view.body.findings.find((f: { pointCode: string }) => f.pointCode === '1').grade).toBe('COMPLIANT');
    expect(view.body.findingRevisions).toHaveLength(1);

    const done = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ outcome: 'COMPLIANT', findingRevisions: [{ reason: 'Pièce fournie dans la réponse' }] });
    const frozen = await t.http.get(`/api/v1/checks/${check.id}/versions/1`).set(as(officer));
    expect(frozen.body.snapshot.check.findingRevisions).toHaveLength(1);
    expect((await t.http.post(`/api/v1/checks/${check.id}/findings/1/revisions`).set(as(officer)).send({ ...revision, responseId: response.id })).status).toBe(409);
  });
});
